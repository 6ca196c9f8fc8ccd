package org.vae4j.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.kernel.Elementwise;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.ParameterStore;
import org.vae4j.optim.GradientClipping;
import org.vae4j.optim.LearningRateSchedule;
import org.vae4j.optim.Optimizer;
import org.vae4j.train.EarlyStopping;
import org.vae4j.train.EpochListener;
import org.vae4j.train.EpochMetrics;
import org.vae4j.train.EpochStats;
import org.vae4j.train.StepListener;
import org.vae4j.train.TrainerConfig;
import org.vae4j.train.TrainingException;
import org.vae4j.train.TrainingProgress;
import org.vae4j.train.TrainingRun;

/**
 * One {@link SparkTrainer#train} call: the driver's loop over epochs and steps (the exact
 * synchronous step, or K local steps with {@link ParameterAveraging}), the validation after each
 * epoch with the best epoch kept and early stopping, as {@link TrainingRun} does locally.
 *
 * <p>Mutable; driven by one driver thread.
 */
final class SparkRun {

    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    final SparkTrainer trainer;
    final TrainerConfig config;
    final int partitions;
    final int localSteps;
    final JavaSparkContext sc;
    final Broadcast<ModelFile> file;
    final JavaPairRDD<Long, float[]> rows;
    final int n;
    final Validation validation; // null: none
    final EarlyStopping early;
    float[] best;                // the best epoch's parameters (with validation and restoreBest)
    final LatentModel model;
    final Optimizer optimizer;
    final List<Parameter> params;
    final ParameterStore store;
    final Elementwise kernel;
    final EpochLayout layout;
    final long stepsPerEpoch;
    final int endEpoch;
    final LearningRateSchedule schedule;
    final float[] sums;

    SparkRun(SparkTrainer trainer, JavaSparkContext sc, Broadcast<ModelFile> file, JavaPairRDD<Long, float[]> rows,
             int n, Validation validation, LatentModel model, Optimizer optimizer) {
        this.trainer = trainer;
        this.config = trainer.config();
        this.partitions = trainer.partitions();
        this.localSteps = trainer.localSteps();
        this.sc = sc;
        this.file = file;
        this.rows = rows;
        this.n = n;
        this.validation = validation;
        this.early = new EarlyStopping(config.patience(), config.minDelta());
        this.model = model;
        this.optimizer = optimizer;
        this.params = model.parameters();
        this.store = model.parameterStore();
        this.kernel = model.kernels().elementwise();
        this.layout = new EpochLayout(n, config.batchSize(), config.microBatches());
        this.stepsPerEpoch = layout.steps();
        if (optimizer.steps() % stepsPerEpoch != 0) {
            throw new IllegalArgumentException("the optimiser has taken " + optimizer.steps() + " steps, not a "
                    + "whole number of epochs of " + stepsPerEpoch + " steps on these " + n + " rows");
        }
        this.endEpoch = config.epochs();
        this.schedule = config.schedulesLearningRate()
                ? config.schedule(stepsPerEpoch, Math.max(1, (long) endEpoch * stepsPerEpoch)) : null;
        this.sums = new float[store.size()];
    }

    List<EpochStats> epochs() {
        LOG.info("training {} parameters on {} rows on Spark: epochs {}..{}, batch {} in {} micro-batches over {} "
                        + "partitions, {}, {}", model.parameterCount(), n, optimizer.steps() / stepsPerEpoch + 1,
                endEpoch, config.batchSize(), config.microBatches(), partitions,
                config.newObjective().describe(), optimizer.describe());
        List<EpochStats> done = new ArrayList<>();
        while (optimizer.steps() / stepsPerEpoch < endEpoch && !early.shouldStop()) {
            done.add(epoch());
        }
        if (best != null) { // as TrainingRun's end: the best epoch's parameters back into the model
            store.setValues(best, 0);
            LOG.info("restored the parameters of epoch {} (best validation {})", early.bestEpoch(), early.bestValue());
        }
        return Collections.unmodifiableList(done);
    }

    EpochStats epoch() {
        long globalStep = optimizer.steps();
        final long epochNumber = globalStep / stepsPerEpoch + 1;
        final int epoch = (int) epochNumber;
        long t0 = System.nanoTime();
        int[] order = TrainingRun.epochOrder(config.seed(), epochNumber, n);
        int[] position = new int[n];
        for (int p = 0; p < n; p++) {
            position[order[p]] = p;
        }
        Broadcast<int[]> pos = sc.broadcast(position);
        EpochLayout lay = layout;
        JavaRDD<MicroBatch> parts = EpochPartitions.of(rows, pos, lay, partitions);
        try {
            Set<Long> missing = new HashSet<>();
            if (model.likelihood().acceptsMissing()) {
                missing.addAll(parts.filter(MicroBatch::hasMissing).map(MicroBatch::step).distinct().collect());
            } else {
                parts.count();
            }
            double sumLoss = 0;
            double sumRecon = 0;
            double sumKl = 0;
            double beta = config.beta(globalStep);
            for (long s = 0; s < stepsPerEpoch && localSteps > 1; s += localSteps) {
                int k = (int) Math.min(localSteps, stepsPerEpoch - s);
                double[] betas = new double[k];
                double[] rates = new double[k];
                for (int j = 0; j < k; j++) {
                    betas[j] = config.beta(globalStep + j);
                    rates[j] = schedule != null ? schedule.lr(globalStep + j) : optimizer.learningRate();
                }
                List<Loss> losses = ParameterAveraging.round(sc, file, parts, new ParameterAveraging.Round(
                        epochNumber, s, k, globalStep, betas, rates, config.clipGradNorm()), store, optimizer);
                for (int j = 0; j < k; j++) {
                    int size = layout.batchRows(s + j);
                    Loss loss = losses.get(j);
                    globalStep++;
                    beta = betas[j];
                    checkFinite(loss, epoch, globalStep);
                    sumLoss += loss.total() * size;
                    sumRecon += loss.reconstruction() * size;
                    sumKl += loss.kl() * size;
                    for (StepListener l : trainer.stepListeners()) {
                        l.onStep(epoch, globalStep, size, loss);
                    }
                }
            }
            for (long s = 0; s < stepsPerEpoch && localSteps == 1; s++) {
                int size = layout.batchRows(s);
                beta = config.beta(globalStep);
                Loss loss = step(parts, epochNumber, s, globalStep, beta, size, missing.contains(s));
                globalStep++;
                checkFinite(loss, epoch, globalStep);
                if (config.clipGradNorm() > 0) {
                    GradientClipping.clipGradNorm(params, config.clipGradNorm());
                }
                if (schedule != null) {
                    schedule.applyTo(optimizer);
                }
                optimizer.step(params, kernel);
                sumLoss += loss.total() * size;
                sumRecon += loss.reconstruction() * size;
                sumKl += loss.kl() * size;
                for (StepListener l : trainer.stepListeners()) {
                    l.onStep(epoch, globalStep, size, loss);
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            EpochStats stats = new EpochStats(epoch, sumLoss / n, sumRecon / n, sumKl / n, beta, stepsPerEpoch, n,
                    seconds);
            LOG.info(String.format("epoch %d/%d: loss %.4f (reconstruction %.4f, KL %.4f, beta %.3g), %.0f rows/s, "
                            + "%.2f s", epoch, endEpoch, stats.trainLoss(), stats.reconstruction(), stats.kl(), beta,
                    stats.imagesPerSecond(), seconds));
            double value = validate(epoch);
            for (EpochListener l : trainer.listeners()) {
                l.onEpoch(stats);
            }
            EpochMetrics metrics = new EpochMetrics(stats, value, optimizer.learningRate(), early.bestEpoch(),
                    validation != null ? early.bestValue() : Double.NaN, early.epochsWithoutImprovement());
            for (Consumer<EpochMetrics> l : trainer.metricsListeners()) {
                l.accept(metrics);
            }
            return stats;
        } finally {
            parts.unpersist(false);
            pos.destroy();
        }
    }

    /** The epoch's validation value (NaN without validation): best epoch, its parameters, early stopping. */
    double validate(int epoch) {
        if (validation == null) {
            return Double.NaN;
        }
        double value = validation.value(sc, file, store.values());
        if (early.update(epoch, value) && config.restoreBest()) {
            best = store.values().clone();
        }
        LOG.info(String.format("epoch %d: validation %.4f (best %.4f at epoch %d)%s", epoch, value,
                early.bestValue(), early.bestEpoch(), early.shouldStop() ? "; early stopping: no improvement of "
                        + "more than " + config.minDelta() + " for " + early.epochsWithoutImprovement() + " epochs" : ""));
        trainer.progress(new TrainingProgress(early.bestEpoch(), early.bestValue(), early.reference(),
                early.epochsWithoutImprovement(), early.shouldStop(), best == null ? List.of() : perParameter(best)));
        return value;
    }

    /** Flat values as one array per parameter, in {@code model.parameters()} order. */
    List<float[]> perParameter(float[] flat) {
        List<float[]> out = new ArrayList<>(params.size());
        for (Parameter p : params) {
            float[] a = new float[p.size()];
            System.arraycopy(flat, p.offset(), a, 0, a.length);
            out.add(a);
        }
        return out;
    }

    /** One step's gradient: the micro-batches' gradients computed by the tasks, summed in index order. */
    Loss step(JavaRDD<MicroBatch> parts, long epoch, long s, long globalStep, double beta, int size,
              boolean missing) {
        Broadcast<float[]> values = sc.broadcast(store.values().clone());
        Broadcast<ModelFile> f = file;
        try {
            List<MicroGradient> got = new ArrayList<>(parts.filter(mb -> mb.step() == s)
                    .map(mb -> compute(f, values, mb, epoch, globalStep, beta, size, missing)).collect());
            got.sort((a, b) -> Integer.compare(a.index(), b.index()));
            int expected = layout.microBatchCount(s);
            if (got.size() != expected) {
                throw new IllegalStateException("step " + (s + 1) + " of epoch " + epoch + " got " + got.size()
                        + " micro-batch gradients, expected " + expected);
            }
            double total = 0;
            double recon = 0;
            double kl = 0;
            for (int i = 0; i < got.size(); i++) {
                MicroGradient g = got.get(i);
                if (g.index() != i) {
                    throw new IllegalStateException("step " + (s + 1) + " of epoch " + epoch
                            + " has no gradient of micro-batch " + i);
                }
                float[] gi = g.gradient();
                if (i == 0) {
                    System.arraycopy(gi, 0, sums, 0, sums.length);
                } else {
                    for (int j = 0; j < sums.length; j++) {
                        sums[j] += gi[j];
                    }
                }
                total += g.total();
                recon += g.recon();
                kl += g.kl();
            }
            store.setGradients(sums, 0);
            return new Loss(total, recon, kl);
        } finally {
            values.destroy();
        }
    }

    private void checkFinite(Loss loss, int epoch, long step) {
        if (!Double.isFinite(loss.total()) || !Double.isFinite(loss.reconstruction()) || !Double.isFinite(loss.kl())) {
            throw new TrainingException(String.format("non-finite loss at epoch %d, step %d: total %s "
                            + "(reconstruction %s, KL %s); the model keeps its parameters from before this step",
                    epoch, step, loss.total(), loss.reconstruction(), loss.kl()), epoch, step);
        }
        if (!store.gradientsFinite(kernel)) {
            throw new TrainingException(String.format("non-finite gradient at epoch %d, step %d; the model keeps "
                    + "its parameters from before this step", epoch, step), epoch, step);
        }
    }

    private static MicroGradient compute(Broadcast<ModelFile> file, Broadcast<float[]> values, MicroBatch mb, long epoch,
                                         long globalStep, double beta, int size, boolean missing) {
        Workers.Worker w = Workers.borrow(file);
        try {
            return w.gradient(values.value(), mb, epoch, globalStep, beta, size, missing);
        } finally {
            Workers.release(w);
        }
    }
}

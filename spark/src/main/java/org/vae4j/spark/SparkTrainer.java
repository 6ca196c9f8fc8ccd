package org.vae4j.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.io.TrainingState;
import org.vae4j.kernel.Elementwise;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.ParameterStore;
import org.vae4j.optim.GradientClipping;
import org.vae4j.optim.LearningRateSchedule;
import org.vae4j.optim.Optimizer;
import org.vae4j.train.EpochListener;
import org.vae4j.train.EpochStats;
import org.vae4j.train.StepListener;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainerConfig;
import org.vae4j.train.TrainingException;
import org.vae4j.train.TrainingProgress;
import org.vae4j.train.TrainingRun;
import scala.Tuple2;

/**
 * Exact synchronous data-parallel training on Spark: the same computation as the local
 * {@link Trainer} with {@code microBatches} N and one GEMM thread, bit for bit, whatever the
 * number of partitions or executors (docs/SPARK.md).
 *
 * <p>The driver holds the model's parameters, the optimiser and its state and the schedules (the
 * objects the local trainer uses). Each row gets a stable id once (its index in the data:
 * {@code zipWithIndex}, the key of its noise). Each epoch the rows are ordered by the local
 * trainer's permutation ({@link TrainingRun#epochOrder}), so each row knows its step and
 * micro-batch ({@link EpochLayout}), and repartitioned once by micro-batch
 * ({@link MicroBatchPartitioner}) into cached {@link MicroBatch}es; rows never go to the driver.
 * Each step: the parameters are broadcast, each task computes the gradient of each micro-batch
 * of the step it holds into zeroed gradients scaled by 1/B (on a model copy made from the
 * broadcast model file, one GEMM thread), the driver sums them in micro-batch order
 * ((g0 + g1) + g2 ..., float32, as {@link org.vae4j.train.GradientFunction}), checks them, clips,
 * applies the learning-rate schedule and takes one optimiser step. A retried task computes the
 * same gradient: its noise is keyed by (seed, step, row id).
 *
 * <p>Checkpoints are the local ones: {@link #state} with {@code ModelFiles.saveCheckpoint}; a
 * checkpoint's optimiser continues here (its step count gives the epoch) and a checkpoint written
 * here resumes locally with {@code --micro-batches N}.
 *
 * <p>Conditional models train with {@link #trainConditional}: each row's condition travels with it.
 * Not supported (refused): validation and early stopping, objective factories other than the
 * configured objective.
 *
 * <p>Immutable settings; {@link #train} is driven by one driver thread at a time.
 */
public final class SparkTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    private final TrainerConfig config; // microBatches() is N
    private final int partitions;
    private final int localSteps;
    private final boolean binarise;
    private final List<EpochListener> listeners;
    private final List<StepListener> stepListeners;

    private SparkTrainer(Builder b) {
        int n = b.microBatches > 0 ? b.microBatches : b.partitions;
        this.config = Trainer.builder().config(b.config).microBatches(n).buildConfig();
        this.partitions = b.partitions;
        this.localSteps = b.localSteps;
        this.binarise = b.binarise;
        this.listeners = List.copyOf(b.listeners);
        this.stepListeners = List.copyOf(b.stepListeners);
        if (config.validation() > 0 || config.patience() > 0) {
            throw new IllegalArgumentException("validation and early stopping are not supported on Spark yet "
                    + "(validation " + config.validation() + ", patience " + config.patience()
                    + "): hold rows out with Dataset.randomSplit and evaluate them");
        }
    }

    /** Settings of a {@link SparkTrainer}. Not thread-safe. */
    public static final class Builder {
        private final TrainerConfig config;
        private int partitions = 2;
        private int microBatches;
        private int localSteps = 1;
        private boolean binarise;
        private final List<EpochListener> listeners = new ArrayList<>();
        private final List<StepListener> stepListeners = new ArrayList<>();

        private Builder(TrainerConfig config) {
            if (config == null) {
                throw new IllegalArgumentException("config must not be null");
            }
            this.config = config;
        }

        /** Partitions P of each epoch's repartitioned data (default 2); micro-batch i goes to partition i mod P. */
        public Builder partitions(int p) {
            if (p < 1) {
                throw new IllegalArgumentException("partitions must be >= 1, got " + p);
            }
            this.partitions = p;
            return this;
        }

        /** Micro-batches N of each step (default: the partitions); the result depends on N only. */
        public Builder microBatches(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("micro-batches must be >= 1, got " + n);
            }
            this.microBatches = n;
            return this;
        }

        /**
         * K &gt; 1: the explicit NON-EXACT option, K local steps per partition between
         * synchronisations, parameters and Adam moments averaged ({@link ParameterAveraging});
         * default 1: exact synchronous training.
         */
        public Builder localSteps(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("local steps must be >= 1 (1: exact), got " + k);
            }
            this.localSteps = k;
            return this;
        }

        /**
         * Dynamic binarisation (default off): each epoch e, the task computing a micro-batch
         * binarises its rows, row id r keyed by (seed, e, r) ({@link org.vae4j.data.Binarisation}),
         * before the gradient: what train-mnist's {@code --binarise} does to its training rows.
         * The rows are the grey values in [0, 1].
         */
        public Builder binarise(boolean on) {
            this.binarise = on;
            return this;
        }

        public Builder listener(EpochListener l) {
            listeners.add(java.util.Objects.requireNonNull(l, "listener"));
            return this;
        }

        public Builder stepListener(StepListener l) {
            stepListeners.add(java.util.Objects.requireNonNull(l, "step listener"));
            return this;
        }

        public SparkTrainer build() {
            return new SparkTrainer(this);
        }
    }

    /** A builder with every setting of {@code config} (its micro-batches are replaced by N). */
    public static Builder builder(TrainerConfig config) {
        return new Builder(config);
    }

    /** The settings, with {@link TrainerConfig#microBatches()} N: what a checkpoint records. */
    public TrainerConfig config() {
        return config;
    }

    public int partitions() {
        return partitions;
    }

    /** Whether each epoch's rows are binarised afresh on the executors ({@link Builder#binarise}). */
    public boolean binarises() {
        return binarise;
    }

    /** K local steps between synchronisations; 1 (exact) unless set. */
    public int localSteps() {
        return localSteps;
    }

    /** A checkpoint's training state for these settings and {@code history}. */
    public TrainingState state(List<EpochStats> history) {
        return new TrainingState(config, history, TrainingProgress.NONE);
    }

    /**
     * Trains up to epoch {@link TrainerConfig#epochs()} counted from the optimiser's first step, as
     * {@link Trainer#start} and {@link org.vae4j.io.Checkpoint#resume} do: a new optimiser runs all
     * of them, a checkpoint's optimiser the epochs still to run (none once there).
     *
     * @param data      the training rows, in a deterministic order (row i of it has id i); each of
     *                  the model's input width
     * @param model     updated in place on the driver
     * @param optimiser updated in place; a checkpoint's continues its run
     * @return one {@link EpochStats} per epoch run by this call
     * @throws IllegalArgumentException for rows of the wrong width, non-finite or outside the likelihood's
     *                                  support, a conditional model, or an optimiser in the middle of an epoch
     * @throws TrainingException        when the loss or a gradient becomes non-finite
     */
    public List<EpochStats> train(JavaRDD<float[]> data, LatentModel model, Optimizer optimiser) {
        if (model.conditionSize() > 0) {
            throw new IllegalArgumentException("the model is conditional (condition size " + model.conditionSize()
                    + "): train it with trainConditional, each row's data with its condition");
        }
        return run(data, model, optimiser);
    }

    /**
     * As {@link #train} for a conditional model ({@link org.vae4j.ConditionalVae}): each row's
     * data (the model's input size) with its condition (its condition size, e.g. a one-hot
     * label), which travels with the row to the task computing it. Bit-identical to the local
     * trainer given the same conditions ({@code ValidationSplit.of(x, c, ...)}).
     *
     * @param rows (data, condition) pairs, in a deterministic order (row i has id i)
     * @throws IllegalArgumentException for an unconditional model, or rows or conditions of the wrong width
     */
    public List<EpochStats> trainConditional(JavaRDD<Tuple2<float[], float[]>> rows, LatentModel model,
                                             Optimizer optimiser) {
        if (model.conditionSize() == 0) {
            throw new IllegalArgumentException("the model takes no condition: train it with train(rows, ...)");
        }
        return run(rows.map(t -> {
            float[] both = new float[t._1().length + t._2().length];
            System.arraycopy(t._1(), 0, both, 0, t._1().length);
            System.arraycopy(t._2(), 0, both, t._1().length, t._2().length);
            return both;
        }), model, optimiser);
    }

    /** Training on rows [x] or, for a conditional model, [x | c]. */
    private List<EpochStats> run(JavaRDD<float[]> data, LatentModel model, Optimizer optimiser) {
        config.newObjective().checkModel(model);
        if (localSteps > 1) {
            ParameterAveraging.checkAdam(optimiser);
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.context());
        Broadcast<ModelFile> file = sc.broadcast(ModelFile.of(ModelBytes.of(model, state(List.of()),
                binarise ? Map.of(Workers.META_BINARISE, "true") : null)));
        JavaPairRDD<Long, float[]> rows = data.zipWithIndex().mapToPair(t -> new Tuple2<>(t._2(), t._1()))
                .persist(StorageLevel.MEMORY_ONLY());
        try {
            long n = rows.mapPartitions(it -> EpochPartitions.check(file, it)).reduce(Long::sum);
            if (n < 1 || n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("training data has " + n + " rows; 1 to 2^31-9 are supported");
            }
            return new Run(sc, file, rows, (int) n, model, optimiser).epochs();
        } finally {
            rows.unpersist(false);
            file.destroy();
        }
    }

    /** One call of {@link #train}: the driver's loop. */
    private final class Run {
        final JavaSparkContext sc;
        final Broadcast<ModelFile> file;
        final JavaPairRDD<Long, float[]> rows;
        final int n;
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

        Run(JavaSparkContext sc, Broadcast<ModelFile> file, JavaPairRDD<Long, float[]> rows, int n, LatentModel model,
            Optimizer optimizer) {
            this.sc = sc;
            this.file = file;
            this.rows = rows;
            this.n = n;
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
            while (optimizer.steps() / stepsPerEpoch < endEpoch) {
                done.add(epoch());
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
                        for (StepListener l : stepListeners) {
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
                    for (StepListener l : stepListeners) {
                        l.onStep(epoch, globalStep, size, loss);
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                EpochStats stats = new EpochStats(epoch, sumLoss / n, sumRecon / n, sumKl / n, beta, stepsPerEpoch, n,
                        seconds);
                LOG.info(String.format("epoch %d/%d: loss %.4f (reconstruction %.4f, KL %.4f, beta %.3g), %.0f rows/s, "
                                + "%.2f s", epoch, endEpoch, stats.trainLoss(), stats.reconstruction(), stats.kl(), beta,
                        stats.imagesPerSecond(), seconds));
                for (EpochListener l : listeners) {
                    l.onEpoch(stats);
                }
                return stats;
            } finally {
                parts.unpersist(false);
                pos.destroy();
            }
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

package org.vae4j.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.kernel.Elementwise;
import org.vae4j.kernel.Gemm;
import org.vae4j.loss.MissingCells;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.ParameterStore;
import org.vae4j.objective.Batch;
import org.vae4j.objective.Denoising;
import org.vae4j.objective.Objective;
import org.vae4j.objective.StepContext;
import org.vae4j.optim.GradientClipping;
import org.vae4j.optim.LearningRateSchedule;
import org.vae4j.optim.Optimizer;
import org.vae4j.random.CounterRandom;
import org.vae4j.random.Noise;

/**
 * One training run of a {@link Trainer}: a model, its training (and validation) data and an
 * optimiser, trained epoch after epoch by {@link #runEpochs(int)} or {@link #train()}. The run
 * keeps the optimiser's state and numbers epochs continuously across calls: the epoch number is
 * derived from the optimiser's step count ({@code steps / stepsPerEpoch + 1}), and so are each
 * epoch's draws (shuffling ({@link Noise#SHUFFLE}, epoch), noise ({@link Noise#TRAINING}, epoch,
 * row)), so a run resumed from a checkpoint continues bit-identically.
 *
 * <p>Each step: gather a batch of shuffled rows, compute the loss and every gradient with the
 * {@link GradientFunction}, check that they are finite, clip the gradient norm
 * ({@link TrainerConfig#clipGradNorm()}), set the learning rate of the schedule (stepped per
 * optimiser step, over {@code end epoch * steps per epoch} steps) and let the optimiser update
 * the parameters. Allocation-free in steady state. With a likelihood that accepts missing cells,
 * NaN cells of a gathered batch get the likelihood's neutral value at the encoder's input and are
 * masked out of the loss ({@link org.vae4j.objective.Batch#mask()}).
 *
 * <p>After each epoch, with a validation set, the validation value is computed with the same
 * noise every epoch ({@link LatentModel#negativeElbo(FMatrixRMaj, Noise)}), the best epoch (the lowest
 * value, the earliest on ties) and its parameters are kept, and early stopping counts the epochs
 * without an improvement of more than {@link TrainerConfig#minDelta()} over the last improvement
 * (Keras's {@code EarlyStopping}): after {@link TrainerConfig#patience()} of them the run stops.
 * When the run ends (stopped, or at its end epoch) the best parameters are put back into the
 * model ({@link TrainerConfig#restoreBest()}).
 *
 * <p>Mutable, not thread-safe: one thread drives a run.
 */
public final class TrainingRun {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    private final TrainerConfig config;
    private final LatentModel model;
    private final FMatrixRMaj data;        // (n, d) training rows, read every epoch
    private final FMatrixRMaj validation;  // (v, d) or null
    private final FMatrixRMaj conditions;           // (n, c) of the training rows, or null
    private final FMatrixRMaj validationConditions; // (v, c) or null
    private final FMatrixRMaj conditionBatch;       // (batch, c), reused, or null
    private final Optimizer optimizer;
    private final int endEpoch;
    private final List<EpochListener> listeners;
    private final List<StepListener> stepListeners;
    private final List<EpochCallback> callbacks;
    private final List<Parameter> params;
    private final FMatrixRMaj batch;       // (batch, d), reused
    private final FMatrixRMaj batchMask;   // (batch, d) missing-cell mask, or null when the likelihood takes none
    private final int[] order;
    private final GradientFunction gradient;
    private final Noise noise;
    private final StepContext context;
    private final Batch rows = new Batch();
    private final CounterRandom shuffleRng = new CounterRandom();
    private final Elementwise kernel;
    private final long stepsPerEpoch;
    private final LearningRateSchedule schedule; // null: the optimiser's rate is left alone
    private final List<EpochStats> history = new ArrayList<>();

    private final EarlyStopping early;
    private boolean stopped;
    private boolean ended;
    private float[][] bestParameters;          // one per parameter, allocated at the first best
    private int epochsRun;

    TrainingRun(TrainerConfig config, Objective objective, List<EpochListener> listeners,
                List<StepListener> stepListeners, List<EpochCallback> callbacks, LatentModel model,
                ValidationSplit split, Optimizer optimizer, int endEpoch) {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer must not be null");
        }
        checkData(model, split.train(), "training data");
        model.checkCondition(split.trainConditions(), split.train().numRows, "training conditions");
        if (split.validation() != null) {
            checkData(model, split.validation(), "validation data");
            model.checkCondition(split.validationConditions(), split.validation().numRows, "validation conditions");
        }
        this.config = config;
        this.model = model;
        this.data = split.train();
        this.validation = split.validation();
        this.conditions = split.trainConditions();
        this.validationConditions = split.validationConditions();
        this.optimizer = optimizer;
        this.listeners = listeners;
        this.stepListeners = stepListeners;
        this.callbacks = callbacks;
        objective.checkModel(model);
        this.params = model.parameters();
        final int n = data.numRows;
        this.batch = new FMatrixRMaj(Math.min(config.batchSize(), n), data.numCols);
        this.batchMask = model.likelihood().acceptsMissing() ? new FMatrixRMaj(batch.numRows, data.numCols) : null;
        this.order = new int[n];
        this.conditionBatch = conditions == null ? null : new FMatrixRMaj(batch.numRows, conditions.numCols);
        this.gradient = new GradientFunction(
                config.corruption().isNone() ? objective : new Denoising(config.corruption(), objective),
                config.microBatches());
        this.noise = new Noise(config.seed());
        this.context = new StepContext(noise);
        this.kernel = model.kernels().elementwise();
        this.stepsPerEpoch = (n + config.batchSize() - 1) / config.batchSize();
        this.endEpoch = endEpoch;
        this.early = new EarlyStopping(config.patience(), config.minDelta());
        this.schedule = config.schedulesLearningRate()
                ? config.schedule(stepsPerEpoch, Math.max(1, (long) endEpoch * stepsPerEpoch)) : null;
    }

    /**
     * Sets the early-stopping position and best parameters of a checkpointed run, before its first
     * epoch here.
     *
     * @param progress the position saved by {@link #progress()} with the checkpoint
     * @return this run
     * @throws IllegalStateException    after an epoch of this run
     * @throws IllegalArgumentException for best parameters that do not match the model's
     */
    public TrainingRun restore(TrainingProgress progress) {
        if (epochsRun > 0) {
            throw new IllegalStateException("restore a run's progress before its first epoch");
        }
        List<float[]> best = progress.bestParameters();
        if (!best.isEmpty()) {
            if (best.size() != params.size()) {
                throw new IllegalArgumentException("the progress holds " + best.size()
                        + " best parameters, the model has " + params.size());
            }
            for (int k = 0; k < params.size(); k++) {
                if (best.get(k).length != params.get(k).size()) {
                    throw new IllegalArgumentException("best " + params.get(k).name() + " has "
                            + best.get(k).length + " values, the parameter " + params.get(k).size());
                }
            }
        }
        early.bestEpoch = progress.bestEpoch();
        early.bestValue = progress.bestValue();
        early.reference = progress.reference();
        early.wait = progress.epochsWithoutImprovement();
        stopped = progress.stopped();
        bestParameters = best.isEmpty() ? null : best.toArray(new float[0][]);
        return this;
    }

    /** {@return the early-stopping position and the best parameters now, for a checkpoint} */
    public TrainingProgress progress() {
        return new TrainingProgress(early.bestEpoch, early.bestValue, early.reference, early.wait, stopped,
                bestParameters == null ? List.of() : List.of(bestParameters));
    }

    /**
     * Runs the epochs still to run: up to the end epoch, or until stopped; then puts the best
     * parameters back ({@link TrainerConfig#restoreBest()}).
     *
     * @return the epochs run by this call (an empty list once the run has ended), unmodifiable
     * @throws TrainingException when a loss or gradient becomes non-finite
     */
    public List<EpochStats> train() {
        return runEpochs(Integer.MAX_VALUE);
    }

    /**
     * Runs up to {@code n} more epochs, fewer if the run reaches its end epoch or is stopped;
     * when it ends, the best parameters are put back ({@link TrainerConfig#restoreBest()}).
     *
     * @param n the most epochs to run, &gt;= 0
     * @return the epochs run by this call (an empty list once the run has ended), unmodifiable
     * @throws IllegalArgumentException when {@code n < 0}
     * @throws TrainingException when a loss or gradient becomes non-finite
     */
    public List<EpochStats> runEpochs(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("epochs must be >= 0, got " + n);
        }
        List<EpochStats> done = new ArrayList<>();
        if (epochsRun == 0 && !isFinished()) {
            LOG.info("training {} parameters on {} examples{}: epochs {}..{}, batch {}{}, {}, {}{}{}, beta {}{}",
                    model.parameterCount(), data.numRows,
                    validation != null ? " (" + validation.numRows + " held out for validation)" : "",
                    completedEpochs() + 1, endEpoch, config.batchSize(),
                    config.microBatches() > 1 ? " in " + config.microBatches() + " micro-batches" : "",
                    gradient.objective().describe(), optimizer.describe(),
                    schedule != null ? ", " + schedule.describe() : "",
                    config.clipGradNorm() > 0 ? ", gradient norm clipped to " + config.clipGradNorm() : "",
                    config.beta(), config.klSchedule().isConstant() ? "" : " (KL schedule " + config.klSchedule().spec() + ")");
        }
        while (done.size() < n && !isFinished()) {
            done.add(runEpoch());
            if (isFinished()) {
                end();
            }
        }
        return Collections.unmodifiableList(done);
    }

    private EpochStats runEpoch() {
        final int n = data.numRows;
        final int batchSize = config.batchSize();
        long globalStep = optimizer.steps();
        final long epochNumber = globalStep / stepsPerEpoch + 1;
        final int epoch = (int) epochNumber;
        for (int i = 0; i < callbacks.size(); i++) {
            callbacks.get(i).onEpochStart(this, epoch);
        }
        model.setTraining(true);
        shuffle(order, noise.stream(shuffleRng, Noise.SHUFFLE, epochNumber, 0, 0));
        long t0 = System.nanoTime();
        double sumLoss = 0;
        double sumRecon = 0;
        double sumKl = 0;
        double beta = config.beta(globalStep);
        long steps = 0;
        final double clip = config.clipGradNorm();
        for (int start = 0; start < n; start += batchSize) {
            int size = Math.min(batchSize, n - start);
            gather(data, order, start, size, batch);
            if (conditions != null) {
                gather(conditions, order, start, size, conditionBatch);
            }
            beta = config.beta(globalStep);
            context.set(epochNumber, globalStep, beta, size);
            rows.set(batch, batch, conditionBatch, fillMissing(batch, batchMask), order, start);
            Loss loss = gradient.compute(model, rows, context);
            globalStep++;
            steps++;
            checkFinite(loss.total(), loss.reconstruction(), loss.kl(), model.parameterStore(), kernel,
                    model.kernels().gemm(), epoch, globalStep);
            if (clip > 0) {
                GradientClipping.clipGradNorm(params, clip);
            }
            if (schedule != null) {
                schedule.applyTo(optimizer);
            }
            optimizer.step(params, model.kernels()); // the flat pass on the GEMM's threads
            sumLoss += loss.total() * size;
            sumRecon += loss.reconstruction() * size;
            sumKl += loss.kl() * size;
            for (int i = 0; i < stepListeners.size(); i++) {
                stepListeners.get(i).onStep(epoch, globalStep, size, loss);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        EpochStats stats = new EpochStats(epoch, sumLoss / n, sumRecon / n, sumKl / n, beta, steps, n, seconds);
        history.add(stats);
        epochsRun++;
        double value = Double.NaN;
        if (validation != null) {
            value = evaluateValidation();
            updateBest(epoch, value);
        }
        if (LOG.isInfoEnabled()) {
            LOG.info(String.format("epoch %d/%d: loss %.4f (reconstruction %.4f, KL %.4f, beta %.3g)%s, "
                            + "%.0f images/s, %.2f s", epoch, endEpoch, stats.trainLoss(), stats.reconstruction(),
                    stats.kl(), beta, validation != null ? String.format(", validation %.4f (best %.4f at epoch %d)",
                            value, early.bestValue, early.bestEpoch) : "", stats.imagesPerSecond(), seconds));
        }
        for (EpochListener l : listeners) {
            l.onEpoch(stats);
        }
        EpochMetrics metrics = new EpochMetrics(stats, value, optimizer.learningRate(),
                early.bestEpoch, validation != null ? early.bestValue : Double.NaN, early.wait);
        for (EpochCallback c : callbacks) {
            c.onEpochEnd(this, metrics);
        }
        return stats;
    }

    /** Keeps the best epoch and its parameters; Keras's EarlyStopping counter. */
    private void updateBest(int epoch, double value) {
        if (early.update(epoch, value) && config.restoreBest()) {
            copyParameters(true);
        }
        if (early.stop) {
            stopped = true;
            LOG.info("early stopping after epoch {}: no improvement of more than {} for {} epochs; "
                    + "best validation {} at epoch {}", epoch, config.minDelta(), early.wait, early.bestValue,
                    early.bestEpoch);
        }
    }

    /** Model to the best buffer ({@code save}) or back. */
    private void copyParameters(boolean save) {
        if (bestParameters == null) {
            bestParameters = new float[params.size()][];
            for (int k = 0; k < params.size(); k++) {
                bestParameters[k] = new float[params.get(k).size()];
            }
        }
        for (int k = 0; k < params.size(); k++) {
            Parameter p = params.get(k);
            if (save) {
                System.arraycopy(p.valueArray(), p.offset(), bestParameters[k], 0, bestParameters[k].length);
            } else {
                p.set(bestParameters[k]);
            }
        }
    }

    /** At the end of the run: the best parameters back into the model. */
    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (validation != null && config.restoreBest() && bestParameters != null) {
            copyParameters(false);
            LOG.info("restored the parameters of epoch {} (best validation {})", early.bestEpoch, early.bestValue);
        }
    }

    /** Puts the best epoch's parameters into the model now (nothing without a best epoch). */
    public void restoreBestParameters() {
        if (bestParameters != null) {
            copyParameters(false);
        }
    }

    /** Stops training after the current epoch (Keras's {@code model.stop_training = True}). */
    public void stopTraining() {
        stopped = true;
    }

    /** {@return whether the run was stopped, by early stopping or {@link #stopTraining()}} */
    public boolean isStopped() {
        return stopped;
    }

    /** {@return whether no epoch is left to run: stopped, or at the end epoch} */
    public boolean isFinished() {
        return stopped || completedEpochs() >= endEpoch;
    }

    /**
     * {@return the epochs completed by the optimiser (this run's and earlier ones): its steps / steps
     * per epoch, rounded down}
     */
    public int completedEpochs() {
        return (int) (optimizer.steps() / stepsPerEpoch);
    }

    /** {@return the epoch after which the run ends} */
    public int endEpoch() {
        return endEpoch;
    }

    /** {@return the optimiser steps per epoch: ceil(training rows / batch size)} */
    public long stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /** {@return the epochs this run object has trained, in order (unmodifiable view)} */
    public List<EpochStats> history() {
        return Collections.unmodifiableList(history);
    }

    /** {@return the epoch of the lowest validation value so far (the earliest on ties); 0 if none} */
    public int bestEpoch() {
        return early.bestEpoch;
    }

    /** {@return the lowest validation value so far (+infinity if none)} */
    public double bestValue() {
        return early.bestValue;
    }

    /** {@return the number of epochs since the last improvement of more than min-delta (the patience counter)} */
    public int epochsWithoutImprovement() {
        return early.wait;
    }

    /**
     * {@return the validation value of the model now, with the run's fixed noise; NaN without a validation set}
     */
    public double validationValue() {
        if (validation == null) {
            return Double.NaN;
        }
        return evaluateValidation();
    }

    /** The validation value with the fixed noise (given the validation conditions, if any); back to training mode. */
    private double evaluateValidation() {
        double v = validationConditions == null ? model.negativeElbo(validation, noise).total()
                : model.negativeElbo(validation, validationConditions, noise).total();
        model.setTraining(true);
        return v;
    }

    /** {@return the model being trained (its parameters change at every step)} */
    public LatentModel model() {
        return model;
    }

    /** {@return the optimiser, whose step count numbers the epochs} */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** {@return the trainer's settings} */
    public TrainerConfig config() {
        return config;
    }

    /** {@return the training rows (live: a callback may change their values between epochs)} */
    public FMatrixRMaj trainingData() {
        return data;
    }

    /** {@return the conditions of the training rows (live, as {@link #trainingData()}), or {@code null}} */
    public FMatrixRMaj trainingConditions() {
        return conditions;
    }

    /** {@return the validation rows, or {@code null}} */
    public FMatrixRMaj validationData() {
        return validation;
    }

    /**
     * {@return the learning-rate schedule applied before each step, or {@code null} when the rate is left alone}
     */
    public LearningRateSchedule schedule() {
        return schedule;
    }

    static void checkData(LatentModel model, FMatrixRMaj data, String what) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        if (data == null || data.numRows == 0) {
            throw new IllegalArgumentException(what + " is empty (0 rows)");
        }
        if (data.numCols != model.inputSize()) {
            throw new IllegalArgumentException(what + " has " + data.numCols
                    + " columns but the model's input size is " + model.inputSize());
        }
        model.checkData(data, what);
    }

    private static void checkFinite(double loss, double recon, double kl, ParameterStore store,
                                    Elementwise kernel, Gemm threads, int epoch, long step) {
        if (!Double.isFinite(loss) || !Double.isFinite(recon) || !Double.isFinite(kl)) {
            throw new TrainingException(String.format(
                    "non-finite loss at epoch %d, step %d: total %s (reconstruction %s, KL %s); "
                            + "the model keeps its parameters from before this step (try a lower learning rate)",
                    epoch, step, loss, recon, kl), epoch, step);
        }
        if (store.gradientsFinite(kernel, threads)) {
            return;
        }
        List<Parameter> params = store.parameters();
        for (int k = 0; k < params.size(); k++) {
            Parameter p = params.get(k);
            float[] g = p.gradArray();
            for (int i = 0; i < p.size(); i++) {
                if (!Float.isFinite(g[p.offset() + i])) {
                    throw new TrainingException(String.format(
                            "non-finite gradient %s of %s[%d] at epoch %d, step %d; "
                                    + "the model keeps its parameters from before this step",
                            g[p.offset() + i], p.name(), i, epoch, step), epoch, step);
                }
            }
        }
    }

    /**
     * With a likelihood that accepts missing cells and a batch that has some (NaN): gives them
     * their neutral value in place and returns their mask; otherwise {@code null}.
     */
    private FMatrixRMaj fillMissing(FMatrixRMaj batch, FMatrixRMaj mask) {
        if (mask == null || !MissingCells.any(batch)) {
            return null;
        }
        mask.reshape(batch.numRows, batch.numCols);
        model.likelihood().fillMissing(batch, mask);
        return mask;
    }

    /** Copies rows order[start .. start+rows) of data into batch. */
    private static void gather(FMatrixRMaj data, int[] order, int start, int rows, FMatrixRMaj batch) {
        final int d = data.numCols;
        batch.reshape(rows, d);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(data.data, order[start + r] * d, batch.data, r * d, d);
        }
    }

    /**
     * {@return the row order of an epoch: the permutation of 0..rows-1 that a run with this seed draws
     * for epoch {@code epoch} (1-based; {@link Noise#SHUFFLE}, epoch), row {@code order[p]} at
     * position p} Steps take consecutive positions, {@link TrainerConfig#batchSize()} at a time. A
     * data-parallel trainer that must be bit-identical to this one (vae4j-spark) orders its rows
     * with it.
     *
     * @param seed  the run's seed ({@link TrainerConfig#seed()})
     * @param epoch the 1-based epoch number in the whole run
     * @param rows  the number of training rows (after any validation split), &gt;= 1
     * @throws IllegalArgumentException when {@code rows < 1}
     */
    public static int[] epochOrder(long seed, long epoch, int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("an epoch needs at least one row, got " + rows);
        }
        int[] order = new int[rows];
        shuffle(order, new Noise(seed).stream(new CounterRandom(), Noise.SHUFFLE, epoch, 0, 0));
        return order;
    }

    /** A fresh Fisher-Yates permutation of 0..n-1. */
    private static void shuffle(int[] order, CounterRandom rng) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
    }
}

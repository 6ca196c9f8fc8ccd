package org.vae4j.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

import org.ejml.data.FMatrixRMaj;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.kernel.Elementwise;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.ParameterStore;
import org.vae4j.objective.Batch;
import org.vae4j.objective.Corruption;
import org.vae4j.objective.Denoising;
import org.vae4j.objective.NegativeElbo;
import org.vae4j.objective.Objective;
import org.vae4j.objective.StepContext;
import org.vae4j.optim.Adam;
import org.vae4j.optim.Optimizer;
import org.vae4j.random.CounterRandom;
import org.vae4j.random.Noise;

/**
 * Trains a {@link LatentModel} with shuffled mini-batch epochs over in-memory float data.
 *
 * <p>Each step: gather a batch of shuffled rows, compute the loss and every gradient with the
 * {@link GradientFunction} of the objective (by default {@link NegativeElbo}; wrapped in
 * {@link Denoising} when a corruption is set), check that they are finite, and let the
 * optimiser update the parameters. The last batch of an epoch may be smaller. The same seed gives
 * bit-identical parameters run after run: the epoch's order comes from the stream
 * ({@link Noise#SHUFFLE}, epoch) and each row's noise from ({@link Noise#TRAINING}, epoch, row),
 * where the epoch number is derived from the optimiser's step count (so a second call with the
 * same optimiser, or a resumed run, continues with the next epoch's draws).
 *
 * <p>A non-finite loss or gradient stops training with a {@link TrainingException} naming the
 * epoch and step; the model keeps the parameters it had before that step.
 *
 * <p>Immutable once built; one trainer can train several models, one at a time per call.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** Default mini-batch size. */
    public static final int DEFAULT_BATCH_SIZE = 128;
    /** Default number of epochs. */
    public static final int DEFAULT_EPOCHS = 10;
    /** Default seed of the shuffling and the noise. */
    public static final long DEFAULT_SEED = 42L;

    private final int epochs;
    private final int batchSize;
    private final long seed;
    private final KlWarmup klWarmup;
    private final Supplier<Optimizer> optimizer;
    private final List<EpochListener> listeners;
    private final Corruption corruption;
    private final Supplier<Objective> objective;
    private final int microBatches;
    private final List<StepListener> stepListeners;

    private Trainer(Builder b) {
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.klWarmup = new KlWarmup(b.beta, b.warmupSteps);
        this.optimizer = b.optimizer;
        this.listeners = List.copyOf(b.listeners);
        this.corruption = b.corruption;
        this.objective = b.objective;
        this.microBatches = b.microBatches;
        this.stepListeners = List.copyOf(b.stepListeners);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a {@link Trainer}, validated as they are set. Not thread-safe. */
    public static final class Builder {
        private int epochs = DEFAULT_EPOCHS;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private long seed = DEFAULT_SEED;
        private double beta = 1.0;
        private long warmupSteps;
        private Supplier<Optimizer> optimizer = Adam::new;
        private final List<EpochListener> listeners = new ArrayList<>();
        private Corruption corruption = Corruption.none();
        private Supplier<Objective> objective = NegativeElbo::new;
        private int microBatches = 1;
        private final List<StepListener> stepListeners = new ArrayList<>();

        /** Called after every optimiser step. */
        public Builder stepListener(StepListener l) {
            if (l == null) {
                throw new IllegalArgumentException("step listener must not be null");
            }
            stepListeners.add(l);
            return this;
        }

        /** Makes the objective of each {@link #train} call (default: the negative ELBO with the beta schedule). */
        public Builder objective(Supplier<? extends Objective> factory) {
            if (factory == null) {
                throw new IllegalArgumentException("objective factory must not be null");
            }
            this.objective = factory::get;
            return this;
        }

        /** Each batch's gradient as this many micro-batches (see {@link GradientFunction}); default 1. */
        public Builder microBatches(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("micro-batches must be positive, got " + n);
            }
            this.microBatches = n;
            return this;
        }

        public Builder epochs(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("epochs must be positive, got " + n);
            }
            this.epochs = n;
            return this;
        }

        public Builder batchSize(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + n);
            }
            this.batchSize = n;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** The KL weight of a beta-VAE (1 gives the ELBO). */
        public Builder beta(double b) {
            this.beta = new KlWarmup(b, 0).target();
            return this;
        }

        /** Steps over which beta rises linearly from 0 to its target (0 = no warm-up). */
        public Builder klWarmupSteps(long steps) {
            this.warmupSteps = new KlWarmup(1, steps).steps();
            return this;
        }

        /** Makes the optimiser of each {@link #train} call (default: Adam with PyTorch's defaults). */
        public Builder optimizer(Supplier<Optimizer> factory) {
            if (factory == null) {
                throw new IllegalArgumentException("optimizer factory must not be null");
            }
            this.optimizer = factory;
            return this;
        }

        public Builder listener(EpochListener l) {
            if (l == null) {
                throw new IllegalArgumentException("listener must not be null");
            }
            listeners.add(l);
            return this;
        }

        /**
         * Denoising: each batch is corrupted (into a buffer allocated once, with a generator of
         * the epoch) and the model reconstructs the clean batch. Default {@link Corruption#none()}.
         */
        public Builder corruption(Corruption c) {
            if (c == null) {
                throw new IllegalArgumentException("corruption must not be null (use Corruption.none())");
            }
            this.corruption = c;
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }

    public int epochs() {
        return epochs;
    }

    public int batchSize() {
        return batchSize;
    }

    public long seed() {
        return seed;
    }

    public KlWarmup klWarmup() {
        return klWarmup;
    }

    public Corruption corruption() {
        return corruption;
    }

    /** Trains with a new optimiser from the factory. See {@link #train(LatentModel, FMatrixRMaj, Optimizer)}. */
    public List<EpochStats> train(LatentModel model, FMatrixRMaj data) {
        return train(model, data, optimizer.get());
    }

    /** Trains on rows given as arrays (copied once into a matrix). */
    public List<EpochStats> train(LatentModel model, float[][] data) {
        if (data == null || data.length == 0) {
            throw new IllegalArgumentException("training data is empty (0 rows)");
        }
        FMatrixRMaj m = new FMatrixRMaj(data.length, data[0].length);
        for (int r = 0; r < data.length; r++) {
            if (data[r].length != data[0].length) {
                throw new IllegalArgumentException("training data row " + r + " has " + data[r].length
                        + " values, row 0 has " + data[0].length);
            }
            System.arraycopy(data[r], 0, m.data, r * m.numCols, m.numCols);
        }
        return train(model, m);
    }

    /**
     * Runs {@link #epochs()} epochs of shuffled mini-batches.
     *
     * @param model     updated in place
     * @param data      (n, inputSize) training rows, not modified
     * @param optimiser updated in place; its state carries over between calls
     * @return one {@link EpochStats} per epoch
     * @throws IllegalArgumentException for data of the wrong width, empty, non-finite or outside the likelihood's support
     * @throws TrainingException        when a loss or gradient becomes non-finite
     */
    public List<EpochStats> train(LatentModel model, FMatrixRMaj data, Optimizer optimiser) {
        checkData(model, data);
        final int n = data.numRows;
        final int d = data.numCols;
        final List<Parameter> params = model.parameters();
        final FMatrixRMaj batch = new FMatrixRMaj(Math.min(batchSize, n), d); // (batch, d), reused
        final int[] order = new int[n];
        final List<EpochStats> history = new ArrayList<>(epochs);
        final Objective base = objective.get();
        final GradientFunction gradient = new GradientFunction(
                corruption.isNone() ? base : new Denoising(corruption, base), microBatches);
        final Noise noise = new Noise(seed);
        final StepContext context = new StepContext(noise);
        final Batch rows = new Batch();
        final CounterRandom shuffleRng = new CounterRandom();
        final Elementwise kernel = model.kernels().elementwise();
        final long stepsPerEpoch = (n + batchSize - 1) / batchSize;
        long globalStep = optimiser.steps();
        model.setTraining(true);
        LOG.info("training {} parameters on {} examples: {} epochs, batch {}{}, {}, {}, beta {}{}",
                model.parameterCount(), n, epochs, batchSize,
                microBatches > 1 ? " in " + microBatches + " micro-batches" : "", gradient.objective().describe(),
                optimiser.describe(), klWarmup.target(),
                klWarmup.steps() > 0 ? " (warm-up " + klWarmup.steps() + " steps)" : "");
        for (int epoch = 1; epoch <= epochs; epoch++) {
            // The epoch's draws are keyed by its number in the whole run: a second train() call
            // with the same optimiser, or a resumed run, continues with fresh draws.
            final long runEpoch = globalStep / stepsPerEpoch + 1;
            shuffle(order, noise.stream(shuffleRng, Noise.SHUFFLE, runEpoch, 0, 0));
            long t0 = System.nanoTime();
            double sumLoss = 0;
            double sumRecon = 0;
            double sumKl = 0;
            double beta = klWarmup.beta(globalStep);
            long steps = 0;
            for (int start = 0; start < n; start += batchSize) {
                int size = Math.min(batchSize, n - start);
                gather(data, order, start, size, batch);
                beta = klWarmup.beta(globalStep);
                context.set(runEpoch, globalStep, beta, size);
                rows.set(batch, batch, null, order, start);
                Loss loss = gradient.compute(model, rows, context);
                globalStep++;
                steps++;
                checkFinite(loss.total(), loss.reconstruction(), loss.kl(), model.parameterStore(), kernel, epoch, globalStep);
                optimiser.step(params);
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
            if (LOG.isInfoEnabled()) {
                LOG.info(String.format("epoch %d/%d: loss %.4f (reconstruction %.4f, KL %.4f, beta %.3g), %.0f images/s, %.2f s",
                    epoch, epochs, stats.trainLoss(), stats.reconstruction(), stats.kl(), beta,
                    stats.imagesPerSecond(), seconds));
            }
            for (EpochListener l : listeners) {
                l.onEpoch(stats);
            }
        }
        return Collections.unmodifiableList(history);
    }

    private static void checkData(LatentModel model, FMatrixRMaj data) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        if (data == null || data.numRows == 0) {
            throw new IllegalArgumentException("training data is empty (0 rows)");
        }
        if (data.numCols != model.inputSize()) {
            throw new IllegalArgumentException("training data has " + data.numCols
                    + " columns but the model's input size is " + model.inputSize());
        }
        model.checkData(data, "training data");
    }

    private static void checkFinite(double loss, double recon, double kl, ParameterStore store,
                                    Elementwise kernel, int epoch, long step) {
        if (!Double.isFinite(loss) || !Double.isFinite(recon) || !Double.isFinite(kl)) {
            throw new TrainingException(String.format(
                    "non-finite loss at epoch %d, step %d: total %s (reconstruction %s, KL %s); "
                            + "the model keeps its parameters from before this step (try a lower learning rate)",
                    epoch, step, loss, recon, kl), epoch, step);
        }
        List<Parameter> params = store.parameters();
        if (store.gradientsFinite(kernel)) {
            return;
        }
        for (int k = 0; k < params.size(); k++) {
            Parameter p = params.get(k);
            float[] g = p.grad().data;
            for (int i = 0; i < p.size(); i++) {
                if (!Float.isFinite(g[i])) {
                    throw new TrainingException(String.format(
                            "non-finite gradient %s of %s[%d] at epoch %d, step %d; "
                                    + "the model keeps its parameters from before this step",
                            g[i], p.name(), i, epoch, step), epoch, step);
                }
            }
        }
    }

    /** Copies rows order[start .. start+rows) of data into batch. */
    private static void gather(FMatrixRMaj data, int[] order, int start, int rows, FMatrixRMaj batch) {
        final int d = data.numCols;
        batch.reshape(rows, d);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(data.data, order[start + r] * d, batch.data, r * d, d);
        }
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

package org.vae4j.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.ejml.data.FMatrixRMaj;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vae4j.TrainableModel;
import org.vae4j.kernel.Elementwise;
import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Parameter;
import org.vae4j.optim.Adam;
import org.vae4j.optim.Optimizer;

/**
 * Trains a {@link TrainableModel} with shuffled mini-batch epochs over in-memory float data.
 *
 * <p>Each step: gather a batch of shuffled rows, compute the loss and every gradient, check that
 * they are finite, and let the optimiser update the parameters. The last batch of an epoch may be
 * smaller. The same seed gives bit-identical parameters run after run: the shuffling and the
 * noise of an epoch come from generators derived only from the seed and the number of optimiser
 * steps taken before the epoch.
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

    private Trainer(Builder b) {
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.klWarmup = new KlWarmup(b.beta, b.warmupSteps);
        this.optimizer = b.optimizer;
        this.listeners = List.copyOf(b.listeners);
        this.corruption = b.corruption;
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

    /** Trains with a new optimiser from the factory. See {@link #train(TrainableModel, FMatrixRMaj, Optimizer)}. */
    public List<EpochStats> train(TrainableModel model, FMatrixRMaj data) {
        return train(model, data, optimizer.get());
    }

    /** Trains on rows given as arrays (copied once into a matrix). */
    public List<EpochStats> train(TrainableModel model, float[][] data) {
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
    public List<EpochStats> train(TrainableModel model, FMatrixRMaj data, Optimizer optimiser) {
        checkData(model, data);
        final int n = data.numRows;
        final int d = data.numCols;
        final List<Parameter> params = model.parameters();
        final FMatrixRMaj batch = new FMatrixRMaj(Math.min(batchSize, n), d); // (batch, d), reused
        final FMatrixRMaj corrupted = corruption.isNone() ? batch : new FMatrixRMaj(batch.numRows, d); // (batch, d)
        final int[] order = new int[n];
        final List<EpochStats> history = new ArrayList<>(epochs);
        long globalStep = optimiser.steps();
        LOG.info("training {} parameters on {} examples: {} epochs, batch {}, {}, beta {}{}{}",
                model.parameterCount(), n, epochs, batchSize, optimiser.describe(), klWarmup.target(),
                klWarmup.steps() > 0 ? " (warm-up " + klWarmup.steps() + " steps)" : "",
                corruption.isNone() ? "" : ", input corruption " + corruption.describe());
        for (int epoch = 1; epoch <= epochs; epoch++) {
            // Randomness of this epoch: a function of (seed, optimiser steps so far), so a second
            // train() call with the same optimiser, or a resumed run, continues with fresh draws.
            SplittableRandom shuffleRng = new SplittableRandom(mix(seed, globalStep, 1));
            SplittableRandom noiseRng = new SplittableRandom(mix(seed, globalStep, 2));
            SplittableRandom corruptionRng = corruption.isNone() ? null : new SplittableRandom(mix(seed, globalStep, 3));
            shuffle(order, shuffleRng);
            long t0 = System.nanoTime();
            double sumLoss = 0;
            double sumRecon = 0;
            double sumKl = 0;
            double beta = klWarmup.beta(globalStep);
            long steps = 0;
            for (int start = 0; start < n; start += batchSize) {
                int rows = Math.min(batchSize, n - start);
                gather(data, order, start, rows, batch);
                beta = klWarmup.beta(globalStep);
                double loss;
                if (corruption.isNone()) {
                    loss = model.forwardBackward(batch, beta, noiseRng);
                } else {
                    corrupted.reshape(rows, d);
                    corruption.apply(batch, corrupted, corruptionRng);
                    loss = model.forwardBackward(corrupted, batch, beta, noiseRng);
                }
                double recon = model.lastReconstruction();
                double kl = model.lastKl();
                globalStep++;
                steps++;
                checkFinite(loss, recon, kl, params, epoch, globalStep);
                optimiser.step(params);
                sumLoss += loss * rows;
                sumRecon += recon * rows;
                sumKl += kl * rows;
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

    private static void checkData(TrainableModel model, FMatrixRMaj data) {
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
        Likelihood.checkFinite(data, "training data");
        model.likelihood().validate(data, "training data");
    }

    private static void checkFinite(double loss, double recon, double kl, List<Parameter> params, int epoch,
                                    long step) {
        if (!Double.isFinite(loss) || !Double.isFinite(recon) || !Double.isFinite(kl)) {
            throw new TrainingException(String.format(
                    "non-finite loss at epoch %d, step %d: total %s (reconstruction %s, KL %s); "
                            + "the model keeps its parameters from before this step (try a lower learning rate)",
                    epoch, step, loss, recon, kl), epoch, step);
        }
        Elementwise kernel = Elementwise.get();
        for (int k = 0; k < params.size(); k++) {
            Parameter p = params.get(k);
            float[] g = p.grad().data;
            if (kernel.allFinite(g, p.size())) {
                continue;
            }
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
    private static void shuffle(int[] order, SplittableRandom rng) {
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

    /** A well-mixed seed from (seed, counter, stream), SplitMix64's finaliser. */
    static long mix(long seed, long counter, long stream) {
        long z = seed + 0x9E3779B97F4A7C15L * (counter * 4 + stream);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

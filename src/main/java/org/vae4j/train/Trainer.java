package org.vae4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.objective.Corruption;
import org.vae4j.objective.Objective;
import org.vae4j.optim.Optimizer;

/**
 * Trains a {@link LatentModel} with shuffled mini-batch epochs over in-memory float data.
 *
 * <p>A trainer is its {@link TrainerConfig} (every setting, validated), the objective and
 * optimiser factories and the listeners. {@link #start} makes a {@link TrainingRun} of a model,
 * its data and an optimiser, which keeps the optimiser's state and numbers epochs continuously
 * however often it is asked for more ({@link TrainingRun#runEpochs(int)}); {@link #train} is a run
 * of {@link TrainerConfig#epochs()} epochs more. See {@link TrainingRun} for what a step and an
 * epoch do (shuffling, noise, clipping, learning-rate schedule, validation, early stopping).
 * The same seed gives bit-identical parameters run after run.
 *
 * <p>A non-finite loss or gradient stops training with a {@link TrainingException} naming the
 * epoch and step; the model keeps the parameters it had before that step.
 *
 * <p>Immutable once built; one trainer can train several models, one at a time per run.
 */
public final class Trainer {

    private final TrainerConfig config;
    private final Supplier<Optimizer> optimizer; // null: config.newOptimizer()
    private final List<EpochListener> listeners;
    private final Supplier<Objective> objective;
    private final List<StepListener> stepListeners;
    private final List<EpochCallback> callbacks;

    private Trainer(Builder b) {
        this.config = b.buildConfig();
        this.optimizer = b.optimizer;
        this.listeners = List.copyOf(b.listeners);
        this.objective = b.objective != null ? b.objective : config::newObjective;
        this.stepListeners = List.copyOf(b.stepListeners);
        this.callbacks = List.copyOf(b.callbacks);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings of a {@link Trainer}: each setter checks its value (the full check is the
     * {@link TrainerConfig}'s on {@link #build()}); defaults are {@link TrainerConfig#defaults()}.
     * Not thread-safe.
     */
    public static final class Builder {
        private int epochs;
        private int batchSize;
        private long seed;
        private double beta;
        private KlSchedule klSchedule;
        private Corruption corruption;
        private int microBatches;
        private double validation;
        private int patience;
        private double minDelta;
        private boolean restoreBest;
        private double learningRate;
        private String lrSchedule;
        private long lrWarmupSteps;
        private double weightDecay;
        private double clipGradNorm;
        private String objectiveSpec;
        private double freeBits;
        private Supplier<Optimizer> optimizer;
        private final List<EpochListener> listeners = new ArrayList<>();
        private Supplier<Objective> objective; // null: the config's objective
        private final List<StepListener> stepListeners = new ArrayList<>();
        private final List<EpochCallback> callbacks = new ArrayList<>();

        private Builder() {
            config(TrainerConfig.defaults());
        }

        /** Takes every setting of {@code c} (listeners, objective and optimiser factories stay). */
        public Builder config(TrainerConfig c) {
            if (c == null) {
                throw new IllegalArgumentException("config must not be null");
            }
            epochs = c.epochs();
            batchSize = c.batchSize();
            seed = c.seed();
            beta = c.beta();
            klSchedule = c.klSchedule();
            corruption = c.corruption();
            microBatches = c.microBatches();
            validation = c.validation();
            patience = c.patience();
            minDelta = c.minDelta();
            restoreBest = c.restoreBest();
            learningRate = c.learningRate();
            lrSchedule = c.lrSchedule();
            lrWarmupSteps = c.lrWarmupSteps();
            weightDecay = c.weightDecay();
            clipGradNorm = c.clipGradNorm();
            objectiveSpec = c.objective();
            freeBits = c.freeBits();
            return this;
        }

        /** Called after every optimiser step. */
        public Builder stepListener(StepListener l) {
            if (l == null) {
                throw new IllegalArgumentException("step listener must not be null");
            }
            stepListeners.add(l);
            return this;
        }

        /** Called before and after every epoch, with the run (to stop it) and the epoch's metrics. */
        public Builder callback(EpochCallback c) {
            if (c == null) {
                throw new IllegalArgumentException("callback must not be null");
            }
            callbacks.add(c);
            return this;
        }

        /**
         * Makes the objective of each run, instead of the configured one ({@link #objective(String)},
         * {@link #freeBits}), which must then be left at its default (the plain ELBO).
         */
        public Builder objective(Supplier<? extends Objective> factory) {
            if (factory == null) {
                throw new IllegalArgumentException("objective factory must not be null");
            }
            this.objective = factory::get;
            return this;
        }

        /** Each batch's gradient as this many micro-batches (see {@link GradientFunction}); default 1. */
        public Builder microBatches(int n) {
            this.microBatches = check(n > 0, n, "micro-batches must be positive, got ");
            return this;
        }

        /** Epochs of a run (default {@value TrainerConfig#DEFAULT_EPOCHS}). */
        public Builder epochs(int n) {
            this.epochs = check(n > 0, n, "epochs must be positive, got ");
            return this;
        }

        /** Mini-batch size (default {@value TrainerConfig#DEFAULT_BATCH_SIZE}). */
        public Builder batchSize(int n) {
            this.batchSize = check(n > 0, n, "batch size must be positive, got ");
            return this;
        }

        /**
         * Seed of every random draw of training (the shuffling, the reparameterisation and corruption
         * noise) and of the validation split; not of the initial weights, which the model builder's
         * seed gives ({@link org.vae4j.ModelBuilder#seed(long)}; package {@code org.vae4j}, "Seeds").
         * Default {@link org.vae4j.ModelBuilder#DEFAULT_SEED}.
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** The KL weight of a beta-VAE (1 gives the ELBO). */
        public Builder beta(double b) {
            this.beta = new KlWarmup(b, 0).target();
            return this;
        }

        /** Steps over which beta rises linearly from 0 to its target (0 = no warm-up): {@code klSchedule(KlSchedule.linear(steps))}. */
        public Builder klWarmupSteps(long steps) {
            this.klSchedule = KlSchedule.linear(steps);
            return this;
        }

        /** How beta moves to its target over the steps (default {@link KlSchedule#constant()}). */
        public Builder klSchedule(KlSchedule schedule) {
            if (schedule == null) {
                throw new IllegalArgumentException("KL schedule must not be null (use KlSchedule.constant())");
            }
            this.klSchedule = schedule;
            return this;
        }

        /** {@code constant}, {@code linear:STEPS} or {@code cyclical:STEPS,RATIO} ({@link KlSchedule#parse}). */
        public Builder klSchedule(String spec) {
            return klSchedule(KlSchedule.parse(spec));
        }

        /**
         * The objective: {@code elbo} (default, {@link org.vae4j.objective.NegativeElbo}) or
         * {@code iwae:K} ({@link org.vae4j.objective.NegativeIwaeBound}, K importance samples).
         */
        public Builder objective(String spec) {
            TrainerConfig.importanceSamples(spec); // checks the spelling
            this.objectiveSpec = spec;
            return this;
        }

        /** Free bits lambda of the ELBO's KL term, in nats per latent dimension (default 0: none). */
        public Builder freeBits(double lambda) {
            if (!(lambda >= 0) || !Double.isFinite(lambda)) {
                throw new IllegalArgumentException("free bits must be finite and >= 0 (0 = none), got " + lambda);
            }
            this.freeBits = lambda;
            return this;
        }

        /**
         * Makes the optimiser of each run started without one (default: Adam, or AdamW with a weight
         * decay, at {@link #learningRate}). A factory overrides the learning rate and weight decay
         * settings as to the optimiser made; a schedule still scales {@link #learningRate}.
         */
        public Builder optimizer(Supplier<Optimizer> factory) {
            if (factory == null) {
                throw new IllegalArgumentException("optimizer factory must not be null");
            }
            this.optimizer = factory;
            return this;
        }

        /** The learning rate of the default optimiser and the base of the schedule (default 1e-3). */
        public Builder learningRate(double lr) {
            this.learningRate = Optimizer.checkLearningRate(lr);
            return this;
        }

        /** {@code constant} (default), {@code step:EPOCHS,GAMMA} or {@code cosine}, stepped per optimiser step. */
        public Builder lrSchedule(String spec) {
            this.lrSchedule = spec;
            return this;
        }

        /** Steps of linear learning-rate warm-up (0 = none). */
        public Builder lrWarmupSteps(long steps) {
            this.lrWarmupSteps = check(steps >= 0, steps, "learning-rate warm-up steps must be >= 0, got ");
            return this;
        }

        /** AdamW's decoupled weight decay (0, the default, for Adam). */
        public Builder weightDecay(double wd) {
            this.weightDecay = wd;
            return this;
        }

        /** The largest total gradient 2-norm before each step (0, the default, for no clipping). */
        public Builder clipGradNorm(double maxNorm) {
            this.clipGradNorm = maxNorm;
            return this;
        }

        /** Rows held out for validation: a count &gt;= 1, a fraction in (0, 1), or 0 for none (default). */
        public Builder validation(double rowsOrFraction) {
            this.validation = rowsOrFraction;
            return this;
        }

        /** Early stopping after this many epochs without improvement (0, the default, for none). */
        public Builder patience(int epochs) {
            this.patience = check(epochs >= 0, epochs, "patience must be >= 0 (0 = no early stopping), got ");
            return this;
        }

        /** The least decrease of the validation value that resets the patience counter (default 0). */
        public Builder minDelta(double delta) {
            this.minDelta = delta;
            return this;
        }

        /** Whether the best epoch's parameters are put back at the end of a run with validation (default true). */
        public Builder restoreBest(boolean restore) {
            this.restoreBest = restore;
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

        /** The settings so far, validated. */
        public TrainerConfig buildConfig() {
            return new TrainerConfig(epochs, batchSize, seed, beta, klSchedule, corruption, microBatches, validation,
                    patience, minDelta, restoreBest, learningRate, lrSchedule, lrWarmupSteps, weightDecay,
                    clipGradNorm, objectiveSpec, freeBits);
        }

        /**
         * @throws IllegalArgumentException for settings that do not go together (see {@link TrainerConfig}),
         *                                  or an objective factory with a configured objective other than the plain ELBO
         */
        public Trainer build() {
            TrainerConfig c = buildConfig();
            if (objective != null && (!c.objective().equals(TrainerConfig.DEFAULT_OBJECTIVE) || c.freeBits() > 0)) {
                throw new IllegalArgumentException("an objective factory replaces the configured objective "
                        + c.objective() + (c.freeBits() > 0 ? " with free bits " + c.freeBits() : "")
                        + ": set one or the other");
            }
            return new Trainer(this);
        }

        private static int check(boolean ok, int value, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message + value);
            }
            return value;
        }

        private static long check(boolean ok, long value, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message + value);
            }
            return value;
        }
    }

    /** Every setting. */
    public TrainerConfig config() {
        return config;
    }

    public int epochs() {
        return config.epochs();
    }

    public int batchSize() {
        return config.batchSize();
    }

    public long seed() {
        return config.seed();
    }

    /** The KL schedule as a linear warm-up; see {@link TrainerConfig#klWarmup()}. */
    public KlWarmup klWarmup() {
        return config.klWarmup();
    }

    /** How beta moves to its target. */
    public KlSchedule klSchedule() {
        return config.klSchedule();
    }

    public Corruption corruption() {
        return config.corruption();
    }

    /** A new optimiser from the factory, or of the config's settings. */
    public Optimizer newOptimizer() {
        return optimizer != null ? optimizer.get() : config.newOptimizer();
    }

    /** A run with a new optimiser; see {@link #start(LatentModel, FMatrixRMaj, Optimizer)}. */
    public TrainingRun start(LatentModel model, FMatrixRMaj data) {
        return start(model, data, newOptimizer());
    }

    /**
     * A run of {@code model} on {@code data} with {@code optimiser}, ending after epoch
     * {@link TrainerConfig#epochs()} counted from the optimiser's first step (so a checkpoint's
     * optimiser continues the run it was saved from). With {@link TrainerConfig#validation()} &gt; 0
     * the seeded {@link ValidationSplit} of {@code data} is held out (copied); else {@code data}
     * is trained on as it is (not copied).
     *
     * @throws IllegalArgumentException for data of the wrong width, empty, non-finite or outside the
     *                                  likelihood's support, or a split leaving no row on one side
     */
    public TrainingRun start(LatentModel model, FMatrixRMaj data, Optimizer optimiser) {
        TrainingRun.checkData(model, data, "training data");
        return start(model, ValidationSplit.split(data, config), optimiser);
    }

    /** A run on an explicit split (e.g. a validation set binarised once); its matrices are not copied. */
    public TrainingRun start(LatentModel model, ValidationSplit split, Optimizer optimiser) {
        return new TrainingRun(config, objective.get(), listeners, stepListeners, callbacks, model, split, optimiser,
                config.epochs());
    }

    /** Trains with a new optimiser. See {@link #train(LatentModel, FMatrixRMaj, Optimizer)}. */
    public List<EpochStats> train(LatentModel model, FMatrixRMaj data) {
        return train(model, data, newOptimizer());
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
     * Runs {@link #epochs()} more epochs (fewer if stopped early): a {@link TrainingRun} ending
     * {@code epochs()} epochs after those the optimiser has already taken. Epoch numbers continue
     * the optimiser's (a second call with the same optimiser starts at the next epoch).
     *
     * @param model     updated in place
     * @param data      (n, inputSize) training rows, not modified
     * @param optimiser updated in place; its state carries over between calls
     * @return one {@link EpochStats} per epoch run
     * @throws IllegalArgumentException for data of the wrong width, empty, non-finite or outside the likelihood's support
     * @throws TrainingException        when a loss or gradient becomes non-finite
     */
    public List<EpochStats> train(LatentModel model, FMatrixRMaj data, Optimizer optimiser) {
        return train(model, data, null, optimiser);
    }

    /**
     * As {@link #train(LatentModel, FMatrixRMaj, Optimizer)} for a conditional model
     * ({@link LatentModel#conditionSize()} &gt; 0): row r of {@code conditions} (n, conditionSize)
     * is the condition of data row r, joined to it in every batch; {@code null} for an
     * unconditional model.
     *
     * @throws IllegalArgumentException also for conditions of the wrong shape, non-finite, or missing
     */
    public List<EpochStats> train(LatentModel model, FMatrixRMaj data, FMatrixRMaj conditions, Optimizer optimiser) {
        TrainingRun.checkData(model, data, "training data");
        if (optimiser == null) {
            throw new IllegalArgumentException("optimizer must not be null");
        }
        ValidationSplit split = ValidationSplit.split(data, conditions, config);
        long stepsPerEpoch = (split.train().numRows + config.batchSize() - 1) / config.batchSize();
        int before = (int) (optimiser.steps() / stepsPerEpoch);
        return new TrainingRun(config, objective.get(), listeners, stepListeners, callbacks, model, split, optimiser,
                before + config.epochs()).train();
    }

    /** As {@link #start(LatentModel, FMatrixRMaj, Optimizer)} with a condition row per data row ({@code null}: none). */
    public TrainingRun start(LatentModel model, FMatrixRMaj data, FMatrixRMaj conditions, Optimizer optimiser) {
        TrainingRun.checkData(model, data, "training data");
        return start(model, ValidationSplit.split(data, conditions, config), optimiser);
    }
}

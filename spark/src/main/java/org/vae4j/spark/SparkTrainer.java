package org.vae4j.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.vae4j.LatentModel;
import org.vae4j.io.TrainingState;
import org.vae4j.optim.Optimizer;
import org.vae4j.train.EpochListener;
import org.vae4j.train.EpochMetrics;
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
 * With {@link TrainerConfig#validation()} the rows are split as the local trainer splits them
 * ({@link Validation}), the validation value is computed by the tasks after each epoch, the best
 * epoch's parameters are kept and put back at the end ({@link TrainerConfig#restoreBest()}) and
 * early stopping stops where the local run stops. Not supported: objective factories other
 * than the configured objective.
 *
 * <p>Immutable settings; {@link #train} is driven by one driver thread at a time.
 */
public final class SparkTrainer {

    private final TrainerConfig config; // microBatches() is N
    private final int partitions;
    private final int localSteps;
    private final boolean binarise;
    private final List<EpochListener> listeners;
    private final List<StepListener> stepListeners;
    private final List<Consumer<EpochMetrics>> metricsListeners;
    private volatile TrainingProgress progress = TrainingProgress.NONE; // of the current or last run

    private SparkTrainer(Builder b) {
        int n = b.microBatches > 0 ? b.microBatches : b.partitions;
        this.config = Trainer.builder().config(b.config).microBatches(n).buildConfig();
        this.partitions = b.partitions;
        this.localSteps = b.localSteps;
        this.binarise = b.binarise;
        this.listeners = List.copyOf(b.listeners);
        this.stepListeners = List.copyOf(b.stepListeners);
        this.metricsListeners = List.copyOf(b.metricsListeners);
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
        private final List<Consumer<EpochMetrics>> metricsListeners = new ArrayList<>();

        private Builder(TrainerConfig config) {
            if (config == null) {
                throw new IllegalArgumentException("config must not be null");
            }
            this.config = config;
        }

        /**
         * Sets the partitions P of each epoch's repartitioned data (default 2): micro-batch i of a
         * step goes to partition i mod P, so a step's micro-batches are spread over min(N, P)
         * partitions. It changes where the work runs, not the result.
         *
         * @param p the partitions, &gt;= 1
         * @return this builder
         * @throws IllegalArgumentException when {@code p} &lt; 1
         */
        public Builder partitions(int p) {
            if (p < 1) {
                throw new IllegalArgumentException("partitions must be >= 1, got " + p);
            }
            this.partitions = p;
            return this;
        }

        /**
         * Sets the micro-batches N of each step (default: the partitions P): each step's batch is
         * split into min(N, b) micro-batches as the local trainer with {@code microBatches} N
         * splits it; the trained parameters depend on N, not on P or the executors.
         *
         * @param n the micro-batches per step, &gt;= 1
         * @return this builder
         * @throws IllegalArgumentException when {@code n} &lt; 1
         */
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
         * default 1: exact synchronous training. With K &gt; 1 {@link SparkTrainer#train} needs an
         * {@link org.vae4j.optim.Adam} or {@link org.vae4j.optim.AdamW} optimiser.
         *
         * @param k the local steps between synchronisations, &gt;= 1 (1: exact)
         * @return this builder
         * @throws IllegalArgumentException when {@code k} &lt; 1
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
         *
         * @param on whether to binarise each epoch's training rows
         * @return this builder
         */
        public Builder binarise(boolean on) {
            this.binarise = on;
            return this;
        }

        /**
         * Adds a listener called on the driver after each epoch (after its validation) with the
         * epoch's statistics; listeners run in the order added.
         *
         * @param l the listener, not null
         * @return this builder
         * @throws NullPointerException when {@code l} is null
         */
        public Builder listener(EpochListener l) {
            listeners.add(java.util.Objects.requireNonNull(l, "listener"));
            return this;
        }

        /**
         * Adds a listener called on the driver after each optimiser step with the step's batch
         * rows and loss (with local steps K &gt; 1: after each synchronisation, once for each of
         * its K steps, with the loss per row over the partitions' rows).
         *
         * @param l the listener, not null
         * @return this builder
         * @throws NullPointerException when {@code l} is null
         */
        public Builder stepListener(StepListener l) {
            stepListeners.add(java.util.Objects.requireNonNull(l, "step listener"));
            return this;
        }

        /**
         * Adds a listener called on the driver after each epoch (after the epoch listeners) with its
         * metrics: the validation value (NaN without validation), the learning rate, the best epoch.
         *
         * @param l the listener, not null
         * @return this builder
         * @throws NullPointerException when {@code l} is null
         */
        public Builder metricsListener(Consumer<EpochMetrics> l) {
            metricsListeners.add(java.util.Objects.requireNonNull(l, "metrics listener"));
            return this;
        }

        /**
         * {@return a trainer of these settings; the builder may be changed and used again}
         */
        public SparkTrainer build() {
            return new SparkTrainer(this);
        }
    }

    /**
     * {@return a builder with every setting of {@code config}, P = 2, N = P and K = 1}
     *
     * @param config the training settings (epochs, batch size, seed, objective, schedules,
     *               validation...); its micro-batches are replaced by N; not null
     * @throws IllegalArgumentException when {@code config} is null
     */
    public static Builder builder(TrainerConfig config) {
        return new Builder(config);
    }

    /** {@return the settings, with {@link TrainerConfig#microBatches()} N: what a checkpoint records} */
    public TrainerConfig config() {
        return config;
    }

    /** {@return the partitions P of each epoch's repartitioned data} */
    public int partitions() {
        return partitions;
    }

    /** {@return whether each epoch's rows are binarised afresh on the executors ({@link Builder#binarise})} */
    public boolean binarises() {
        return binarise;
    }

    /** {@return the K local steps between synchronisations; 1 (exact) unless set} */
    public int localSteps() {
        return localSteps;
    }

    /**
     * A checkpoint's training state for these settings and {@code history}, with the validation
     * progress (best epoch and its parameters, the early-stopping counter) of the current or last
     * {@link #train} call: a checkpoint written from a listener resumes locally exactly.
     *
     * @param history the statistics of the epochs run so far (e.g. the list the epoch listener
     *                has collected), not null; copied
     * @return the state to save with {@code ModelFiles.saveCheckpoint}
     */
    public TrainingState state(List<EpochStats> history) {
        return new TrainingState(config, history, progress);
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
     * @throws IllegalArgumentException for rows of the wrong width, non-finite (NaN is a missing cell
     *                                  for a likelihood that accepts missing cells) or outside the
     *                                  likelihood's support; no rows or more than 2^31-9; a conditional
     *                                  model, or one the objective does not apply to; an optimiser in
     *                                  the middle of an epoch, one that has taken steps in a run with
     *                                  validation, or one other than Adam or AdamW with K &gt; 1
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
     * @param rows      (data, condition) pairs, in a deterministic order (row i has id i)
     * @param model     a conditional model, updated in place on the driver
     * @param optimiser updated in place; a checkpoint's continues its run
     * @return one {@link EpochStats} per epoch run by this call
     * @throws IllegalArgumentException for an unconditional model, rows or conditions of the wrong
     *                                  width, or as {@link #train} throws it
     * @throws TrainingException        when the loss or a gradient becomes non-finite
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
        progress = TrainingProgress.NONE;
        try {
            long n = rows.mapPartitions(it -> EpochPartitions.check(file, it)).reduce(Long::sum);
            if (n < 1 || n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("training data has " + n + " rows; 1 to 2^31-9 are supported");
            }
            int v = config.validationRows((int) n);
            if (v == 0) {
                return new SparkRun(this, sc, file, rows, (int) n, null, model, optimiser).epochs();
            }
            if (optimiser.steps() > 0) {
                throw new IllegalArgumentException("a run with validation starts on Spark from its first step (the "
                        + "optimiser has taken " + optimiser.steps() + "): resume its checkpoint locally, which "
                        + "holds the best epoch and the early-stopping counter");
            }
            Validation[] held = new Validation[1];
            JavaPairRDD<Long, float[]> train = Validation.split(sc, rows, (int) n, v, config.seed(), held);
            try {
                return new SparkRun(this, sc, file, train, (int) n - v, held[0], model, optimiser).epochs();
            } finally {
                train.unpersist(false);
                held[0].unpersist();
            }
        } finally {
            rows.unpersist(false);
            file.destroy();
        }
    }

    List<EpochListener> listeners() {
        return listeners;
    }

    List<StepListener> stepListeners() {
        return stepListeners;
    }

    List<Consumer<EpochMetrics>> metricsListeners() {
        return metricsListeners;
    }

    void progress(TrainingProgress p) {
        progress = p;
    }
}

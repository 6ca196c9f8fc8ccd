package org.vae4j.spark;

import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.vae4j.Vae;
import org.vae4j.kernel.Gemms;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.loss.LearnedGaussianLikelihood;
import org.vae4j.loss.Likelihood;
import org.vae4j.optim.Optimizer;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainerConfig;

/**
 * Trains a vae4j {@link Vae} on a Spark {@code Dataset} with {@link SparkTrainer} (exact
 * data-parallel training: the same parameters as the local trainer with {@code microBatches}
 * N) and returns a {@link VaeModel}. Features: numeric {@code inputCols}, or a vector column
 * {@code featuresCol}. Rows are identified by their position in the data set (its order must be
 * deterministic, e.g. read from files). After training, the training rows are scored and the
 * {@code anomalyQuantile} of their scores becomes the model's threshold.
 *
 * <p>ML persistence ({@link #write}, {@link #read}): an unfitted estimator (alone or inside a
 * {@code Pipeline}) is saved as Spark's parameter metadata, every param and default, so the loaded
 * one fits the same model bits as the original.
 *
 * <p>Not thread-safe to configure; {@code fit} may be called from one thread at a time.
 */
public final class VaeEstimator extends Estimator<VaeModel> implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;

    /** The estimator's unique id (Spark ML's {@code Identifiable}). */
    private final String uid;
    /** {@link #featuresCol()}: the vector column of the features. */
    private final Param<String> featuresCol;
    /** {@link #inputCols()}: the numeric feature columns. */
    private final StringArrayParam inputCols;
    /** {@link #hidden()}: the encoder's hidden widths. */
    private final IntArrayParam hidden;
    /** {@link #latent()}: the latent size. */
    private final IntParam latent;
    /** {@link #likelihood()}: the likelihood's name. */
    private final Param<String> likelihood;
    /** {@link #objective()}: {@code elbo} or {@code iwae:K}. */
    private final Param<String> objective;
    /** {@link #beta()}: the KL weight. */
    private final DoubleParam beta;
    /** {@link #epochs()}: the epochs of training. */
    private final IntParam epochs;
    /** {@link #batchSize()}: the rows per step B. */
    private final IntParam batchSize;
    /** {@link #learningRate()}: Adam's learning rate. */
    private final DoubleParam learningRate;
    /** {@link #seed()}: the seed of every draw. */
    private final LongParam seed;
    /** {@link #partitions()}: the partitions P per epoch. */
    private final IntParam partitions;
    /** {@link #microBatches()}: the micro-batches N per step. */
    private final IntParam microBatches;
    /** {@link #anomalyQuantile()}: the threshold's quantile. */
    private final DoubleParam anomalyQuantile;
    /** {@link #scoreSamples()}: the importance samples of the score. */
    private final IntParam scoreSamples;

    /** An estimator with a new random uid ({@code vaeEstimator_...}) and every param at its default. */
    public VaeEstimator() {
        this(Identifiable$.MODULE$.randomUID("vaeEstimator"));
    }

    /**
     * An estimator with every param at its default.
     *
     * @param uid the estimator's unique id (Spark ML's reader passes the saved one)
     */
    public VaeEstimator(String uid) {
        this.uid = uid;
        featuresCol = new Param<>(this, "featuresCol", "a vector column of the features (or set inputCols)");
        inputCols = new StringArrayParam(this, "inputCols", "numeric columns of the features (or set featuresCol)");
        hidden = new IntArrayParam(this, "hidden", "encoder hidden widths; the decoder mirrors them");
        latent = new IntParam(this, "latent", "latent size");
        likelihood = new Param<>(this, "likelihood", "bernoulli (values in [0, 1]), gaussian (unit variance), "
                + "gaussian-learned (a learned variance per column) or gaussian-heteroscedastic (a variance per cell "
                + "from the decoder)");
        objective = new Param<>(this, "objective", "elbo or iwae:K");
        beta = new DoubleParam(this, "beta", "KL weight (1: the ELBO)");
        epochs = new IntParam(this, "epochs", "epochs");
        batchSize = new IntParam(this, "batchSize", "mini-batch size B");
        learningRate = new DoubleParam(this, "learningRate", "Adam's learning rate");
        seed = new LongParam(this, "seed", "seed of the initialisation, shuffling and noise");
        partitions = new IntParam(this, "partitions", "partitions of the training data per epoch");
        microBatches = new IntParam(this, "microBatches", "micro-batches N per step (0: the partitions)");
        anomalyQuantile = new DoubleParam(this, "anomalyQuantile", "the threshold's quantile of the training scores");
        scoreSamples = new IntParam(this, "scoreSamples", "importance samples per row of the score");
        setDefault(featuresCol, "features");
        setDefault(inputCols, new String[0]);
        setDefault(hidden, new int[]{64});
        setDefault(latent, 8);
        setDefault(likelihood, "gaussian");
        setDefault(objective, TrainerConfig.DEFAULT_OBJECTIVE);
        setDefault(beta, TrainerConfig.DEFAULT_BETA);
        setDefault(epochs, TrainerConfig.DEFAULT_EPOCHS);
        setDefault(batchSize, TrainerConfig.DEFAULT_BATCH_SIZE);
        setDefault(learningRate, TrainerConfig.DEFAULT_LEARNING_RATE);
        setDefault(seed, org.vae4j.ModelBuilder.DEFAULT_SEED);
        setDefault(partitions, 2);
        setDefault(microBatches, 0);
        setDefault(anomalyQuantile, 0.99);
        setDefault(scoreSamples, 16);
    }

    @Override
    public String uid() {
        return uid;
    }

    /**
     * {@return the param of the vector column of the features, used when {@code inputCols} is empty (default
     * {@code "features"}); its vectors' size is the model's input width}
     */
    public Param<String> featuresCol() { return featuresCol; }

    /**
     * {@return the param of the numeric columns of the features, in the model's input order (default
     * none: use {@code featuresCol}); a null cell is NaN, a missing cell for the {@code gaussian-learned}
     * and {@code gaussian-heteroscedastic} likelihoods and rejected by {@code fit} for the others}
     */
    public StringArrayParam inputCols() { return inputCols; }

    /**
     * {@return the param of the encoder's hidden widths from the input side, each &gt;= 1 (default
     * {@code [64]}); the decoder mirrors them}
     */
    public IntArrayParam hidden() { return hidden; }

    /** {@return the param of the latent size, &gt;= 1 (default 8)} */
    public IntParam latent() { return latent; }

    /**
     * {@return the param of the likelihood p(x | z): {@code bernoulli} (values in [0, 1]),
     * {@code gaussian} (unit variance; the default), {@code gaussian-learned} (a learned variance per
     * column) or {@code gaussian-heteroscedastic} (a variance per cell from the decoder)}
     */
    public Param<String> likelihood() { return likelihood; }

    /**
     * {@return the param of the training objective: {@code elbo} (the default) or {@code iwae:K} with
     * K &gt;= 1 importance samples (which needs beta 1)}
     */
    public Param<String> objective() { return objective; }

    /** {@return the param of the KL weight of the objective, finite and &gt;= 0 (default 1: the ELBO)} */
    public DoubleParam beta() { return beta; }

    /**
     * {@return the param of the epochs of training, &gt;= 1 (default {@value TrainerConfig#DEFAULT_EPOCHS})}
     */
    public IntParam epochs() { return epochs; }

    /**
     * {@return the param of the mini-batch size B, rows per optimiser step, &gt;= 1 (default
     * {@value TrainerConfig#DEFAULT_BATCH_SIZE})}
     */
    public IntParam batchSize() { return batchSize; }

    /**
     * {@return the param of Adam's learning rate, finite and &gt; 0 (default
     * {@value TrainerConfig#DEFAULT_LEARNING_RATE})}
     */
    public DoubleParam learningRate() { return learningRate; }

    /**
     * {@return the param of the seed of the initial weights, the shuffling, the training noise and the
     * scoring noise (default {@value org.vae4j.ModelBuilder#DEFAULT_SEED})}
     */
    public LongParam seed() { return seed; }

    /**
     * {@return the param of the partitions P of each epoch's training data, &gt;= 1 (default 2); where the
     * work runs, not the result}
     */
    public IntParam partitions() { return partitions; }

    /**
     * {@return the param of the micro-batches N per step, &gt;= 0 (default 0: N = {@code partitions}); the
     * trained parameters depend on N}
     */
    public IntParam microBatches() { return microBatches; }

    /**
     * {@return the param of the quantile, in [0, 1], of the training rows' scores that becomes the model's
     * threshold (default 0.99)}
     */
    public DoubleParam anomalyQuantile() { return anomalyQuantile; }

    /** {@return the param of the importance samples per row of the anomaly score, &gt;= 1 (default 16)} */
    public IntParam scoreSamples() { return scoreSamples; }

    /**
     * Sets {@link #featuresCol()}.
     *
     * @param v the name of a vector column of the features (used when no {@code inputCols} are set); checked
     *          against the schema by {@code fit}
     * @return this estimator
     * @throws IllegalArgumentException when {@code v} is null
     */
    public VaeEstimator setFeaturesCol(String v) {
        return (VaeEstimator) set(featuresCol, ParamChecks.column("featuresCol", v));
    }

    /**
     * Sets {@link #inputCols()}.
     *
     * @param v the names of the numeric feature columns, in the model's input order; empty: use
     *          {@code featuresCol}
     * @return this estimator
     * @throws IllegalArgumentException when {@code v} or one of its names is null
     */
    public VaeEstimator setInputCols(String[] v) {
        return (VaeEstimator) set(inputCols, ParamChecks.columns("inputCols", v));
    }

    /**
     * Sets {@link #hidden()}.
     *
     * @param v the encoder's hidden widths from the input side, at least one, each &gt;= 1
     * @return this estimator
     * @throws IllegalArgumentException when {@code v} is null, empty or has a width &lt; 1
     */
    public VaeEstimator setHidden(int[] v) { return (VaeEstimator) set(hidden, ParamChecks.widths("hidden", v)); }

    /**
     * Sets {@link #latent()}.
     *
     * @param v the latent size, &gt;= 1
     * @return this estimator
     * @throws IllegalArgumentException when {@code v} &lt; 1
     */
    public VaeEstimator setLatent(int v) { return (VaeEstimator) set(latent, ParamChecks.atLeast("latent", v, 1)); }

    /**
     * Sets {@link #likelihood()}.
     *
     * @param v {@code bernoulli}, {@code gaussian}, {@code gaussian-learned} or
     *          {@code gaussian-heteroscedastic} (see {@link #likelihood()})
     * @return this estimator
     * @throws IllegalArgumentException when {@code v} is none of these names
     */
    public VaeEstimator setLikelihood(String v) { likelihoodOf(v, 1); return (VaeEstimator) set(likelihood, v); }

    /**
     * Sets {@link #objective()}.
     *
     * @param v {@code elbo} or {@code iwae:K} with a whole K &gt;= 1, case-insensitive
     * @return this estimator
     * @throws IllegalArgumentException for null or any other spelling
     */
    public VaeEstimator setObjective(String v) { TrainerConfig.importanceSamples(v); return (VaeEstimator) set(objective, v); }

    /**
     * Sets {@link #beta()}.
     *
     * @param v the KL weight, finite and &gt;= 0 (1 for {@code iwae:K}, which {@code fit} checks)
     * @return this estimator
     * @throws IllegalArgumentException when {@code v} is negative, infinite or NaN
     */
    public VaeEstimator setBeta(double v) { return (VaeEstimator) set(beta, ParamChecks.finiteNonNegative("beta", v)); }

    /**
     * Sets {@link #epochs()}.
     *
     * @param v the epochs of training, &gt;= 1
     * @return this estimator
     * @throws IllegalArgumentException when {@code v} &lt; 1
     */
    public VaeEstimator setEpochs(int v) { return (VaeEstimator) set(epochs, ParamChecks.atLeast("epochs", v, 1)); }

    /**
     * Sets {@link #batchSize()}.
     *
     * @param v the rows B per optimiser step, &gt;= 1
     * @return this estimator
     * @throws IllegalArgumentException when {@code v} &lt; 1
     */
    public VaeEstimator setBatchSize(int v) {
        return (VaeEstimator) set(batchSize, ParamChecks.atLeast("batchSize", v, 1));
    }

    /**
     * Sets {@link #learningRate()}.
     *
     * @param v Adam's learning rate, finite and &gt; 0
     * @return this estimator
     * @throws IllegalArgumentException when {@code v} is not &gt; 0, infinite or NaN
     */
    public VaeEstimator setLearningRate(double v) {
        return (VaeEstimator) set(learningRate, ParamChecks.finitePositive("learningRate", v));
    }

    /**
     * Sets {@link #seed()}.
     *
     * @param v the seed of the initial weights, the training draws and the model's scoring noise
     * @return this estimator
     */
    public VaeEstimator setSeed(long v) { return (VaeEstimator) set(seed, v); }

    /**
     * Sets {@link #partitions()}.
     *
     * @param v the partitions P of each epoch's training data, &gt;= 1
     * @return this estimator
     * @throws IllegalArgumentException when {@code v} &lt; 1
     */
    public VaeEstimator setPartitions(int v) {
        return (VaeEstimator) set(partitions, ParamChecks.atLeast("partitions", v, 1));
    }

    /**
     * Sets {@link #microBatches()}.
     *
     * @param v the micro-batches N per step, &gt;= 1, or 0 for N = P
     * @return this estimator
     * @throws IllegalArgumentException when {@code v} is negative
     */
    public VaeEstimator setMicroBatches(int v) {
        return (VaeEstimator) set(microBatches, ParamChecks.atLeast("microBatches", v, 0));
    }

    /**
     * Sets {@link #anomalyQuantile()}.
     *
     * @param v the quantile of the training scores that becomes the threshold, in [0, 1]
     * @return this estimator
     * @throws IllegalArgumentException when {@code v} is outside [0, 1] or NaN
     */
    public VaeEstimator setAnomalyQuantile(double v) {
        return (VaeEstimator) set(anomalyQuantile, ParamChecks.unitInterval("anomalyQuantile", v));
    }

    /**
     * Sets {@link #scoreSamples()}.
     *
     * @param v the importance samples per row of the score, &gt;= 1
     * @return this estimator
     * @throws IllegalArgumentException when {@code v} &lt; 1
     */
    public VaeEstimator setScoreSamples(int v) {
        return (VaeEstimator) set(scoreSamples, ParamChecks.atLeast("scoreSamples", v, 1));
    }

    private <T> T value(Param<T> p) {
        return getOrDefault(p);
    }

    /**
     * Checks every param's value, also those set without a setter (a {@code ParamMap} given to
     * {@code fit} or {@code copy}, a saved estimator), and the trainer settings together.
     */
    private TrainerConfig checkParams() {
        ParamChecks.column("featuresCol", value(featuresCol));
        ParamChecks.columns("inputCols", value(inputCols));
        ParamChecks.widths("hidden", value(hidden));
        ParamChecks.atLeast("latent", (Integer) value(latent), 1);
        likelihoodOf(value(likelihood), 1);
        ParamChecks.finiteNonNegative("beta", (Double) value(beta));
        ParamChecks.atLeast("epochs", (Integer) value(epochs), 1);
        ParamChecks.atLeast("batchSize", (Integer) value(batchSize), 1);
        ParamChecks.finitePositive("learningRate", (Double) value(learningRate));
        ParamChecks.atLeast("partitions", (Integer) value(partitions), 1);
        ParamChecks.unitInterval("anomalyQuantile", (Double) value(anomalyQuantile));
        ParamChecks.atLeast("scoreSamples", (Integer) value(scoreSamples), 1);
        return trainerConfig(); // microBatches, objective, and beta 1 with iwae
    }

    /**
     * The likelihood of a name for {@code d} inputs: the table likelihoods with one column per
     * input ({@link LearnedGaussianLikelihood}: per column, or per cell from the decoder); a
     * composite of several cells per column (categorical spans) does not fit the one-column-per-
     * input rows of {@link VaeModel}.
     */
    static Likelihood likelihoodOf(String name, int d) {
        switch (String.valueOf(name)) {
            case "bernoulli":
                return BernoulliLikelihood.INSTANCE;
            case "gaussian":
                return GaussianLikelihood.withVariance(1.0);
            case "gaussian-learned":
                return LearnedGaussianLikelihood.perColumn(d);
            case "gaussian-heteroscedastic":
                return LearnedGaussianLikelihood.heteroscedastic(d);
            default:
                throw new IllegalArgumentException("likelihood must be bernoulli, gaussian, gaussian-learned or "
                        + "gaussian-heteroscedastic, got " + name);
        }
    }

    /**
     * {@return the trainer settings of the params: epochs, batch size, learning rate, seed, beta,
     * objective and N micro-batches ({@code microBatches}, or {@code partitions} when it is 0),
     * every other setting at its default}
     *
     * @throws IllegalArgumentException for a negative {@code microBatches}, or a param out of its
     *                                  range (as {@link Trainer.Builder} checks it)
     */
    public TrainerConfig trainerConfig() {
        int n = ParamChecks.atLeast("microBatches", (Integer) value(microBatches), 0);
        return Trainer.builder().epochs((Integer) value(epochs)).batchSize((Integer) value(batchSize))
                .learningRate((Double) value(learningRate)).seed((Long) value(seed)).beta((Double) value(beta))
                .objective(value(objective)).microBatches(n > 0 ? n : (Integer) value(partitions)).buildConfig();
    }

    /**
     * {@return a new untrained {@link Vae} of the params (hidden widths, latent size, likelihood,
     * seed of the initial weights) with one GEMM thread}
     *
     * @param d the input width: the number of {@code inputCols}, or the size of the features vectors
     * @throws IllegalArgumentException for a width, hidden width or latent size &lt; 1
     */
    public Vae newModel(int d) {
        Vae v = Vae.builder(d).hidden(value(hidden)).latent((Integer) value(latent))
                .likelihood(likelihoodOf(value(likelihood), d)).seed((Long) value(seed)).build();
        v.setGemm(Gemms.create(1));
        return v;
    }

    /**
     * Trains a model on {@code dataset} and calibrates its threshold. The features are the
     * {@code inputCols} or, when none are set, the {@code featuresCol} vectors (the first row's size
     * is the input width d); row i of the data set has id i, the key of its noise, so the data set
     * is read several times and its order must be deterministic. Steps: a {@link #newModel} of
     * width d trained by a {@link SparkTrainer} of {@link #trainerConfig()} with {@code partitions}
     * P and Adam; the {@link VaeModel} (a new uid, this estimator as parent, {@code scoreSamples},
     * {@code seed} as its {@code scoreSeed}) scores the training rows, and the
     * {@code anomalyQuantile} of their scores (Spark's {@code approxQuantile}, relative error
     * 1e-4) becomes its threshold. The model file records the trainer settings and the epochs'
     * history.
     *
     * @param dataset the training rows, in a deterministic order, at least one; it must not
     *                already have the model's output columns ({@code latent}, {@code score},
     *                {@code is_anomaly}), which the calibration adds
     * @return the trained model, its threshold set
     * @throws IllegalArgumentException before any training, for a param out of its range, missing or
     *                                  mistyped feature columns or an output column already in the data
     *                                  ({@link #transformSchema}), a dataset without rows, or a null
     *                                  features vector in its first row;
     *                                  when training, for rows the trainer rejects ({@link SparkTrainer#train})
     * @throws org.vae4j.train.TrainingException when the loss or a gradient becomes non-finite
     */
    @Override
    public VaeModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema()); // every param and the schema, before any work on the rows
        String[] cols = value(inputCols);
        String source = cols.length > 0 ? "inputCols " + String.join(", ", cols) : "featuresCol '" + value(featuresCol) + "'";
        List<Row> first = dataset.toDF().select(cols.length > 0 ? cols[0] : value(featuresCol)).takeAsList(1);
        if (first.isEmpty()) {
            throw new IllegalArgumentException("VaeEstimator.fit: the dataset has no rows (" + source + "): nothing to train on");
        }
        if (cols.length == 0 && first.get(0).isNullAt(0)) {
            throw new IllegalArgumentException("VaeEstimator.fit: the first row's " + source + " is null");
        }
        int d = cols.length > 0 ? cols.length : ((Vector) first.get(0).get(0)).size();
        Scoring.Features f = Features.of(dataset.schema(), cols, value(featuresCol), d);
        JavaRDD<float[]> rows = dataset.toDF().javaRDD().map(f::of);
        Vae model = newModel(d);
        TrainerConfig config = trainerConfig();
        SparkTrainer trainer = SparkTrainer.builder(config).partitions((Integer) value(partitions))
                .microBatches(config.microBatches()).build();
        Optimizer opt = trainer.config().newOptimizer();
        List<EpochStats> history = trainer.train(rows, model, opt);
        VaeModel m = new VaeModel(Identifiable$.MODULE$.randomUID("vaeModel"),
                ModelBytes.of(model, trainer.state(history), null));
        m.setScoreSamples((Integer) value(scoreSamples)).setScoreSeed((Long) value(seed));
        if (cols.length > 0) {
            m.setInputCols(cols);
        } else {
            m.setFeaturesCol(value(featuresCol));
        }
        m.setParent(this);
        double q = (Double) value(anomalyQuantile);
        Dataset<Row> scored = m.transform(dataset);
        double[] t = scored.stat().approxQuantile(m.getOrDefault(m.scoreCol()), new double[]{q}, 1e-4);
        m.setThreshold(t[0]);
        return m;
    }

    /**
     * {@return the schema of the fitted model's {@link VaeModel#transform} output: {@code schema} with
     * the model's output columns {@code latent} (a vector), {@code score} (a double) and
     * {@code is_anomaly} (a boolean) appended, none nullable}
     * It checks every param's range (also of values set without a setter) and the trainer settings
     * together, and that {@code schema} has the feature columns (every {@code inputCols} column
     * numeric, or, without them, {@code featuresCol} a vector column) and not the output columns.
     *
     * @param schema the schema of the data to fit
     * @throws IllegalArgumentException for a param out of its range, trainer settings that do not go
     *                                  together ({@code iwae:K} with beta other than 1), a missing or
     *                                  mistyped feature column, or an output column already in
     *                                  {@code schema}
     */
    @Override
    public StructType transformSchema(StructType schema) {
        checkParams();
        String[] cols = value(inputCols);
        Features.of(schema, cols, value(featuresCol), cols.length);
        return Features.withOutputs(schema, VaeModel.LATENT_COL, VaeModel.SCORE_COL, VaeModel.ANOMALY_COL);
    }

    @Override
    public VaeEstimator copy(ParamMap extra) {
        return (VaeEstimator) defaultCopy(extra);
    }

    /**
     * {@return a writer of this estimator's uid and params (Spark's parameter metadata, no data):
     * {@code write().save(path)}, read back by {@link #load}}
     */
    @Override
    public MLWriter write() {
        return new DefaultParamsWriter(this);
    }

    /** {@return the reader of {@link #write}'s directories (Spark's parameter metadata)} */
    public static MLReader<VaeEstimator> read() {
        return new DefaultParamsReader<>();
    }

    /**
     * Loads an estimator saved by {@link #write}: {@code read().load(path)}.
     *
     * @param path the directory it was saved to (a Hadoop path: local, HDFS, S3...)
     * @return the estimator, with the saved uid and every saved param and default
     */
    public static VaeEstimator load(String path) {
        return read().load(path);
    }
}

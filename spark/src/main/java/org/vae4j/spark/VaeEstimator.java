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

    private final String uid;
    private final Param<String> featuresCol;
    private final StringArrayParam inputCols;
    private final IntArrayParam hidden;
    private final IntParam latent;
    private final Param<String> likelihood;
    private final Param<String> objective;
    private final DoubleParam beta;
    private final IntParam epochs;
    private final IntParam batchSize;
    private final DoubleParam learningRate;
    private final LongParam seed;
    private final IntParam partitions;
    private final IntParam microBatches;
    private final DoubleParam anomalyQuantile;
    private final IntParam scoreSamples;

    public VaeEstimator() {
        this(Identifiable$.MODULE$.randomUID("vaeEstimator"));
    }

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

    public Param<String> featuresCol() { return featuresCol; }
    public StringArrayParam inputCols() { return inputCols; }
    public IntArrayParam hidden() { return hidden; }
    public IntParam latent() { return latent; }
    public Param<String> likelihood() { return likelihood; }
    public Param<String> objective() { return objective; }
    public DoubleParam beta() { return beta; }
    public IntParam epochs() { return epochs; }
    public IntParam batchSize() { return batchSize; }
    public DoubleParam learningRate() { return learningRate; }
    public LongParam seed() { return seed; }
    public IntParam partitions() { return partitions; }
    public IntParam microBatches() { return microBatches; }
    public DoubleParam anomalyQuantile() { return anomalyQuantile; }
    public IntParam scoreSamples() { return scoreSamples; }

    public VaeEstimator setFeaturesCol(String v) { return (VaeEstimator) set(featuresCol, v); }
    public VaeEstimator setInputCols(String[] v) { return (VaeEstimator) set(inputCols, v); }
    public VaeEstimator setHidden(int[] v) { return (VaeEstimator) set(hidden, v); }
    public VaeEstimator setLatent(int v) { return (VaeEstimator) set(latent, v); }
    public VaeEstimator setLikelihood(String v) { likelihoodOf(v, 1); return (VaeEstimator) set(likelihood, v); }
    public VaeEstimator setObjective(String v) { TrainerConfig.importanceSamples(v); return (VaeEstimator) set(objective, v); }
    public VaeEstimator setBeta(double v) { return (VaeEstimator) set(beta, v); }
    public VaeEstimator setEpochs(int v) { return (VaeEstimator) set(epochs, v); }
    public VaeEstimator setBatchSize(int v) { return (VaeEstimator) set(batchSize, v); }
    public VaeEstimator setLearningRate(double v) { return (VaeEstimator) set(learningRate, v); }
    public VaeEstimator setSeed(long v) { return (VaeEstimator) set(seed, v); }
    public VaeEstimator setPartitions(int v) { return (VaeEstimator) set(partitions, v); }
    public VaeEstimator setMicroBatches(int v) { return (VaeEstimator) set(microBatches, v); }
    public VaeEstimator setAnomalyQuantile(double v) { return (VaeEstimator) set(anomalyQuantile, v); }
    public VaeEstimator setScoreSamples(int v) { return (VaeEstimator) set(scoreSamples, v); }

    private <T> T value(Param<T> p) {
        return getOrDefault(p);
    }

    /**
     * The likelihood of a name for {@code d} inputs: the table likelihoods with one column per
     * input ({@link LearnedGaussianLikelihood}: per column, or per cell from the decoder); a
     * composite of several cells per column (categorical spans) does not fit the one-column-per-
     * input rows of {@link VaeModel}.
     */
    static Likelihood likelihoodOf(String name, int d) {
        switch (name) {
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

    /** The trainer settings of the params (validated by the core's config). */
    public TrainerConfig trainerConfig() {
        int n = (Integer) value(microBatches);
        return Trainer.builder().epochs((Integer) value(epochs)).batchSize((Integer) value(batchSize))
                .learningRate((Double) value(learningRate)).seed((Long) value(seed)).beta((Double) value(beta))
                .objective(value(objective)).microBatches(n > 0 ? n : (Integer) value(partitions)).buildConfig();
    }

    /** The untrained model of the params for inputs of width {@code d} (one GEMM thread). */
    public Vae newModel(int d) {
        Vae v = Vae.builder(d).hidden(value(hidden)).latent((Integer) value(latent))
                .likelihood(likelihoodOf(value(likelihood), d)).seed((Long) value(seed)).build();
        v.setGemm(Gemms.create(1));
        return v;
    }

    @Override
    public VaeModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        String[] cols = value(inputCols);
        int d = cols.length > 0 ? cols.length : ((Vector) dataset.select(value(featuresCol)).first().get(0)).size();
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

    @Override
    public StructType transformSchema(StructType schema) {
        String[] cols = value(inputCols);
        Features.of(schema, cols, value(featuresCol), cols.length);
        return schema;
    }

    @Override
    public VaeEstimator copy(ParamMap extra) {
        return (VaeEstimator) defaultCopy(extra);
    }

    @Override
    public MLWriter write() {
        return new DefaultParamsWriter(this);
    }

    /** The reader of {@link #write}'s directories (Spark's parameter metadata). */
    public static MLReader<VaeEstimator> read() {
        return new DefaultParamsReader<>();
    }

    public static VaeEstimator load(String path) {
        return read().load(path);
    }
}

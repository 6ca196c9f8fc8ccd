package org.vae4j.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.vae4j.LatentModel;
import org.vae4j.io.ModelFiles;
import org.vae4j.table.Scorer;

/**
 * A trained vae4j model as a Spark ML {@code Transformer}: {@link #transform} appends the latent
 * mean (a vector column, {@code latentCol}), the anomaly score ({@code scoreCol}: the
 * importance-weighted -log p(x) of {@link Scorer}, {@code scoreSamples} samples, noise keyed by
 * {@code scoreSeed} and the row's index in the data set) and {@code score > threshold}
 * ({@code anomalyCol}). It runs in {@code mapPartitions} with the model file broadcast, rows in
 * chunks through the kernels; rows never go to the driver.
 *
 * <p>ML persistence ({@link #write}, {@link #read}) stores Spark's parameter metadata and the
 * ordinary vae4j model file ({@code PATH/model.safetensors}, the threshold and scoring settings in
 * its metadata): {@code ModelFiles.load} reads it, and {@link #fromModelFile} makes a
 * {@code VaeModel} of any vae4j model file. Both score rows identically to {@link #localScorer}.
 *
 * <p>Not thread-safe to configure; {@code transform} may be called from several threads.
 */
public final class VaeModel extends Model<VaeModel> implements MLWritable {

    private static final long serialVersionUID = 1L;

    /** Metadata keys of the model file (vae4j.* is the library's). */
    static final String META_THRESHOLD = "spark.threshold";
    static final String META_SAMPLES = "spark.score_samples";
    static final String META_SEED = "spark.score_seed";
    static final String MODEL_FILE = "model.safetensors";
    /** The default output columns: the latent mean, the score, the anomaly flag. */
    static final String LATENT_COL = "latent";
    static final String SCORE_COL = "score";
    static final String ANOMALY_COL = "is_anomaly";

    /** The model's unique id (Spark ML's {@code Identifiable}). */
    private final String uid;
    /** The bytes of the vae4j model file (safetensors): the architecture and the trained parameters. */
    private byte[] file;                       // the vae4j model file
    private transient Broadcast<ModelFile> broadcast;
    private transient LatentModel local;       // lazily, for the schema

    /** {@link #featuresCol()}: the vector column of the features. */
    private final Param<String> featuresCol;
    /** {@link #inputCols()}: the numeric feature columns. */
    private final StringArrayParam inputCols;
    /** {@link #latentCol()}: the output column of the latent mean. */
    private final Param<String> latentCol;
    /** {@link #scoreCol()}: the output column of the anomaly score. */
    private final Param<String> scoreCol;
    /** {@link #anomalyCol()}: the output column of the anomaly flag. */
    private final Param<String> anomalyCol;
    /** {@link #threshold()}: scores above it are anomalies. */
    private final DoubleParam threshold;
    /** {@link #scoreSamples()}: the importance samples of the score. */
    private final IntParam scoreSamples;
    /** {@link #scoreSeed()}: the seed of the scoring noise. */
    private final LongParam scoreSeed;

    /**
     * A model with every param at its default and no model file, which cannot score: not public,
     * as Spark ML does not need it ({@link #read} and {@link #copy} give the model file).
     */
    VaeModel(String uid) {
        this.uid = uid;
        featuresCol = new Param<>(this, "featuresCol", "a vector column of the features (or set inputCols)");
        inputCols = new StringArrayParam(this, "inputCols", "numeric columns of the features (or set featuresCol)");
        latentCol = new Param<>(this, "latentCol", "output: the latent mean vector");
        scoreCol = new Param<>(this, "scoreCol", "output: the anomaly score, -log p(x) in nats");
        anomalyCol = new Param<>(this, "anomalyCol", "output: score > threshold");
        threshold = new DoubleParam(this, "threshold", "scores above it are anomalies");
        scoreSamples = new IntParam(this, "scoreSamples", "importance samples per row of the score (>= 1)");
        scoreSeed = new LongParam(this, "scoreSeed", "seed of the scoring noise");
        setDefault(featuresCol, "features");
        setDefault(inputCols, new String[0]);
        setDefault(latentCol, LATENT_COL);
        setDefault(scoreCol, SCORE_COL);
        setDefault(anomalyCol, ANOMALY_COL);
        setDefault(threshold, Double.POSITIVE_INFINITY);
        setDefault(scoreSamples, 16);
        setDefault(scoreSeed, 0L);
    }

    /** A model of the bytes of a vae4j model file. */
    VaeModel(String uid, byte[] file) {
        this(uid);
        this.file = file;
    }

    /**
     * A {@code VaeModel} of a vae4j model file written by {@code ModelFiles.save} (or by
     * {@link #write}); its threshold and scoring settings are read from the file's metadata when
     * it has them ({@code spark.threshold}, {@code spark.score_samples}, {@code spark.score_seed});
     * the other params are at their defaults. The file is read whole, once.
     *
     * @param path a vae4j model file on the local file system
     * @return a model of the file, with a new uid
     * @throws IOException when the file cannot be read or is not a model file
     */
    public static VaeModel fromModelFile(Path path) throws IOException {
        VaeModel m = new VaeModel(Identifiable$.MODULE$.randomUID("vaeModel"), Files.readAllBytes(path));
        m.applyFileMetadata(ModelFiles.readMetadata(path));
        return m;
    }

    private void applyFileMetadata(Map<String, String> meta) {
        if (meta.containsKey(META_THRESHOLD)) {
            set(threshold, Double.parseDouble(meta.get(META_THRESHOLD)));
        }
        if (meta.containsKey(META_SAMPLES)) {
            set(scoreSamples, Integer.parseInt(meta.get(META_SAMPLES)));
        }
        if (meta.containsKey(META_SEED)) {
            set(scoreSeed, Long.parseLong(meta.get(META_SEED)));
        }
    }

    @Override
    public String uid() {
        return uid;
    }

    /**
     * {@return the param of the vector column of the features, used when {@code inputCols} is empty (default
     * {@code "features"}); its vectors' size must be the model's input size}
     */
    public Param<String> featuresCol() {
        return featuresCol;
    }

    /**
     * {@return the param of the numeric columns of the features, in the model's input order (default none:
     * use {@code featuresCol}); a null cell is NaN, a missing cell for a likelihood that accepts them}
     */
    public StringArrayParam inputCols() {
        return inputCols;
    }

    /**
     * {@return the param of the output column of the latent mean (the mean of q(z | x)), a vector of
     * the latent size (default {@code "latent"})}
     */
    public Param<String> latentCol() {
        return latentCol;
    }

    /**
     * {@return the param of the output column of the anomaly score, a double: the importance-weighted
     * estimate of -log p(x) in nats, higher is more anomalous (default {@code "score"})}
     */
    public Param<String> scoreCol() {
        return scoreCol;
    }

    /**
     * {@return the param of the output column of the anomaly flag, a boolean: score &gt; threshold (default
     * {@code "is_anomaly"})}
     */
    public Param<String> anomalyCol() {
        return anomalyCol;
    }

    /**
     * {@return the param of the threshold of the anomaly flag, in nats (default +infinity: no row is
     * flagged; {@link VaeEstimator#fit} sets the quantile of the training scores)}
     */
    public DoubleParam threshold() {
        return threshold;
    }

    /**
     * {@return the param of the importance samples k per row of the score, &gt;= 1 (default 16; more: a
     * tighter, slower estimate)}
     */
    public IntParam scoreSamples() {
        return scoreSamples;
    }

    /**
     * {@return the param of the seed of the scoring noise, keyed with each row's index in the data set
     * (default 0)}
     */
    public LongParam scoreSeed() {
        return scoreSeed;
    }

    /**
     * Sets {@link #featuresCol()}.
     *
     * @param c the name of a vector column of the features (used when no {@code inputCols} are
     *          set); checked against the schema by {@code transform}
     * @return this model
     */
    public VaeModel setFeaturesCol(String c) {
        return (VaeModel) set(featuresCol, c);
    }

    /**
     * Sets {@link #inputCols()}.
     *
     * @param c the names of the numeric feature columns, as many as the model's inputs, in its
     *          input order; empty: use {@code featuresCol}
     * @return this model
     */
    public VaeModel setInputCols(String[] c) {
        return (VaeModel) set(inputCols, c);
    }

    /**
     * Sets {@link #latentCol()}.
     *
     * @param c the name of the latent-mean output column, not already in the input data
     * @return this model
     */
    public VaeModel setLatentCol(String c) {
        return (VaeModel) set(latentCol, c);
    }

    /**
     * Sets {@link #scoreCol()}.
     *
     * @param c the name of the score output column, not already in the input data
     * @return this model
     */
    public VaeModel setScoreCol(String c) {
        return (VaeModel) set(scoreCol, c);
    }

    /**
     * Sets {@link #anomalyCol()}.
     *
     * @param c the name of the anomaly-flag output column, not already in the input data
     * @return this model
     */
    public VaeModel setAnomalyCol(String c) {
        return (VaeModel) set(anomalyCol, c);
    }

    /**
     * Sets {@link #threshold()}.
     *
     * @param t the score in nats above which a row is flagged (+infinity or NaN: none)
     * @return this model
     */
    public VaeModel setThreshold(double t) {
        return (VaeModel) set(threshold, t);
    }

    /**
     * Sets {@link #scoreSamples()}.
     *
     * @param k the importance samples per row of the score, &gt;= 1
     * @return this model
     * @throws IllegalArgumentException when {@code k} &lt; 1
     */
    public VaeModel setScoreSamples(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("scoreSamples must be >= 1, got " + k);
        }
        return (VaeModel) set(scoreSamples, k);
    }

    /**
     * Sets {@link #scoreSeed()}.
     *
     * @param s the seed of the scoring noise
     * @return this model
     */
    public VaeModel setScoreSeed(long s) {
        return (VaeModel) set(scoreSeed, s);
    }

    /** {@return the threshold of the anomaly flag, in nats: its set value or the default +infinity} */
    public double getThreshold() {
        return (Double) getOrDefault(threshold);
    }

    /**
     * {@return the trained model: a new copy read from the model file at each call (with the
     * default GEMM kernel), which the caller owns}
     *
     * @throws java.io.UncheckedIOException when the model file's bytes cannot be read
     */
    public LatentModel latentModel() {
        return ModelBytes.load(file(), "the model file").model();
    }

    /**
     * {@return a new scorer of this model with the {@code scoreSamples} and {@code scoreSeed} set
     * now: what {@link #transform} uses on each executor, so {@code score(x, i)} of the row at
     * index i of the data set (a one-row x) gives its score bit for bit; thread-safe, its own
     * model copies with one GEMM thread each}
     *
     * @throws IllegalArgumentException when the model's likelihood does not have one column per input
     */
    public Scorer localScorer() {
        return Scoring.scorer(file(), (Integer) getOrDefault(scoreSamples), (Long) getOrDefault(scoreSeed));
    }

    /** The bytes of the vae4j model file this model was made of. */
    private byte[] file() {
        if (file == null) {
            throw new IllegalStateException("VaeModel " + uid + " has no trained model file: make models with "
                    + "VaeEstimator.fit, VaeModel.fromModelFile or VaeModel.load");
        }
        return file;
    }

    /** The bytes of the vae4j model file, with this model's threshold and scoring settings in its metadata. */
    byte[] modelFileBytes() {
        LatentModel m = latentModel();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_THRESHOLD, Double.toString(getThreshold()));
        meta.put(META_SAMPLES, Integer.toString((Integer) getOrDefault(scoreSamples)));
        meta.put(META_SEED, Long.toString((Long) getOrDefault(scoreSeed)));
        return ModelBytes.of(m, null, meta);
    }

    private synchronized LatentModel local() {
        if (local == null) {
            local = latentModel();
        }
        return local;
    }

    private synchronized Broadcast<ModelFile> broadcast(JavaSparkContext sc) {
        if (broadcast == null) {
            broadcast = sc.broadcast(ModelFile.of(file()));
        }
        return broadcast;
    }

    /**
     * {@return {@code schema} with the three output columns appended: {@code latentCol} (a vector),
     * {@code scoreCol} (a double) and {@code anomalyCol} (a boolean), none nullable}
     *
     * @param schema the schema of the data to transform
     * @throws IllegalArgumentException for a missing or mistyped feature column, a number of
     *                                  {@code inputCols} other than the model's input size, or an
     *                                  output column already in {@code schema}
     */
    @Override
    public StructType transformSchema(StructType schema) {
        features(schema);
        return Features.withOutputs(schema, getOrDefault(latentCol), getOrDefault(scoreCol), getOrDefault(anomalyCol));
    }

    /** Where the features are in rows of {@code schema}. */
    Scoring.Features features(StructType schema) {
        int d = local().inputSize();
        return Features.of(schema, getOrDefault(inputCols), getOrDefault(featuresCol), d);
    }

    /**
     * {@return {@code dataset}'s rows with their latent mean, score and anomaly flag appended
     * ({@link #transformSchema}), lazily: computed on the executors, a chunk of up to 1024 rows with
     * consecutive ids at a time, from the model file broadcast once per model}
     * Row i of {@code dataset} (its index, the key of its noise) gets the score
     * {@link #localScorer} gives it, whatever the partitioning.
     *
     * @param dataset the rows to score, in a deterministic order
     * @throws IllegalArgumentException for a schema {@link #transformSchema} rejects; when the rows
     *                                  are computed, for a features vector of the wrong size or
     *                                  null, or NaN (or null) cells the likelihood does not accept
     *                                  as missing
     */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        Scoring.Features f = features(dataset.schema());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Broadcast<ModelFile> b = broadcast(sc);
        int samples = (Integer) getOrDefault(scoreSamples);
        long seed = (Long) getOrDefault(scoreSeed);
        double t = getThreshold();
        return dataset.sparkSession().createDataFrame(dataset.toDF().javaRDD().zipWithIndex()
                .mapPartitions(it -> Scoring.partition(b, samples, seed, t, f, it)), out);
    }

    /**
     * {@return a model of the same uid, model file and parent, with this model's params overridden
     * by {@code extra}}
     *
     * @param extra the params to set on the copy
     */
    @Override
    public VaeModel copy(ParamMap extra) {
        VaeModel m = new VaeModel(uid, file);
        return copyValues(m, extra).setParent(parent());
    }

    /**
     * {@return a writer of this model: {@code write().save(PATH)} stores Spark's parameter metadata
     * and {@code PATH/model.safetensors}, the vae4j model file with the threshold and scoring
     * settings in its metadata; read back by {@link #load} or {@link #fromModelFile}}
     */
    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    /**
     * {@return the reader of {@link #write}'s directories: Spark's parameter metadata and
     * {@code PATH/model.safetensors}}
     */
    public static MLReader<VaeModel> read() {
        return new Reader();
    }

    /**
     * Loads a model saved by {@link #write}: {@code read().load(path)}.
     *
     * @param path the directory it was saved to (a Hadoop path: local, HDFS, S3...)
     * @return the model, with the saved uid, params and model file
     * @throws java.io.UncheckedIOException when {@code PATH/model.safetensors} cannot be read
     */
    public static VaeModel load(String path) {
        return read().load(path);
    }

    /** Spark's metadata plus PATH/model.safetensors. */
    private static final class Writer extends MLWriter {
        private final VaeModel model;

        Writer(VaeModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(model, path, sparkSession());
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path, MODEL_FILE);
            try {
                FileSystem fs = p.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
                try (OutputStream o = fs.create(p, true)) {
                    o.write(model.modelFileBytes());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + p, e);
            }
        }
    }

    private static final class Reader extends MLReader<VaeModel> {
        @Override
        public VaeModel load(String path) {
            DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, sparkSession(),
                    VaeModel.class.getName());
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path, MODEL_FILE);
            byte[] bytes;
            try {
                FileSystem fs = p.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
                try (InputStream in = fs.open(p)) {
                    bytes = in.readAllBytes();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + p, e);
            }
            VaeModel m = new VaeModel(meta.uid(), bytes);
            meta.getAndSetParams(m, scala.Option.empty());
            return m;
        }
    }
}

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
import org.apache.spark.ml.linalg.SQLDataTypes;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
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

    private final String uid;
    private byte[] file;                       // the vae4j model file
    private transient Broadcast<ModelFile> broadcast;
    private transient LatentModel local;       // lazily, for the schema

    private final Param<String> featuresCol;
    private final StringArrayParam inputCols;
    private final Param<String> latentCol;
    private final Param<String> scoreCol;
    private final Param<String> anomalyCol;
    private final DoubleParam threshold;
    private final IntParam scoreSamples;
    private final LongParam scoreSeed;

    public VaeModel(String uid) {
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
        setDefault(latentCol, "latent");
        setDefault(scoreCol, "score");
        setDefault(anomalyCol, "is_anomaly");
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
     * it has them.
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

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public StringArrayParam inputCols() {
        return inputCols;
    }

    public Param<String> latentCol() {
        return latentCol;
    }

    public Param<String> scoreCol() {
        return scoreCol;
    }

    public Param<String> anomalyCol() {
        return anomalyCol;
    }

    public DoubleParam threshold() {
        return threshold;
    }

    public IntParam scoreSamples() {
        return scoreSamples;
    }

    public LongParam scoreSeed() {
        return scoreSeed;
    }

    public VaeModel setFeaturesCol(String c) {
        return (VaeModel) set(featuresCol, c);
    }

    public VaeModel setInputCols(String[] c) {
        return (VaeModel) set(inputCols, c);
    }

    public VaeModel setLatentCol(String c) {
        return (VaeModel) set(latentCol, c);
    }

    public VaeModel setScoreCol(String c) {
        return (VaeModel) set(scoreCol, c);
    }

    public VaeModel setAnomalyCol(String c) {
        return (VaeModel) set(anomalyCol, c);
    }

    public VaeModel setThreshold(double t) {
        return (VaeModel) set(threshold, t);
    }

    public VaeModel setScoreSamples(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("scoreSamples must be >= 1, got " + k);
        }
        return (VaeModel) set(scoreSamples, k);
    }

    public VaeModel setScoreSeed(long s) {
        return (VaeModel) set(scoreSeed, s);
    }

    public double getThreshold() {
        return (Double) getOrDefault(threshold);
    }

    /** The trained model, a new copy (on the driver). */
    public LatentModel latentModel() {
        return ModelBytes.load(file, "the model file").model();
    }

    /** The scorer that {@link #transform} uses on each executor: score row i of x with {@code score(x, i)}. */
    public Scorer localScorer() {
        return Scoring.scorer(file, (Integer) getOrDefault(scoreSamples), (Long) getOrDefault(scoreSeed));
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
            broadcast = sc.broadcast(ModelFile.of(file));
        }
        return broadcast;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        features(schema);
        for (Param<String> p : java.util.List.of(latentCol, scoreCol, anomalyCol)) {
            if (java.util.Arrays.asList(schema.fieldNames()).contains(getOrDefault(p))) {
                throw new IllegalArgumentException("output column " + getOrDefault(p) + " already exists");
            }
        }
        return schema.add(new StructField(getOrDefault(latentCol), SQLDataTypes.VectorType(), false,
                        org.apache.spark.sql.types.Metadata.empty()))
                .add(getOrDefault(scoreCol), DataTypes.DoubleType, false)
                .add(getOrDefault(anomalyCol), DataTypes.BooleanType, false);
    }

    /** Where the features are in rows of {@code schema}. */
    Scoring.Features features(StructType schema) {
        int d = local().inputSize();
        return Features.of(schema, (String[]) getOrDefault(inputCols), getOrDefault(featuresCol), d);
    }

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

    @Override
    public VaeModel copy(ParamMap extra) {
        VaeModel m = new VaeModel(uid, file);
        return copyValues(m, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<VaeModel> read() {
        return new Reader();
    }

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

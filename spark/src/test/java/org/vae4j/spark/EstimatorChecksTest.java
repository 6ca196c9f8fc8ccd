package org.vae4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * VaeEstimator's schema is the fitted model's output schema (a Pipeline's later stages may read
 * {@code score}); bad params and clashing output columns are rejected before any training work;
 * a file-less VaeModel is not public and says what it lacks.
 */
class EstimatorChecksTest {

    private static final String[] COLS = {"a", "b", "c"};

    private static Dataset<Row> data;
    /** The rows of {@link #data}, whose every read throws "rows read": fit must fail before training. */
    private static Dataset<Row> unreadable;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() {
        SplittableRandom rng = new SplittableRandom(21);
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < 60; r++) {
            double t = rng.nextDouble(-1, 1);
            rows.add(RowFactory.create(t + 0.1 * rng.nextDouble(), -t, t * t));
        }
        StructType schema = new StructType();
        for (String c : COLS) {
            schema = schema.add(c, DataTypes.DoubleType);
        }
        data = SparkTestSession.get().createDataFrame(rows, schema).repartition(1);
        unreadable = SparkTestSession.get().createDataFrame(data.javaRDD().map(r -> {
            throw new IllegalStateException("rows read");
        }), schema);
    }

    private static VaeEstimator small() {
        return new VaeEstimator().setInputCols(COLS).setHidden(new int[]{4}).setLatent(2).setEpochs(1)
                .setBatchSize(16).setSeed(3).setScoreSamples(2);
    }

    private static void assertRejects(String param, String value, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, param + " " + value);
        assertTrue(e.getMessage().contains(param) && e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void aPipelineStageAfterTheEstimatorReadsTheScoreAndTheLatentMean() {
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[]{small(),
                new SQLTransformer().setStatement("SELECT *, 2 * score AS twice, latent AS z FROM __THIS__")});
        StructType out = pipeline.transformSchema(data.schema());
        assertEquals(DataTypes.DoubleType, out.apply("score").dataType());
        assertEquals(SQLDataTypes.VectorType(), out.apply("latent").dataType());
        assertEquals(DataTypes.BooleanType, out.apply("is_anomaly").dataType());
        assertEquals(DataTypes.DoubleType, out.apply("twice").dataType());
        PipelineModel fitted = pipeline.fit(data);
        for (Row r : fitted.transform(data).collectAsList()) {
            assertEquals(2 * r.getDouble(r.fieldIndex("score")), r.getDouble(r.fieldIndex("twice")), 0.0);
        }
        VaeModel m = (VaeModel) fitted.stages()[0];
        assertEquals(m.transformSchema(data.schema()), small().transformSchema(data.schema()));
    }

    @Test
    void anOutputColumnAlreadyInTheDataIsRejectedBeforeTraining() {
        for (String c : new String[]{"latent", "score", "is_anomaly"}) {
            Dataset<Row> clash = unreadable.withColumn(c, functions.lit(1.0));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small().fit(clash), c);
            assertTrue(e.getMessage().contains("output column " + c + " already exists"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> small().transformSchema(clash.schema()), c);
            assertTrue(e.getMessage().contains(c), e.getMessage());
        }
    }

    @Test
    void everySetterRejectsAValueOutOfItsRange() {
        VaeEstimator v = new VaeEstimator();
        assertRejects("latent", "0", () -> v.setLatent(0));
        assertRejects("hidden", "[]", () -> v.setHidden(new int[0]));
        assertRejects("hidden", "[8, 0]", () -> v.setHidden(new int[]{8, 0}));
        assertRejects("hidden", "null", () -> v.setHidden(null));
        assertRejects("inputCols", "null", () -> v.setInputCols(null));
        assertRejects("inputCols", "[a, null]", () -> v.setInputCols(new String[]{"a", null}));
        assertRejects("featuresCol", "null", () -> v.setFeaturesCol(null));
        assertRejects("beta", "-0.5", () -> v.setBeta(-0.5));
        assertRejects("beta", "NaN", () -> v.setBeta(Double.NaN));
        assertRejects("beta", "Infinity", () -> v.setBeta(Double.POSITIVE_INFINITY));
        assertRejects("epochs", "0", () -> v.setEpochs(0));
        assertRejects("batchSize", "-3", () -> v.setBatchSize(-3));
        assertRejects("learningRate", "0.0", () -> v.setLearningRate(0));
        assertRejects("learningRate", "NaN", () -> v.setLearningRate(Double.NaN));
        assertRejects("partitions", "0", () -> v.setPartitions(0));
        assertRejects("anomalyQuantile", "1.5", () -> v.setAnomalyQuantile(1.5));
        assertRejects("anomalyQuantile", "-0.1", () -> v.setAnomalyQuantile(-0.1));
        assertRejects("anomalyQuantile", "NaN", () -> v.setAnomalyQuantile(Double.NaN));
        assertRejects("scoreSamples", "0", () -> v.setScoreSamples(0));
        // the ends of the ranges are accepted, and a rejected value leaves the param as it was
        v.setAnomalyQuantile(0).setAnomalyQuantile(1).setBeta(0).setLatent(1).setHidden(new int[]{1});
        assertEquals(1.0, (double) v.getOrDefault(v.anomalyQuantile()), 0.0);
        assertEquals(16, (int) v.getOrDefault(v.scoreSamples()));
    }

    @Test
    void aNegativeMicroBatchesIsRejectedAndZeroMeansThePartitions() {
        VaeEstimator v = new VaeEstimator().setPartitions(3);
        assertRejects("microBatches", "-1", () -> v.setMicroBatches(-1));
        assertEquals(3, v.setMicroBatches(0).trainerConfig().microBatches());
        assertEquals(5, v.setMicroBatches(5).trainerConfig().microBatches());
        VaeEstimator bypass = v.copy(new ParamMap().put(v.microBatches(), -2));
        assertRejects("microBatches", "-2", bypass::trainerConfig);
    }

    @Test
    void fitRejectsBadParamsBeforeReadingARow() {
        // values that bypass the setters (a ParamMap, as fit(dataset, paramMap) and a Pipeline pass them)
        Object[][] bad = {{"scoreSamples", 0}, {"anomalyQuantile", 2.0}, {"microBatches", -1}, {"latent", 0},
            {"hidden", new int[0]}, {"epochs", 0}, {"learningRate", -1.0}, {"partitions", 0}};
        for (Object[] b : bad) {
            VaeEstimator v = small();
            ParamMap extra = new ParamMap().put(v.getParam((String) b[0]), b[1]);
            String shown = b[1] instanceof int[] ? "[]" : b[1].toString();
            assertRejects((String) b[0], shown, () -> v.fit(unreadable, extra));
        }
        // iwae needs beta 1: known without the data
        assertRejects("beta", "0.5", () -> small().setObjective("iwae:2").setBeta(0.5).fit(unreadable));
        // the same estimator with good params does read the rows: the check above is not vacuous
        Exception e = assertThrows(Exception.class, () -> small().fit(unreadable));
        assertTrue(String.valueOf(rootCause(e).getMessage()).contains("rows read"), e.toString());
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    @Test
    void aModelWithoutAModelFileIsNotPublicAndSaysSo() throws java.io.IOException {
        assertArrayEquals(new Object[0], VaeModel.class.getConstructors(), "public constructors of VaeModel");
        // Spark ML's persistence of a fitted Pipeline does not need a public VaeModel(String uid)
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[]{small()}).fit(data);
        String path = dir.resolve("pipeline-model").toString();
        fitted.write().overwrite().save(path);
        PipelineModel back = PipelineModel.load(path);
        assertEquals(fitted.transform(data).collectAsList(), back.transform(data).collectAsList());
        VaeModel empty = new VaeModel("vaeModel_empty");
        List<Supplier<Object>> calls = List.of(empty::latentModel, empty::localScorer,
                () -> empty.transform(data), () -> empty.transformSchema(data.schema()));
        for (Supplier<Object> call : calls) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call::get);
            assertTrue(e.getMessage().contains("no trained model file"), e.getMessage());
        }
    }

    @Test
    void anEmptyDatasetIsRejectedWithAMessageOnBothFeaturePaths() {
        Dataset<Row> none = data.limit(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small().fit(none));
        assertTrue(e.getMessage().contains("no rows"), e.getMessage());
        Dataset<Row> vectors = new org.apache.spark.ml.feature.VectorAssembler().setInputCols(COLS)
                .setOutputCol("features").transform(data).select("features").limit(0);
        VaeEstimator byVector = new VaeEstimator().setFeaturesCol("features").setHidden(new int[]{4}).setLatent(2)
                .setEpochs(1).setBatchSize(16).setSeed(3).setScoreSamples(2);
        e = assertThrows(IllegalArgumentException.class, () -> byVector.fit(vectors));
        assertTrue(e.getMessage().contains("no rows") && e.getMessage().contains("features"), e.getMessage());
    }
}

package org.vae4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}

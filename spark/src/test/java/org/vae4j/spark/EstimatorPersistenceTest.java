package org.vae4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unfitted VaeEstimator, alone or in a Pipeline, survives ML persistence: the loaded one fits the same bits. */
class EstimatorPersistenceTest {

    private static final String[] COLS = {"a", "b", "c"};

    @TempDir
    Path dir;

    /** ML persistence writes through the active session: the tests' local[2] one. */
    @BeforeAll
    static void session() {
        SparkTestSession.get();
    }

    private static Dataset<Row> data() {
        SplittableRandom rng = new SplittableRandom(12);
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < 120; r++) {
            double t = rng.nextDouble(-1, 1);
            rows.add(RowFactory.create(t + 0.1 * rng.nextDouble(), -t, t * t));
        }
        StructType schema = new StructType();
        for (String c : COLS) {
            schema = schema.add(c, DataTypes.DoubleType);
        }
        return SparkTestSession.get().createDataFrame(rows, schema).repartition(1);
    }

    /** The params set away from their defaults (beta needs 1 with iwae), so that a param lost on the way changes the fit or the check. */
    private static VaeEstimator estimator() {
        return new VaeEstimator().setFeaturesCol("v").setHidden(new int[]{7, 5}).setLatent(3).setEpochs(2)
                .setBatchSize(16).setLearningRate(3e-3).setSeed(77).setPartitions(3).setMicroBatches(2)
                .setObjective("iwae:2").setAnomalyQuantile(0.9).setScoreSamples(2);
    }

    @Test
    void anUnfittedPipelineLoadsAndFitsTheSameModelBits() throws Exception {
        VaeEstimator vae = estimator();
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[]{
                new VectorAssembler().setInputCols(COLS).setOutputCol("v"), vae});
        String path = dir.resolve("pipeline").toString();
        pipeline.write().overwrite().save(path);
        Pipeline loaded = Pipeline.load(path);

        VaeEstimator back = (VaeEstimator) loaded.getStages()[1];
        assertEquals(vae.uid(), back.uid());
        for (org.apache.spark.ml.param.Param<?> p : vae.params()) {
            Object a = vae.getOrDefault(p);
            Object b = back.getOrDefault(back.getParam(p.name()));
            if (a instanceof int[]) {
                assertArrayEquals((int[]) a, (int[]) b, p.name());
            } else if (a instanceof String[]) {
                assertArrayEquals((String[]) a, (String[]) b, p.name());
            } else {
                assertEquals(a, b, p.name());
            }
        }

        Dataset<Row> data = data();
        PipelineModel original = pipeline.fit(data);
        PipelineModel fromDisk = loaded.fit(data);
        VaeModel a = (VaeModel) original.stages()[1];
        VaeModel b = (VaeModel) fromDisk.stages()[1];
        SparkTrainerTest.assertSameBits(a.latentModel(), b.latentModel(), "the loaded pipeline's fit");
        assertEquals(a.getThreshold(), b.getThreshold(), 0.0);
        // the check discriminates: another seed in the same pipeline fits other bits
        VaeModel other = (VaeModel) new Pipeline().setStages(new PipelineStage[]{
                new VectorAssembler().setInputCols(COLS).setOutputCol("v"),
                new VaeEstimator().setFeaturesCol("v").setHidden(new int[]{7, 5}).setLatent(3).setEpochs(2)
                        .setBatchSize(16).setLearningRate(3e-3).setSeed(78).setPartitions(3).setMicroBatches(2)
                        .setObjective("iwae:2")}).fit(data).stages()[1];
        assertNotEquals(a.latentModel().parameterStore().values()[0], other.latentModel().parameterStore().values()[0]);
    }

    @Test
    void anEstimatorAloneSavesAndLoads() throws Exception {
        VaeEstimator vae = estimator().setInputCols(COLS).setBeta(0.5); // saved, not fitted: iwae with beta 0.5 is fine
        String path = dir.resolve("estimator").toString();
        vae.save(path);
        VaeEstimator back = VaeEstimator.load(path);
        assertArrayEquals(COLS, back.getOrDefault(back.inputCols()));
        assertArrayEquals(new int[]{7, 5}, back.getOrDefault(back.hidden()));
        assertEquals(77L, (long) back.getOrDefault(back.seed()));
        assertEquals("iwae:2", back.getOrDefault(back.objective()));
        assertEquals(0.5, (double) back.getOrDefault(back.beta()), 0.0);
    }
}

package org.vae4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.io.ModelFiles;
import org.vae4j.table.RowScores;
import org.vae4j.train.Trainer;

/** VaeEstimator fits exactly as the local trainer; VaeModel scores as the local Scorer; ML persistence is the model file. */
class VaeEstimatorTest {

    private static final int ROWS = 300;
    private static final int OUTLIERS = 3; // the last rows
    private static final String[] COLS = {"a", "b", "c", "d"};

    private static Dataset<Row> data;
    private static FMatrixRMaj x;
    private static VaeEstimator estimator;
    private static VaeModel model;

    @TempDir
    Path dir;

    /** Rows on a 1-D curve with noise, then a few far off it; an id column first. */
    @BeforeAll
    static void fit() {
        SplittableRandom rng = new SplittableRandom(4);
        x = new FMatrixRMaj(ROWS, COLS.length);
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < ROWS; r++) {
            double t = rng.nextDouble(-1, 1);
            double[] v = {t, 2 * t, -t, t * t};
            if (r >= ROWS - OUTLIERS) {
                v = new double[]{3, -4, 3, -2};
            }
            Object[] row = new Object[COLS.length + 1];
            row[0] = (long) r;
            for (int c = 0; c < COLS.length; c++) {
                float value = (float) (v[c] + 0.05 * rng.nextDouble(-1, 1));
                x.data[r * COLS.length + c] = value;
                row[c + 1] = (double) value;
            }
            rows.add(RowFactory.create(row));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType);
        for (String c : COLS) {
            schema = schema.add(c, DataTypes.DoubleType);
        }
        data = SparkTestSession.get().createDataFrame(rows, schema).repartition(1);
        estimator = new VaeEstimator().setInputCols(COLS).setHidden(new int[]{16}).setLatent(2).setEpochs(4)
                .setBatchSize(32).setLearningRate(1e-2).setSeed(5).setPartitions(2).setScoreSamples(4)
                .setAnomalyQuantile(0.98);
        model = estimator.fit(data);
    }

    @Test
    void fitsTheParametersOfTheLocalTrainerWithTheSameMicroBatches() {
        Vae local = estimator.newModel(COLS.length);
        Trainer.builder().config(estimator.trainerConfig()).build().train(local, x);
        assertEquals(2, estimator.trainerConfig().microBatches());
        SparkTrainerTest.assertSameBits(local, model.latentModel(), "VaeEstimator.fit");
    }

    @Test
    void transformAddsTheLatentMeanTheLocalScoreAndTheAnomalyFlag() {
        List<Row> out = model.transform(data).orderBy("id").collectAsList();
        assertEquals(ROWS, out.size());
        RowScores local = model.localScorer().score(x, 0);
        FMatrixRMaj mu = model.latentModel().encodeMean(x);
        double threshold = model.getThreshold();
        assertTrue(Double.isFinite(threshold));
        int flagged = 0;
        for (int r = 0; r < ROWS; r++) {
            Row row = out.get(r);
            assertEquals(r, row.getLong(0));
            double score = row.getDouble(row.fieldIndex("score"));
            assertEquals(local.score[r], score, 0.0, "row " + r);
            Vector z = (Vector) row.get(row.fieldIndex("latent"));
            for (int j = 0; j < 2; j++) {
                assertEquals(mu.data[r * 2 + j], (float) z.apply(j), 0f);
            }
            boolean anomaly = row.getBoolean(row.fieldIndex("is_anomaly"));
            assertEquals(score > threshold, anomaly);
            flagged += anomaly ? 1 : 0;
            if (r >= ROWS - OUTLIERS) {
                assertTrue(anomaly, "outlier row " + r + " has score " + score + ", threshold " + threshold);
            }
        }
        // the 0.98 quantile of the training scores: about 2% of them above it
        assertTrue(flagged >= OUTLIERS && flagged <= 10, flagged + " flagged");
    }

    @Test
    void mlPersistenceStoresTheOrdinaryModelFile() throws IOException {
        String path = dir.resolve("vae-model").toString();
        model.write().overwrite().save(path);
        Path file = dir.resolve("vae-model").resolve(VaeModel.MODEL_FILE);
        LatentModel loaded = ModelFiles.load(file);
        SparkTrainerTest.assertSameBits(model.latentModel(), loaded, "ModelFiles.load of the ML model");
        assertEquals(Double.toString(model.getThreshold()), ModelFiles.readMetadata(file).get(VaeModel.META_THRESHOLD));
        VaeModel back = VaeModel.load(path);
        assertEquals(model.getThreshold(), back.getThreshold(), 0.0);
        assertArrayEquals(COLS, back.getOrDefault(back.inputCols()));
        List<Row> a = model.transform(data).orderBy("id").collectAsList();
        List<Row> b = back.transform(data).orderBy("id").collectAsList();
        assertEquals(a, b);
        // a locally written model file scores on Spark as the local Scorer scores it
        Vae local = estimator.newModel(COLS.length);
        Trainer.builder().epochs(1).batchSize(50).seed(9).build().train(local, x);
        Path localFile = dir.resolve("local.safetensors");
        ModelFiles.save(local, localFile);
        VaeModel fromFile = VaeModel.fromModelFile(localFile).setInputCols(COLS).setScoreSamples(3).setScoreSeed(11);
        RowScores expected = new org.vae4j.table.Scorer(() -> {
            try {
                LatentModel m = ModelFiles.load(localFile);
                m.setGemm(org.vae4j.kernel.Gemms.create(1));
                return m;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, 3, 11, Scoring.columnStarts(local), null).score(x, 0);
        List<Row> scored = fromFile.transform(data).orderBy("id").collectAsList();
        for (int r = 0; r < ROWS; r++) {
            assertEquals(expected.score[r], scored.get(r).getDouble(scored.get(r).fieldIndex("score")), 0.0);
            assertFalse(scored.get(r).getBoolean(scored.get(r).fieldIndex("is_anomaly"))); // threshold +inf
        }
    }

    @Test
    void refusesMissingAndNonNumericColumns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new VaeEstimator().setInputCols(new String[]{"a", "zz"}).fit(data));
        assertTrue(e.getMessage().contains("no column zz"), e.getMessage());
        Dataset<Row> s = data.withColumn("s", org.apache.spark.sql.functions.lit("text"));
        e = assertThrows(IllegalArgumentException.class,
                () -> new VaeEstimator().setInputCols(new String[]{"a", "s"}).fit(s));
        assertTrue(e.getMessage().contains("not numeric"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.transform(data.withColumnRenamed("id", "score")));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }
}

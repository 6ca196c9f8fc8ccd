package org.vae4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.io.ModelFiles;
import org.vae4j.loss.LearnedGaussianLikelihood;
import org.vae4j.table.RowScores;
import org.vae4j.train.Trainer;

/**
 * VaeEstimator on an ML vector column (dense and sparse rows mixed) with the table likelihoods
 * of one column per input (learned variance per column, per cell): the local trainer's bits, and
 * an ML persistence round trip that scores as before and loads with ModelFiles.
 */
class VectorColumnLikelihoodsTest {

    private static final int ROWS = 120;
    private static final int D = 4;

    @TempDir
    Path dir;

    /** Rows with a vector column: even rows dense, odd rows sparse (their last value 0, left out). */
    private static Dataset<Row> data(FMatrixRMaj x) {
        SplittableRandom rng = new SplittableRandom(8);
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < ROWS; r++) {
            double t = rng.nextDouble(-1, 1);
            double[] v = {t, 2 * t + 0.1 * rng.nextDouble(-1, 1), -t, r % 2 == 1 ? 0 : t * t};
            for (int c = 0; c < D; c++) {
                x.data[r * D + c] = (float) v[c];
            }
            var vector = r % 2 == 0 ? Vectors.dense(v) : Vectors.sparse(D, new int[]{0, 1, 2}, new double[]{v[0], v[1], v[2]});
            rows.add(RowFactory.create((long) r, vector));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType).add("features", SQLDataTypes.VectorType());
        return SparkTestSession.get().createDataFrame(rows, schema).repartition(1);
    }

    private static VaeEstimator estimator(String likelihood) {
        return new VaeEstimator().setFeaturesCol("features").setLikelihood(likelihood).setHidden(new int[]{8})
                .setLatent(2).setEpochs(2).setBatchSize(60).setLearningRate(1e-2).setSeed(5).setPartitions(2)
                .setScoreSamples(3);
    }

    @Test
    void vectorColumnsAndLearnedVarianceLikelihoodsFitExactlyAndRoundTrip() throws IOException {
        FMatrixRMaj x = new FMatrixRMaj(ROWS, D);
        Dataset<Row> df = data(x);
        for (String likelihood : new String[]{"gaussian-learned", "gaussian-heteroscedastic"}) {
            VaeEstimator e = estimator(likelihood);
            VaeModel m = e.fit(df);
            Vae local = e.newModel(D);
            assertTrue(local.likelihood() instanceof LearnedGaussianLikelihood, local.likelihood().describe());
            Trainer.builder().config(e.trainerConfig()).build().train(local, x);
            SparkTrainerTest.assertSameBits(local, m.latentModel(), likelihood + ": fit on dense and sparse vectors");

            String path = dir.resolve(likelihood).toString();
            m.write().overwrite().save(path);
            LatentModel file = ModelFiles.load(dir.resolve(likelihood).resolve(VaeModel.MODEL_FILE));
            assertEquals(local.likelihood().describe(), file.likelihood().describe());
            SparkTrainerTest.assertSameBits(m.latentModel(), file, likelihood + ": ModelFiles.load of the ML model");
            VaeModel back = VaeModel.load(path);
            assertEquals("features", back.getOrDefault(back.featuresCol()));
            List<Row> a = m.transform(df).orderBy("id").collectAsList();
            List<Row> b = back.transform(df).orderBy("id").collectAsList();
            assertEquals(a, b, likelihood + ": the loaded model scores as the fitted one");
            RowScores expected = m.localScorer().score(x, 0);
            for (int r = 0; r < ROWS; r++) {
                assertEquals(expected.score[r], b.get(r).getDouble(b.get(r).fieldIndex("score")), 0.0,
                        likelihood + ": row " + r);
            }
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new VaeEstimator().setLikelihood("categorical"));
        assertTrue(bad.getMessage().contains("gaussian-learned"), bad.getMessage());
    }
}

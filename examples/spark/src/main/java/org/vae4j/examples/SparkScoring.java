package org.vae4j.examples;

import java.util.SplittableRandom;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.Vae;
import org.vae4j.io.ModelFiles;
import org.vae4j.spark.VaeModel;
import org.vae4j.train.Trainer;

/**
 * {@code examples/run-spark SparkScoring [--master URL] [--rows N] [--samples K]}: rows per second
 * of {@link VaeModel#transform} (latent mean, score with K importance samples, is_anomaly) on N
 * rows of 16 columns made on the executors ({@code spark.range}), for a 16-32-(4)-32-16 Gaussian
 * VAE trained locally on a few rows of the same kind. A benchmark, not a test.
 */
public final class SparkScoring {

    private SparkScoring() {
    }

    public static void main(String[] args) throws Exception {
        String master = "local[2]";
        long n = 1_000_000;
        int samples = 16;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--master" -> master = args[i + 1];
                case "--rows" -> n = Long.parseLong(args[i + 1]);
                case "--samples" -> samples = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown flag " + args[i]);
            }
        }
        int d = 16;
        FMatrixRMaj x = new FMatrixRMaj(2000, d);
        SplittableRandom rng = new SplittableRandom(3);
        for (int r = 0; r < x.numRows; r++) {
            double t = rng.nextGaussian();
            for (int c = 0; c < d; c++) {
                x.data[r * d + c] = (float) (Math.sin(t + c) + 0.1 * rng.nextGaussian());
            }
        }
        Vae vae = Vae.builder(d).hidden(32).latent(4).likelihood(org.vae4j.loss.GaussianLikelihood.withVariance(1.0))
                .build();
        Trainer.builder().epochs(3).batchSize(64).build().train(vae, x);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("vae4j-scoring", ".safetensors");
        ModelFiles.save(vae, file);
        SparkSession spark = SparkSession.builder().master(master).appName("vae4j SparkScoring")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            String[] cols = new String[d];
            Dataset<Row> rows = spark.range(n).toDF("id");
            for (int c = 0; c < d; c++) {
                cols[c] = "x" + c;
                rows = rows.withColumn(cols[c], functions.sin(functions.col("id").multiply(0.001).plus(c)));
            }
            VaeModel model = VaeModel.fromModelFile(file).setInputCols(cols).setScoreSamples(samples).setThreshold(30);
            model.transform(rows.limit(10_000)).count(); // warm-up
            long t0 = System.nanoTime();
            long flagged = model.transform(rows).filter(functions.col("is_anomaly")).count();
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("scored %,d rows (%d columns, %d importance samples each) on %s in %.1f s: %,.0f rows/s "
                    + "(%,d flagged)%n", n, d, samples, master, s, n / s, flagged);
        } finally {
            spark.stop();
            java.nio.file.Files.deleteIfExists(file);
        }
    }
}

package org.vae4j.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.Vae;
import org.vae4j.kernel.Gemms;
import org.vae4j.spark.SparkTrainer;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainerConfig;

/**
 * {@code examples/run-spark SparkStepOverhead [--master URL] [--steps S]}: milliseconds per
 * optimiser step of exact Spark training against the local trainer (same model, N = P = 2
 * micro-batches, one GEMM thread), for a tiny model (where the step is all overhead) and the
 * MNIST VAE. The difference is Spark's fixed cost per step (a job, the parameter broadcast, the
 * gradients back). A benchmark, not a test; a loaded machine gives loaded numbers.
 */
public final class SparkStepOverhead {

    private SparkStepOverhead() {
    }

    public static void main(String[] args) {
        String master = "local[2]";
        int steps = 40;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--master")) {
                master = args[i + 1];
            } else if (args[i].equals("--steps")) {
                steps = Integer.parseInt(args[i + 1]);
            }
        }
        SparkSession spark = SparkSession.builder().master(master).appName("vae4j SparkStepOverhead")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            System.out.println("model                      batch  params   local ms/step  spark ms/step  overhead ms/step");
            measure(sc, "tiny 16-8-(2)-8-16", 16, 8, 2, 16, steps);
            measure(sc, "mnist 784-512-(32)-512-784", 784, 512, 32, 128, steps);
            measure(sc, "mnist 784-512-(32), B=1024", 784, 512, 32, 1024, Math.max(4, steps / 8));
        } finally {
            spark.stop();
        }
    }

    private static void measure(JavaSparkContext sc, String name, int d, int h, int z, int batch, int steps) {
        FMatrixRMaj x = new FMatrixRMaj(batch * steps, d);
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = (float) rng.nextDouble();
        }
        TrainerConfig c = Trainer.builder().epochs(2).batchSize(batch).microBatches(2).buildConfig();
        Vae local = Vae.builder(d).hidden(h).latent(z).build();
        local.setGemm(Gemms.create(1));
        List<EpochStats> l = Trainer.builder().config(c).build().train(local, x);
        double localMs = l.get(1).seconds() * 1000 / steps; // the second epoch: warmed up
        List<float[]> rows = new ArrayList<>();
        for (int r = 0; r < x.numRows; r++) {
            float[] row = new float[d];
            System.arraycopy(x.data, r * d, row, 0, d);
            rows.add(row);
        }
        JavaRDD<float[]> rdd = sc.parallelize(rows, 2);
        Vae v = Vae.builder(d).hidden(h).latent(z).build();
        SparkTrainer t = SparkTrainer.builder(c).partitions(2).build();
        List<EpochStats> s = t.train(rdd, v, t.config().newOptimizer());
        double sparkMs = s.get(1).seconds() * 1000 / steps; // includes the epoch's repartition
        System.out.printf("%-26s %5d %8d %14.2f %14.2f %17.2f%n", name, batch, v.parameterCount(), localMs, sparkMs,
                sparkMs - localMs);
    }
}

package org.vae4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Vae;
import org.vae4j.kernel.Gemms;
import org.vae4j.optim.Optimizer;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainerConfig;

/**
 * The key property: a Spark run with N micro-batches gives the parameters, bit for bit, of the
 * local trainer with {@code microBatches(N)} and one GEMM thread, whatever the partition count.
 */
class SparkTrainerTest {

    private static final int ROWS = 230; // 5 steps of 50, the last of 30: uneven micro-batches

    private static TrainerConfig config(int epochs, int microBatches) {
        return Trainer.builder().epochs(epochs).batchSize(50).seed(7).learningRate(3e-3).microBatches(microBatches)
                .lrSchedule("cosine").clipGradNorm(5).buildConfig();
    }

    private static Vae model() {
        Vae v = Vae.builder(784).hidden(32).latent(4).seed(5).build();
        v.setGemm(Gemms.create(1));
        return v;
    }

    /** Trains locally: the reference. */
    private static Vae local(FMatrixRMaj x, int epochs, int microBatches) {
        Vae v = model();
        Trainer.builder().config(config(epochs, microBatches)).build().train(v, x);
        return v;
    }

    private static Vae spark(FMatrixRMaj x, int epochs, int microBatches, int partitions, int inputPartitions) {
        Vae v = model();
        JavaRDD<float[]> rdd = SparkTestSession.context().parallelize(SparkTestSession.rows(x), inputPartitions);
        SparkTrainer t = SparkTrainer.builder(config(epochs, 1)).partitions(partitions).microBatches(microBatches)
                .build();
        Optimizer opt = t.config().newOptimizer();
        List<EpochStats> stats = t.train(rdd, v, opt);
        assertEquals(epochs, stats.size());
        return v;
    }

    static void assertSameBits(org.vae4j.LatentModel expected, org.vae4j.LatentModel actual, String what) {
        float[] e = expected.parameterStore().values();
        float[] a = actual.parameterStore().values();
        assertEquals(e.length, a.length);
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                throw new AssertionError(what + ": parameter scalar " + i + " is " + a[i] + ", locally " + e[i]);
            }
        }
    }

    @Test
    void isBitIdenticalToTheLocalTrainerWithTheSameMicroBatchesForTwoPartitionCounts() {
        FMatrixRMaj x = SparkTestSession.mnist(ROWS);
        Vae reference = local(x, 2, 3);
        assertSameBits(reference, spark(x, 2, 3, 2, 3), "N=3 on 2 partitions");
        assertSameBits(reference, spark(x, 2, 3, 3, 1), "N=3 on 3 partitions");
        // the reference moved: the test compares trained parameters, not the initial ones
        assertFalse(Arrays.equals(model().parameterStore().values(), reference.parameterStore().values()));
        // and it depends on N: another N is another (float32) computation
        Vae other = local(x, 2, 2);
        assertFalse(Arrays.equals(other.parameterStore().values(), reference.parameterStore().values()));
        assertSameBits(other, spark(x, 2, 2, 2, 2), "N=2 on 2 partitions");
    }

    @Test
    void microBatchesDefaultToThePartitions() {
        SparkTrainer t = SparkTrainer.builder(config(1, 1)).partitions(4).build();
        assertEquals(4, t.config().microBatches());
        assertEquals(7, SparkTrainer.builder(config(1, 1)).partitions(4).microBatches(7).build().config().microBatches());
    }

    @Test
    void refusesRowsOfTheWrongWidthAndValuesOutsideTheSupport() {
        FMatrixRMaj x = SparkTestSession.mnist(10);
        List<float[]> rows = SparkTestSession.rows(x);
        rows.set(6, new float[783]);
        SparkTrainer t = SparkTrainer.builder(config(1, 1)).partitions(2).build();
        Exception e = assertThrows(Exception.class,
                () -> t.train(SparkTestSession.context().parallelize(rows, 2), model(), t.config().newOptimizer()));
        assertTrue(String.valueOf(rootMessage(e)).contains("training row 6 has 783 values"), rootMessage(e));
        List<float[]> bad = SparkTestSession.rows(x);
        bad.get(3)[10] = 2.5f; // a Bernoulli likelihood needs [0, 1]
        Exception e2 = assertThrows(Exception.class,
                () -> t.train(SparkTestSession.context().parallelize(bad, 2), model(), t.config().newOptimizer()));
        assertTrue(String.valueOf(rootMessage(e2)).contains("2.5"), rootMessage(e2));
    }

    @Test
    void refusesToContinueARunWithValidationThatHasStarted() {
        FMatrixRMaj x = SparkTestSession.mnist(20);
        TrainerConfig c = Trainer.builder().epochs(2).batchSize(10).validation(0.2).buildConfig();
        Vae v = model();
        Trainer local = Trainer.builder().config(c).epochs(1).build();
        Optimizer opt = local.newOptimizer();
        local.train(v, x, opt); // one epoch: the optimiser has taken steps
        SparkTrainer t = SparkTrainer.builder(c).partitions(2).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.train(SparkTestSession.context().parallelize(SparkTestSession.rows(x), 2), v, opt));
        assertTrue(e.getMessage().contains("resume its checkpoint locally"), e.getMessage());
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder sb = new StringBuilder();
        while (t != null) {
            sb.append(t.getMessage()).append(" | ");
            t = t.getCause();
        }
        return sb.toString();
    }
}

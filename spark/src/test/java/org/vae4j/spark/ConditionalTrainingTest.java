package org.vae4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.ConditionalVae;
import org.vae4j.kernel.Gemms;
import org.vae4j.optim.Optimizer;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainerConfig;
import scala.Tuple2;

/**
 * A conditional VAE on Spark: each row's condition travels with it to the task computing its
 * micro-batch; the parameters are those of the local trainer given the same conditions, bit for
 * bit, whatever the partition count.
 */
class ConditionalTrainingTest {

    private static final int ROWS = 230;

    private static TrainerConfig config(int microBatches) {
        return Trainer.builder().epochs(2).batchSize(50).seed(11).learningRate(3e-3).microBatches(microBatches)
                .buildConfig();
    }

    private static ConditionalVae model() {
        ConditionalVae v = ConditionalVae.builder(784, 10).hidden(32).latent(4).seed(5).build();
        v.setGemm(Gemms.create(1));
        return v;
    }

    /** Row r's condition: the one-hot of (r * 7) mod 10 (any fixed labels do). */
    private static FMatrixRMaj conditions(int n) {
        int[] labels = new int[n];
        for (int r = 0; r < n; r++) {
            labels[r] = (r * 7) % 10;
        }
        return ConditionalVae.oneHot(labels, 10);
    }

    private static List<Tuple2<float[], float[]>> pairs(FMatrixRMaj x, FMatrixRMaj c) {
        List<float[]> xs = SparkTestSession.rows(x);
        List<float[]> cs = SparkTestSession.rows(c);
        List<Tuple2<float[], float[]>> out = new ArrayList<>();
        for (int r = 0; r < xs.size(); r++) {
            out.add(new Tuple2<>(xs.get(r), cs.get(r)));
        }
        return out;
    }

    private static ConditionalVae spark(FMatrixRMaj x, FMatrixRMaj c, int microBatches, int partitions) {
        ConditionalVae v = model();
        SparkTrainer t = SparkTrainer.builder(config(1)).partitions(partitions).microBatches(microBatches).build();
        Optimizer opt = t.config().newOptimizer();
        assertEquals(2, t.trainConditional(SparkTestSession.context().parallelize(pairs(x, c), 3), v, opt).size());
        return v;
    }

    @Test
    void isBitIdenticalToTheLocalTrainerGivenTheSameConditions() {
        FMatrixRMaj x = SparkTestSession.mnist(ROWS);
        FMatrixRMaj c = conditions(ROWS);
        ConditionalVae reference = model();
        Trainer local = Trainer.builder().config(config(3)).build();
        local.train(reference, x, c, local.newOptimizer());
        SparkTrainerTest.assertSameBits(reference, spark(x, c, 3, 2), "N=3 on 2 partitions");
        // the conditions matter: other labels, other parameters
        ConditionalVae shifted = model();
        FMatrixRMaj other = conditions(ROWS + 1);
        FMatrixRMaj c2 = new FMatrixRMaj(ROWS, 10);
        System.arraycopy(other.data, 10, c2.data, 0, c2.data.length);
        local.train(shifted, x, c2, local.newOptimizer());
        assertFalse(Arrays.equals(shifted.parameterStore().values(), reference.parameterStore().values()));
    }

    @Test
    void refusesConditionsOfTheWrongWidthAndTheWrongEntryPoint() {
        FMatrixRMaj x = SparkTestSession.mnist(10);
        List<Tuple2<float[], float[]>> rows = pairs(x, conditions(10));
        rows.set(4, new Tuple2<>(rows.get(4)._1(), new float[9]));
        SparkTrainer t = SparkTrainer.builder(config(1)).partitions(2).build();
        Exception e = assertThrows(Exception.class, () -> t.trainConditional(
                SparkTestSession.context().parallelize(rows, 2), model(), t.config().newOptimizer()));
        assertTrue(SparkTrainerTest.rootMessage(e).contains("training row 4 has 793 values but the model's input "
                + "size is 784 and its condition size 10"), SparkTrainerTest.rootMessage(e));
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class, () -> t.train(
                SparkTestSession.context().parallelize(SparkTestSession.rows(x), 2), model(), t.config().newOptimizer()));
        assertTrue(plain.getMessage().contains("trainConditional"), plain.getMessage());
    }
}

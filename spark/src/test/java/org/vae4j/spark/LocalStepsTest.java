package org.vae4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Vae;
import org.vae4j.kernel.Gemms;
import org.vae4j.optim.Sgd;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainerConfig;

/**
 * K local steps between synchronisations (non-exact): what it does guarantee. With one partition
 * it is the exact computation for any K; with several it is deterministic, not the exact one, and
 * still trains.
 */
class LocalStepsTest {

    private static final FMatrixRMaj X = SparkTestSession.mnist(160); // 4 steps of 40

    private static TrainerConfig config(int epochs) {
        return Trainer.builder().epochs(epochs).batchSize(40).seed(2).learningRate(3e-3).microBatches(2)
                .buildConfig();
    }

    private static Vae model() {
        Vae v = Vae.builder(784).hidden(16).latent(3).seed(8).build();
        v.setGemm(Gemms.create(1));
        return v;
    }

    private static Vae spark(int partitions, int k, int epochs, List<EpochStats> out) {
        Vae v = model();
        SparkTrainer t = SparkTrainer.builder(config(epochs)).partitions(partitions).microBatches(2).localSteps(k)
                .build();
        out.addAll(t.train(SparkTestSession.context().parallelize(SparkTestSession.rows(X), 2), v,
                t.config().newOptimizer()));
        return v;
    }

    @Test
    void onOnePartitionKLocalStepsAreTheExactComputation() {
        Vae exact = model();
        Trainer.builder().config(config(2)).build().train(exact, X);
        SparkTrainerTest.assertSameBits(exact, spark(1, 3, 2, new java.util.ArrayList<>()), "P=1, K=3");
    }

    @Test
    void onSeveralPartitionsItIsDeterministicNotExactAndTrains() {
        List<EpochStats> first = new java.util.ArrayList<>();
        Vae a = spark(2, 2, 2, first);
        Vae b = spark(2, 2, 2, new java.util.ArrayList<>());
        SparkTrainerTest.assertSameBits(a, b, "the same P and K twice");
        Vae exact = model();
        List<EpochStats> local = Trainer.builder().config(config(2)).build().train(exact, X);
        assertFalse(Arrays.equals(exact.parameterStore().values(), a.parameterStore().values()));
        assertEquals(2, first.size());
        assertTrue(first.get(1).trainLoss() < first.get(0).trainLoss(), first.toString());
        // the same data and steps: the averaged run's second-epoch loss is near the exact one's
        assertEquals(local.get(1).trainLoss(), first.get(1).trainLoss(), 0.1 * local.get(1).trainLoss());
    }

    @Test
    void needsAdam() {
        SparkTrainer t = SparkTrainer.builder(config(1)).partitions(2).localSteps(2).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.train(
                SparkTestSession.context().parallelize(SparkTestSession.rows(X), 2), model(), new Sgd(0.1, 0.9)));
        assertTrue(e.getMessage().contains("Adam"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SparkTrainer.builder(config(1)).localSteps(0));
    }
}

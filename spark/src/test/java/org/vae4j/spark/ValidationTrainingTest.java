package org.vae4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Vae;
import org.vae4j.kernel.Gemms;
import org.vae4j.optim.Optimizer;
import org.vae4j.train.EpochCallback;
import org.vae4j.train.EpochMetrics;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainerConfig;
import org.vae4j.train.TrainingProgress;
import org.vae4j.train.TrainingRun;

/**
 * Validation and early stopping on Spark: the local trainer's split (the same rows held out), the
 * same validation value each epoch (to double rounding: the KL is summed per row, not per chunk),
 * the same best epoch, the same stop, and the parameters bit for bit.
 */
class ValidationTrainingTest {

    private static final int ROWS = 260; // 52 held out, 208 trained: 5 steps of 50, the last of 8

    /** With min-delta 1,000: early stopping after epoch 2 of 3 (no improvement of more than 1,000 nats). */
    private static TrainerConfig config(double minDelta) {
        return Trainer.builder().epochs(3).batchSize(50).seed(3).learningRate(3e-3).microBatches(3)
                .validation(0.2).patience(1).minDelta(minDelta).buildConfig();
    }

    private static Vae model() {
        Vae v = Vae.builder(784).hidden(32).latent(4).seed(5).build();
        v.setGemm(Gemms.create(1));
        return v;
    }

    @Test
    void holdsOutTheLocalRowsAndStopsWhereTheLocalRunStops() {
        FMatrixRMaj x = SparkTestSession.mnist(ROWS);
        for (double minDelta : new double[]{1000}) { // one configuration: CI time
            Vae reference = model();
            List<EpochMetrics> local = new ArrayList<>();
            TrainingRun[] run = new TrainingRun[1];
            Trainer trainer = Trainer.builder().config(config(minDelta)).callback(new EpochCallback() {
                @Override
                public void onEpochEnd(TrainingRun r, EpochMetrics m) {
                    local.add(m);
                    run[0] = r;
                }
            }).build();
            trainer.train(reference, x, trainer.newOptimizer());

            Vae v = model();
            List<EpochMetrics> spark = new ArrayList<>();
            SparkTrainer t = SparkTrainer.builder(config(minDelta)).partitions(2).microBatches(3)
                    .metricsListener(spark::add).build();
            Optimizer opt = t.config().newOptimizer();
            t.train(SparkTestSession.context().parallelize(SparkTestSession.rows(x), 3), v, opt);

            String what = "min-delta " + minDelta;
            assertEquals(minDelta > 0 ? 2 : 3, local.size(), what + ": the local run's epochs");
            assertEquals(local.size(), spark.size(), what + ": the epochs run");
            for (int e = 0; e < local.size(); e++) {
                EpochMetrics l = local.get(e);
                EpochMetrics s = spark.get(e);
                assertEquals(l.stats().trainLoss(), s.stats().trainLoss(), 0.0, what + ": training loss, epoch " + (e + 1));
                assertEquals(208, s.stats().examples(), "the training rows after the split");
                double tolerance = 1e-13 * Math.abs(l.validation());
                assertEquals(l.validation(), s.validation(), tolerance, what + ": validation value, epoch " + (e + 1));
                assertTrue(Double.isFinite(s.validation()));
                assertEquals(l.bestEpoch(), s.bestEpoch(), what + ": best epoch after epoch " + (e + 1));
                assertEquals(l.epochsWithoutImprovement(), s.epochsWithoutImprovement());
            }
            SparkTrainerTest.assertSameBits(reference, v, what + ": the (restored best) parameters");
            TrainingProgress lp = run[0].progress();
            TrainingProgress sp = t.state(List.of()).progress();
            assertEquals(lp.bestEpoch(), sp.bestEpoch());
            assertEquals(lp.stopped(), sp.stopped());
            assertEquals(lp.bestParameters().size(), sp.bestParameters().size());
        }
    }
}

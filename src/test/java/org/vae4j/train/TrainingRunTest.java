package org.vae4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.vae4j.Autoencoder;
import org.vae4j.ModelBuilder;
import org.vae4j.Vae;
import org.vae4j.nn.Parameter;
import org.vae4j.optim.Adam;
import org.vae4j.optim.AdamW;
import org.vae4j.optim.GradientClipping;
import org.vae4j.optim.LearningRateSchedule;
import org.vae4j.optim.Optimizer;

/** The training configuration and the control of a run: epochs, callbacks, validation, schedules. */
class TrainingRunTest {

    private static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    /** An optimiser that records the learning rate and the gradient norm it sees at every step. */
    static final class Recording implements Optimizer {
        final Optimizer inner;
        final List<Double> rates = new ArrayList<>();
        final List<Double> norms = new ArrayList<>();

        Recording(Optimizer inner) {
            this.inner = inner;
        }

        @Override
        public void step(List<Parameter> params) {
            rates.add(inner.learningRate());
            norms.add(GradientClipping.totalNorm(params));
            inner.step(params);
        }

        @Override
        public void reset() {
            inner.reset();
        }

        @Override
        public long steps() {
            return inner.steps();
        }

        @Override
        public double learningRate() {
            return inner.learningRate();
        }

        @Override
        public void setLearningRate(double lr) {
            inner.setLearningRate(lr);
        }

        @Override
        public Map<String, List<float[]>> state() {
            return inner.state();
        }

        @Override
        public String describe() {
            return "recording " + inner.describe();
        }
    }

    @Test
    void configDefaultsAreDefinedOnce() {
        TrainerConfig d = Trainer.builder().build().config();
        assertEquals(TrainerConfig.defaults(), d);
        assertEquals(ModelBuilder.DEFAULT_SEED, d.seed());
        assertEquals(TrainerConfig.DEFAULT_EPOCHS, d.epochs());
        assertEquals(TrainerConfig.DEFAULT_BATCH_SIZE, d.batchSize());
        assertEquals(Adam.DEFAULT_LR, d.learningRate());
        assertInstanceOf(Adam.class, d.newOptimizer());
        assertFalse(d.schedulesLearningRate());
        TrainerConfig c = Trainer.builder().epochs(3).weightDecay(0.05).validation(0.2).patience(2).build().config();
        assertInstanceOf(AdamW.class, c.newOptimizer());
        assertEquals(c, Trainer.builder().config(c).build().config());
    }

    @Test
    void configRejectsBadSettingsNamingThem() {
        assertRejected(() -> Trainer.builder().validation(-1).build(), "validation", "-1");
        assertRejected(() -> Trainer.builder().validation(2.5).build(), "validation", "2.5");
        assertRejected(() -> Trainer.builder().validation(Double.NaN).build(), "validation", "NaN");
        assertRejected(() -> Trainer.builder().patience(-2), "patience", "-2");
        assertRejected(() -> Trainer.builder().patience(3).build(), "patience 3", "validation");
        assertRejected(() -> Trainer.builder().validation(10).minDelta(-0.1).build(), "min-delta", "-0.1");
        assertRejected(() -> Trainer.builder().lrSchedule("linear").build(), "learning-rate schedule", "linear");
        assertRejected(() -> Trainer.builder().lrSchedule("step:0,0.5").build(), "EPOCHS", "0");
        assertRejected(() -> Trainer.builder().lrWarmupSteps(-5), "warm-up", "-5");
        assertRejected(() -> Trainer.builder().weightDecay(-0.01).build(), "weight decay", "-0.01");
        assertRejected(() -> Trainer.builder().weightDecay(2000).build(), "weight decay 2000", "< 1");
        assertRejected(() -> Trainer.builder().clipGradNorm(-1).build(), "clip-grad-norm", "-1");
        assertRejected(() -> Trainer.builder().learningRate(0), "learning rate", "0");
        assertRejected(() -> Trainer.builder().microBatches(0), "micro-batches", "0");
        assertRejected(() -> new TrainerConfig(0, 1, 1, 1, 0, org.vae4j.objective.Corruption.none(), 1, 0, 0, 0,
                true, 1e-3, "constant", 0, 0, 0), "epochs", "0");
        assertRejected(() -> Trainer.builder().validation(5).build().config().validationRows(5), "gives 5");
        assertRejected(() -> Trainer.builder().validation(0.999).build().config().validationRows(100),
                "gives 100 validation rows");
    }

    @Test
    void epochsAreNumberedContinuouslyAcrossCalls() {
        FMatrixRMaj x = TrainerTest.prototypes(40, 20, 1);
        Vae vae = TrainerTest.smallVae();
        List<Integer> seen = new ArrayList<>();
        Trainer t = Trainer.builder().epochs(5).batchSize(16).listener(s -> seen.add(s.epoch())).build();
        TrainingRun run = t.start(vae, x);
        assertEquals(List.of(1, 2), run.runEpochs(2).stream().map(EpochStats::epoch).toList());
        assertEquals(List.of(3, 4, 5), run.runEpochs(10).stream().map(EpochStats::epoch).toList());
        assertTrue(run.isFinished());
        assertTrue(run.runEpochs(1).isEmpty());
        assertEquals(List.of(1, 2, 3, 4, 5), seen);
        assertEquals(15, run.optimizer().steps());

        // the old API: each call runs epochs() more, numbered on from the optimiser's
        Vae other = TrainerTest.smallVae();
        Optimizer adam = new Adam();
        Trainer one = Trainer.builder().epochs(1).batchSize(16).build();
        assertEquals(1, one.train(other, x, adam).get(0).epoch());
        assertEquals(2, one.train(other, x, adam).get(0).epoch());
        // and the same parameters as one run of two epochs
        Vae straight = TrainerTest.smallVae();
        Trainer.builder().epochs(2).batchSize(16).build().train(straight, x);
        float[][] a = TrainerTest.snapshot(straight);
        float[][] b = TrainerTest.snapshot(other);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], 0f);
        }
    }

    @Test
    void callbackStopsTrainingAndSeesTheEpochsMetrics() {
        FMatrixRMaj x = TrainerTest.prototypes(40, 20, 2);
        List<EpochMetrics> seen = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        Trainer t = Trainer.builder().epochs(10).batchSize(16).callback(new EpochCallback() {
            @Override
            public void onEpochStart(TrainingRun run, int epoch) {
                starts.add(epoch);
            }

            @Override
            public void onEpochEnd(TrainingRun run, EpochMetrics m) {
                seen.add(m);
                assertTrue(run.model().parameterCount() > 0);
                if (m.epoch() == 3) {
                    run.stopTraining();
                }
            }
        }).build();
        TrainingRun run = t.start(TrainerTest.smallVae(), x);
        List<EpochStats> h = run.train();
        assertEquals(3, h.size());
        assertTrue(run.isStopped());
        assertEquals(List.of(1, 2, 3), starts);
        assertEquals(3, seen.size());
        assertEquals(Adam.DEFAULT_LR, seen.get(2).learningRate());
        assertFalse(seen.get(0).hasValidation());
        assertTrue(seen.get(0).imagesPerSecond() > 0);
        assertEquals(h.get(1), seen.get(1).stats());
    }

    @Test
    void splitIsSeededDisjointAndSized() {
        FMatrixRMaj x = TrainerTest.prototypes(100, 5, 3);
        for (int r = 0; r < 100; r++) {
            x.data[r * 5] = r; // row r is recognisable by its first value
        }
        ValidationSplit s = ValidationSplit.split(x, 30, 7);
        assertEquals(70, s.train().numRows);
        assertEquals(30, s.validation().numRows);
        Set<Integer> all = new HashSet<>();
        for (int i : s.trainRows()) {
            all.add(i);
        }
        for (int i : s.validationRows()) {
            assertTrue(all.add(i), "row " + i + " on both sides");
        }
        assertEquals(100, all.size());
        int[] v = s.validationRows();
        for (int r = 0; r < v.length; r++) {
            assertEquals(v[r], s.validation().data[r * 5]);
        }
        assertArrayEquals(v, ValidationSplit.split(x, 30, 7).validationRows());
        assertFalse(Arrays.equals(v, ValidationSplit.split(x, 30, 8).validationRows()));
        assertEquals(25, ValidationSplit.split(x, Trainer.builder().validation(0.25).build().config())
                .validation().numRows);
        assertRejected(() -> ValidationSplit.split(x, 100, 1), "validation rows");
        assertEquals(100, ValidationSplit.split(x, 0, 1).train().numRows);
    }

    @Test
    void earlyStoppingFollowsKerasWithTheEarliestLowestAsBest() {
        // patience 2, min-delta 0.05: epoch 4 is a new lowest value but no improvement by more than 0.05
        double[] curve = {5, 4, 4.5, 3.99, 4.2};
        EarlyStopping e = new EarlyStopping(2, 0.05);
        int stoppedAt = 0;
        for (int i = 0; i < curve.length && stoppedAt == 0; i++) {
            e.update(i + 1, curve[i]);
            if (e.stop) {
                stoppedAt = i + 1;
            }
        }
        assertEquals(4, stoppedAt);
        assertEquals(4, e.bestEpoch);
        assertEquals(3.99, e.bestValue);
        // ties keep the earliest; min-delta 0 resets on any decrease
        EarlyStopping ties = new EarlyStopping(3, 0);
        double[] flat = {3, 2, 2, 2.5};
        for (int i = 0; i < flat.length; i++) {
            ties.update(i + 1, flat[i]);
        }
        assertEquals(2, ties.bestEpoch);
        assertEquals(2, ties.wait);
        assertFalse(ties.stop);
        ties.update(5, 2);
        assertTrue(ties.stop);
    }

    @Test
    void earlyStoppingStopsARunAndRestoresTheBestParameters() {
        // a wide autoencoder on 24 rows with a high rate overfits: the validation error turns up
        FMatrixRMaj x = TrainerTest.prototypes(224, 20, 4);
        List<EpochMetrics> seen = new ArrayList<>();
        Autoencoder ae = Autoencoder.builder(20).hidden(64).latent(16).seed(3).build();
        Trainer t = Trainer.builder().epochs(200).batchSize(8).validation(200).patience(3).seed(5)
                .learningRate(1e-2).callback(new EpochCallback() {
                    @Override
                    public void onEpochEnd(TrainingRun run, EpochMetrics m) {
                        seen.add(m);
                    }
                }).build();
        TrainingRun run = t.start(ae, x);
        run.train();
        assertTrue(run.isStopped(), "no early stop in 200 epochs");
        int last = seen.size();
        assertTrue(last < 200);
        int best = 1;
        for (int i = 0; i < last; i++) {
            if (seen.get(i).validation() < seen.get(best - 1).validation()) {
                best = i + 1;
            }
        }
        assertEquals(best, run.bestEpoch());
        assertEquals(best, seen.get(last - 1).bestEpoch());
        assertEquals(3, seen.get(last - 1).epochsWithoutImprovement());
        // the model now holds the best epoch's parameters: the same validation value, exactly
        assertEquals(seen.get(best - 1).validation(), run.validationValue());
        assertEquals(seen.get(best - 1).validation(), run.bestValue());
        if (best != last) {
            assertNotEquals(seen.get(last - 1).validation(), run.validationValue());
        }
    }

    @Test
    void scheduleSetsTheRateOfEveryStep() {
        FMatrixRMaj x = TrainerTest.prototypes(50, 20, 5); // 4 steps per epoch, a short last batch
        Recording opt = new Recording(new Adam());
        Trainer t = Trainer.builder().epochs(3).batchSize(16).learningRate(2e-3).lrSchedule("cosine")
                .lrWarmupSteps(3).build();
        TrainingRun run = t.start(TrainerTest.smallVae(), x, opt);
        run.train();
        LearningRateSchedule s = t.config().schedule(4, 12);
        assertEquals(12, opt.rates.size());
        for (int i = 0; i < 12; i++) {
            assertEquals(s.lr(i), opt.rates.get(i), 0.0, "step " + i);
        }
        assertEquals(2e-3 / 3, opt.rates.get(0), 1e-18);
        // a step decay on epoch boundaries
        Recording step = new Recording(new Adam());
        Trainer.builder().epochs(3).batchSize(16).learningRate(1e-3).lrSchedule("step:1,0.5").build()
                .start(TrainerTest.smallVae(), x, step).train();
        assertEquals(1e-3, step.rates.get(3));
        assertEquals(5e-4, step.rates.get(4));
        assertEquals(2.5e-4, step.rates.get(11));
        // constant without warm-up leaves the optimiser's own rate alone
        Recording own = new Recording(new Adam(3e-3));
        Trainer.builder().epochs(1).batchSize(16).build().train(TrainerTest.smallVae(), x, own);
        assertEquals(List.of(3e-3, 3e-3, 3e-3, 3e-3), own.rates);
    }

    @Test
    void clippingBoundsTheGradientNormBeforeEachStep() {
        FMatrixRMaj x = TrainerTest.prototypes(64, 20, 6);
        Recording free = new Recording(new Adam());
        Trainer.builder().epochs(2).batchSize(16).build().train(TrainerTest.smallVae(), x, free);
        double max = free.norms.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double clip = max / 4;
        Recording clipped = new Recording(new Adam());
        Trainer.builder().epochs(2).batchSize(16).clipGradNorm(clip).build().train(TrainerTest.smallVae(), x, clipped);
        assertEquals(free.norms.get(0) > clip, clipped.norms.get(0) < free.norms.get(0));
        for (double n : clipped.norms) {
            assertTrue(n <= clip * (1 + 1e-5), n + " > " + clip);
        }
        assertEquals((float) clip, clipped.norms.get(0), clip * 1e-5);
    }

    @Test
    void weightDecayTrainsWithAdamW() {
        FMatrixRMaj x = TrainerTest.prototypes(40, 20, 7);
        Trainer t = Trainer.builder().epochs(2).batchSize(16).weightDecay(0.1).build();
        Optimizer opt = t.newOptimizer();
        assertInstanceOf(AdamW.class, opt);
        Vae a = TrainerTest.smallVae();
        t.train(a, x, opt);
        Vae b = TrainerTest.smallVae();
        Trainer.builder().epochs(2).batchSize(16).build().train(b, x);
        assertFalse(Arrays.equals(TrainerTest.snapshot(a)[0], TrainerTest.snapshot(b)[0]));
    }
}

package org.vae4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.Vae;
import org.vae4j.objective.Batch;
import org.vae4j.objective.NegativeElbo;
import org.vae4j.objective.Objective;
import org.vae4j.objective.StepContext;

/** The KL schedules (docs/MATH.md, section 27): hand-computed betas, spellings, and the trainer's use. */
class KlScheduleTest {

    @Test
    void cyclicalBetaRisesOverTheFirstRatioOfEachCycleThenStays() {
        KlSchedule c = KlSchedule.cyclical(10, 0.5); // rises over 5 steps of every 10
        double[] expected = {0, 0.4, 0.8, 1.2, 1.6, 2, 2, 2, 2, 2, 0, 0.4, 0.8};
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t], c.beta(2.0, t), 1e-12, "step " + t);
        }
        assertEquals(1.2, c.beta(2.0, 1003), 1e-12);
        KlSchedule whole = KlSchedule.cyclical(4, 1.0); // rises over the whole cycle
        assertEquals(0.75, whole.beta(1.0, 3), 1e-12);
        assertEquals(0.0, whole.beta(1.0, 4), 0.0);
    }

    @Test
    void linearIsTheWarmUpAndConstantIsTheTarget() {
        KlSchedule l = KlSchedule.linear(100);
        KlWarmup w = new KlWarmup(2.0, 100);
        for (long t : new long[] {0, 1, 25, 99, 100, 5000}) {
            assertEquals(w.beta(t), l.beta(2.0, t), 0.0, "step " + t);
        }
        assertEquals(0.5, l.beta(2.0, 25), 1e-12);
        assertEquals(0.7, KlSchedule.constant().beta(0.7, 0), 0.0);
        assertEquals(KlSchedule.constant(), KlSchedule.linear(0));
    }

    @Test
    void aNegativeStepIsRefusedByTheLinearAsByTheCyclicalSchedule() {
        IllegalArgumentException cyclical = assertThrows(IllegalArgumentException.class,
                () -> KlSchedule.cyclical(10, 0.5).beta(1.0, -1));
        IllegalArgumentException linear = assertThrows(IllegalArgumentException.class,
                () -> KlSchedule.linear(10).beta(1.0, -1));
        assertEquals("step must be >= 0, got -1", cyclical.getMessage());
        assertEquals(cyclical.getMessage(), linear.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new KlWarmup(1.0, 10).beta(-5));
        assertEquals(0.0, KlSchedule.linear(10).beta(1.0, 0), 0.0);
    }

    @Test
    void spellingsRoundTripAndBadOnesAreRefused() {
        for (String s : new String[] {"constant", "linear:500", "cyclical:1000,0.5"}) {
            assertEquals(s, KlSchedule.parse(s).spec());
        }
        assertEquals(KlSchedule.cyclical(20, 0.25), KlSchedule.parse(" Cyclical:20, 0.25 "));
        for (String bad : new String[] {"cyclical:10", "cyclical:0,0.5", "cyclical:10,0", "cyclical:10,1.5",
            "linear:-1", "linear:x", "warmup:3", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KlSchedule.parse(bad));
            assertTrue(e.getMessage().contains("KL schedule"), e.getMessage());
        }
    }

    /** Records the beta of every step. */
    private static final class Recording implements Objective {
        final NegativeElbo inner = new NegativeElbo();
        final List<Double> betas = new ArrayList<>();

        @Override
        public Loss computeGradients(LatentModel model, Batch batch, StepContext context) {
            betas.add(context.beta());
            return inner.computeGradients(model, batch, context);
        }

        @Override
        public String describe() {
            return "recording";
        }
    }

    @Test
    void theTrainerGivesEveryStepTheBetaOfItsStepCount() {
        FMatrixRMaj x = TrainerTest.prototypes(64, 10, 3); // 4 steps per epoch
        Recording r = new Recording();
        Trainer t = Trainer.builder().epochs(3).batchSize(16).beta(0.5).klSchedule("cyclical:5,0.4")
                .objective(() -> r).build();
        List<EpochStats> h = t.train(Vae.builder(10).hidden(6).latent(2).seed(1).build(), x);
        assertEquals(12, r.betas.size());
        for (int step = 0; step < 12; step++) {
            assertEquals(KlSchedule.cyclical(5, 0.4).beta(0.5, step), r.betas.get(step), 0.0, "step " + step);
        }
        assertEquals(r.betas.get(11), h.get(2).beta(), 0.0);
        assertThrows(IllegalStateException.class, t::klWarmup);
    }
}

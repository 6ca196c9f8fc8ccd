package org.vae4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vae4j.Fixture;

/**
 * The schedules against torch.optim.lr_scheduler (lr_schedules.txt: base lr 0.01, 12 steps,
 * 2 steps per epoch, step:2,0.5, cosine over 12 steps, and each with a 4-step warm-up) to 1e-12
 * relative, plus hand values, the parser and validation.
 */
class LearningRateScheduleTest {

    private static final Fixture F = Fixture.load("/parity/lr_schedules.txt");
    private static final double REL = 1e-12;

    private static void assertSequence(String name, LearningRateSchedule s) {
        int steps = (int) F.scalar("steps");
        for (int t = 0; t < steps; t++) {
            double expected = F.scalar("lr." + name + "." + t);
            double actual = s.lr(t);
            final int step = t;
            assertTrue(Math.abs(expected - actual) <= REL * Math.abs(expected),
                    () -> name + " step " + step + ": expected " + expected + " (PyTorch), got " + actual);
        }
    }

    private static LearningRateSchedule fromFixture(String spec, long warmup) {
        return LearningRateSchedules.parse(spec, F.scalar("base_lr"), (long) F.scalar("steps_per_epoch"),
                (long) F.scalar("steps"), warmup);
    }

    private static String stepSpec() {
        return "step:" + (int) F.scalar("step_epochs") + "," + F.scalar("gamma");
    }

    @Test
    void everyScheduleMatchesPyTorchsSchedulers() {
        long warmup = (long) F.scalar("warmup_steps");
        assertSequence("constant", fromFixture("constant", 0));
        assertSequence("step", fromFixture(stepSpec(), 0));
        assertSequence("cosine", fromFixture("cosine", 0));
        assertSequence("warmup_constant", fromFixture("constant", warmup));
        assertSequence("warmup_step", fromFixture(stepSpec(), warmup));
        assertSequence("warmup_cosine", fromFixture("cosine", warmup));
    }

    /** Negative control: the fixture tells the schedules apart, and a warm-up that restarted the
     * inner schedule after it (SequentialLR style) would not match. */
    @Test
    void wrongSchedulesDoNotMatch() {
        assertThrows(AssertionError.class, () -> assertSequence("cosine", fromFixture("constant", 0)));
        assertThrows(AssertionError.class, () -> assertSequence("warmup_cosine", fromFixture("cosine", 0)));
        LearningRateSchedule cosine = fromFixture("cosine", 0);
        LearningRateSchedule restarted = new LearningRateSchedule() {
            @Override
            public double lr(long step) {
                return step < 4 ? cosine.baseLearningRate() * (step + 1) / 4 : cosine.lr(step - 4);
            }

            @Override
            public double baseLearningRate() {
                return cosine.baseLearningRate();
            }

            @Override
            public String describe() {
                return "restarted";
            }
        };
        assertThrows(AssertionError.class, () -> assertSequence("warmup_cosine", restarted));
    }

    @Test
    void handComputedValues() {
        LearningRateSchedule step = LearningRateSchedules.stepDecay(1.0, 10, 3, 0.1);
        assertEquals(1.0, step.lr(0));
        assertEquals(1.0, step.lr(29)); // epochs 0..2
        assertEquals(0.1, step.lr(30), 1e-17); // epoch 3
        assertEquals(0.01, step.lr(60), 1e-17);
        LearningRateSchedule cos = LearningRateSchedules.cosine(2.0, 4);
        assertEquals(2.0, cos.lr(0));
        assertEquals(1.0 + Math.sqrt(0.5), cos.lr(1), 1e-15); // 2 (1 + cos(pi/4)) / 2
        assertEquals(1.0, cos.lr(2), 1e-15);
        assertEquals(1.0 - Math.sqrt(0.5), cos.lr(3), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> cos.lr(4), "the run has 4 steps");
        LearningRateSchedule warm = LearningRateSchedules.constant(0.8).withWarmup(4);
        assertEquals(0.2, warm.lr(0), 1e-16);
        assertEquals(0.4, warm.lr(1), 1e-16);
        assertEquals(0.6, warm.lr(2), 1e-15);
        assertEquals(0.8, warm.lr(3), 1e-16);
        assertEquals(0.8, warm.lr(1000));
        assertEquals(0.8, warm.baseLearningRate());
        LearningRateSchedule one = LearningRateSchedules.constant(0.8).withWarmup(1);
        assertEquals(0.8, one.lr(0), "a 1-step warm-up changes nothing");
        LearningRateSchedule c = LearningRateSchedules.constant(0.3);
        assertSame(c, c.withWarmup(0));
    }

    @Test
    void applyToSetsTheRateOfTheOptimisersNextStep() {
        AdamW opt = new AdamW(1.0, 0.0);
        LearningRateSchedule s = LearningRateSchedules.cosine(0.01, 10).withWarmup(2);
        assertEquals(0.005, s.applyTo(opt), 1e-18);
        assertEquals(0.005, opt.learningRate(), 1e-18);
        opt.setSteps(5); // e.g. a resumed run
        assertEquals(s.lr(5), s.applyTo(opt));
        assertEquals(s.lr(5), opt.learningRate());
    }

    @Test
    void parserAcceptsTheCommandLineSpellings() {
        assertEquals("constant(lr=0.001)", LearningRateSchedules.parse("constant", 1e-3, 100, 1000).describe());
        assertEquals("cosine(lr=0.001, steps=1000)", LearningRateSchedules.parse(" cosine ", 1e-3, 100, 1000).describe());
        assertEquals("step(lr=0.001, gamma=0.5 every 10 epochs of 100 steps)",
                LearningRateSchedules.parse("step:10,0.5", 1e-3, 100, 1000).describe());
        assertEquals("cosine(lr=0.001, steps=1000) with 50 warm-up steps",
                LearningRateSchedules.parse("cosine", 1e-3, 100, 1000, 50).describe());
        LearningRateSchedule s = LearningRateSchedules.parse("step:1,1", 1e-3, 7, 70);
        assertEquals(1e-3, s.lr(69));
    }

    @Test
    void badSpellingsAndValuesGiveClearMessages() {
        assertMessage("unknown learning-rate schedule 'linear'", () -> LearningRateSchedules.parse("linear", 1e-3, 1, 1));
        assertMessage("expected constant, step:EPOCHS,GAMMA", () -> LearningRateSchedules.parse("", 1e-3, 1, 1));
        assertMessage("must not be null", () -> LearningRateSchedules.parse(null, 1e-3, 1, 1));
        assertMessage("step:EPOCHS,GAMMA (e.g. step:10,0.5), got 'step:10'",
                () -> LearningRateSchedules.parse("step:10", 1e-3, 1, 1));
        assertMessage("EPOCHS must be a whole number >= 1, got 'x'",
                () -> LearningRateSchedules.parse("step:x,0.5", 1e-3, 1, 1));
        assertMessage("GAMMA must be a number in (0, 1], got 'half'",
                () -> LearningRateSchedules.parse("step:2,half", 1e-3, 1, 1));
        assertMessage("EPOCHS >= 1", () -> LearningRateSchedules.parse("step:0,0.5", 1e-3, 1, 1));
        assertMessage("GAMMA must be in (0, 1], got 1.5", () -> LearningRateSchedules.parse("step:2,1.5", 1e-3, 1, 1));
        assertMessage("GAMMA must be in (0, 1], got 0.0", () -> LearningRateSchedules.parse("step:2,0", 1e-3, 1, 1));
        assertMessage("GAMMA must be in (0, 1], got NaN", () -> LearningRateSchedules.parse("step:2,NaN", 1e-3, 1, 1));
        assertMessage("steps per epoch must be >= 1, got 0", () -> LearningRateSchedules.parse("step:2,0.5", 1e-3, 0, 1));
        assertMessage("total steps >= 1, got 0", () -> LearningRateSchedules.parse("cosine", 1e-3, 1, 0));
        assertMessage("learning rate must be positive", () -> LearningRateSchedules.parse("constant", -1, 1, 1));
        assertMessage("learning rate must be positive", () -> LearningRateSchedules.cosine(Double.NaN, 10));
        assertMessage("warm-up steps must be >= 0, got -3", () -> LearningRateSchedules.parse("constant", 1e-3, 1, 1, -3));
        assertMessage("step must be >= 0, got -1", () -> LearningRateSchedules.constant(1e-3).lr(-1));
        assertMessage("overflows", () -> LearningRateSchedules.stepDecay(1e-3, Long.MAX_VALUE / 2, 3, 0.5));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), () -> "message '" + e.getMessage() + "' should contain '" + part + "'");
    }
}

package org.vae4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link EarlyStopping}'s constructor refuses what {@link TrainerConfig} refuses, with the same
 * messages (the counting itself: TrainingRunTest, HeldOutRowsTest).
 */
class EarlyStoppingTest {

    private static void sameRefusal(int patience, double minDelta) {
        IllegalArgumentException config = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().patience(patience).minDelta(minDelta).buildConfig());
        IllegalArgumentException early = assertThrows(IllegalArgumentException.class,
                () -> new EarlyStopping(patience, minDelta));
        assertEquals(config.getMessage(), early.getMessage());
    }

    @Test
    void refusesWhatTheTrainerConfigRefusesWithItsMessages() {
        sameRefusal(-1, 0);
        sameRefusal(0, -0.5);
        sameRefusal(0, Double.NaN);
        sameRefusal(0, Double.POSITIVE_INFINITY);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(-3, 0)).getMessage()
                .contains("got -3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(1, Double.NaN)).getMessage()
                .contains("got NaN"));
    }

    @Test
    void acceptsWhatTheTrainerConfigAccepts() {
        EarlyStopping never = new EarlyStopping(0, 0);
        for (int e = 1; e <= 5; e++) {
            never.update(e, 1.0); // never an improvement after the first, but patience 0 never stops
        }
        assertFalse(never.shouldStop());
        assertEquals(4, never.epochsWithoutImprovement());
        EarlyStopping one = new EarlyStopping(1, 0.25);
        one.update(1, 1.0);
        one.update(2, 0.8); // lower, but not by more than 0.25
        assertTrue(one.shouldStop());
        assertEquals(2, one.bestEpoch());
    }
}

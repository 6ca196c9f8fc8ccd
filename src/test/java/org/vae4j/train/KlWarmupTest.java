package org.vae4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class KlWarmupTest {

    @Test
    void betaRisesLinearlyFromZeroToTarget() {
        KlWarmup w = new KlWarmup(2.0, 100);
        assertEquals(0.0, w.beta(0), 0.0);
        assertEquals(0.5, w.beta(25), 1e-12);
        assertEquals(1.0, w.beta(50), 1e-12);
        assertEquals(1.98, w.beta(99), 1e-12);
    }

    @Test
    void betaStaysAtTargetFromTheLastWarmupStepOn() {
        KlWarmup w = new KlWarmup(2.0, 100);
        assertEquals(2.0, w.beta(100), 0.0);
        assertEquals(2.0, w.beta(101), 0.0);
        assertEquals(2.0, w.beta(1_000_000), 0.0);
    }

    @Test
    void zeroStepsMeansTargetAtOnce() {
        KlWarmup w = new KlWarmup(0.7, 0);
        assertEquals(0.7, w.beta(0), 0.0);
        assertEquals(0.7, w.beta(10), 0.0);
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new KlWarmup(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> new KlWarmup(Double.POSITIVE_INFINITY, 10));
        assertThrows(IllegalArgumentException.class, () -> new KlWarmup(1, -1));
    }
}

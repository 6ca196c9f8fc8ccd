package org.vae4j.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

class CorruptionTest {

    private static FMatrixRMaj constant(int rows, int cols, float v) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        java.util.Arrays.fill(m.data, v);
        return m;
    }

    @Test
    void maskingZeroesAFractionPAndKeepsTheRest() {
        FMatrixRMaj clean = constant(200, 100, 0.7f);
        FMatrixRMaj out = new FMatrixRMaj(200, 100);
        Corruption.masking(0.3).apply(clean, out, new SplittableRandom(1));
        int zeros = 0;
        for (float v : out.data) {
            assertTrue(v == 0f || v == 0.7f, "value " + v);
            zeros += v == 0f ? 1 : 0;
        }
        assertEquals(0.3, zeros / 20000.0, 0.01); // sd of the fraction is 0.0032
        assertArrayEquals(constant(200, 100, 0.7f).data, clean.data); // the clean batch is untouched
    }

    @Test
    void gaussianNoiseHasTheRequestedSpreadAndIsClampedToTheUnitInterval() {
        FMatrixRMaj clean = constant(200, 100, 0.5f);
        FMatrixRMaj out = new FMatrixRMaj(200, 100);
        Corruption.gaussianUnclamped(0.2).apply(clean, out, new SplittableRandom(2));
        double sum = 0;
        double sq = 0;
        for (float v : out.data) {
            sum += v - 0.5;
            sq += (v - 0.5) * (v - 0.5);
        }
        assertEquals(0, sum / 20000, 0.005);
        assertEquals(0.2, Math.sqrt(sq / 20000), 0.005);

        Corruption.gaussian(1.0).apply(clean, out, new SplittableRandom(3));
        int atBounds = 0;
        for (float v : out.data) {
            assertTrue(v >= 0f && v <= 1f, "value " + v);
            atBounds += v == 0f || v == 1f ? 1 : 0;
        }
        assertEquals(2 * 0.3085, atBounds / 20000.0, 0.02); // P(|N(0,1)| > 1/2) = 0.617
    }

    @Test
    void theSameGeneratorStateGivesTheSameCorruption() {
        FMatrixRMaj clean = constant(10, 10, 0.4f);
        FMatrixRMaj a = new FMatrixRMaj(10, 10);
        FMatrixRMaj b = new FMatrixRMaj(10, 10);
        for (Corruption c : new Corruption[] {Corruption.masking(0.5), Corruption.gaussian(0.3)}) {
            c.apply(clean, a, new SplittableRandom(4));
            c.apply(clean, b, new SplittableRandom(4));
            assertArrayEquals(a.data, b.data, c.describe());
        }
    }

    @Test
    void noneCopiesAndIsRecognised() {
        FMatrixRMaj clean = constant(3, 4, 0.25f);
        FMatrixRMaj out = new FMatrixRMaj(3, 4);
        Corruption.none().apply(clean, out, new SplittableRandom(5));
        assertArrayEquals(clean.data, out.data);
        assertTrue(Corruption.none().isNone());
        assertFalse(Corruption.masking(0).isNone());
        assertEquals("masking(p=0.25)", Corruption.masking(0.25).describe());
        assertEquals(Corruption.masking(0.25), Corruption.masking(0.25));
    }

    @Test
    void rejectsBadSettingsAndShapes() {
        assertThrows(IllegalArgumentException.class, () -> Corruption.masking(1.0));
        assertThrows(IllegalArgumentException.class, () -> Corruption.masking(-0.1));
        assertThrows(IllegalArgumentException.class, () -> Corruption.masking(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Corruption.gaussian(-1));
        assertThrows(IllegalArgumentException.class, () -> Corruption.gaussian(Double.POSITIVE_INFINITY));
        FMatrixRMaj clean = new FMatrixRMaj(3, 4);
        assertThrows(IllegalArgumentException.class,
                () -> Corruption.masking(0.5).apply(clean, new FMatrixRMaj(4, 3), new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class,
                () -> Corruption.masking(0.5).apply(clean, clean, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> org.vae4j.train.Trainer.builder().corruption(null));
    }
}

package org.vae4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/** {@link ValidationSplit#heldOut}: the rows a split holds out, without the data. */
class HeldOutRowsTest {

    @Test
    void areTheRowsTheSplitHoldsOut() {
        int n = 97;
        FMatrixRMaj x = new FMatrixRMaj(n, 3);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = i;
        }
        for (int count : new int[]{1, 10, 96}) {
            ValidationSplit s = ValidationSplit.split(x, count, 42);
            int[] held = ValidationSplit.heldOut(n, count, 42);
            assertArrayEquals(s.validationRows(), held, count + " rows");
            assertEquals(count, held.length);
            for (int k = 0; k < count; k++) {
                assertEquals(held[k] * 3f, s.validation().get(k, 0), "validation row " + k + " is data row " + held[k]);
            }
        }
        assertFalse(java.util.Arrays.equals(ValidationSplit.heldOut(n, 10, 42), ValidationSplit.heldOut(n, 10, 43)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ValidationSplit.heldOut(5, 5, 1));
        assertTrue(e.getMessage().contains("[0, 5) for 5 rows, got 5"), e.getMessage());
    }

    @Test
    void earlyStoppingCountsAsKerasDoes() {
        EarlyStopping early = new EarlyStopping(2, 0.5);
        assertTrue(early.update(1, 10));
        assertTrue(early.update(2, 9.8));  // best, but not by more than 0.5: the counter grows
        assertEquals(1, early.epochsWithoutImprovement());
        assertFalse(early.shouldStop());
        assertFalse(early.update(3, 9.9));
        assertTrue(early.shouldStop());
        assertEquals(2, early.bestEpoch());
        assertEquals(9.8, early.bestValue());
    }
}

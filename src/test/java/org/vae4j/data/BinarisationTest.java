package org.vae4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.random.CounterRandom;

/** {@link Binarisation}: a row's bits are a function of (seed, time, row id); P(1) is the grey value. */
class BinarisationTest {

    private static FMatrixRMaj grey(int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        FMatrixRMaj x = new FMatrixRMaj(n, d);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = rng.nextFloat();
        }
        return x;
    }

    @Test
    void aRowsBitsDoNotDependOnTheSliceOrOrderItIsDrawnIn() {
        FMatrixRMaj x = grey(300, 20, 1);
        Binarisation b = new Binarisation(42);
        FMatrixRMaj all = new FMatrixRMaj(300, 20);
        b.binarise(x, all, 3, 0);
        // slices of any size starting anywhere, each with the id of its first row
        for (int[] s : new int[][]{{0, 1}, {7, 129}, {128, 300}, {299, 300}}) {
            FMatrixRMaj part = slice(x, s[0], s[1]);
            FMatrixRMaj got = new FMatrixRMaj(part.numRows, 20);
            b.binarise(part, got, 3, s[0]);
            assertArrayEquals(slice(all, s[0], s[1]).data, got.data, "rows " + s[0] + ".." + s[1]);
        }
        // a shuffled batch with explicit ids, binarised in place
        int[] ids = {250, 3, 17, 3, 299, 0};
        FMatrixRMaj batch = new FMatrixRMaj(ids.length, 20);
        for (int r = 0; r < ids.length; r++) {
            System.arraycopy(x.data, ids[r] * 20, batch.data, r * 20, 20);
        }
        b.binarise(batch, batch, 3, ids);
        for (int r = 0; r < ids.length; r++) {
            assertArrayEquals(Arrays.copyOfRange(all.data, ids[r] * 20, ids[r] * 20 + 20),
                    Arrays.copyOfRange(batch.data, r * 20, r * 20 + 20), "batch row " + r + " (id " + ids[r] + ")");
        }
        // one row alone through the allocation-free form
        float[] one = new float[20];
        b.row(new CounterRandom(), 3, 129, x.data, 129 * 20, one, 0, 20);
        assertArrayEquals(Arrays.copyOfRange(all.data, 129 * 20, 130 * 20), one);
    }

    @Test
    void everyPartOfTheKeyChangesTheDraw() {
        FMatrixRMaj x = new FMatrixRMaj(2, 400);
        Arrays.fill(x.data, 0.5f); // two equal rows
        Binarisation b = new Binarisation(42);
        FMatrixRMaj e1 = new FMatrixRMaj(2, 400);
        b.binarise(x, e1, 1, 0);
        assertFalse(Arrays.equals(Arrays.copyOfRange(e1.data, 0, 400), Arrays.copyOfRange(e1.data, 400, 800)),
                "equal grey rows with different ids get different bits");
        FMatrixRMaj e2 = new FMatrixRMaj(2, 400);
        b.binarise(x, e2, 2, 0);
        assertFalse(Arrays.equals(e1.data, e2.data), "another epoch draws afresh");
        FMatrixRMaj test = new FMatrixRMaj(2, 400);
        b.binarise(x, test, Binarisation.TEST, 0);
        FMatrixRMaj validation = new FMatrixRMaj(2, 400);
        b.binarise(x, validation, Binarisation.VALIDATION, 0);
        assertFalse(Arrays.equals(test.data, validation.data), "the fixed sets have keys of their own");
        FMatrixRMaj seed = new FMatrixRMaj(2, 400);
        new Binarisation(43).binarise(x, seed, 1, 0);
        assertFalse(Arrays.equals(e1.data, seed.data), "another seed draws afresh");
        FMatrixRMaj again = new FMatrixRMaj(2, 400);
        b.binarise(x, again, 1, 0);
        assertArrayEquals(e1.data, again.data, "the same key gives the same bits");
    }

    /**
     * Over n = 40,000 rows (ids 0..n-1) the fraction of ones of a column of grey value p is
     * within 5 standard deviations sqrt(p (1 - p) / n) of p (at most 0.0013 for p = 0.5; the
     * uniforms' 2^-24 grid shifts P(1) by less than 6e-8); grey 0 and 1 give exactly 0 and 1.
     */
    @Test
    void theMeanOfABinarisedPixelIsItsGreyValue() {
        float[] p = {0f, 0.02f, 0.1f, 0.37f, 0.5f, 0.9f, 1f};
        int n = 40_000;
        FMatrixRMaj x = new FMatrixRMaj(n, p.length);
        for (int i = 0; i < n; i++) {
            System.arraycopy(p, 0, x.data, i * p.length, p.length);
        }
        FMatrixRMaj y = new FMatrixRMaj(n, p.length);
        new Binarisation(7).binarise(x, y, 1, 0);
        for (int j = 0; j < p.length; j++) {
            long ones = 0;
            for (int i = 0; i < n; i++) {
                float v = y.get(i, j);
                assertTrue(v == 0f || v == 1f, "pixel (" + i + ", " + j + ") is " + v);
                ones += (long) v;
            }
            double mean = (double) ones / n;
            double sd = Math.sqrt(p[j] * (1.0 - p[j]) / n);
            if (p[j] == 0f || p[j] == 1f) {
                assertEquals(p[j], mean, 0.0, "column " + j);
            } else {
                assertEquals(p[j], mean, 5 * sd, "column " + j + " (grey " + p[j] + ")");
            }
        }
    }

    @Test
    void badShapesAreRefusedWithTheShapes() {
        Binarisation b = new Binarisation(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.binarise(new FMatrixRMaj(3, 4), new FMatrixRMaj(3, 5), 1, 0));
        assertTrue(e.getMessage().contains("dst is (3, 5) but src is (3, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> b.binarise(new FMatrixRMaj(3, 4), new FMatrixRMaj(3, 4), 1, new int[2]));
        assertTrue(e.getMessage().contains("2 row ids for 3 rows"), e.getMessage());
    }

    /** Rows [from, to) of x as a new matrix. */
    private static FMatrixRMaj slice(FMatrixRMaj x, int from, int to) {
        FMatrixRMaj m = new FMatrixRMaj(to - from, x.numCols);
        System.arraycopy(x.data, from * x.numCols, m.data, 0, m.data.length);
        return m;
    }
}

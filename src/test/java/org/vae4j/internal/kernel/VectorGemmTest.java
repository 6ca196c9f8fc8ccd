package org.vae4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.vae4j.kernel.EjmlGemm;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.PreparedB;
import org.vae4j.kernel.Gemms;

/**
 * The Vector API kernel against EJML's, on every variant and shape class: odd sizes, one row, one
 * column, sizes that are not a multiple of the vector width, and the shapes of a training step.
 * Runs only when the JVM has {@code --add-modules jdk.incubator.vector} (surefire's default run).
 */
@EnabledIf("org.vae4j.kernel.Gemms#vectorAvailable")
class VectorGemmTest {

    /** (m, k, n) triples: C (m, n) = A (m, k) B (k, n). */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 7, 1}, {1, 33, 17}, {17, 1, 33}, {5, 3, 2}, {3, 5, 40}, {4, 16, 32}, {7, 31, 47},
        {9, 100, 65}, {13, 17, 31}, {64, 64, 64}, {33, 250, 30}, {128, 784, 32}, {128, 32, 512},
        {784, 128, 512}, {512, 128, 784}, {128, 512, 784}, {6, 1000, 19}, {130, 45, 97},
        {2, 3, 129}, {11, 300, 9}, {150, 600, 3}, {29, 1, 70},
        // row-split parallel calls: several k blocks, chunks with a short last one, narrow panels and
        // a scalar tail (n = 45), and the C^T route of A B^T (n k > m k + m n)
        {203, 530, 45}, {70, 300, 300},
    };

    /** Every tile {@link VectorGemm#TILE_PROPERTY} accepts, rows x vectors. */
    static final int[][] TILES = {{6, 2}, {4, 4}, {4, 3}, {8, 2}, {6, 4}, {6, 3}};

    private static final Gemm REF = EjmlGemm.INSTANCE;

    static FMatrixRMaj random(int rows, int cols, SplittableRandom rng) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) (2 * rng.nextDouble() - 1);
        }
        return m;
    }

    /** |a - e| &lt;= tol * (sum over k of |terms|), the natural bound for float dot products. */
    static void assertClose(FMatrixRMaj expected, FMatrixRMaj actual, int k, String what) {
        for (int i = 0; i < expected.getNumElements(); i++) {
            double e = expected.data[i];
            double a = actual.data[i];
            double tol = 2e-6 * (k + 2) + 1e-6 * Math.abs(e);
            final int idx = i;
            assertTrue(Math.abs(e - a) <= tol, () -> what + " element " + idx + ": expected " + e + ", got " + a);
        }
    }

    private static void checkAllVariants(Gemm g, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int[] s : SHAPES) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            String shape = "(" + m + "x" + k + ")(" + k + "x" + n + ")";
            FMatrixRMaj a = random(m, k, rng);
            FMatrixRMaj b = random(k, n, rng);
            FMatrixRMaj at = random(k, m, rng);
            FMatrixRMaj bt = random(n, k, rng);
            FMatrixRMaj c0 = random(m, n, rng);

            FMatrixRMaj expected = c0.copy();
            FMatrixRMaj actual = c0.copy();
            REF.mult(a, b, expected);
            g.mult(a, b, actual);
            assertClose(expected, actual, k, "mult " + shape);

            expected = c0.copy();
            actual = c0.copy();
            REF.multAdd(a, b, expected);
            g.multAdd(a, b, actual);
            assertClose(expected, actual, k, "multAdd " + shape);

            expected = c0.copy();
            actual = c0.copy();
            REF.multTransA(at, b, expected);
            g.multTransA(at, b, actual);
            assertClose(expected, actual, k, "multTransA " + shape);

            expected = c0.copy();
            actual = c0.copy();
            REF.multAddTransA(at, b, expected);
            g.multAddTransA(at, b, actual);
            assertClose(expected, actual, k, "multAddTransA " + shape);

            expected = c0.copy();
            actual = c0.copy();
            REF.multTransB(a, bt, expected);
            g.multTransB(a, bt, actual);
            assertClose(expected, actual, k, "multTransB " + shape);

            expected = c0.copy();
            actual = c0.copy();
            REF.multAddTransB(a, bt, expected);
            g.multAddTransB(a, bt, actual);
            assertClose(expected, actual, k, "multAddTransB " + shape);
        }
    }

    @Test
    void singleThreadAgreesWithEjmlOnEveryVariantAndShape() {
        checkAllVariants(VectorGemm.create(1), 1);
    }

    @Test
    void twoThreadsAgreeWithEjmlOnEveryVariantAndShape() {
        checkAllVariants(VectorGemm.create(2), 2);
    }

    @Test
    void everyTileAgreesWithEjmlOnEveryVariantAndShape() {
        for (int[] t : TILES) {
            checkAllVariants(VectorGemm.create(1, t[0], t[1]), 10 + t[0] * 16 + t[1]);
        }
    }

    /**
     * C[i, j] = fma-chain over ascending p from the starting value (0 when overwriting): what
     * every path of VectorGemm computes, whatever the tile, vector width or thread count.
     */
    static FMatrixRMaj fmaReference(int variant, boolean overwrite, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c0) {
        boolean ta = variant == 1;
        boolean tb = variant == 2;
        int m = c0.numRows;
        int n = c0.numCols;
        int k = ta ? a.numRows : a.numCols;
        FMatrixRMaj c = c0.copy();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = overwrite ? 0f : c.get(i, j);
                for (int p = 0; p < k; p++) {
                    s = Math.fma(ta ? a.get(p, i) : a.get(i, p), tb ? b.get(j, p) : b.get(p, j), s);
                }
                c.set(i, j, s);
            }
        }
        return c;
    }

    private static void call(Gemm g, int variant, boolean overwrite, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        switch (variant * 2 + (overwrite ? 0 : 1)) {
            case 0 -> g.mult(a, b, c);
            case 1 -> g.multAdd(a, b, c);
            case 2 -> g.multTransA(a, b, c);
            case 3 -> g.multAddTransA(a, b, c);
            case 4 -> g.multTransB(a, b, c);
            default -> g.multAddTransB(a, b, c);
        }
    }

    /**
     * Large k on two threads gives one thread's bits: A B with a packed B over
     * {@link VectorGemm#SHARED_B_MAX} floats (the column split instead of shared row chunks), and
     * A B^T (its C^T route, 17 k blocks).
     */
    @Test
    void largeKOnTwoThreadsGivesTheBitsOfOneThreadAlsoPastTheSharedBLimit() {
        int m = 40;
        int k = 4100;
        int n = 2048;
        assertTrue((long) k * n > VectorGemm.SHARED_B_MAX, "the shape must exceed the limit");
        SplittableRandom rng = new SplittableRandom(11);
        FMatrixRMaj a = random(m, k, rng);
        FMatrixRMaj b = random(k, n, rng);
        FMatrixRMaj bt = random(n, k, rng);
        Gemm one = VectorGemm.create(1);
        Gemm two = VectorGemm.create(2);
        FMatrixRMaj c1 = new FMatrixRMaj(m, n);
        FMatrixRMaj c2 = new FMatrixRMaj(m, n);
        one.mult(a, b, c1);
        two.mult(a, b, c2);
        assertArrayEquals(c1.data, c2.data, "A B");
        one.multTransB(a, bt, c1);
        two.multTransB(a, bt, c2);
        assertArrayEquals(c1.data, c2.data, "A B^T");
    }

    /**
     * Bit-identical results across tiles and thread counts, equal to a scalar fma loop, which
     * depends on neither, nor on the vector width (this test also runs with 128-bit vectors).
     */
    @Test
    void resultsAreBitIdenticalAcrossTilesAndThreadCountsAndEqualAScalarFmaLoop() {
        SplittableRandom rng = new SplittableRandom(3);
        Gemm[] gs = new Gemm[TILES.length + 2];
        for (int t = 0; t < TILES.length; t++) {
            gs[t] = VectorGemm.create(1, TILES[t][0], TILES[t][1]);
        }
        gs[TILES.length] = VectorGemm.create(2);
        gs[TILES.length + 1] = VectorGemm.create(3);
        for (int[] s : SHAPES) {
            if ((long) s[0] * s[1] * s[2] > 20_000_000L) {
                continue; // the scalar reference is slow
            }
            FMatrixRMaj a = random(s[0], s[1], rng);
            FMatrixRMaj at = random(s[1], s[0], rng);
            FMatrixRMaj b = random(s[1], s[2], rng);
            FMatrixRMaj bt = random(s[2], s[1], rng);
            FMatrixRMaj c0 = random(s[0], s[2], rng);
            for (int variant = 0; variant < 3; variant++) {
                FMatrixRMaj x = variant == 1 ? at : a;
                FMatrixRMaj y = variant == 2 ? bt : b;
                for (boolean overwrite : new boolean[] {true, false}) {
                    FMatrixRMaj expected = fmaReference(variant, overwrite, x, y, c0);
                    for (Gemm g : gs) {
                        FMatrixRMaj out = c0.copy();
                        call(g, variant, overwrite, x, y, out);
                        String what = ((VectorGemm) g).describeInstance() + " variant " + variant
                                + (overwrite ? " overwrite" : " accumulate") + " shape " + Arrays.toString(s);
                        assertArrayEquals(expected.data, out.data, what);
                        FMatrixRMaj again = c0.copy();
                        call(g, variant, overwrite, x, y, again);
                        assertArrayEquals(out.data, again.data, "run to run: " + what);
                    }
                }
            }
        }
    }

    /**
     * The array primitive with every operand at an offset inside a larger array (as a layer's
     * weight lies in the model's flat parameter array): every transpose combination, overwrite
     * and accumulate, the in-place and the transposed-output A B^T paths, one and two threads and
     * another tile give the bits of a scalar fma loop; the floats around C are untouched, and the
     * NaNs around A and B are never read.
     */
    @Test
    void arraysAtOffsetsGiveTheBitsOfTheFmaLoopOnEveryTransposeCombination() {
        SplittableRandom rng = new SplittableRandom(8);
        Gemm[] gs = {VectorGemm.create(1), VectorGemm.create(2), VectorGemm.create(1, 4, 4)};
        int[][] shapes = {{1, 1, 1}, {7, 31, 47}, {6, 1000, 19}, {130, 45, 97}, {33, 250, 130}, {64, 300, 600},
            {29, 1, 70}};
        for (int[] s : shapes) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                FMatrixRMaj a = ta ? random(k, m, rng) : random(m, k, rng);
                FMatrixRMaj b = tb ? random(n, k, rng) : random(k, n, rng);
                FMatrixRMaj c0 = random(m, n, rng);
                float[] af = embed(a.data, 3, 4, Float.NaN);
                float[] bf = embed(b.data, 7, 2, Float.NaN);
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] expected = fmaProduct(ta, tb, accumulate, a, b, c0, m, n, k);
                    for (Gemm g : gs) {
                        float[] cf = embed(c0.data, 5, 6, 42f);
                        g.gemm(ta, tb, accumulate, m, n, k, af, 3, bf, 7, cf, 5);
                        String what = ((VectorGemm) g).describeInstance() + " transA " + ta + " transB " + tb
                                + (accumulate ? " accumulate" : " overwrite") + " shape " + Arrays.toString(s);
                        assertArrayEquals(expected, Arrays.copyOfRange(cf, 5, 5 + m * n), what);
                        for (int i : new int[] {0, 4, 5 + m * n, cf.length - 1}) {
                            assertTrue(cf[i] == 42f, what + ": C's neighbour " + i + " was written");
                        }
                    }
                }
            }
        }
    }

    /**
     * A B prepared once ({@link Gemm#prepare}: packed into the panels) gives the bits of the
     * scalar fma loop, and so of the call with B itself, for every transpose combination,
     * overwrite and accumulate, operands at offsets among NaNs, one, two and three threads (the
     * row chunks against the prepared panels, and the fallback for too few rows to split) and
     * another tile; several products reuse one prepared B; a B another backend prepared is read
     * from its array; the prepared copy keeps B's values as they were when it was made.
     */
    @Test
    void aPreparedBGivesTheBitsOfTheFmaLoopOnEveryPathAndIsReusable() {
        SplittableRandom rng = new SplittableRandom(21);
        VectorGemm[] gs = {VectorGemm.create(1), VectorGemm.create(2), VectorGemm.create(3),
            VectorGemm.create(1, 4, 4)};
        int[][] shapes = {{1, 1, 1}, {7, 31, 47}, {6, 1000, 19}, {130, 45, 97}, {203, 530, 45}, {9, 300, 600},
            {500, 100, 64}, {29, 1, 70}};
        for (int[] s : shapes) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                FMatrixRMaj b = tb ? random(n, k, rng) : random(k, n, rng);
                float[] bf = embed(b.data, 7, 2, Float.NaN);
                for (VectorGemm g : gs) {
                    PreparedB pb = g.prepare(tb, k, n, bf, 7);
                    assertTrue(pb.layoutFor(g) != null, "packed by " + g.describeInstance());
                    for (int use = 0; use < 2; use++) { // two products on one prepared B
                        FMatrixRMaj a = ta ? random(k, m, rng) : random(m, k, rng);
                        FMatrixRMaj c0 = random(m, n, rng);
                        float[] af = embed(a.data, 3, 4, Float.NaN);
                        for (boolean accumulate : new boolean[] {false, true}) {
                            float[] expected = fmaProduct(ta, tb, accumulate, a, b, c0, m, n, k);
                            String what = g.describeInstance() + " transA " + ta + " transB " + tb
                                    + (accumulate ? " accumulate" : " overwrite") + " shape " + Arrays.toString(s);
                            float[] cf = embed(c0.data, 5, 6, 42f);
                            g.gemm(ta, accumulate, m, af, 3, pb, cf, 5);
                            assertArrayEquals(expected, Arrays.copyOfRange(cf, 5, 5 + m * n), what);
                            for (int i : new int[] {0, 4, 5 + m * n, cf.length - 1}) {
                                assertTrue(cf[i] == 42f, what + ": C's neighbour " + i + " was written");
                            }
                            // prepared by another backend: B read from its array, the same bits
                            float[] other = embed(c0.data, 5, 6, 42f);
                            gs[(java.util.List.of(gs).indexOf(g) + 1) % gs.length].gemm(ta, accumulate, m, af, 3, pb,
                                    other, 5);
                            assertArrayEquals(expected, Arrays.copyOfRange(other, 5, 5 + m * n), "another's: " + what);
                        }
                    }
                }
            }
        }
        // the packed copy is B as it was: a later change to B's array does not reach it
        VectorGemm g = VectorGemm.create(1);
        FMatrixRMaj a = random(5, 8, rng);
        FMatrixRMaj b = random(8, 3, rng);
        float[] bf = b.data.clone();
        PreparedB pb = g.prepare(false, 8, 3, bf, 0);
        Arrays.fill(bf, 0f);
        float[] c = new float[15];
        g.gemm(false, false, 5, a.data, 0, pb, c, 0);
        assertArrayEquals(fmaProduct(false, false, false, a, b, new FMatrixRMaj(5, 3), 5, 3, 8), c);
        // an empty B is kept as it is, and its product is zero
        PreparedB empty = g.prepare(true, 0, 3, new float[0], 0);
        assertTrue(empty.layoutFor(g) == null);
        float[] z = {1f, 2f, 3f};
        g.gemm(false, false, 1, new float[0], 0, empty, z, 0);
        assertArrayEquals(new float[3], z);
        assertThrows(IllegalArgumentException.class, () -> g.prepare(false, 8, 3, new float[23], 0));
        assertThrows(IllegalArgumentException.class, () -> g.gemm(false, false, 6, a.data, 0, pb, c, 0));
    }

    /** {@code x} copied into a new array at {@code at}, with {@code after} more floats, the rest {@code fill}. */
    /**
     * The reference product: each C[i, j] (+)= sum_p A[i, p] B[p, j] as one scalar fma chain in
     * ascending p, the order every kernel must reproduce bit for bit; A and B given as stored (ta,
     * tb: transposed), c0 the starting C when accumulating.
     */
    static float[] fmaProduct(boolean ta, boolean tb, boolean accumulate, FMatrixRMaj a, FMatrixRMaj b,
                              FMatrixRMaj c0, int m, int n, int k) {
        float[] expected = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = accumulate ? c0.get(i, j) : 0f;
                for (int p = 0; p < k; p++) {
                    sum = Math.fma(ta ? a.get(p, i) : a.get(i, p), tb ? b.get(j, p) : b.get(p, j), sum);
                }
                expected[i * n + j] = sum;
            }
        }
        return expected;
    }

    static float[] embed(float[] x, int at, int after, float fill) {
        float[] out = new float[at + x.length + after];
        Arrays.fill(out, fill);
        System.arraycopy(x, 0, out, at, x.length);
        return out;
    }

    @Test
    void theArrayPrimitiveChecksSizesBoundsAndAliasing() {
        Gemm g = VectorGemm.create(1);
        float[] a = new float[12];
        float[] c = new float[20];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.gemm(false, false, false, 3, 4, 4, a, 1, new float[16], 0, c, 0));
        assertTrue(e.getMessage().contains("operand A") && e.getMessage().contains("offset 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.gemm(false, false, false, -1, 4, 4, a, 0, a, 0, c, 0));
        assertThrows(IllegalArgumentException.class, () -> g.gemm(false, false, false, 2, 2, 2, c, 0, c, 4, c, 6));
        // C beside A and B in one array, not overlapping: allowed
        float[] one = new float[12];
        Arrays.fill(one, 0, 8, 1f);
        g.gemm(false, false, false, 2, 2, 2, one, 0, one, 4, one, 8);
        assertArrayEquals(new float[] {2, 2, 2, 2}, Arrays.copyOfRange(one, 8, 12));
    }

    @Test
    void describeNamesLanesAndTile() {
        String d = VectorGemm.describe();
        assertTrue(d.contains("lanes=" + VectorGemm.lanes()), d);
        assertTrue(d.contains("tile="), d);
        assertTrue(VectorGemm.create(2, 4, 4).describeInstance().contains("tile=4x4 threads=2"));
        assertThrows(IllegalArgumentException.class, () -> VectorGemm.create(1, 5, 2));
    }

    @Test
    void matricesWithSpareCapacityUseOnlyTheirElements() {
        SplittableRandom rng = new SplittableRandom(4);
        FMatrixRMaj a = random(8, 20, rng);
        a.reshape(5, 20); // keeps the larger array
        FMatrixRMaj b = random(20, 33, rng);
        FMatrixRMaj expected = new FMatrixRMaj(5, 33);
        FMatrixRMaj actual = new FMatrixRMaj(9, 33);
        actual.reshape(5, 33);
        REF.mult(a, b, expected);
        VectorGemm.create(1).mult(a, b, actual);
        assertClose(expected, actual, 20, "mult after reshape");
    }

    @Test
    void shapeMismatchAndAliasingAreRejected() {
        Gemm g = VectorGemm.create(1);
        FMatrixRMaj a = new FMatrixRMaj(3, 4);
        assertThrows(IllegalArgumentException.class, () -> g.mult(a, new FMatrixRMaj(5, 2), new FMatrixRMaj(3, 2)));
        assertThrows(IllegalArgumentException.class, () -> g.multTransB(a, new FMatrixRMaj(2, 4), new FMatrixRMaj(3, 3)));
        FMatrixRMaj sq = new FMatrixRMaj(4, 4);
        assertThrows(IllegalArgumentException.class, () -> g.mult(sq, sq, sq));
    }

    @Test
    void autoSelectionPicksTheVectorBackendWhenTheModuleIsPresent() {
        assertTrue(Gemms.create("auto", 1).name().startsWith("vector"));
    }
}

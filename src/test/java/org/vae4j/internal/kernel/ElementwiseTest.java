package org.vae4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.vae4j.kernel.Elementwise;

/** The Vector API elementwise kernels against the scalar reference, including tails and extremes. */
@EnabledIf("org.vae4j.kernel.Gemms#vectorAvailable")
class ElementwiseTest {

    private static final Elementwise REF = ScalarElementwise.INSTANCE;
    private static final Elementwise VEC = VectorElementwise.create();
    private static final int[] SIZES = {1, 7, 16, 17, 100, 784, 1000, 5000};

    private static float[] random(int n, double scale, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((2 * rng.nextDouble() - 1) * scale);
        }
        return a;
    }

    @Test
    void bernoulliAgreesWithTheScalarReferenceIncludingSaturatedLogits() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int n : SIZES) {
            float[] logits = random(n, 12, rng);
            logits[0] = 80f;
            if (n > 3) {
                logits[1] = -80f;
                logits[2] = 0f;
            }
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = i % 3 == 0 ? 1f : (float) rng.nextDouble();
            }
            float[] dRef = new float[n];
            float[] dVec = new float[n];
            double ref = REF.bernoulliFromLogits(logits, x, n, 0.25f, dRef);
            double vec = VEC.bernoulliFromLogits(logits, x, n, 0.25f, dVec);
            assertEquals(ref, vec, 1e-5 * Math.abs(ref) + 1e-5, "sum, n = " + n);
            for (int i = 0; i < n; i++) {
                assertEquals(dRef[i], dVec[i], 1e-6, "gradient " + i + " of " + n);
                assertTrue(Float.isFinite(dVec[i]));
            }
        }
    }

    /**
     * The vector sigmoid (float arithmetic) within 2 ulp of the double formula rounded once, over
     * a sweep of [-110, 110] that crosses the exp clamp at -87, plus 0, -0, the infinities, the
     * largest floats and NaN; and each result depends on its logit only: the same logit gives the
     * same bits at every position of arrays of every length (vector part or padded tail).
     */
    @Test
    void sigmoidIsWithinTwoUlpOfTheDoubleFormulaAndDependsOnItsLogitOnly() {
        int n = 220_000;
        float[] l = new float[n + 8];
        for (int i = 0; i < n; i++) {
            l[i] = -110f + 220f * i / n;
        }
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.MIN_VALUE, -87f, -87.0001f, -86.9999f, Float.NaN};
        l = Arrays.copyOf(l, n + special.length);
        System.arraycopy(special, 0, l, n, special.length);
        float[] vec = new float[l.length];
        VEC.sigmoid(l, vec, l.length);
        float[] ref = new float[l.length];
        REF.sigmoid(l, ref, l.length);
        for (int i = 0; i < l.length; i++) {
            if (Float.isNaN(l[i])) {
                assertTrue(Float.isNaN(vec[i]), "NaN in, NaN out");
                continue;
            }
            assertTrue(vec[i] >= 0f && vec[i] <= 1f, "range at " + l[i]);
            float ulp = Math.ulp(ref[i]);
            assertTrue(Math.abs(vec[i] - ref[i]) <= 2 * ulp || vec[i] == ref[i],
                    "sigmoid(" + l[i] + "): " + vec[i] + " vs " + ref[i]);
            assertEquals(org.vae4j.nn.Activation.sigmoid(l[i]), ref[i], 0f, "the reference is Activation's");
        }
        SplittableRandom rng = new SplittableRandom(5);
        float[] probe = random(37, 20, rng);
        float[] alone = new float[1];
        for (int len = 1; len <= 37; len++) {
            float[] out = new float[len];
            VEC.sigmoid(probe, out, len);
            for (int i = 0; i < len; i++) {
                VEC.sigmoid(new float[] {probe[i]}, alone, 1);
                assertEquals(Float.floatToRawIntBits(alone[0]), Float.floatToRawIntBits(out[i]),
                        "logit " + probe[i] + " at " + i + " of " + len);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> VEC.sigmoid(probe, probe, 4));
        assertThrows(IllegalArgumentException.class, () -> REF.sigmoid(probe, probe, 4));
    }

    @Test
    void bernoulliGivesTheSameBitsBeforeAndAfterTheJitCompilesIt() {
        // Training repeats bit for bit only if no result depends on whether the interpreter or
        // compiled code ran (the Vector API's own EXP/LOG1P differ between the two).
        SplittableRandom rng = new SplittableRandom(9);
        int n = 784;
        float[] logits = random(n, 20, rng);
        float[] x = random(n, 0.5, rng);
        for (int i = 0; i < n; i++) {
            x[i] += 0.5f;
        }
        float[] cold = new float[n];
        double coldSum = VEC.bernoulliFromLogits(logits, x, n, 0.1f, cold);
        float[] warm = new float[n];
        double warmSum = 0;
        for (int i = 0; i < 30_000; i++) {
            warmSum = VEC.bernoulliFromLogits(logits, x, n, 0.1f, warm);
        }
        assertArrayEquals(cold, warm);
        assertEquals(coldSum, warmSum, 0.0);
    }

    /**
     * The vector loss adds its lanes one by one in double, in lane order, so that its bits do
     * not depend on how the JIT reduces a vector (a float {@code reduceLanes(ADD)} has no fixed
     * order: C2's tree and the interpreter's sequence differed, and a repeated training run
     * reported other losses in the last digits). Here every term is exact in float: 32 terms of
     * 2^25 (logit 2^25, x = 0) at positions that are multiples of 16, so they fall in lane 0 at
     * every vector width; 7 terms of 16 (logit -16, x = 1: log1p(e^-16) is below half an ulp of 16)
     * in other lanes at every width; the rest ~0 (logit -2^25, x = 0). Added in double the lanes give 2^30 + 112
     * exactly; any float sum of them rounds 2^30 + 16 to 2^30.
     */
    @Test
    void theBernoulliLossAddsItsLanesInDoubleInAFixedOrder() {
        int n = 512;
        float[] logits = new float[n];
        float[] x = new float[n];
        java.util.Arrays.fill(logits, -0x1p25f);
        for (int j = 0; j < 32; j++) {
            logits[16 * j] = 0x1p25f;
        }
        for (int i : new int[] {1, 2, 3, 5, 6, 7, 9}) { // never lane 0, at 4, 8 or 16 lanes
            logits[i] = -16f;
            x[i] = 1f;
        }
        float[] d = new float[n];
        for (int rep = 0; rep < 3; rep++) {
            assertEquals(0x1p30 + 112, VEC.bernoulliFromLogits(logits, x, n, 1f, d), 0.0);
        }
    }

    @Test
    void reluForwardAndBackwardAreExactAndPropagateNaN() {
        SplittableRandom rng = new SplittableRandom(2);
        for (int n : SIZES) {
            float[] a = random(n, 1, rng);
            a[n - 1] = Float.NaN;
            float[] g = random(n, 1, rng);
            float[] r1 = new float[n];
            float[] r2 = new float[n];
            REF.reluForward(a, r1, n);
            VEC.reluForward(a, r2, n);
            assertArrayEquals(r1, r2);
            assertTrue(Float.isNaN(r2[n - 1]));
            REF.reluBackward(a, g, r1, n);
            VEC.reluBackward(a, g, r2, n);
            assertArrayEquals(r1, r2);
            assertEquals(g[n - 1], r2[n - 1]);
        }
    }

    /** The bias loop of {@code Dense.forward}, as it was before the fused pass: the reference. */
    private static void addBias(float[] a, float[] b, int bo, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                a[r * cols + j] += b[bo + j];
            }
        }
    }

    /** The bias-gradient loop of {@code Dense.backward}: the reference. */
    private static void sumColumns(float[] g, float[] db, int dbo, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                db[dbo + j] += g[r * cols + j];
            }
        }
    }

    /**
     * The fused bias + ReLU pass and the fused ReLU-backward + bias-gradient pass, vector and the
     * interface's scalar default, against the two separate passes: the same bits, including
     * column tails, a bias at an offset, exact zeros, -0, NaN, and d written over g.
     */
    @Test
    void fusedBiasReluPassesAreTheSeparatePassesBitForBit() {
        SplittableRandom rng = new SplittableRandom(12);
        int[][] shapes = {{1, 1}, {3, 7}, {5, 16}, {4, 17}, {7, 100}, {2, 513}};
        for (Elementwise k : new Elementwise[] {VEC, REF}) {
            for (int[] sh : shapes) {
                int rows = sh[0];
                int cols = sh[1];
                int n = rows * cols;
                float[] xw = random(n, 1, rng);
                float[] bias = random(cols + 3, 1, rng);
                xw[0] = -bias[3]; // pre-activation exactly 0: ReLU gives 0, its derivative 0
                if (n > 2) {
                    xw[n - 1] = Float.NaN;
                    xw[1] = -bias[3 + 1 % cols] - 1f; // negative: ReLU gives 0
                }
                // reference: bias row by row, then ReLU
                float[] preRef = xw.clone();
                addBias(preRef, bias, 3, rows, cols);
                float[] outRef = new float[n];
                REF.reluForward(preRef, outRef, n);
                float[] pre = xw.clone();
                float[] out = new float[n];
                k.biasRelu(pre, bias, 3, out, rows, cols);
                String what = k.name() + " (" + rows + ", " + cols + ")";
                assertArrayEquals(preRef, pre, "pre-activation, " + what);
                assertArrayEquals(outRef, out, "ReLU, " + what);
                assertEquals(0f, out[0], what);
                // backward: ReLU's derivative, then the column sum into a bias gradient at offset 2
                float[] g = random(n, 1, rng);
                float[] dRef = new float[n];
                REF.reluBackward(preRef, g, dRef, n);
                float[] dbRef = random(cols + 2, 1, rng);
                float[] db = dbRef.clone();
                sumColumns(dRef, dbRef, 2, rows, cols);
                float[] d = g.clone();
                k.reluBackwardBias(pre, d, d, db, 2, rows, cols); // in place, d = g
                assertArrayEquals(dRef, d, "dpre, " + what);
                assertArrayEquals(dbRef, db, "bias gradient, " + what);
                assertEquals(0f, d[0], "the derivative at 0 is 0, " + what);
            }
        }
    }

    @Test
    void adamIsBitIdenticalToTheScalarUpdate() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int n : SIZES) {
            float[] p1 = random(n, 1, rng);
            float[] m1 = random(n, 0.01, rng);
            float[] v1 = random(n, 0.001, rng);
            for (int i = 0; i < n; i++) {
                v1[i] = Math.abs(v1[i]);
            }
            float[] p2 = p1.clone();
            float[] m2 = m1.clone();
            float[] v2 = v1.clone();
            for (int step = 0; step < 3; step++) {
                float[] g = random(n, 0.1, rng);
                REF.adam(p1, g, 0, m1, v1, 0, n, 0.1f, 0.999f, 0.001f, 0.0123f, 0.0447f, 1e-8f);
                VEC.adam(p2, g, 0, m2, v2, 0, n, 0.1f, 0.999f, 0.001f, 0.0123f, 0.0447f, 1e-8f);
            }
            assertArrayEquals(p1, p2, "parameters, n = " + n);
            assertArrayEquals(m1, m2);
            assertArrayEquals(v1, v2);
        }
    }

    /**
     * A tensor at an offset in a flat array (p, g at 5, the moments at 3) gets the bits it gets
     * alone from 0, on both kernels, and the floats around it are untouched.
     */
    @Test
    void adamAtOffsetsUpdatesExactlyItsRangeWithTheSameBits() {
        SplittableRandom rng = new SplittableRandom(4);
        for (Elementwise kernel : new Elementwise[] {REF, VEC}) {
            for (int n : SIZES) {
                float[] p = random(n, 1, rng);
                float[] g = random(n, 0.1, rng);
                float[] m = random(n, 0.01, rng);
                float[] v = new float[n];
                float[] pf = new float[n + 9];
                float[] gf = new float[n + 9];
                float[] mf = new float[n + 7];
                float[] vf = new float[n + 7];
                Arrays.fill(pf, 42f);
                Arrays.fill(mf, -3f);
                Arrays.fill(vf, 7f);
                System.arraycopy(p, 0, pf, 5, n);
                System.arraycopy(g, 0, gf, 5, n);
                System.arraycopy(m, 0, mf, 3, n);
                System.arraycopy(v, 0, vf, 3, n);
                kernel.adam(p, g, 0, m, v, 0, n, 0.1f, 0.999f, 0.001f, 0.0123f, 0.0447f, 1e-8f);
                kernel.adam(pf, gf, 5, mf, vf, 3, n, 0.1f, 0.999f, 0.001f, 0.0123f, 0.0447f, 1e-8f);
                assertArrayEquals(p, Arrays.copyOfRange(pf, 5, 5 + n), kernel.name() + ", n = " + n);
                assertArrayEquals(m, Arrays.copyOfRange(mf, 3, 3 + n));
                assertArrayEquals(v, Arrays.copyOfRange(vf, 3, 3 + n));
                for (int i : new int[] {0, 4, n + 5, n + 8}) {
                    assertEquals(42f, pf[i], "p outside the range at " + i);
                }
                for (int i : new int[] {0, 2, n + 3, n + 6}) {
                    assertEquals(-3f, mf[i]);
                    assertEquals(7f, vf[i]);
                }
            }
        }
    }

    @Test
    void allWithinFindsValuesOutsideTheRangeAndNaNAnywhere() {
        for (int n : SIZES) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) i / n;
            }
            assertTrue(VEC.allWithin(a, n, 0f, 1f));
            for (int pos : new int[] {0, n / 2, n - 1}) {
                for (float bad : new float[] {Float.NaN, -1e-7f, 1.0000001f, Float.POSITIVE_INFINITY}) {
                    float[] b = a.clone();
                    b[pos] = bad;
                    assertFalse(VEC.allWithin(b, n, 0f, 1f), bad + " at " + pos + " of " + n);
                    assertFalse(REF.allWithin(b, n, 0f, 1f));
                }
            }
        }
    }

    @Test
    void allFiniteOnARangeLooksAtThatRangeOnly() {
        float[] a = new float[300];
        Arrays.fill(a, -2.5e38f);
        // a non-finite value just outside the range on both sides
        for (int from : new int[] {0, 1, 7, 8, 9, 100}) {
            for (int to : new int[] {from, from + 1, from + 7, from + 8, from + 17, 299}) {
                if (to < from) {
                    continue;
                }
                float[] b = a.clone();
                if (from > 0) {
                    b[from - 1] = Float.NaN;
                }
                if (to < b.length) {
                    b[to] = Float.POSITIVE_INFINITY;
                }
                String what = "[" + from + ", " + to + ")";
                assertTrue(VEC.allFinite(b, from, to), what);
                assertTrue(REF.allFinite(b, from, to), what);
                for (int pos = from; pos < to; pos++) {
                    float[] c = b.clone();
                    c[pos] = Float.NEGATIVE_INFINITY;
                    assertFalse(VEC.allFinite(c, from, to), what + " with -inf at " + pos);
                    assertFalse(REF.allFinite(c, from, to), what + " with -inf at " + pos);
                }
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> VEC.allFinite(a, 10, 301));
        assertThrows(IndexOutOfBoundsException.class, () -> VEC.allFinite(a, 11, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> REF.allFinite(a, -1, 10));
    }

    @Test
    void allFiniteFindsNaNAndInfinityAnywhere() {
        for (int n : SIZES) {
            float[] a = new float[n];
            Arrays.fill(a, 3e38f);
            assertTrue(VEC.allFinite(a, n));
            for (int pos : new int[] {0, n / 2, n - 1}) {
                for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                    float[] b = a.clone();
                    b[pos] = bad;
                    assertFalse(VEC.allFinite(b, n), bad + " at " + pos + " of " + n);
                    assertFalse(REF.allFinite(b, n));
                }
            }
        }
    }
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * Calls {@code kernel} until the JIT has compiled it and then checks that a call allocates
     * nothing: a vector operation C2 did not intrinsify, or a vector it boxes, allocates at
     * least 48 bytes per vector, kilobytes per call here. Runs in whatever JVM the tests share
     * (after the GEMM tests, say), which is where such compilations happened.
     */
    private static void allocatesNothingWarm(String name, IntToDoubleFunction kernel) {
        long thread = Thread.currentThread().getId();
        long deadline = System.nanoTime() + 60_000_000_000L;
        double sink = 0;
        double perCall = Double.NaN;
        for (int round = 0; System.nanoTime() < deadline; round++) {
            for (int i = 0; i < 2_000; i++) {
                sink += kernel.applyAsDouble(i);
            }
            long before = MX.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 500; i++) {
                sink += kernel.applyAsDouble(i);
            }
            perCall = (MX.getThreadAllocatedBytes(thread) - before) / 500.0;
            if (perCall < 1 && round >= 2) {
                return; // (a stray allocation by the JIT itself is below one byte per call)
            }
        }
        fail(name + " still allocates " + perCall + " bytes per call after 60 s of calls" + (sink == 0 ? "" : ""));
    }

    @Test
    void warmKernelsAllocateNothing() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int n : new int[] {2048, 1003}) {
            float[] logits = random(n, 20, rng);
            float[] x = random(n, 0.5, rng);
            float[] d = new float[n];
            float[] p = random(n, 1, rng);
            float[] g = random(n, 0.1, rng);
            float[] m = new float[n];
            float[] v = new float[n];
            allocatesNothingWarm("bernoulliFromLogits, n = " + n,
                    i -> VEC.bernoulliFromLogits(logits, x, n, 0.1f, d));
            allocatesNothingWarm("reluForward, n = " + n, i -> {
                VEC.reluForward(logits, d, n);
                return d[0];
            });
            allocatesNothingWarm("reluBackward, n = " + n, i -> {
                VEC.reluBackward(logits, x, d, n);
                return d[0];
            });
            allocatesNothingWarm("adam, n = " + n, i -> {
                VEC.adam(p, g, 0, m, v, 0, n, 0.1f, 0.999f, 0.001f, 1e-9f, 0.0447f, 1e-8f);
                return p[0];
            });
            float[] bias = random(n, 1, rng);
            allocatesNothingWarm("biasRelu, n = " + n, i -> {
                VEC.biasRelu(d, bias, 0, m, 1, n);
                return m[0];
            });
            allocatesNothingWarm("reluBackwardBias, n = " + n, i -> {
                VEC.reluBackwardBias(logits, x, d, v, 0, 1, n);
                return v[0];
            });
            allocatesNothingWarm("allFinite, n = " + n, i -> VEC.allFinite(logits, n) ? 1 : 0);
            allocatesNothingWarm("allFinite on a range, n = " + n, i -> VEC.allFinite(logits, 1, n) ? 1 : 0);
            allocatesNothingWarm("allWithin, n = " + n, i -> VEC.allWithin(logits, n, -30f, 30f) ? 1 : 0);
        }
    }
}

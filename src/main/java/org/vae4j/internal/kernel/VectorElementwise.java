package org.vae4j.internal.kernel;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.vae4j.kernel.Elementwise;

/**
 * {@link Elementwise} on the JDK Vector API: whole vectors, then the last {@code n mod L}
 * elements with the same formulas in scalar code. exp and log1p are polynomials built from basic
 * IEEE operations (within a few ulp of {@link Math}), so results never depend on JIT timing; the
 * Adam update uses the same operations in the same order as the scalar one, so it is
 * bit-identical to it. Stateless and thread-safe.
 */
public final class VectorElementwise implements Elementwise {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Vectors summed in float lanes before the sum moves to double. */
    private static final int CHUNK = 64 * L;

    // Every loop is called through a MethodHandle read from an array, which C2 does not take for
    // a constant, so it never inlines a loop into its caller: each loop is a compilation of its
    // own, small enough for C2 to inline and intrinsify every vector operation in it. Inlined
    // into a large caller (the objective's step, the optimizer's update), a loop could exhaust
    // the caller's inlining budget (DesiredMethodLimit, NodeCountInliningCutoff): C2 then deferred
    // the JDK's vector methods, lost the exact vector class of their results and dispatched on
    // the type profile; and once the compilation had summed more than PerMethodTrapLimit (100)
    // class-check traps over the JDK methods it inlined (a few each, left by whatever code ran
    // them before), such calls got a virtual-call fallback, which needs the vector as an object:
    // boxed on every iteration (tens of KB per training step) and the stores not intrinsified.
    // The same limits, inside one loop, are why no loop has more than about 30 vector operations.
    private static final MethodHandle[] LOOPS = loops();
    private static final int EXP_REDUCED = 0;
    private static final int SCALE_HIGH = 1;
    private static final int SCALE_LOW = 2;
    private static final int LOSS = 3;
    private static final int GRADIENT = 4;
    private static final int RELU_FORWARD = 5;
    private static final int RELU_BACKWARD = 6;
    private static final int ADAM = 7;
    private static final int ALL_FINITE = 8;
    private static final int ALL_WITHIN = 9;
    private static final int BIAS_RELU = 10;
    private static final int RELU_BACKWARD_BIAS = 11;
    private static final int SIGMOID = 12;

    private static MethodHandle[] loops() {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodType arrays2 = MethodType.methodType(void.class, float[].class, float[].class, int.class);
        MethodType arrays3 = MethodType.methodType(void.class, float[].class, float[].class, float[].class, int.class);
        try {
            return new MethodHandle[] {
                lookup.findStatic(VectorElementwise.class, "expReduced", arrays2),
                lookup.findStatic(VectorElementwise.class, "scaleHigh", arrays2),
                lookup.findStatic(VectorElementwise.class, "scaleLow", arrays2),
                lookup.findStatic(VectorElementwise.class, "loss", MethodType.methodType(double.class,
                        float[].class, float[].class, float[].class, int.class)),
                lookup.findStatic(VectorElementwise.class, "gradient", MethodType.methodType(void.class,
                        float[].class, float[].class, float[].class, int.class, float.class)),
                lookup.findStatic(VectorElementwise.class, "reluForwardLoop", arrays2),
                lookup.findStatic(VectorElementwise.class, "reluBackwardLoop", arrays3),
                lookup.findStatic(VectorElementwise.class, "adamLoop", MethodType.methodType(void.class,
                        float[].class, float[].class, int.class, float[].class, float[].class, int.class, int.class,
                        float.class, float.class, float.class, float.class, float.class, float.class)),
                lookup.findStatic(VectorElementwise.class, "allFiniteLoop",
                        MethodType.methodType(boolean.class, float[].class, int.class, int.class)),
                lookup.findStatic(VectorElementwise.class, "allWithinLoop", MethodType.methodType(boolean.class,
                        float[].class, int.class, float.class, float.class)),
                lookup.findStatic(VectorElementwise.class, "biasReluLoop", MethodType.methodType(void.class,
                        float[].class, float[].class, int.class, float[].class, int.class, int.class)),
                lookup.findStatic(VectorElementwise.class, "reluBackwardBiasLoop", MethodType.methodType(void.class,
                        float[].class, float[].class, float[].class, float[].class, int.class, int.class, int.class)),
                lookup.findStatic(VectorElementwise.class, "sigmoidLoop", arrays2),
            };
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The shared instance. */
    public static final VectorElementwise INSTANCE = new VectorElementwise();

    private VectorElementwise() {
    }

    /** For {@code org.vae4j.kernel.Gemms}, which loads this class by name. */
    public static VectorElementwise create() {
        return INSTANCE;
    }

    @Override
    public double bernoulliFromLogits(float[] logits, float[] x, int n, float scale, float[] dlogits) {
        final int nv = n - n % L;
        try {
            // dlogits[i] = exp(-|l_i|) for now, in three passes, then the loss and the gradient
            LOOPS[EXP_REDUCED].invokeExact(logits, dlogits, nv);
            LOOPS[SCALE_HIGH].invokeExact(logits, dlogits, nv);
            LOOPS[SCALE_LOW].invokeExact(logits, dlogits, nv);
            final double loss = (double) LOOPS[LOSS].invokeExact(logits, x, dlogits, nv);
            LOOPS[GRADIENT].invokeExact(logits, x, dlogits, nv, scale);
            return loss + ScalarElementwise.bernoulliRange(logits, x, nv, n, scale, dlogits);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * u = max(-|l|, -87) = k ln2 + r with k = round(u log2 e): out = exp(r) for i &lt; nv (a
     * multiple of L).
     */
    private static void expReduced(float[] logits, float[] out, int nv) {
        final FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < nv; i += L) {
            FloatVector u = FloatVector.fromArray(S, logits, i).abs().neg().max(EXP_MIN);
            // adding 1.5 * 2^23 rounds to an integer
            FloatVector kf = u.mul(LOG2E).add(ROUND_MAGIC).sub(ROUND_MAGIC);
            FloatVector r = kf.mul(NEG_LN2_HI).add(u).add(kf.mul(NEG_LN2_LO));
            FloatVector p = r.mul(EXP_C6).add(EXP_C5).mul(r).add(EXP_C4).mul(r).add(EXP_C3).mul(r).add(EXP_C2)
                    .mul(r).add(EXP_C1);
            p.mul(r.mul(r)).add(r).add(one).intoArray(out, i);
        }
    }

    /**
     * out_i = sigmoid(l_i): e = exp(-|l|) by the three passes of the Bernoulli loss, then
     * 1 / (1 + e) for l &gt;= 0 and e / (1 + e) below, in float (within 2 ulp of the double
     * formula; {@code ElementwiseTest}). The last {@code n mod L} logits go through the same
     * vector passes in a padded copy, so each result depends on its logit only, wherever it sits.
     * Logits below -87 (where exp(-|l|) is clamped) and NaN take the scalar double formula.
     */
    @Override
    public void sigmoid(float[] logits, float[] out, int n) {
        if (out == logits) {
            // the passes read the logits up to the last one, and write out from the first
            throw new IllegalArgumentException("sigmoid: out must not be the logits array");
        }
        final int nv = n - n % L;
        try {
            if (nv > 0) {
                sigmoidPasses(logits, out, nv);
            }
            if (nv < n) {
                float[] l = new float[L];
                float[] o = new float[L];
                System.arraycopy(logits, nv, l, 0, n - nv);
                sigmoidPasses(l, o, L);
                System.arraycopy(o, 0, out, nv, n - nv);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void sigmoidPasses(float[] logits, float[] out, int nv) throws Throwable {
        LOOPS[EXP_REDUCED].invokeExact(logits, out, nv);
        LOOPS[SCALE_HIGH].invokeExact(logits, out, nv);
        LOOPS[SCALE_LOW].invokeExact(logits, out, nv);
        LOOPS[SIGMOID].invokeExact(logits, out, nv);
    }

    /** out = 1 / (1 + e) where l &gt;= 0, else e / (1 + e), with e = out on entry; the scalar formula where l &lt; -87 or NaN. */
    private static void sigmoidLoop(float[] logits, float[] out, int nv) {
        final FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < nv; i += L) {
            FloatVector l = FloatVector.fromArray(S, logits, i);
            FloatVector e = FloatVector.fromArray(S, out, i);
            one.blend(e, l.compare(VectorOperators.LT, 0f)).div(one.add(e)).intoArray(out, i);
            if (l.compare(VectorOperators.GE, EXP_MIN).not().anyTrue()) {
                for (int j = i; j < i + L; j++) {
                    if (!(logits[j] >= EXP_MIN)) {
                        out[j] = ScalarElementwise.sigmoid(logits[j]);
                    }
                }
            }
        }
    }

    /** m = -k of {@link #expReduced}, an integer in [0, 126], for the vector at i. */
    private static FloatVector negK(float[] logits, int i) {
        FloatVector u = FloatVector.fromArray(S, logits, i).abs().neg().max(EXP_MIN);
        return u.mul(LOG2E).add(ROUND_MAGIC).sub(ROUND_MAGIC).neg();
    }

    /**
     * out *= 2^-(m - m mod 8) with m = -k as in {@link #expReduced}: one factor 2^-(2^b) per set
     * bit b &gt;= 3 of m, in float arithmetic only (building 2^k in the exponent bits needs int
     * vectors, whose conversions C2 types less precisely). The products stay normal, so they are
     * exact; {@link #scaleLow} does the rest, so out ends as exp(r) 2^k, rounded once.
     */
    private static void scaleHigh(float[] logits, float[] out, int nv) {
        for (int i = 0; i < nv; i += L) {
            FloatVector m = negK(logits, i);
            FloatVector p = FloatVector.fromArray(S, out, i);
            VectorMask<Float> set64 = m.compare(VectorOperators.GE, 64f);
            p = p.blend(p.mul(0x1p-64f), set64);
            m = m.lanewise(VectorOperators.SUB, 64f, set64);
            VectorMask<Float> set32 = m.compare(VectorOperators.GE, 32f);
            p = p.blend(p.mul(0x1p-32f), set32);
            m = m.lanewise(VectorOperators.SUB, 32f, set32);
            VectorMask<Float> set16 = m.compare(VectorOperators.GE, 16f);
            p = p.blend(p.mul(0x1p-16f), set16);
            m = m.lanewise(VectorOperators.SUB, 16f, set16);
            VectorMask<Float> set8 = m.compare(VectorOperators.GE, 8f);
            p.blend(p.mul(0x1p-8f), set8).intoArray(out, i);
        }
    }

    /** out *= 2^-(m mod 8), after {@link #scaleHigh}: the factors 2^-4, 2^-2, 2^-1. */
    private static void scaleLow(float[] logits, float[] out, int nv) {
        for (int i = 0; i < nv; i += L) {
            FloatVector m = negK(logits, i);
            // m mod 8 = m - 8 floor(m / 8), exactly: m / 8 - 7/16 lies within 7/16 of floor(m / 8)
            FloatVector f = m.mul(0.125f).sub(0.4375f).add(ROUND_MAGIC).sub(ROUND_MAGIC);
            m = m.sub(f.mul(8f));
            FloatVector p = FloatVector.fromArray(S, out, i);
            VectorMask<Float> set4 = m.compare(VectorOperators.GE, 4f);
            p = p.blend(p.mul(0x1p-4f), set4);
            m = m.lanewise(VectorOperators.SUB, 4f, set4);
            VectorMask<Float> set2 = m.compare(VectorOperators.GE, 2f);
            p = p.blend(p.mul(0x1p-2f), set2);
            m = m.lanewise(VectorOperators.SUB, 2f, set2);
            VectorMask<Float> set1 = m.compare(VectorOperators.GE, 1f);
            p.blend(p.mul(0x1p-1f), set1).intoArray(out, i);
        }
    }

    /** With e_i = exp(-|l_i|): sum_i max(l_i, 0) - x_i l_i + log1p(e_i) over i &lt; nv. */
    private static double loss(float[] logits, float[] x, float[] e, int nv) {
        final FloatVector zero = FloatVector.zero(S);
        final FloatVector one = FloatVector.broadcast(S, 1f);
        final FloatVector two = FloatVector.broadcast(S, 2f);
        double sum = 0;
        for (int c0 = 0; c0 < nv; c0 += CHUNK) {
            final int c1 = Math.min(nv, c0 + CHUNK);
            FloatVector acc = FloatVector.zero(S);
            for (int i = c0; i < c1; i += L) {
                FloatVector l = FloatVector.fromArray(S, logits, i);
                FloatVector ei = FloatVector.fromArray(S, e, i);
                // log1p(e) = 2 atanh(q), q = e / (2 + e) in [0, 1/3]
                FloatVector q = ei.div(ei.add(two));
                FloatVector q2 = q.mul(q);
                FloatVector series = q2.mul(LOG_C15).add(LOG_C13).mul(q2).add(LOG_C11).mul(q2).add(LOG_C9).mul(q2)
                        .add(LOG_C7).mul(q2).add(LOG_C5).mul(q2).add(LOG_C3).mul(q2).add(one);
                FloatVector t = FloatVector.fromArray(S, x, i);
                acc = l.max(zero).sub(t.mul(l)).add(q.add(q).mul(series)).add(acc);
            }
            // the lanes one by one, in lane order, in double: reduceLanes(ADD)'s float order is
            // unspecified, and C2's tree and the interpreter's sequence differed in the last bits,
            // so a loss depended on whether its kernel had been compiled yet
            for (int k = 0; k < L; k++) {
                sum += acc.lane(k);
            }
        }
        return sum;
    }

    /** With d_i = exp(-|l_i|) on entry: d_i = scale (sigmoid(l_i) - x_i) for i &lt; nv. */
    private static void gradient(float[] logits, float[] x, float[] d, int nv, float scale) {
        final FloatVector zero = FloatVector.zero(S);
        final FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < nv; i += L) {
            FloatVector l = FloatVector.fromArray(S, logits, i);
            FloatVector e = FloatVector.fromArray(S, d, i);
            FloatVector inv = e.broadcast(1f).div(e.add(one));
            VectorMask<Float> negative = l.compare(VectorOperators.LT, zero);
            inv.blend(e.mul(inv), negative).sub(FloatVector.fromArray(S, x, i)).mul(scale).intoArray(d, i);
        }
    }

    // exp and log1p from basic IEEE operations only. The Vector API's own EXP and LOG1P are
    // computed one way by the interpreter and another by compiled code (a few ulp apart), so
    // results would depend on when the JIT compiles this method: training would not repeat
    // bit for bit. Add, multiply, fma, divide and the conversions give the same bits either way.
    //
    // exp(u), u in [-87, 0]: u = k ln2 + r with |r| <= ln2 / 2 (ln2 split in two: k ln2_hi is
    // exact), exp(r) by Cephes' polynomial for expf, 2^k built in the exponent bits.
    private static final float EXP_MIN = -87f;
    private static final float ROUND_MAGIC = 12582912f; // 1.5 * 2^23
    private static final float LOG2E = 1.44269504088896341f;
    private static final float NEG_LN2_HI = -0.693359375f;
    private static final float NEG_LN2_LO = 2.12194440e-4f;
    private static final float EXP_C1 = 5.0000001201e-1f;
    private static final float EXP_C2 = 1.6666665459e-1f;
    private static final float EXP_C3 = 4.1665795894e-2f;
    private static final float EXP_C4 = 8.3334519073e-3f;
    private static final float EXP_C5 = 1.3981999507e-3f;
    private static final float EXP_C6 = 1.9875691500e-4f;
    // log1p(e) = 2 (q + q^3/3 + q^5/5 + ... + q^15/15), q = e / (2 + e) <= 1/3: the first omitted
    // term is below 1e-9 relative.
    private static final float LOG_C3 = 1f / 3;
    private static final float LOG_C5 = 1f / 5;
    private static final float LOG_C7 = 1f / 7;
    private static final float LOG_C9 = 1f / 9;
    private static final float LOG_C11 = 1f / 11;
    private static final float LOG_C13 = 1f / 13;
    private static final float LOG_C15 = 1f / 15;

    @Override
    public void reluForward(float[] a, float[] out, int n) {
        try {
            LOOPS[RELU_FORWARD].invokeExact(a, out, n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void reluForwardLoop(float[] a, float[] out, int n) {
        final int nv = n - n % L;
        final FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < nv; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, i);
            v.blend(zero, v.compare(VectorOperators.LT, zero)).intoArray(out, i);
        }
        for (int i = nv; i < n; i++) {
            float v = a[i];
            out[i] = v < 0f ? 0f : v;
        }
    }

    @Override
    public void reluBackward(float[] a, float[] g, float[] d, int n) {
        try {
            LOOPS[RELU_BACKWARD].invokeExact(a, g, d, n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void reluBackwardLoop(float[] a, float[] g, float[] d, int n) {
        final int nv = n - n % L;
        final FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < nv; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, i);
            FloatVector.fromArray(S, g, i).blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(d, i);
        }
        for (int i = nv; i < n; i++) {
            d[i] = a[i] <= 0f ? 0f : g[i];
        }
    }

    @Override
    public void biasRelu(float[] a, float[] b, int bo, float[] out, int rows, int cols) {
        try {
            LOOPS[BIAS_RELU].invokeExact(a, b, bo, out, rows, cols);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void biasReluLoop(float[] a, float[] b, int bo, float[] out, int rows, int cols) {
        final int cv = cols - cols % L;
        final FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < rows; r++) {
            final int off = r * cols;
            for (int j = 0; j < cv; j += L) {
                FloatVector v = FloatVector.fromArray(S, a, off + j).add(FloatVector.fromArray(S, b, bo + j));
                v.intoArray(a, off + j);
                v.blend(zero, v.compare(VectorOperators.LT, zero)).intoArray(out, off + j);
            }
            for (int j = cv; j < cols; j++) {
                final float v = a[off + j] + b[bo + j];
                a[off + j] = v;
                out[off + j] = v < 0f ? 0f : v;
            }
        }
    }

    @Override
    public void reluBackwardBias(float[] a, float[] g, float[] d, float[] db, int dbo, int rows, int cols) {
        try {
            LOOPS[RELU_BACKWARD_BIAS].invokeExact(a, g, d, db, dbo, rows, cols);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void reluBackwardBiasLoop(float[] a, float[] g, float[] d, float[] db, int dbo, int rows,
                                             int cols) {
        final int cv = cols - cols % L;
        final FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < rows; r++) {
            final int off = r * cols;
            for (int j = 0; j < cv; j += L) {
                FloatVector v = FloatVector.fromArray(S, g, off + j)
                        .blend(zero, FloatVector.fromArray(S, a, off + j).compare(VectorOperators.LE, zero));
                v.intoArray(d, off + j);
                FloatVector.fromArray(S, db, dbo + j).add(v).intoArray(db, dbo + j);
            }
            for (int j = cv; j < cols; j++) {
                final float v = a[off + j] <= 0f ? 0f : g[off + j];
                d[off + j] = v;
                db[dbo + j] += v;
            }
        }
    }

    @Override
    public void adam(float[] p, float[] g, int po, float[] m, float[] v, int mo, int n, float oneMinusBeta1,
                     float beta2, float oneMinusBeta2, float stepSize, float bias2Sqrt, float eps) {
        try {
            LOOPS[ADAM].invokeExact(p, g, po, m, v, mo, n, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, bias2Sqrt,
                    eps);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void adamLoop(float[] p, float[] g, int po, float[] m, float[] v, int mo, int n,
                                 float oneMinusBeta1, float beta2, float oneMinusBeta2, float stepSize,
                                 float bias2Sqrt, float eps) {
        final int nv = n - n % L;
        for (int i = 0; i < nv; i += L) {
            FloatVector gi = FloatVector.fromArray(S, g, po + i);
            FloatVector mi = FloatVector.fromArray(S, m, mo + i);
            mi = mi.add(gi.sub(mi).mul(oneMinusBeta1));
            mi.intoArray(m, mo + i);
            FloatVector vi = FloatVector.fromArray(S, v, mo + i).mul(beta2).add(gi.mul(oneMinusBeta2).mul(gi));
            vi.intoArray(v, mo + i);
            FloatVector denom = vi.sqrt().div(bias2Sqrt).add(eps);
            FloatVector.fromArray(S, p, po + i).sub(mi.mul(stepSize).div(denom)).intoArray(p, po + i);
        }
        ScalarElementwise.adamRange(p, g, po, m, v, mo, nv, n, oneMinusBeta1, beta2, oneMinusBeta2, stepSize,
                bias2Sqrt, eps);
    }

    @Override
    public boolean allFinite(float[] a, int n) {
        return allFinite(a, 0, n);
    }

    @Override
    public boolean allFinite(float[] a, int from, int to) {
        java.util.Objects.checkFromToIndex(from, to, a.length);
        try {
            return (boolean) LOOPS[ALL_FINITE].invokeExact(a, from, to);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static boolean allFiniteLoop(float[] a, int from, int to) {
        // x * 0 is 0 for finite x and NaN for NaN or infinity; a NaN makes the sum NaN.
        final int nv = from + (to - from) / L * L;
        FloatVector acc = FloatVector.zero(S);
        for (int i = from; i < nv; i += L) {
            acc = FloatVector.fromArray(S, a, i).mul(0f).add(acc);
        }
        float s = FloatVector.zero(S).add(acc).reduceLanes(VectorOperators.ADD);
        for (int i = nv; i < to; i++) {
            s += a[i] * 0f;
        }
        return s == 0f;
    }

    @Override
    public boolean allWithin(float[] a, int n, float lo, float hi) {
        try {
            return (boolean) LOOPS[ALL_WITHIN].invokeExact(a, n, lo, hi);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static boolean allWithinLoop(float[] a, int n, float lo, float hi) {
        final int nv = n - n % L;
        final FloatVector low = FloatVector.broadcast(S, lo);
        final FloatVector high = FloatVector.broadcast(S, hi);
        // min and max propagate NaN, which then fails both comparisons
        FloatVector min = high;
        FloatVector max = low;
        for (int i = 0; i < nv; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, i);
            min = v.min(min);
            max = v.max(max);
        }
        float mn = high.min(min).reduceLanes(VectorOperators.MIN);
        float mx = low.max(max).reduceLanes(VectorOperators.MAX);
        if (!(mn >= lo && mx <= hi)) {
            return false;
        }
        for (int i = nv; i < n; i++) {
            if (!(a[i] >= lo && a[i] <= hi)) {
                return false;
            }
        }
        return true;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException) {
            return (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        return new IllegalStateException(t);
    }

    @Override
    public String name() {
        return "vector";
    }
}

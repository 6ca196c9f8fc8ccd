package org.vae4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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

    /** The shared instance. */
    public static final VectorElementwise INSTANCE = new VectorElementwise();

    private VectorElementwise() {
    }

    /** For {@link Gemms}, which loads this class by name. */
    public static VectorElementwise create() {
        return INSTANCE;
    }

    @Override
    public double bernoulliFromLogits(float[] logits, float[] x, int n, float scale, float[] dlogits) {
        final int nv = n - n % L;
        // Two passes, each a method of its own: one loop with all the arithmetic grew too large
        // for C2 to inline every vector operation, and the vectors it did not inline got boxed.
        expNegAbs(logits, dlogits, nv); // dlogits[i] = exp(-|l_i|) for now
        return lossAndGradient(logits, x, nv, scale, dlogits)
                + ScalarElementwise.bernoulliRange(logits, x, nv, n, scale, dlogits);
    }

    /** out_i = exp(-|l_i|) for i &lt; nv (a multiple of L), in two passes of its own. */
    private static void expNegAbs(float[] logits, float[] out, int nv) {
        expReduced(logits, out, nv);
        scaleByPowerOfTwo(logits, out, nv);
    }

    /**
     * u = max(-|l|, -87) = k ln2 + r with k = round(u log2 e): out = exp(r). Small methods: C2
     * sometimes left the vector operations of one larger method un-intrinsified (allocating).
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
     * out *= 2^k with k as in {@link #expReduced}, k = -m, m in [0, 126]: one factor 2^-(2^b) per
     * set bit b of m, in float arithmetic only (building 2^k in the exponent bits needs int vectors
     * and reinterpretation, which C2 sometimes left un-intrinsified).
     */
    private static void scaleByPowerOfTwo(float[] logits, float[] out, int nv) {
        final FloatVector zero = FloatVector.zero(S);
        final FloatVector c64 = FloatVector.broadcast(S, 64f);
        final FloatVector c32 = FloatVector.broadcast(S, 32f);
        final FloatVector c16 = FloatVector.broadcast(S, 16f);
        final FloatVector c8 = FloatVector.broadcast(S, 8f);
        final FloatVector c4 = FloatVector.broadcast(S, 4f);
        final FloatVector c2 = FloatVector.broadcast(S, 2f);
        for (int i = 0; i < nv; i += L) {
            FloatVector u = FloatVector.fromArray(S, logits, i).abs().neg().max(EXP_MIN);
            FloatVector m = u.mul(LOG2E).add(ROUND_MAGIC).sub(ROUND_MAGIC).neg();
            FloatVector p = FloatVector.fromArray(S, out, i);
            VectorMask<Float> set64 = m.compare(VectorOperators.GE, 64f);
            p = p.blend(p.mul(0x1p-64f), set64);
            m = m.sub(zero.blend(c64, set64));
            VectorMask<Float> set32 = m.compare(VectorOperators.GE, 32f);
            p = p.blend(p.mul(0x1p-32f), set32);
            m = m.sub(zero.blend(c32, set32));
            VectorMask<Float> set16 = m.compare(VectorOperators.GE, 16f);
            p = p.blend(p.mul(0x1p-16f), set16);
            m = m.sub(zero.blend(c16, set16));
            VectorMask<Float> set8 = m.compare(VectorOperators.GE, 8f);
            p = p.blend(p.mul(0x1p-8f), set8);
            m = m.sub(zero.blend(c8, set8));
            VectorMask<Float> set4 = m.compare(VectorOperators.GE, 4f);
            p = p.blend(p.mul(0x1p-4f), set4);
            m = m.sub(zero.blend(c4, set4));
            VectorMask<Float> set2 = m.compare(VectorOperators.GE, 2f);
            p = p.blend(p.mul(0x1p-2f), set2);
            m = m.sub(zero.blend(c2, set2));
            VectorMask<Float> set1 = m.compare(VectorOperators.GE, 1f);
            p = p.blend(p.mul(0x1p-1f), set1);
            p.intoArray(out, i);
        }
    }

    /**
     * With d_i = exp(-|l_i|) on entry: returns sum_i max(l_i, 0) - x_i l_i + log1p(d_i) and
     * leaves d_i = scale (sigmoid(l_i) - x_i), for i &lt; nv.
     */
    private static double lossAndGradient(float[] logits, float[] x, int nv, float scale, float[] d) {
        final FloatVector zero = FloatVector.zero(S);
        final FloatVector one = FloatVector.broadcast(S, 1f);
        final FloatVector two = FloatVector.broadcast(S, 2f);
        double sum = 0;
        for (int c0 = 0; c0 < nv; c0 += CHUNK) {
            final int c1 = Math.min(nv, c0 + CHUNK);
            FloatVector acc = zero;
            for (int i = c0; i < c1; i += L) {
                FloatVector l = FloatVector.fromArray(S, logits, i);
                FloatVector t = FloatVector.fromArray(S, x, i);
                FloatVector e = FloatVector.fromArray(S, d, i);
                // log1p(e) = 2 atanh(q), q = e / (2 + e) in [0, 1/3]
                FloatVector q = e.div(two.add(e));
                FloatVector q2 = q.mul(q);
                FloatVector series = q2.mul(LOG_C15).add(LOG_C13).mul(q2).add(LOG_C11).mul(q2).add(LOG_C9).mul(q2)
                        .add(LOG_C7).mul(q2).add(LOG_C5).mul(q2).add(LOG_C3).mul(q2).add(one);
                acc = acc.add(l.max(zero).sub(t.mul(l)).add(q.add(q).mul(series)));
                FloatVector inv = one.div(one.add(e));
                VectorMask<Float> negative = l.compare(VectorOperators.LT, zero);
                inv.blend(e.mul(inv), negative).sub(t).mul(scale).intoArray(d, i);
            }
            sum += acc.reduceLanes(VectorOperators.ADD);
        }
        return sum;
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
    public void adam(float[] p, float[] g, float[] m, float[] v, int n, float oneMinusBeta1, float beta2,
                     float oneMinusBeta2, float stepSize, float bias2Sqrt, float eps) {
        final int nv = n - n % L;
        for (int i = 0; i < nv; i += L) {
            FloatVector gi = FloatVector.fromArray(S, g, i);
            FloatVector mi = FloatVector.fromArray(S, m, i);
            mi = mi.add(gi.sub(mi).mul(oneMinusBeta1));
            mi.intoArray(m, i);
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(beta2).add(gi.mul(oneMinusBeta2).mul(gi));
            vi.intoArray(v, i);
            FloatVector denom = vi.sqrt().div(bias2Sqrt).add(eps);
            FloatVector.fromArray(S, p, i).sub(mi.mul(stepSize).div(denom)).intoArray(p, i);
        }
        for (int i = nv; i < n; i++) {
            final float gv = g[i];
            m[i] += oneMinusBeta1 * (gv - m[i]);
            v[i] = beta2 * v[i] + oneMinusBeta2 * gv * gv;
            final float denom = (float) Math.sqrt(v[i]) / bias2Sqrt + eps;
            p[i] -= stepSize * m[i] / denom;
        }
    }

    @Override
    public boolean allFinite(float[] a, int n) {
        // x * 0 is 0 for finite x and NaN for NaN or infinity; a NaN makes the sum NaN.
        final int nv = n - n % L;
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < nv; i += L) {
            acc = acc.add(FloatVector.fromArray(S, a, i).mul(0f));
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (int i = nv; i < n; i++) {
            s += a[i] * 0f;
        }
        return s == 0f;
    }

    @Override
    public boolean allWithin(float[] a, int n, float lo, float hi) {
        final int nv = n - n % L;
        final FloatVector low = FloatVector.broadcast(S, lo);
        final FloatVector high = FloatVector.broadcast(S, hi);
        // min and max propagate NaN, which then fails both comparisons
        FloatVector min = high;
        FloatVector max = low;
        for (int i = 0; i < nv; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, i);
            min = min.min(v);
            max = max.max(v);
        }
        float mn = min.reduceLanes(VectorOperators.MIN);
        float mx = max.reduceLanes(VectorOperators.MAX);
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

    @Override
    public String name() {
        return "vector";
    }
}

package org.vae4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Elementwise} on the JDK Vector API: whole vectors, then the last {@code n mod L}
 * elements with the same formulas in scalar code. exp and log1p are the JDK's vector math
 * (within a few ulp of {@link Math}); the Adam update uses the same operations in the same
 * order as the scalar one, so it is bit-identical to it. Stateless and thread-safe.
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
        final FloatVector zero = FloatVector.zero(S);
        final FloatVector one = FloatVector.broadcast(S, 1f);
        double sum = 0;
        for (int c0 = 0; c0 < nv; c0 += CHUNK) {
            final int c1 = Math.min(nv, c0 + CHUNK);
            FloatVector acc = zero;
            for (int i = c0; i < c1; i += L) {
                FloatVector l = FloatVector.fromArray(S, logits, i);
                FloatVector t = FloatVector.fromArray(S, x, i);
                FloatVector e = l.abs().neg().lanewise(VectorOperators.EXP);
                FloatVector nll = l.max(zero).sub(t.mul(l)).add(e.lanewise(VectorOperators.LOG1P));
                acc = acc.add(nll);
                FloatVector inv = one.div(one.add(e));
                VectorMask<Float> negative = l.compare(VectorOperators.LT, zero);
                FloatVector sigmoid = inv.blend(e.mul(inv), negative);
                sigmoid.sub(t).mul(scale).intoArray(dlogits, i);
            }
            sum += acc.reduceLanes(VectorOperators.ADD);
        }
        return sum + ScalarElementwise.bernoulliRange(logits, x, nv, n, scale, dlogits);
    }

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
    public String name() {
        return "vector";
    }
}

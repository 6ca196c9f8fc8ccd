package org.vae4j.internal.kernel;

import org.vae4j.kernel.Elementwise;

/** The reference {@link Elementwise}: plain Java loops. Stateless and thread-safe. */
public final class ScalarElementwise implements Elementwise {

    /** The shared instance. */
    public static final ScalarElementwise INSTANCE = new ScalarElementwise();

    private ScalarElementwise() {
    }

    @Override
    public double bernoulliFromLogits(float[] logits, float[] x, int n, float scale, float[] dlogits) {
        return bernoulliRange(logits, x, 0, n, scale, dlogits);
    }

    /** {@link #bernoulliFromLogits} on elements [from, to). */
    static double bernoulliRange(float[] logits, float[] x, int from, int to, float scale, float[] dlogits) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            float l = logits[i];
            double e = Math.exp(-Math.abs((double) l));
            sum += Math.max(l, 0.0) - (double) x[i] * l + Math.log1p(e);
            float sigmoid = (float) (l >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e));
            dlogits[i] = scale * (sigmoid - x[i]);
        }
        return sum;
    }

    @Override
    public void reluForward(float[] a, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            float v = a[i];
            out[i] = v < 0f ? 0f : v;
        }
    }

    @Override
    public void reluBackward(float[] a, float[] g, float[] d, int n) {
        for (int i = 0; i < n; i++) {
            d[i] = a[i] <= 0f ? 0f : g[i];
        }
    }

    @Override
    public void adam(float[] p, float[] g, int po, float[] m, float[] v, int mo, int n, float oneMinusBeta1,
                     float beta2, float oneMinusBeta2, float stepSize, float bias2Sqrt, float eps) {
        adamRange(p, g, po, m, v, mo, 0, n, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, bias2Sqrt, eps);
    }

    /** {@link #adam} on elements [from, to) (offsets added). */
    static void adamRange(float[] p, float[] g, int po, float[] m, float[] v, int mo, int from, int to,
                          float oneMinusBeta1, float beta2, float oneMinusBeta2, float stepSize, float bias2Sqrt,
                          float eps) {
        for (int i = from; i < to; i++) {
            final float gi = g[po + i];
            final int j = mo + i;
            m[j] += oneMinusBeta1 * (gi - m[j]);
            v[j] = beta2 * v[j] + oneMinusBeta2 * gi * gi;
            final float denom = (float) Math.sqrt(v[j]) / bias2Sqrt + eps;
            p[po + i] -= stepSize * m[j] / denom;
        }
    }

    @Override
    public boolean allFinite(float[] a, int n) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean allWithin(float[] a, int n, float lo, float hi) {
        for (int i = 0; i < n; i++) {
            if (!(a[i] >= lo && a[i] <= hi)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@return the logistic function 1 / (1 + e^-a) in double, rounded once to float: in [0, 1],
     * without overflow for large |a|; NaN for NaN}
     *
     * @param a the argument (a logit)
     */
    public static float sigmoid(float a) {
        if (a >= 0f) {
            return (float) (1.0 / (1.0 + Math.exp(-a)));
        }
        double e = Math.exp(a);
        return (float) (e / (1.0 + e));
    }

    @Override
    public String name() {
        return "scalar";
    }
}

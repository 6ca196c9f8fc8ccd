package org.vae4j.kernel;

/**
 * The elementwise work of a training step that is worth vectorising: the Bernoulli likelihood
 * (one exp and one log1p per pixel), ReLU, the Adam update (a square root and a division per
 * parameter) and the finiteness check of the gradients. {@code ScalarElementwise} is the
 * reference; {@code VectorElementwise} (JDK Vector API) is used when the
 * {@code jdk.incubator.vector} module is present, chosen with the GEMM backend by {@link Gemms}.
 *
 * <p>All arrays are used from index 0 to {@code n - 1} (from the given offsets where there are
 * offsets); outputs may not alias inputs unless stated. Both implementations live in
 * {@code org.vae4j.internal.kernel}: reach them through {@link Kernels} or {@link #get()}. Implementations are stateless and thread-safe.
 */
public interface Elementwise {

    /**
     * {@return the Bernoulli negative log-likelihood from logits, and its scaled gradient:
     * <pre>
     *   returns sum_i max(l_i, 0) - x_i l_i + log1p(exp(-|l_i|))     (accumulated in double)
     *   dl_i = scale * (sigmoid(l_i) - x_i)
     * </pre>}
     */
    double bernoulliFromLogits(float[] logits, float[] x, int n, float scale, float[] dlogits);

    /** out_i = max(a_i, 0), NaN propagating. {@code out} may be a different array only. */
    void reluForward(float[] a, float[] out, int n);

    /** d_i = a_i &lt;= 0 ? 0 : g_i (the gradient passes where a is positive or NaN). {@code d} may be {@code g}. */
    void reluBackward(float[] a, float[] g, float[] d, int n);

    /**
     * A dense layer's bias and a ReLU in one pass over a (rows, cols) pre-activation:
     * <pre>
     *   a[r, j] += b[bo + j];   out[r, j] = max(a[r, j], 0)      (NaN propagating)
     * </pre>
     * the same float operations as adding the bias row by row and then {@link #reluForward}, so
     * the same bits. {@code out} must be a different array from {@code a}.
     */
    default void biasRelu(float[] a, float[] b, int bo, float[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            final int off = r * cols;
            for (int j = 0; j < cols; j++) {
                final float v = a[off + j] + b[bo + j];
                a[off + j] = v;
                out[off + j] = v < 0f ? 0f : v;
            }
        }
    }

    /**
     * ReLU's backward and the bias gradient of the dense layer before it in one pass over
     * (rows, cols):
     * <pre>
     *   d[r, j] = a[r, j] &lt;= 0 ? 0 : g[r, j];   db[dbo + j] += d[r, j]     (r ascending)
     * </pre>
     * the same float operations, in the same order, as {@link #reluBackward} followed by the
     * column sum into the bias gradient, so the same bits. {@code d} may be {@code g}.
     */
    default void reluBackwardBias(float[] a, float[] g, float[] d, float[] db, int dbo, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            final int off = r * cols;
            for (int j = 0; j < cols; j++) {
                final float v = a[off + j] <= 0f ? 0f : g[off + j];
                d[off + j] = v;
                db[dbo + j] += v;
            }
        }
    }

    /**
     * One Adam update of n parameters, in float, in exactly the order of {@code org.vae4j.optim.Adam},
     * for i in [0, n), with p, g at {@code po + i} and m, v at {@code mo + i}:
     * <pre>
     *   m += (1 - beta1) (g - m);  v = beta2 v + (1 - beta2) g g
     *   p -= stepSize m / (sqrt(v) / bias2Sqrt + eps)
     * </pre>
     * (A parameter's values and gradient share its offset in the flat parameter arrays; the
     * moments share theirs in the optimiser's flat state.)
     */
    void adam(float[] p, float[] g, int po, float[] m, float[] v, int mo, int n, float oneMinusBeta1, float beta2,
              float oneMinusBeta2, float stepSize, float bias2Sqrt, float eps);

    /** {@return whether a_0 .} a_{n-1} are all finite (no NaN, no infinity). */
    boolean allFinite(float[] a, int n);

    /** {@return whether lo &lt;= a_i &lt;= hi for every i &lt; n (false if any is NaN)} */
    boolean allWithin(float[] a, int n, float lo, float hi);

    /** {@return a short name for logs} */
    String name();

    /** {@return the elementwise kernels that go with the default GEMM backend} */
    static Elementwise get() {
        return Gemms.elementwise();
    }
}

package org.vae4j.kernel;

import org.vae4j.internal.kernel.ScalarElementwise;

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
     * The loss is summed, not averaged; {@code scale} is how the caller turns the gradient of the
     * sum into that of its own reduction (e.g. {@code 1 / batch} for a batch mean).
     *
     * @param logits the decoder's logits l, n values, not modified
     * @param x the targets, n values, normally in [0, 1] (binary or grey-level pixels), not modified
     * @param n the number of elements, {@code >= 0}
     * @param scale the factor applied to every element of the gradient
     * @param dlogits receives the n scaled gradients; must be an array distinct from {@code logits}
     *        and {@code x} (it is used as scratch)
     */
    double bernoulliFromLogits(float[] logits, float[] x, int n, float scale, float[] dlogits);

    /**
     * ReLU: out_i = max(a_i, 0), NaN propagating.
     *
     * @param a the pre-activations, n values, not modified
     * @param out receives the n activations; must be a different array from {@code a}
     * @param n the number of elements, {@code >= 0}
     */
    void reluForward(float[] a, float[] out, int n);

    /**
     * ReLU's backward: d_i = a_i &lt;= 0 ? 0 : g_i (the gradient passes where a is positive or NaN).
     *
     * @param a the pre-activations of the forward pass, n values, not modified
     * @param g the gradient with respect to the activations, n values
     * @param d receives the gradient with respect to the pre-activations; may be {@code g}
     * @param n the number of elements, {@code >= 0}
     */
    void reluBackward(float[] a, float[] g, float[] d, int n);

    /**
     * A dense layer's bias and a ReLU in one pass over a (rows, cols) pre-activation:
     * <pre>
     *   a[r, j] += b[bo + j];   out[r, j] = max(a[r, j], 0)      (NaN propagating)
     * </pre>
     * the same float operations as adding the bias row by row and then {@link #reluForward}, so
     * the same bits. {@code out} must be a different array from {@code a}.
     *
     * @param a the pre-activation, (rows, cols) row-major from index 0; the bias is added in place
     * @param b the array holding the bias, {@code cols} values from {@code bo}, not modified
     * @param bo the index of the bias's first value in {@code b}
     * @param out receives the (rows, cols) activations; must be a different array from {@code a}
     * @param rows the number of rows (the batch size), {@code >= 0}
     * @param cols the number of columns (the layer's width), {@code >= 0}
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
     *
     * @param a the pre-activations of the forward pass, (rows, cols) row-major, not modified
     * @param g the gradient with respect to the activations, (rows, cols)
     * @param d receives the gradient with respect to the pre-activations, (rows, cols); may be {@code g}
     * @param db the array holding the bias gradient, {@code cols} values from {@code dbo}, added to
     *        (not overwritten)
     * @param dbo the index of the bias gradient's first value in {@code db}
     * @param rows the number of rows (the batch size), {@code >= 0}
     * @param cols the number of columns (the layer's width), {@code >= 0}
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
     *
     * @param p the array holding the parameters, updated in place at {@code po .. po + n - 1}
     * @param g the array holding the gradients, read at {@code po .. po + n - 1}, not modified
     * @param po the offset of the first parameter (and of its gradient) in {@code p} and {@code g}
     * @param m the array holding the first moments, updated in place at {@code mo .. mo + n - 1}
     * @param v the array holding the second moments, updated in place at {@code mo .. mo + n - 1}
     * @param mo the offset of the first parameter's moments in {@code m} and {@code v}
     * @param n the number of parameters to update, {@code >= 0}
     * @param oneMinusBeta1 1 - beta1, the weight of the new gradient in the first moment
     * @param beta2 the decay of the second moment, in [0, 1)
     * @param oneMinusBeta2 1 - beta2, the weight of the squared gradient in the second moment
     * @param stepSize the bias-corrected step, lr / (1 - beta1<sup>t</sup>)
     * @param bias2Sqrt the second moment's bias correction, sqrt(1 - beta2<sup>t</sup>)
     * @param eps the term added to the denominator, {@code > 0}
     */
    void adam(float[] p, float[] g, int po, float[] m, float[] v, int mo, int n, float oneMinusBeta1, float beta2,
              float oneMinusBeta2, float stepSize, float bias2Sqrt, float eps);

    /**
     * {@return whether a_0 to a_(n-1) are all finite (no NaN, no infinity); true when n is 0}
     *
     * @param a the values to check, not modified
     * @param n the number of elements to check, from index 0, {@code >= 0}
     */
    boolean allFinite(float[] a, int n);

    /**
     * {@return whether a_from to a_(to-1) are all finite (no NaN, no infinity); true when the
     * range is empty}: {@link #allFinite(float[], int)} on a range, for checks split over
     * threads ({@link Gemm#forEachRange}). This default checks one element at a time; a backend
     * may check whole vectors.
     *
     * @param a the values to check, not modified
     * @param from the first index checked, {@code >= 0}
     * @param to one past the last index checked, {@code from <= to <= a.length}
     * @throws IndexOutOfBoundsException when the range is not inside {@code a}
     */
    default boolean allFinite(float[] a, int from, int to) {
        java.util.Objects.checkFromToIndex(from, to, a.length);
        for (int i = from; i < to; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@return whether lo &lt;= a_i &lt;= hi for every i &lt; n (false if any is NaN; true when n is 0)}
     *
     * @param a the values to check, not modified
     * @param n the number of elements to check, from index 0, {@code >= 0}
     * @param lo the lower bound, inclusive
     * @param hi the upper bound, inclusive
     */
    boolean allWithin(float[] a, int n, float lo, float hi);

    /**
     * out_i = sigmoid(l_i) = 1 / (1 + e^-l_i) for i &lt; n: the mean of a Bernoulli from its
     * logit. NaN stays NaN. This default computes each in double and rounds once (as
     * {@link org.vae4j.nn.Activation#sigmoid}); a backend may use float arithmetic within a few
     * ulp of it, but each result must depend on its logit only (not on i or n).
     *
     * @param logits the logits, not modified
     * @param out    receives the probabilities; not the logits array
     * @param n      the number of elements, from index 0, {@code >= 0}
     * @throws IllegalArgumentException when {@code out} is {@code logits}
     */
    default void sigmoid(float[] logits, float[] out, int n) {
        if (out == logits) {
            throw new IllegalArgumentException("sigmoid: out must not be the logits array");
        }
        for (int i = 0; i < n; i++) {
            out[i] = ScalarElementwise.sigmoid(logits[i]);
        }
    }

    /** {@return a short name for logs} */
    String name();

    /** {@return the elementwise kernels that go with the default GEMM backend} */
    static Elementwise get() {
        return Gemms.elementwise();
    }
}

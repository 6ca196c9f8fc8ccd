package org.vae4j.optim;

import java.util.List;

import org.vae4j.nn.Parameter;
import org.vae4j.nn.ParameterStore;

/**
 * Gradient-norm clipping with the semantics of {@code torch.nn.utils.clip_grad_norm_} (torch 1.13,
 * 2-norm, {@code error_if_nonfinite=False} except for non-finite norms, see below):
 * <pre>
 *   n_k   = || g_k ||_2                       per parameter, rounded to float32
 *   total = sqrt(sum_k n_k^2)                 rounded to float32; the norm of all gradients as one vector
 *   coef  = (1 / (total + 1e-6f)) * maxNorm   in float32 (PyTorch's max_norm / tensor is reciprocal, then multiply)
 *   g     = g * coef                          in float32, only if coef &lt; 1
 * </pre>
 * PyTorch multiplies by {@code min(coef, 1)} always; multiplying by 1 changes no bit, so the
 * results are the same. What is matched exactly: the two-stage structure (a float32 norm per
 * tensor, then the norm of those norms), the float32 {@code total + 1e-6}, the reciprocal form
 * of the coefficient and the float32 multiply. What is not: PyTorch accumulates each tensor's
 * sum of squares in float32 vector lanes, in an order that depends on its kernels; here the sums
 * are accumulated in double (each square is exact in double), which is closer to the true norm,
 * so the total agrees with PyTorch's to PyTorch's own float32 summation error (below 1e-7
 * relative for tensors of a few hundred values, about 3e-6 for 400 000).
 *
 * <p>A non-finite total norm (a NaN or infinite gradient) leaves every gradient unchanged and
 * is returned, so the caller's finiteness check sees the original gradients. PyTorch by default
 * would multiply them by NaN or 0 instead; with {@code error_if_nonfinite=True} it raises.
 * Callers that clip must therefore check the result (or the gradients) for finiteness.
 *
 * <p>Over a {@link ParameterStore}'s parameters in order (a model's), the norm is one walk over
 * the flat gradient array (tensor by tensor, as the per-tensor norms need) and the scaling one
 * pass over it. Allocation-free; stateless and thread-safe (it modifies the given gradients in place).
 */
public final class GradientClipping {

    /** PyTorch's term added to the total norm in the clip coefficient's denominator. */
    public static final float NORM_EPS = 1e-6f;

    private GradientClipping() {
    }

    private static void scale(float[] g, int from, int n, float coef) {
        for (int i = from, end = from + n; i < end; i++) {
            g[i] *= coef;
        }
    }

    /**
     * {@return the 2-norm of all gradients of {@code params} as one vector, computed as in the class
     * comment (float32 per-parameter norms, then their norm, rounded to float32)} 0 for an
     * empty list; NaN or infinite if a gradient is.
     *
     * @param params the parameters whose gradients ({@link Parameter#gradArray()}) are measured,
     *        not modified
     * @throws IllegalArgumentException for a null list
     */
    public static double totalNorm(List<Parameter> params) {
        if (params == null) {
            throw new IllegalArgumentException("parameters must not be null");
        }
        double sumOfNormSquares = 0;
        for (int k = 0; k < params.size(); k++) {
            // over a store's parameters in order, this walks its flat gradient array once
            final Parameter p = params.get(k);
            final float[] g = p.gradArray();
            final int from = p.offset();
            final int to = from + p.size();
            double sum = 0;
            for (int i = from; i < to; i++) {
                final double gi = g[i];
                sum += gi * gi;
            }
            final double norm = (float) Math.sqrt(sum); // torch.norm(g): a float32 result
            sumOfNormSquares += norm * norm;
        }
        return (float) Math.sqrt(sumOfNormSquares);
    }

    /**
     * Scales all gradients of {@code params} in place so that their total 2-norm is at most
     * about {@code maxNorm}, as {@code torch.nn.utils.clip_grad_norm_(params, maxNorm)} does.
     *
     * @param params  the parameters whose gradients are clipped together
     * @param maxNorm the largest total norm allowed, positive and finite
     * @return the total norm before clipping (a float32 value); NaN or infinite if a gradient
     *         is, in which case no gradient was changed
     * @throws IllegalArgumentException for a null list or a bad {@code maxNorm}
     */
    public static double clipGradNorm(List<Parameter> params, double maxNorm) {
        if (!(maxNorm > 0) || !Double.isFinite(maxNorm)) {
            throw new IllegalArgumentException("max gradient norm must be positive and finite, got " + maxNorm);
        }
        final double total = totalNorm(params);
        if (!Double.isFinite(total)) {
            return total;
        }
        final float coef = (1f / ((float) total + NORM_EPS)) * (float) maxNorm;
        if (coef < 1f) {
            ParameterStore store = ParameterStore.spanning(params);
            if (store != null) {
                scale(store.gradients(), 0, store.size(), coef);
            } else {
                for (int k = 0; k < params.size(); k++) {
                    final Parameter p = params.get(k);
                    scale(p.gradArray(), p.offset(), p.size(), coef);
                }
            }
        }
        return total;
    }
}

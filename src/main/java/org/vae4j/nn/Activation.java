package org.vae4j.nn;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.kernel.ScalarElementwise;
import org.vae4j.kernel.Elementwise;

/**
 * Elementwise activation functions, each with its forward and its backward side by side.
 *
 * <p>{@code forward(pre, out)} computes {@code out = f(pre)}; {@code backward(pre, out, dout,
 * dpre)} computes {@code dpre = dout * f'(pre)}, using whichever of {@code pre} and {@code out}
 * gives the derivative cheapest. Matrices must have equal shapes; {@code out} may be {@code pre}
 * only for {@link #IDENTITY}, and {@code dpre} may be {@code dout} (in place). Immutable.
 * The derivations are in docs/MATH.md.
 */
public enum Activation {

    /** f(a) = a. */
    IDENTITY {
        @Override
        float apply(float a) {
            return a;
        }

        @Override
        float derivative(float a, float y) {
            return 1f;
        }
    },

    /** f(a) = max(a, 0); f'(a) = 1 for a &gt; 0, else 0 (PyTorch's choice at 0). NaN stays NaN. */
    RELU {
        @Override
        float apply(float a) {
            return a < 0f ? 0f : a;
        }

        @Override
        float derivative(float a, float y) {
            return a <= 0f ? 0f : 1f;
        }
    },

    /** f(a) = a for a &gt; 0, else 0.01 a (PyTorch's default negative slope). */
    LEAKY_RELU {
        @Override
        float apply(float a) {
            return a > 0f ? a : LEAKY_SLOPE * a;
        }

        @Override
        float derivative(float a, float y) {
            return a > 0f ? 1f : LEAKY_SLOPE;
        }
    },

    /** f(a) = tanh(a); f'(a) = 1 - f(a)^2. */
    TANH {
        @Override
        float apply(float a) {
            return (float) Math.tanh(a);
        }

        @Override
        float derivative(float a, float y) {
            return 1f - y * y;
        }
    },

    /** f(a) = 1 / (1 + e^-a); f'(a) = f(a) (1 - f(a)). */
    SIGMOID {
        @Override
        float apply(float a) {
            return sigmoid(a);
        }

        @Override
        float derivative(float a, float y) {
            return y * (1f - y);
        }
    },

    /** f(a) = log(1 + e^a), computed as max(a, 0) + log1p(e^-|a|); f'(a) = sigmoid(a). */
    SOFTPLUS {
        @Override
        float apply(float a) {
            return softplus(a);
        }

        @Override
        float derivative(float a, float y) {
            return sigmoid(a);
        }
    };

    /** Negative slope of {@link #LEAKY_RELU}, as PyTorch's default. */
    public static final float LEAKY_SLOPE = 0.01f;

    abstract float apply(float a);

    /** f'(a), given a and y = f(a). */
    abstract float derivative(float a, float y);

    /**
     * out = f(pre), elementwise.
     *
     * @param pre (rows, cols), not modified (unless it is {@code out})
     * @param out (rows, cols), modified; may be {@code pre} only for {@link #IDENTITY}
     * @throws IllegalArgumentException when the shapes differ, or {@code out} is {@code pre} for an
     *                                  activation other than {@link #IDENTITY}
     */
    public void forward(FMatrixRMaj pre, FMatrixRMaj out) {
        forward(Elementwise.get(), pre, out);
    }

    /**
     * {@link #forward(FMatrixRMaj, FMatrixRMaj)} with the given elementwise kernels (used by
     * {@link #RELU}; the others run a scalar loop).
     *
     * @param kernel the elementwise kernels to run on
     * @param pre    (rows, cols), not modified (unless it is {@code out})
     * @param out    (rows, cols), modified; may be {@code pre} only for {@link #IDENTITY}
     * @throws IllegalArgumentException when the shapes differ, or {@code out} is {@code pre} for an
     *                                  activation other than {@link #IDENTITY}
     */
    public void forward(Elementwise kernel, FMatrixRMaj pre, FMatrixRMaj out) {
        checkSameShape(pre, out);
        if (this == IDENTITY) {
            if (out != pre) {
                System.arraycopy(pre.data, 0, out.data, 0, pre.getNumElements());
            }
            return;
        }
        if (out == pre) {
            throw new IllegalArgumentException(this + " cannot run in place: pre is needed by backward");
        }
        if (this == RELU) {
            kernel.reluForward(pre.data, out.data, pre.getNumElements());
            return;
        }
        final float[] a = pre.data;
        final float[] y = out.data;
        final int n = pre.getNumElements();
        for (int i = 0; i < n; i++) {
            y[i] = apply(a[i]);
        }
    }

    /**
     * dpre = dout * f'(pre), elementwise.
     *
     * @param pre  (rows, cols) the forward input, not modified
     * @param out  (rows, cols) the forward output, not modified
     * @param dout (rows, cols) gradient of the loss w.r.t. out, not modified (unless it is dpre)
     * @param dpre (rows, cols) gradient of the loss w.r.t. pre, modified (overwritten)
     * @throws IllegalArgumentException when the shapes differ
     */
    public void backward(FMatrixRMaj pre, FMatrixRMaj out, FMatrixRMaj dout, FMatrixRMaj dpre) {
        backward(Elementwise.get(), pre, out, dout, dpre);
    }

    /**
     * {@link #backward(FMatrixRMaj, FMatrixRMaj, FMatrixRMaj, FMatrixRMaj)} with the given kernels
     * (used by {@link #RELU}; the others run a scalar loop).
     *
     * @param kernel the elementwise kernels to run on
     * @param pre    (rows, cols) the forward input, not modified
     * @param out    (rows, cols) the forward output, not modified
     * @param dout   (rows, cols) gradient of the loss w.r.t. out, not modified (unless it is dpre)
     * @param dpre   (rows, cols) gradient of the loss w.r.t. pre, modified (overwritten)
     * @throws IllegalArgumentException when the shapes differ
     */
    public void backward(Elementwise kernel, FMatrixRMaj pre, FMatrixRMaj out, FMatrixRMaj dout, FMatrixRMaj dpre) {
        checkSameShape(pre, out);
        checkSameShape(pre, dout);
        checkSameShape(pre, dpre);
        final float[] a = pre.data;
        final float[] y = out.data;
        final float[] g = dout.data;
        final float[] d = dpre.data;
        final int n = pre.getNumElements();
        switch (this) {
            case IDENTITY:
                if (d != g) {
                    System.arraycopy(g, 0, d, 0, n);
                }
                break;
            case RELU:
                kernel.reluBackward(a, g, d, n); // as PyTorch: NaN passes the gradient
                break;
            default:
                for (int i = 0; i < n; i++) {
                    d[i] = g[i] * derivative(a[i], y[i]);
                }
        }
    }

    /**
     * A dense layer's bias and this activation in one pass (what {@link Sequential} runs for a
     * {@link Dense} followed by an {@link ActivationLayer}): for each row r,
     * {@code pre[r, j] += b[bo + j]}, then {@code out[r, j] = f(pre[r, j])}. The same float
     * operations as adding the bias row by row and then {@link #forward(Elementwise, FMatrixRMaj,
     * FMatrixRMaj)}, so the same bits, with one pass over the matrix instead of two.
     *
     * @param kernel the elementwise kernels to run on (used by {@link #RELU})
     * @param pre    (rows, cols) the layer's x W^T, modified (the bias is added: the pre-activation)
     * @param b      the bias (cols values from {@code bo}), not modified
     * @param bo     offset of the bias's first value in {@code b}
     * @param out    (rows, cols), modified; may be {@code pre} only for {@link #IDENTITY}
     * @throws IllegalArgumentException when the shapes differ, the bias does not fit in {@code b},
     *                                  or {@code out} is {@code pre} for an activation other than
     *                                  {@link #IDENTITY}
     */
    public void forwardBiased(Elementwise kernel, FMatrixRMaj pre, float[] b, int bo, FMatrixRMaj out) {
        checkSameShape(pre, out);
        final int rows = pre.numRows;
        final int cols = pre.numCols;
        if (bo < 0 || bo + cols > b.length) {
            throw new IllegalArgumentException("bias of " + cols + " values from " + bo + " does not fit "
                    + b.length);
        }
        if (this == RELU && out != pre) {
            kernel.biasRelu(pre.data, b, bo, out.data, rows, cols);
            return;
        }
        if (out == pre && this != IDENTITY) {
            throw new IllegalArgumentException(this + " cannot run in place: pre is needed by backward");
        }
        final float[] a = pre.data;
        final float[] y = out.data;
        for (int r = 0; r < rows; r++) {
            final int off = r * cols;
            for (int j = 0; j < cols; j++) {
                final float v = a[off + j] + b[bo + j];
                a[off + j] = v;
                y[off + j] = apply(v);
            }
        }
    }

    /**
     * This activation's backward and the bias gradient of the dense layer before it in one pass:
     * {@code dpre = dout * f'(pre)} as {@link #backward(Elementwise, FMatrixRMaj, FMatrixRMaj,
     * FMatrixRMaj, FMatrixRMaj)} computes it, and {@code db[dbo + j] += dpre[r, j]} for r in
     * ascending order, the order of {@link Dense}'s own column sum: the same bits as the two
     * separate passes.
     *
     * @param kernel the elementwise kernels to run on (used by {@link #RELU})
     * @param pre    (rows, cols) the forward input, not modified
     * @param out    (rows, cols) the forward output, not modified
     * @param dout   (rows, cols) gradient w.r.t. out, not modified (unless it is dpre)
     * @param dpre   (rows, cols) gradient w.r.t. pre, modified (overwritten)
     * @param db     the bias gradient (cols values from {@code dbo}), accumulated
     * @param dbo    offset of the bias gradient's first value in {@code db}
     * @throws IllegalArgumentException when the shapes differ or the bias gradient does not fit in {@code db}
     */
    public void backwardBiased(Elementwise kernel, FMatrixRMaj pre, FMatrixRMaj out, FMatrixRMaj dout,
                               FMatrixRMaj dpre, float[] db, int dbo) {
        checkSameShape(pre, out);
        checkSameShape(pre, dout);
        checkSameShape(pre, dpre);
        final int rows = pre.numRows;
        final int cols = pre.numCols;
        if (dbo < 0 || dbo + cols > db.length) {
            throw new IllegalArgumentException("bias gradient of " + cols + " values from " + dbo + " does not fit "
                    + db.length);
        }
        final float[] a = pre.data;
        final float[] y = out.data;
        final float[] g = dout.data;
        final float[] d = dpre.data;
        if (this == RELU) {
            kernel.reluBackwardBias(a, g, d, db, dbo, rows, cols);
            return;
        }
        for (int r = 0; r < rows; r++) {
            final int off = r * cols;
            for (int j = 0; j < cols; j++) {
                final int i = off + j;
                final float v = this == IDENTITY ? g[i] : g[i] * derivative(a[i], y[i]);
                d[i] = v;
                db[dbo + j] += v;
            }
        }
    }

    /**
     * {@return the logistic function 1 / (1 + e^-a), in [0, 1], without overflow for large |a|}
     *
     * @param a the argument (a logit)
     */
    public static float sigmoid(float a) {
        return ScalarElementwise.sigmoid(a);
    }

    /**
     * {@return log(1 + e^a), computed stably as max(a, 0) + log1p(e^-|a|), in [0, infinity)}
     *
     * @param a the argument
     */
    public static float softplus(float a) {
        return (float) (Math.max(a, 0.0) + Math.log1p(Math.exp(-Math.abs((double) a))));
    }

    static void checkSameShape(FMatrixRMaj a, FMatrixRMaj b) {
        if (a.numRows != b.numRows || a.numCols != b.numCols) {
            throw new IllegalArgumentException(String.format("shape mismatch: (%d, %d) vs (%d, %d)",
                    a.numRows, a.numCols, b.numRows, b.numCols));
        }
    }
}

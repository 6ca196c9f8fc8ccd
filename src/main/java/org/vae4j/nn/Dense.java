package org.vae4j.nn;

import java.util.List;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Gemm;

/**
 * A fully connected layer y = x W<sup>T</sup> + b, with W (out, in) and b (1, out) stored as
 * PyTorch's {@code nn.Linear} stores them. Holds no activation buffers: callers own inputs and
 * outputs. Mutable, not thread-safe.
 *
 * <p>Forward and backward (derived in docs/MATH.md, "Dense"):
 * <pre>
 *   y  = x W^T + b          forward
 *   dW += dy^T x            backward, accumulated
 *   db += sum_rows(dy)      backward, accumulated
 *   dx  = dy W              backward, overwritten (or accumulated), skipped when dx is null
 * </pre>
 */
public final class Dense {

    private final int in;
    private final int out;
    private final Parameter weight; // (out, in)
    private final Parameter bias;   // (1, out)

    /**
     * @param name  prefix of the parameter names, e.g. {@code fc1} gives {@code fc1.weight}
     * @param in    input width, &gt; 0
     * @param out   output width, &gt; 0
     * @param init  initialisation scheme
     * @param rng   source of the initial weights
     */
    public Dense(String name, int in, int out, Init init, RandomGenerator rng) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("layer " + name + " needs positive sizes, got in="
                    + in + ", out=" + out);
        }
        this.in = in;
        this.out = out;
        this.weight = new Parameter(name + ".weight", out, in);
        this.bias = new Parameter(name + ".bias", 1, out);
        init.initialise(weight, bias, rng);
    }

    public int inputSize() {
        return in;
    }

    public int outputSize() {
        return out;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    /** The weight and the bias, in that order. */
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    /**
     * y = x W<sup>T</sup> + b.
     *
     * @param x (batch, in), not modified
     * @param y (batch, out), modified
     */
    public void forward(Gemm gemm, FMatrixRMaj x, FMatrixRMaj y) {
        gemm.multTransB(x, weight.value(), y);
        final float[] yd = y.data;
        final float[] b = bias.value().data;
        final int rows = y.numRows;
        for (int r = 0; r < rows; r++) {
            final int off = r * out;
            for (int j = 0; j < out; j++) {
                yd[off + j] += b[j];
            }
        }
    }

    /**
     * Accumulates dW and db, and computes dx.
     *
     * @param x            (batch, in) the forward input, not modified
     * @param dy           (batch, out) gradient of the loss w.r.t. y, not modified
     * @param dx           (batch, in) gradient of the loss w.r.t. x, modified; {@code null} skips it
     * @param accumulateDx whether dx is added to ({@code true}) or overwritten
     */
    public void backward(Gemm gemm, FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx, boolean accumulateDx) {
        gemm.multAddTransA(dy, x, weight.grad());
        final float[] db = bias.grad().data;
        final float[] g = dy.data;
        final int rows = dy.numRows;
        for (int r = 0; r < rows; r++) {
            final int off = r * out;
            for (int j = 0; j < out; j++) {
                db[j] += g[off + j];
            }
        }
        if (dx != null) {
            if (accumulateDx) {
                gemm.multAdd(dy, weight.value(), dx);
            } else {
                gemm.mult(dy, weight.value(), dx);
            }
        }
    }
}

package org.vae4j.nn;

import java.util.List;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Kernels;
import org.vae4j.kernel.PreparedB;

/**
 * A fully connected layer y = x W<sup>T</sup> + b, with W (out, in) and b (1, out) stored as
 * PyTorch's {@code nn.Linear} stores them; its parameters are named {@code weight} and
 * {@code bias}. Mutable, not thread-safe.
 *
 * <p>Forward and backward (derived in docs/MATH.md, "Dense"):
 * <pre>
 *   y  = x W^T + b          forward
 *   dW += dy^T x            backward, accumulated
 *   db += sum_rows(dy)      backward, accumulated
 *   dx  = dy W              backward, overwritten (or accumulated), skipped when not needed
 * </pre>
 * As a {@link Module} it owns its output and input-gradient buffers; the explicit-buffer forms
 * {@link #forward(Gemm, FMatrixRMaj, FMatrixRMaj)} and
 * {@link #backward(Gemm, FMatrixRMaj, FMatrixRMaj, FMatrixRMaj, boolean)} let a caller that owns
 * the buffers (two heads reading one input and summing into one input gradient) use it too.
 * Inside a {@link Sequential}, a Dense followed by a non-identity {@link ActivationLayer} adds its
 * bias in the activation's pass ({@link Activation#forwardBiased}), and the activation's backward
 * sums the bias gradient ({@link Activation#backwardBiased}): the same floats in the same order,
 * one pass over the output instead of two each way.
 */
public class Dense implements Module {

    private final int in;
    private final int out;
    private final Parameter weight; // (out, in)
    private final Parameter bias;   // (1, out)
    private final List<Parameter> parameters;
    private FMatrixRMaj input;      // (batch, in): the last forward input, referenced not copied
    private FMatrixRMaj y;          // (batch, out)
    private FMatrixRMaj dx;         // (batch, in)
    /** A replica on a snapshot: its weight never changes (see the replica's constructor). */
    private final boolean frozen;
    /** W prepared for {@link #preparedFor} (a frozen replica's), or null. */
    private PreparedB preparedWeight;
    private Gemm preparedFor;

    /**
     * A layer with new {@code weight} (out, in) and {@code bias} (1, out) tensors, initialised by
     * {@code init}.
     *
     * @param in    input width, &gt; 0
     * @param out   output width, &gt; 0
     * @param init  initialisation scheme, not null; {@link Init#BY_ACTIVATION} must be resolved first
     *              ({@link Init#resolve})
     * @param rng   source of the initial weights (the weight's out * in draws in row-major order,
     *              then the bias's out draws for {@link Init#TORCH_DEFAULT})
     * @throws IllegalArgumentException when a width is not positive, or {@code init} is null or
     *                                  {@link Init#BY_ACTIVATION} (unresolved)
     */
    public Dense(int in, int out, Init init, RandomGenerator rng) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("a dense layer needs positive sizes, got in=" + in + ", out=" + out);
        }
        if (init == null || init == Init.BY_ACTIVATION) {
            throw new IllegalArgumentException("a dense layer needs a resolved init, got init=" + init
                    + (init == null ? "" : " (resolve it for the activation after the layer: Init.resolve)"));
        }
        this.in = in;
        this.out = out;
        this.weight = new Parameter("weight", out, in);
        this.bias = new Parameter("bias", 1, out);
        this.parameters = List.of(weight, bias);
        this.frozen = false;
        init.initialise(weight, bias, rng);
    }

    /**
     * A replica: the same sizes, the mapped weight and bias, buffers of its own ({@link Module#replicate}).
     * On a snapshot (whose values never change) it multiplies by its weight prepared once for the
     * GEMM backend it is given ({@link Gemm#prepare}: the vector backend's packed panels, about as
     * many floats as the weight, per replica), instead of packing the weight on every call.
     */
    private Dense(Dense source, TensorMap tensors) {
        this.in = source.in;
        this.out = source.out;
        this.weight = tensors.get(source.weight);
        this.bias = tensors.get(source.bias);
        this.parameters = List.of(weight, bias);
        this.frozen = !tensors.isShared();
    }

    @Override
    public Dense replicate(TensorMap tensors) {
        return new Dense(this, tensors);
    }

    @Override
    public int inputSize() {
        return in;
    }

    @Override
    public int outputSize() {
        return out;
    }

    /** {@return the weight W, (out, in), named {@code weight}} */
    public Parameter weight() {
        return weight;
    }

    /** {@return the bias b, (1, out), named {@code bias}} */
    public Parameter bias() {
        return bias;
    }

    /** The weight and the bias, in that order. */
    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public FMatrixRMaj forward(Kernels kernels, FMatrixRMaj x) {
        Module.checkInput(this, x);
        input = x;
        y = Module.reshape(y, x.numRows, out);
        forward(kernels.gemm(), x, y);
        return y;
    }

    @Override
    public FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dy, boolean inputGradient) {
        return backward(kernels, dy, inputGradient, true);
    }

    /**
     * {@link #forward(Kernels, FMatrixRMaj)} without the bias: y = x W<sup>T</sup>, for a
     * following {@link ActivationLayer} to add the bias in its own pass
     * ({@link ActivationLayer#forwardBiased}).
     */
    FMatrixRMaj forwardWithoutBias(Kernels kernels, FMatrixRMaj x) {
        Module.checkInput(this, x);
        input = x;
        y = Module.reshape(y, x.numRows, out);
        checkShapes(x, y, "y", out);
        multiplyWeight(kernels.gemm(), x, y);
        return y;
    }

    /**
     * {@link #backward(Kernels, FMatrixRMaj, boolean)} with or without the bias gradient (without
     * when the following activation has already summed it, {@link ActivationLayer#backwardBiased}).
     */
    FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dy, boolean inputGradient, boolean biasGradient) {
        if (input == null) {
            throw new IllegalStateException(describe() + " backward called before forward");
        }
        Module.checkGradient(this, dy, input.numRows);
        FMatrixRMaj d = null;
        if (inputGradient) {
            dx = Module.reshape(dx, input.numRows, in);
            d = dx;
        }
        backward(kernels.gemm(), input, dy, d, false, biasGradient);
        return d;
    }

    /**
     * y = x W<sup>T</sup> + b.
     *
     * @param gemm the GEMM kernel to multiply with
     * @param x    (batch, in), not modified
     * @param y    (batch, out), modified (overwritten); not {@code x}
     * @throws IllegalArgumentException when the shapes do not fit or {@code y} is {@code x}
     */
    public void forward(Gemm gemm, FMatrixRMaj x, FMatrixRMaj y) {
        checkShapes(x, y, "y", out);
        multiplyWeight(gemm, x, y);
        final float[] yd = y.data;
        final float[] b = bias.valueArray();
        final int bo = bias.offset();
        final int rows = y.numRows;
        for (int r = 0; r < rows; r++) {
            final int off = r * out;
            for (int j = 0; j < out; j++) {
                yd[off + j] += b[bo + j];
            }
        }
    }

    /** y = x W^T (shapes checked by the caller). */
    private void multiplyWeight(Gemm gemm, FMatrixRMaj x, FMatrixRMaj y) {
        if (frozen) {
            // a replica on a snapshot: W never changes, so it is prepared once per backend
            if (preparedFor != gemm) {
                preparedWeight = gemm.prepare(true, in, out, weight.valueArray(), weight.offset());
                preparedFor = gemm;
            }
            gemm.gemm(false, false, y.numRows, x.data, 0, preparedWeight, y.data, 0);
            return;
        }
        // y (batch, out) = x (batch, in) W^T, W (out, in) at its offset in the flat values
        gemm.gemm(false, true, false, y.numRows, out, in, x.data, 0, weight.valueArray(), weight.offset(), y.data, 0);
    }

    /**
     * Accumulates dW and db, and computes dx.
     *
     * @param gemm         the GEMM kernel to multiply with
     * @param x            (batch, in) the forward input, not modified
     * @param dy           (batch, out) gradient of the loss w.r.t. y, not modified
     * @param dx           (batch, in) gradient of the loss w.r.t. x, modified; {@code null} skips it
     * @param accumulateDx whether dx is added to ({@code true}) or overwritten
     * @throws IllegalArgumentException when the shapes do not fit
     * @throws IllegalStateException    for a replica on a {@link TensorMap#snapshot} (no gradients)
     */
    public void backward(Gemm gemm, FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx, boolean accumulateDx) {
        backward(gemm, x, dy, dx, accumulateDx, true);
    }

    private void backward(Gemm gemm, FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx, boolean accumulateDx,
                          boolean biasGradient) {
        checkShapes(x, dy, "dy", out);
        weight.requireGradients();
        bias.requireGradients();
        final int rows = dy.numRows;
        // dW (out, in) += dy^T (out, batch) x (batch, in), dW at its offset in the flat gradients
        gemm.gemm(true, false, true, out, in, rows, dy.data, 0, x.data, 0, weight.gradArray(), weight.offset());
        if (biasGradient) {
            final float[] db = bias.gradArray();
            final int bo = bias.offset();
            final float[] g = dy.data;
            for (int r = 0; r < rows; r++) {
                final int off = r * out;
                for (int j = 0; j < out; j++) {
                    db[bo + j] += g[off + j];
                }
            }
        }
        if (dx != null) {
            checkShapes(x, dx, "dx", in);
            // dx (batch, in) (+)= dy (batch, out) W (out, in)
            gemm.gemm(false, false, accumulateDx, rows, in, out, dy.data, 0, weight.valueArray(), weight.offset(),
                    dx.data, 0);
        }
    }

    /** x must be (batch, in) and {@code other} (batch, width): the GEMM on arrays checks only their bounds. */
    private void checkShapes(FMatrixRMaj x, FMatrixRMaj other, String what, int width) {
        if (x.numCols != in || other.numRows != x.numRows || other.numCols != width || other == x) {
            throw new IllegalArgumentException(describe() + ": x is (" + x.numRows + ", " + x.numCols + ") and " + what
                    + " (" + other.numRows + ", " + other.numCols + "), expected (batch, " + in + ") and (batch, "
                    + width + ")");
        }
    }

    @Override
    public String describe() {
        return "Dense(" + in + " -> " + out + ")";
    }
}

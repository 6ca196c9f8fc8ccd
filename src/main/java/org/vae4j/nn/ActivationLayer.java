package org.vae4j.nn;

import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Kernels;

/**
 * An {@link Activation} as a {@link Module} (PyTorch's {@code nn.ReLU}, {@code nn.Sigmoid}, ...):
 * no parameters; {@link Activation#IDENTITY} passes its input and gradient through without a
 * copy. Mutable (buffers), not thread-safe.
 */
public final class ActivationLayer implements Module {

    private final Activation activation;
    private final int width;
    private FMatrixRMaj pre;   // (batch, width): the last forward input, referenced
    private FMatrixRMaj post;  // (batch, width): f(pre)
    private FMatrixRMaj dpre;  // (batch, width)

    /**
     * An activation layer for rows of {@code width} values.
     *
     * @param activation the elementwise function f, not null
     * @param width      the width of an input (and output) row, &gt; 0
     * @throws IllegalArgumentException when {@code activation} is null or {@code width <= 0}
     */
    public ActivationLayer(Activation activation, int width) {
        if (activation == null || width <= 0) {
            throw new IllegalArgumentException("an activation layer needs an activation and a positive width, got "
                    + activation + ", " + width);
        }
        this.activation = activation;
        this.width = width;
    }

    @Override
    public ActivationLayer replicate(TensorMap tensors) {
        return new ActivationLayer(activation, width);
    }

    /** {@return the activation} */
    public Activation activation() {
        return activation;
    }

    @Override
    public int inputSize() {
        return width;
    }

    @Override
    public int outputSize() {
        return width;
    }

    @Override
    public FMatrixRMaj forward(Kernels kernels, FMatrixRMaj x) {
        Module.checkInput(this, x);
        pre = x;
        if (activation == Activation.IDENTITY) {
            post = x;
            return x;
        }
        post = Module.reshape(post, x.numRows, width);
        activation.forward(kernels.elementwise(), x, post);
        return post;
    }

    @Override
    public FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dy, boolean inputGradient) {
        if (pre == null) {
            throw new IllegalStateException(describe() + " backward called before forward");
        }
        Module.checkGradient(this, dy, pre.numRows);
        if (!inputGradient) {
            return null;
        }
        if (activation == Activation.IDENTITY) {
            return dy;
        }
        dpre = Module.reshape(dpre, pre.numRows, width);
        activation.backward(kernels.elementwise(), pre, post, dy, dpre);
        return dpre;
    }

    /**
     * The forward of a {@link Dense} layer's bias and this activation in one pass: {@code x} is the
     * layer's x W<sup>T</sup> (its output buffer), which becomes the pre-activation
     * ({@link Activation#forwardBiased}); returns f(x + b). Not for {@link Activation#IDENTITY}.
     */
    FMatrixRMaj forwardBiased(Kernels kernels, FMatrixRMaj x, Parameter bias) {
        Module.checkInput(this, x);
        if (activation == Activation.IDENTITY) {
            throw new IllegalStateException("the identity is not fused with a bias");
        }
        pre = x;
        post = Module.reshape(post, x.numRows, width);
        activation.forwardBiased(kernels.elementwise(), x, bias.valueArray(), bias.offset(), post);
        return post;
    }

    /**
     * The backward of {@link #forwardBiased}: returns dL/dpre and adds its column sums to the
     * bias's gradient ({@link Activation#backwardBiased}).
     */
    FMatrixRMaj backwardBiased(Kernels kernels, FMatrixRMaj dy, Parameter bias) {
        if (pre == null) {
            throw new IllegalStateException(describe() + " backward called before forward");
        }
        Module.checkGradient(this, dy, pre.numRows);
        bias.requireGradients();
        dpre = Module.reshape(dpre, pre.numRows, width);
        activation.backwardBiased(kernels.elementwise(), pre, post, dy, dpre, bias.gradArray(), bias.offset());
        return dpre;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public String describe() {
        return activation.name().toLowerCase() + "(" + width + ")";
    }
}

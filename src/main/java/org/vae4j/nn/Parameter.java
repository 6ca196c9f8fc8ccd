package org.vae4j.nn;

import org.ejml.data.FMatrixRMaj;

/**
 * A trainable tensor and its gradient, with the name it has in a PyTorch {@code state_dict}
 * (e.g. {@code fc1.weight}). Weights are stored as PyTorch stores them, (out, in); biases as
 * (1, out). Two {@code Parameter}s may name one tensor (see {@link #withPrefix}). Mutable, not
 * thread-safe.
 */
public final class Parameter {

    private final String name;
    private final FMatrixRMaj value; // (rows, cols)
    private final FMatrixRMaj grad;  // (rows, cols), accumulated by backward passes

    public Parameter(String name, int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("parameter " + name + " needs positive shape, got ("
                    + rows + ", " + cols + ")");
        }
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a parameter needs a name");
        }
        this.name = name;
        this.value = new FMatrixRMaj(rows, cols);
        this.grad = new FMatrixRMaj(rows, cols);
    }

    private Parameter(String name, FMatrixRMaj value, FMatrixRMaj grad) {
        this.name = name;
        this.value = value;
        this.grad = grad;
    }

    /**
     * The same tensor (the same value and gradient storage) under the name
     * {@code prefix + "." + name()}; {@code prefix} empty keeps the name. This is how containers
     * name their children's parameters by composition, as PyTorch's {@code named_parameters()}.
     */
    public Parameter withPrefix(String prefix) {
        if (prefix.isEmpty()) {
            return this;
        }
        return new Parameter(prefix + "." + name, value, grad);
    }

    /** Whether {@code other} is this tensor (the same storage), under whatever name. */
    public boolean sameTensor(Parameter other) {
        return other.value == value;
    }

    /** The PyTorch state_dict name, e.g. {@code encoder.0.weight}. */
    public String name() {
        return name;
    }

    /** The values; modified in place by optimisers. */
    public FMatrixRMaj value() {
        return value;
    }

    /** The accumulated gradient of the loss w.r.t. {@link #value()}. */
    public FMatrixRMaj grad() {
        return grad;
    }

    /** Number of scalars. */
    public int size() {
        return value.getNumElements();
    }

    /** Sets the gradient to zero. */
    public void zeroGrad() {
        java.util.Arrays.fill(grad.data, 0, grad.getNumElements(), 0f);
    }

    /** Copies {@code values} (row-major, exactly {@link #size()} of them) into the parameter. */
    public void set(float[] values) {
        if (values.length != size()) {
            throw new IllegalArgumentException("parameter " + name + " has " + size()
                    + " values (" + value.numRows + "x" + value.numCols + "), got " + values.length);
        }
        System.arraycopy(values, 0, value.data, 0, values.length);
    }

    @Override
    public String toString() {
        return name + " (" + value.numRows + ", " + value.numCols + ")";
    }
}

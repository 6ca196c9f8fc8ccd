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

    /** Rows of the tensor (out for a weight, 1 for a bias). */
    public int rows() {
        return value.numRows;
    }

    /** Columns of the tensor (in for a weight, out for a bias). */
    public int cols() {
        return value.numCols;
    }

    /**
     * The array that holds the values: element i (row-major) of this tensor is
     * {@code valueArray()[offset() + i]}. Code that reads or writes the values directly uses this
     * with {@link #offset()}, never an index from 0: the array may be shared with other tensors.
     * Re-read it per call: the storage may move (e.g. when the model's flat store adopts it).
     */
    public float[] valueArray() {
        return value.data;
    }

    /** The array that holds the gradient, indexed as {@link #valueArray()}. */
    public float[] gradArray() {
        return grad.data;
    }

    /** Where this tensor starts in {@link #valueArray()} and {@link #gradArray()}. */
    public int offset() {
        return 0;
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

package org.vae4j.nn;

import org.ejml.data.FMatrixRMaj;

/**
 * A trainable tensor and its gradient, with the name it has in a PyTorch {@code state_dict}
 * (e.g. {@code fc1.weight}). Weights are stored as PyTorch stores them, (out, in); biases as
 * (1, out). Two {@code Parameter}s may name one tensor (see {@link #withPrefix}): a parameter is
 * a name and a handle on the tensor's storage, which all its names share.
 *
 * <p>The storage is reached only through {@link #valueArray()}, {@link #gradArray()} and
 * {@link #offset()}: element i (row-major) of the tensor is {@code valueArray()[offset() + i]}.
 * A new parameter has arrays of its own (offset 0); once a model's {@link ParameterStore} adopts
 * it, they are the store's flat arrays, shared with every other tensor of the model, and the
 * offset is where this tensor starts in them. Mutable, not thread-safe.
 */
public final class Parameter {

    private final String name;
    private final Tensor tensor; // (rows, cols), shared by every name of this tensor

    /**
     * A new (rows, cols) tensor of zeros, values and gradient, on arrays of its own (offset 0).
     *
     * @param name the state_dict name relative to its module, e.g. {@code weight}; not null or empty
     * @param rows number of rows, &gt; 0 (out for a weight, 1 for a bias)
     * @param cols number of columns, &gt; 0 (in for a weight, out for a bias)
     * @throws IllegalArgumentException when a dimension is not positive, rows * cols exceeds
     *                                  {@code Integer.MAX_VALUE - 8}, or the name is null or empty
     */
    public Parameter(String name, int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("parameter " + name + " needs positive shape, got ("
                    + rows + ", " + cols + ")");
        }
        if ((long) rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("parameter " + name + " (" + rows + ", " + cols
                    + ") has more than 2^31 values");
        }
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a parameter needs a name");
        }
        this.name = name;
        this.tensor = new Tensor(rows, cols);
    }

    private Parameter(String name, Tensor tensor) {
        this.name = name;
        this.tensor = tensor;
    }

    /** A parameter named {@code name} on an existing tensor (a {@link TensorMap}'s). */
    static Parameter onTensor(String name, Tensor tensor) {
        return new Parameter(name, tensor);
    }

    /**
     * {@return the same tensor (the same value and gradient storage) under the name
     * {@code prefix + "." + name()}; {@code prefix} empty keeps the name} This is how containers
     * name their children's parameters by composition, as PyTorch's {@code named_parameters()}.
     *
     * @param prefix the container's name for the child, e.g. {@code encoder.0}; not null, may be empty
     */
    public Parameter withPrefix(String prefix) {
        if (prefix.isEmpty()) {
            return this;
        }
        return new Parameter(prefix + "." + name, tensor);
    }

    /**
     * {@return whether {@code other} is this tensor (the same storage), under whatever name}
     *
     * @param other another parameter, not null
     */
    public boolean sameTensor(Parameter other) {
        return other.tensor == tensor;
    }

    /** The storage handle (for {@link ParameterStore}). */
    Tensor tensor() {
        return tensor;
    }

    /** {@return the PyTorch state_dict name, e.g. {@code encoder.0.weight}} */
    public String name() {
        return name;
    }

    /** {@return the rows of the tensor (out for a weight, 1 for a bias)} */
    public int rows() {
        return tensor.rows;
    }

    /** {@return the columns of the tensor (in for a weight, out for a bias)} */
    public int cols() {
        return tensor.cols;
    }

    /**
     * {@return the array that holds the values: element i (row-major) of this tensor is
     * {@code valueArray()[offset() + i]}} Code that reads or writes the values directly uses this
     * with {@link #offset()}, never an index from 0: the array is shared with the other tensors
     * of the model once its {@link ParameterStore} has adopted it. Optimisers modify it in place.
     * Re-read it per call: the storage moves when a store adopts the tensor.
     */
    public float[] valueArray() {
        return tensor.values;
    }

    /**
     * {@return the array that holds the accumulated gradient of the loss with respect to the values,
     * indexed as {@link #valueArray()} (the same offset)} Re-read it per call, as the values' array.
     */
    public float[] gradArray() {
        return tensor.grads;
    }

    /**
     * {@return where this tensor starts in {@link #valueArray()} and {@link #gradArray()} (0 until a
     * store adopts it)}
     */
    public int offset() {
        return tensor.offset;
    }

    /** {@return the number of scalars, rows * cols} */
    public int size() {
        return tensor.size();
    }

    /**
     * Sets the gradient to zero.
     *
     * @throws IllegalStateException for a {@link TensorMap#snapshot snapshot}'s parameter (no gradient storage)
     */
    public void zeroGrad() {
        requireGradients();
        java.util.Arrays.fill(tensor.grads, tensor.offset, tensor.offset + size(), 0f);
    }

    /**
     * Copies {@code values} (row-major, exactly {@link #size()} of them) into the parameter.
     *
     * @param values the new values, row-major, length {@link #size()}; not modified
     * @throws IllegalArgumentException when the length is not {@link #size()}
     */
    public void set(float[] values) {
        System.arraycopy(checkLength(values, "values"), 0, tensor.values, tensor.offset, values.length);
    }

    /**
     * Copies {@code gradient} (row-major, exactly {@link #size()} of them) into the parameter's gradient.
     *
     * @param gradient the new gradient, row-major, length {@link #size()}; not modified
     * @throws IllegalArgumentException when the length is not {@link #size()}
     * @throws IllegalStateException    for a {@link TensorMap#snapshot snapshot}'s parameter (no gradient storage)
     */
    public void setGrad(float[] gradient) {
        requireGradients();
        System.arraycopy(checkLength(gradient, "gradient values"), 0, tensor.grads, tensor.offset, gradient.length);
    }

    /**
     * {@return the value at row-major index {@code i} (for tests and tools; loops use {@link #valueArray()})}
     *
     * @param i the row-major index, 0 &lt;= i &lt; {@link #size()}
     * @throws IndexOutOfBoundsException when {@code i} is out of range
     */
    public float value(int i) {
        return tensor.values[tensor.offset + checkIndex(i)];
    }

    /**
     * {@return the gradient at row-major index {@code i}}
     *
     * @param i the row-major index, 0 &lt;= i &lt; {@link #size()}
     * @throws IndexOutOfBoundsException when {@code i} is out of range
     * @throws IllegalStateException     for a {@link TensorMap#snapshot snapshot}'s parameter (no gradient storage)
     */
    public float grad(int i) {
        requireGradients();
        return tensor.grads[tensor.offset + checkIndex(i)];
    }

    /** {@return a new (rows, cols) matrix holding a copy of the values} */
    public FMatrixRMaj valueCopy() {
        return copy(tensor.values);
    }

    /**
     * {@return a new (rows, cols) matrix holding a copy of the gradient}
     *
     * @throws IllegalStateException for a {@link TensorMap#snapshot snapshot}'s parameter (no gradient storage)
     */
    public FMatrixRMaj gradCopy() {
        requireGradients();
        return copy(tensor.grads);
    }

    /**
     * Throws unless this tensor has gradient storage: a {@link TensorMap#snapshot} has none. One
     * reference comparison, no allocation (backward passes call it once per parameter, never per element).
     */
    void requireGradients() {
        if (tensor.grads == Tensor.NO_GRADIENTS) {
            throw new IllegalStateException("parameter " + this + " is a snapshot without gradients "
                    + "(TensorMap.snapshot: for inference only; train the model itself)");
        }
    }

    private FMatrixRMaj copy(float[] from) {
        FMatrixRMaj m = new FMatrixRMaj(tensor.rows, tensor.cols);
        System.arraycopy(from, tensor.offset, m.data, 0, size());
        return m;
    }

    private float[] checkLength(float[] a, String what) {
        if (a.length != size()) {
            throw new IllegalArgumentException("parameter " + name + " has " + size() + " values ("
                    + tensor.rows + "x" + tensor.cols + "), got " + a.length + " " + what);
        }
        return a;
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("index " + i + " of parameter " + name + " (" + tensor.rows + ", "
                    + tensor.cols + ")");
        }
        return i;
    }

    @Override
    public String toString() {
        return name + " (" + tensor.rows + ", " + tensor.cols + ")";
    }
}

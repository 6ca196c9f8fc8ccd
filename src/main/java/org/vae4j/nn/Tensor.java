package org.vae4j.nn;

/**
 * The storage of one trainable tensor, shared by every {@link Parameter} that names it (a
 * module's own {@code weight} and the model's {@code encoder.0.weight}): the arrays that hold its
 * values and gradient and where in them it starts. A new tensor has arrays of its own at offset
 * 0; a {@link ParameterStore} that adopts it rebinds it to the store's flat arrays, and every
 * name of it follows. Not thread-safe.
 */
final class Tensor {

    /** The gradient array of a {@link TensorMap} snapshot's tensors: none. */
    static final float[] NO_GRADIENTS = new float[0];

    final int rows;
    final int cols;
    float[] values; // [offset, offset + rows * cols): the values, row-major
    float[] grads;  // the gradient, indexed as values
    int offset;
    /** The store whose flat arrays hold this tensor, or null. */
    ParameterStore owner;
    /** This tensor's position in {@link #owner}. */
    int index;

    Tensor(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        this.values = new float[rows * cols];
        this.grads = new float[rows * cols];
    }

    /** A tensor on given arrays at {@code offset}, in no store (a {@link TensorMap} snapshot's). */
    Tensor(int rows, int cols, float[] values, float[] grads, int offset) {
        this.rows = rows;
        this.cols = cols;
        this.values = values;
        this.grads = grads;
        this.offset = offset;
    }

    int size() {
        return rows * cols;
    }

    /** Moves the tensor into {@code store}'s arrays at {@code at}, copying its values and gradient. */
    void rebind(ParameterStore store, int k, float[] newValues, float[] newGrads, int at) {
        System.arraycopy(values, offset, newValues, at, size());
        System.arraycopy(grads, offset, newGrads, at, size());
        values = newValues;
        grads = newGrads;
        offset = at;
        owner = store;
        index = k;
    }
}

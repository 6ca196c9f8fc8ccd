package org.vae4j.io;

import java.util.Arrays;

/**
 * A named float32 tensor to write into a safetensors file: a shape (outermost dimension first) and
 * its elements in row-major order. Immutable: the shape and the data are copied on the way in and
 * out.
 */
public final class FloatTensor {

    private final String name;
    private final long[] shape;
    private final float[] data;

    /**
     * A tensor of the given name, shape and row-major elements (all copied).
     *
     * @param name  the tensor's name in the file, non-empty, not {@code __metadata__}
     * @param shape dimensions, each &gt;= 0 (an empty shape is a scalar)
     * @param data  exactly product(shape) elements, row-major
     * @throws IllegalArgumentException for a bad name, a negative dimension or a data length that
     *                                  is not the shape's element count
     */
    public FloatTensor(String name, long[] shape, float[] data) {
        this(name, shape, data, true);
    }

    private FloatTensor(String name, long[] shape, float[] data, boolean copy) {
        if (name == null || name.isEmpty() || name.equals(SafeTensors.METADATA_KEY)) {
            throw new IllegalArgumentException("tensor name must be non-empty and not "
                    + SafeTensors.METADATA_KEY + ", got " + (name == null ? "null" : "'" + name + "'"));
        }
        if (shape == null || data == null) {
            throw new IllegalArgumentException("tensor " + name + ": shape and data must not be null");
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor " + name + ": negative dimension in shape "
                        + Arrays.toString(shape));
            }
        }
        long numel = SafeTensorsHeader.product(shape);
        if (numel != data.length) {
            throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape) + " has "
                    + numel + " elements, got " + data.length + " values");
        }
        this.name = name;
        this.shape = shape.clone();
        this.data = copy ? data.clone() : data;
    }

    /** Wraps {@code data} without copying it; the caller must not change it until the write is done. */
    static FloatTensor wrap(String name, long[] shape, float[] data) {
        return new FloatTensor(name, shape, data, false);
    }

    /** {@return the name} */
    public String name() {
        return name;
    }

    /** {@return the shape; a copy} */
    public long[] shape() {
        return shape.clone();
    }

    /** {@return the elements, row-major; a copy} */
    public float[] data() {
        return data.clone();
    }

    /** The live array, for the writer. */
    float[] dataView() {
        return data;
    }

    /** {@return number of elements} */
    public int numel() {
        return data.length;
    }

    @Override
    public String toString() {
        return name + " F32 " + Arrays.toString(shape);
    }
}

package org.vae4j.io;

import java.util.Arrays;

/**
 * One tensor's entry in a safetensors header: its name, element type, shape and the byte range
 * {@code [begin, end)} of its data, relative to the start of the data section. Instances made by
 * {@link SafeTensorsFile} have been checked: the shape's element count times the type's size is
 * {@code end - begin}. Immutable (the shape is copied on the way in and out).
 */
public final class TensorInfo {

    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final long numel;
    private final long begin;
    private final long end;

    TensorInfo(String name, DType dtype, long[] shape, long numel, long begin, long end) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.numel = numel;
        this.begin = begin;
        this.end = end;
    }

    /** {@return the name} */
    public String name() {
        return name;
    }

    /** {@return the dtype} */
    public DType dtype() {
        return dtype;
    }

    /** {@return the shape, outermost dimension first (a PyTorch weight is (out, in)); a copy} */
    public long[] shape() {
        return shape.clone();
    }

    /** {@return number of dimensions (0 for a scalar)} */
    public int rank() {
        return shape.length;
    }

    /** {@return number of elements: the product of the shape (1 for a scalar)} */
    public long numel() {
        return numel;
    }

    /** {@return the first byte of the data, relative to the start of the data section} */
    public long begin() {
        return begin;
    }

    /** {@return one past the last byte of the data, relative to the start of the data section} */
    public long end() {
        return end;
    }

    /**
     * {@return whether the shape equals {@code expected}}
     *
     * @param expected the dimensions, outermost first; none for a scalar
     */
    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape) + " bytes [" + begin + ", " + end + ")";
    }
}

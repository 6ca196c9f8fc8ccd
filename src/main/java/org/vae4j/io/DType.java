package org.vae4j.io;

/**
 * The element types of the safetensors format, with their size in bytes. Data is little-endian.
 * Every type is accepted when a file is validated; {@link #isFloatingPoint() floating-point}
 * types can be read as float32 ({@link SafeTensorsFile#readFloats}). Immutable.
 */
public enum DType {
    /** Boolean, one byte per element. */
    BOOL(1),
    /** Unsigned 8-bit integer. */
    U8(1),
    /** Signed 8-bit integer. */
    I8(1),
    /** 8-bit float with 5 exponent and 2 mantissa bits (OCP FP8 E5M2); not read as float32 here. */
    F8_E5M2(1),
    /** 8-bit float with 4 exponent and 3 mantissa bits (OCP FP8 E4M3); not read as float32 here. */
    F8_E4M3(1),
    /** Signed 16-bit integer. */
    I16(2),
    /** Unsigned 16-bit integer. */
    U16(2),
    /** IEEE 754 half precision (binary16). */
    F16(2),
    /** bfloat16: the upper 16 bits of a float32. */
    BF16(2),
    /** Signed 32-bit integer. */
    I32(4),
    /** Unsigned 32-bit integer. */
    U32(4),
    /** IEEE 754 single precision (binary32), the type vae4j writes. */
    F32(4),
    /** Signed 64-bit integer. */
    I64(8),
    /** Unsigned 64-bit integer. */
    U64(8),
    /** IEEE 754 double precision (binary64). */
    F64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** {@return size of one element in bytes} */
    public int bytes() {
        return bytes;
    }

    /** {@return whether {@link SafeTensorsFile#readFloats} converts this type: F32, F64, F16 and BF16} */
    public boolean isFloatingPoint() {
        return this == F32 || this == F64 || this == F16 || this == BF16;
    }

    /**
     * The type spelt as in a safetensors header, e.g. {@code "F32"}.
     *
     * @return the type, or {@code null} for a name that is not a safetensors dtype
     */
    static DType parse(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** All names, for error messages. */
    static String names() {
        StringBuilder s = new StringBuilder();
        for (DType d : values()) {
            s.append(s.length() == 0 ? "" : ", ").append(d.name());
        }
        return s.toString();
    }
}

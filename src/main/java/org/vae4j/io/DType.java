package org.vae4j.io;

/**
 * The element types of the safetensors format, with their size in bytes. Data is little-endian.
 * Every type is accepted when a file is validated; {@link #isFloatingPoint() floating-point}
 * types can be read as float32 ({@link SafeTensorsFile#readFloats}). Immutable.
 */
public enum DType {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1),
    I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4),
    I64(8), U64(8), F64(8);

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

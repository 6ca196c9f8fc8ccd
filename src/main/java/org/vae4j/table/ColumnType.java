package org.vae4j.table;

/**
 * How a table column is modelled: {@code NUMERIC} (one standardised input, a Gaussian
 * likelihood), {@code BINARY} (two labels as 0 and 1, a Bernoulli likelihood) or
 * {@code CATEGORICAL} (a one-hot span of the known labels plus an unseen bucket, a categorical
 * likelihood). Immutable.
 */
public enum ColumnType {
    NUMERIC, BINARY, CATEGORICAL;

    /** {@code numeric}, {@code binary}, {@code categorical}: the spelling of schema files. */
    public String spelling() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** {@return the type of a schema file's spelling} */
    public static ColumnType parse(String s, String where) {
        for (ColumnType t : values()) {
            if (t.spelling().equals(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException(where + ": unknown column type \"" + s
                + "\" (expected numeric, binary or categorical)");
    }
}

package org.vae4j.table;

/**
 * How a table column is modelled: {@code NUMERIC} (one standardised input, a Gaussian
 * likelihood), {@code BINARY} (two labels as 0 and 1, a Bernoulli likelihood) or
 * {@code CATEGORICAL} (a one-hot span of the known labels plus an unseen bucket, a categorical
 * likelihood). Immutable.
 */
public enum ColumnType {
    /** One standardised input, a Gaussian likelihood. */
    NUMERIC,
    /** Two labels as 0 and 1, a Bernoulli likelihood. */
    BINARY,
    /** A one-hot span of the known labels plus an unseen bucket, a categorical likelihood. */
    CATEGORICAL;

    /** {@return {@code numeric}, {@code binary} or {@code categorical}: the spelling of schema files} */
    public String spelling() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * {@return the type of a schema file's spelling}
     *
     * @param s     {@code numeric}, {@code binary} or {@code categorical}, exactly (lower case)
     * @param where the place in the file, for the message, e.g. {@code schema.json: column "age"}
     * @throws IllegalArgumentException for another spelling
     */
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

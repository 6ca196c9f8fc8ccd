package org.vae4j.spark;

import java.util.Arrays;

/**
 * The range checks of the Spark ML params: each throws an {@link IllegalArgumentException} naming
 * the param and the value, or returns the value. Stateless.
 */
final class ParamChecks {

    private ParamChecks() {
    }

    /** {@return {@code v}} when it is at least {@code min}. */
    static int atLeast(String param, int v, int min) {
        if (v < min) {
            throw new IllegalArgumentException(param + " must be >= " + min + ", got " + v);
        }
        return v;
    }

    /** {@return {@code v}} when it is finite and &gt;= 0. */
    static double finiteNonNegative(String param, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(param + " must be finite and >= 0, got " + v);
        }
        return v;
    }

    /** {@return {@code v}} when it is finite and &gt; 0. */
    static double finitePositive(String param, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(param + " must be finite and > 0, got " + v);
        }
        return v;
    }

    /** {@return {@code v}} when it is in [0, 1] (not NaN). */
    static double unitInterval(String param, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(param + " must be in [0, 1], got " + v);
        }
        return v;
    }

    /** {@return {@code widths}} when there is at least one and each is &gt;= 1. */
    static int[] widths(String param, int[] widths) {
        if (widths == null || widths.length == 0 || Arrays.stream(widths).anyMatch(w -> w < 1)) {
            throw new IllegalArgumentException(param + " must be at least one width, each >= 1, got "
                    + (widths == null ? "null" : Arrays.toString(widths)));
        }
        return widths;
    }

    /** {@return {@code name}} when it is not null. */
    static String column(String param, String name) {
        if (name == null) {
            throw new IllegalArgumentException(param + " must be a column name, got null");
        }
        return name;
    }

    /** {@return {@code names}} when the array and each name are not null (empty is allowed). */
    static String[] columns(String param, String[] names) {
        if (names == null || Arrays.asList(names).contains(null)) {
            throw new IllegalArgumentException(param + " must be column names (or none), got "
                    + (names == null ? "null" : Arrays.toString(names)));
        }
        return names;
    }
}

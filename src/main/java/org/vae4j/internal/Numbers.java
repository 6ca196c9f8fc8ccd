package org.vae4j.internal;

import java.util.regex.Pattern;

/**
 * The number grammar of data files, the one NumPy's and pandas' text readers accept:
 * {@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?} in ASCII, plus
 * {@code nan}, {@code inf} and {@code infinity} in any case with an optional sign. Java's own
 * extras — type suffixes ({@code 1.5f}, {@code 2d}), hexadecimal floats ({@code 0x1p3}),
 * non-ASCII digits — are not numbers here. Stateless, thread-safe.
 */
public final class Numbers {

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

    private Numbers() {
    }

    /** Whether {@code s} (already stripped) is a decimal number in the grammar above (no nan/inf). */
    public static boolean isDecimal(String s) {
        return s.length() <= 4096 && DECIMAL.matcher(s).matches();
    }

    /**
     * Parses {@code s} (already stripped) as a float32.
     *
     * @throws NumberFormatException naming the value when it is not in the grammar, or when a
     *                               finite decimal is out of float32's range (e.g. {@code 1e39}),
     *                               which Java would silently turn into infinity
     */
    public static float parseFloat(String s) {
        if (isDecimal(s)) {
            float v = Float.parseFloat(s);
            if (Float.isInfinite(v)) {
                throw new NumberFormatException("'" + abbreviate(s) + "' is out of the float32 range (|x| <= "
                        + Float.MAX_VALUE + ")");
            }
            return v;
        }
        return (float) special(s);
    }

    /**
     * Parses {@code s} (already stripped) as a double.
     *
     * @throws NumberFormatException naming the value when it is not in the grammar, or when a
     *                               finite decimal is out of double's range (e.g. {@code 1e500})
     */
    public static double parseDouble(String s) {
        if (isDecimal(s)) {
            double v = Double.parseDouble(s);
            if (Double.isInfinite(v)) {
                throw new NumberFormatException("'" + abbreviate(s) + "' is out of the double range");
            }
            return v;
        }
        return special(s);
    }

    private static double special(String s) {
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        String body = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
        boolean negative = lower.startsWith("-");
        if (body.equals("nan")) {
            return Double.NaN;
        }
        if (body.equals("inf") || body.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        throw new NumberFormatException("'" + abbreviate(s) + "' is not a number");
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}

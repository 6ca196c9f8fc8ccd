package org.vae4j.table;

import java.util.Locale;

/**
 * The transform of a numeric column before it is standardised with the training rows' mean and
 * standard deviation (docs/DATA.md, "Tables"). {@code LOG} is a signed log of the distance to the
 * training minimum in units of its median, {@code sign(d) log(1 + |d| / s)} with
 * {@code d = x - min}, defined for every real x (a value below the training minimum stays
 * finite); {@code ROBUST} centres on the median and divides by the interquartile range / 1.349
 * (the sd of a normal), so a few huge values do not squash the rest. Immutable.
 */
public enum Transform {
    /** No transform: the value is standardised as it is. */
    NONE,
    /** The signed log {@code sign(x - a) log(1 + |x - a| / b)}, a the training minimum, b the scale. */
    LOG,
    /** No transform of the value; the standardisation uses the median and the IQR / 1.349. */
    ROBUST;

    /** {@return {@code none}, {@code log} or {@code robust}: the spelling of schema files} */
    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@return the transform of a schema file's spelling}
     *
     * @param s     {@code none}, {@code log} or {@code robust}, exactly (lower case)
     * @param where the place in the file, for the message, e.g. {@code schema.json: column "age"}
     * @throws IllegalArgumentException for another spelling
     */
    public static Transform parse(String s, String where) {
        for (Transform t : values()) {
            if (t.spelling().equals(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException(where + ": unknown transform \"" + s + "\" (expected none, log or robust)");
    }

    /**
     * {@return the transformed value before standardisation}
     *
     * @param x the raw value
     * @param a the transform's first parameter (LOG: the training minimum; NONE and ROBUST: unused, fitted as 0)
     * @param b the second (LOG: the scale s &gt; 0, the median of x - min, else its mean, else 1; NONE and ROBUST:
     *          unused, fitted as 1)
     */
    public double apply(double x, double a, double b) {
        return switch (this) {
            case NONE, ROBUST -> x;
            case LOG -> {
                double d = x - a;
                yield Math.signum(d) * Math.log1p(Math.abs(d) / b);
            }
        };
    }

    /**
     * {@return the inverse of {@link #apply} (for generated rows in raw units)}
     *
     * @param y a transformed value
     * @param a the transform's first parameter, as for {@link #apply}
     * @param b the second, as for {@link #apply}
     */
    public double invert(double y, double a, double b) {
        return switch (this) {
            case NONE, ROBUST -> y;
            case LOG -> a + Math.signum(y) * Math.expm1(Math.abs(y)) * b;
        };
    }
}

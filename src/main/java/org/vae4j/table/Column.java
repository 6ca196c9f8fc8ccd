package org.vae4j.table;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.vae4j.internal.Numbers;

/**
 * One modelled column of a table and its fitted preprocessing: how a raw cell becomes the
 * encoder's input and the likelihood's target, and back (docs/DATA.md, "Tables").
 *
 * <ul>
 *   <li>{@code NUMERIC}: one value, {@code (transform(x) - center) / scale}; the transform's
 *       parameters are {@code a} and {@code b} ({@link Transform#apply}); center and scale are the
 *       mean and sd of the transformed training values (median and IQR / 1.349 for ROBUST).</li>
 *   <li>{@code BINARY}: one value, 0 for {@code labels[0]} and 1 for {@code labels[1]}
 *       ({@code numericLabels}: the cells are numbers, compared as numbers, so {@code 1.0} is
 *       {@code 1}).</li>
 *   <li>{@code CATEGORICAL}: a one-hot span of {@code labels.size() + 1}; the last position is the
 *       bucket of a label the training rows did not have.</li>
 * </ul>
 * A missing cell (empty, {@code NaN}, {@code nan} or {@code NA}) is reported as {@link #MISSING};
 * {@link TableEncoder} then writes NaN over its span, which the table likelihood masks out of the
 * loss and replaces by its neutral value at the encoder's input ({@code loss.MissingCells}).
 * Immutable and thread-safe.
 *
 * @param name          the header's name
 * @param type          how it is modelled
 * @param transform     numeric only: the transform (NONE otherwise)
 * @param a             the transform's first parameter
 * @param b             the transform's second parameter
 * @param center        subtracted after the transform
 * @param scale         divided by after centring (&gt; 0)
 * @param labels        binary: the two labels; categorical: the known labels; numeric: empty
 * @param numericLabels binary: the labels are numbers
 */
public record Column(String name, ColumnType type, Transform transform, double a, double b, double center,
                     double scale, List<String> labels, boolean numericLabels) {

    /** The result of {@link #encode} for a cell that was present and known. */
    public static final int OK = 0;
    /** The cell was empty or NaN: masked. */
    public static final int MISSING = 1;
    /** The label was not seen in training: the unseen bucket (categorical) or masked (binary). */
    public static final int UNSEEN = 2;

    /**
     * Checks the scale and the number of labels, and copies the labels.
     *
     * @param name          the header's name
     * @param type          how it is modelled
     * @param transform     numeric only: the transform (NONE otherwise)
     * @param a             the transform's first parameter ({@link Transform#apply})
     * @param b             the transform's second parameter
     * @param center        subtracted after the transform
     * @param scale         divided by after centring, positive and finite
     * @param labels        binary: exactly two labels; categorical: at least one; numeric: empty (copied)
     * @param numericLabels binary: the labels are numbers, compared as numbers
     * @throws IllegalArgumentException for a scale that is not positive and finite, a binary column without two
     *                                  labels or a categorical one without any
     * @throws NullPointerException     for null labels or a null label
     */
    public Column {
        labels = List.copyOf(labels);
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("column \"" + name + "\": scale must be positive and finite, got " + scale);
        }
        if (type == ColumnType.BINARY && labels.size() != 2) {
            throw new IllegalArgumentException("binary column \"" + name + "\" needs two labels, got " + labels);
        }
        if (type == ColumnType.CATEGORICAL && labels.isEmpty()) {
            throw new IllegalArgumentException("categorical column \"" + name + "\" needs at least one label");
        }
    }

    /** {@return the encoded width: 1, or the number of labels + 1 for a categorical column} */
    public int width() {
        return type == ColumnType.CATEGORICAL ? labels.size() + 1 : 1;
    }

    /**
     * {@return whether a cell is missing: empty (after stripping spaces), {@code NaN}, {@code nan} or {@code NA}}
     *
     * @param cell the raw cell, not null
     */
    public static boolean isMissing(String cell) {
        String s = cell.strip();
        return s.isEmpty() || s.equals("NaN") || s.equals("nan") || s.equals("NA");
    }

    /** Parses a finite number, or returns NaN when the cell is not one. */
    static double parseNumber(String cell) {
        String s = cell.strip();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        if (!Numbers.isDecimal(s)) {
            return Double.NaN; // Java's suffixes (1.5f, 2d), hex floats (0x1p3), words: not numbers in a CSV
        }
        double v = Double.parseDouble(s);
        return Double.isFinite(v) ? v : Double.NaN; // 1e500: out of range, not a number
    }

    /**
     * {@return the standardised value of a raw number, (transform(x) - center) / scale, as a float}
     *
     * @param x the raw value, in the column's units
     */
    public float standardise(double x) {
        return (float) ((transform.apply(x, a, b) - center) / scale);
    }

    /**
     * {@return a raw number from a standardised value ({@link #standardise}'s inverse, in double)}
     *
     * @param y the standardised value, e.g. a decoded mean
     */
    public double raw(double y) {
        return transform.invert(y * scale + center, a, b);
    }

    /**
     * Writes one cell into {@code out[offset .. offset + width())}, zeroed first: the standardised
     * number, the binary label's 0 or 1, or the categorical label's one-hot (the last position for a
     * label not seen in training). A missing cell or an unseen binary label leaves the span zero.
     *
     * @param cell   the raw cell
     * @param lookup {@link #lookup()} of this column
     * @param out    the encoded row, written in {@code [offset, offset + width())}
     * @param offset the column's first position in {@code out}
     * @return {@link #OK}, {@link #MISSING} or {@link #UNSEEN}
     * @throws NumberFormatException for a numeric column's cell that is not a number (message: the cell)
     */
    public int encode(String cell, Map<String, Integer> lookup, float[] out, int offset) {
        int w = width();
        for (int i = 0; i < w; i++) {
            out[offset + i] = 0f;
        }
        if (isMissing(cell)) {
            return MISSING;
        }
        switch (type) {
            case NUMERIC -> {
                double v = parseNumber(cell);
                if (Double.isNaN(v)) {
                    throw new NumberFormatException(cell);
                }
                out[offset] = standardise(v);
                return OK;
            }
            case BINARY -> {
                Integer k = lookup.get(key(cell));
                if (k == null) {
                    return UNSEEN;
                }
                out[offset] = k;
                return OK;
            }
            default -> {
                Integer k = lookup.get(cell.strip());
                if (k == null) {
                    out[offset + labels.size()] = 1f;
                    return UNSEEN;
                }
                out[offset + k] = 1f;
                return OK;
            }
        }
    }

    /** The label's key as {@link #lookup()} holds it. */
    String key(String cell) {
        String s = cell.strip();
        if (numericLabels) {
            double v = parseNumber(s);
            return Double.isNaN(v) ? s : Double.toString(v);
        }
        return s;
    }

    /**
     * {@return label to index, for {@link #encode}: a new map, keyed by the label (as a canonical double's text
     * for numeric labels)}
     */
    public Map<String, Integer> lookup() {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            m.put(numericLabels ? Double.toString(parseNumber(labels.get(i))) : labels.get(i), i);
        }
        return m;
    }
}

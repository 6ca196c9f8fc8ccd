package org.vae4j.table;

import java.util.Arrays;

/**
 * The scores of some rows ({@link Scorer}): per row the negative ELBO and the importance-weighted
 * -log p(x) over the observed cells, the term added for missing cells, the score
 * ({@code negLogPx + missingTerm}, higher = more anomalous), and per (row, column) the column's
 * share of the reconstruction term and whether the cell was observed. In nats. Arrays are
 * public for speed and owned by this object. Not thread-safe.
 */
public final class RowScores {

    /** The number of rows scored. */
    public final int rows;
    /** The number of table columns (modelled columns, not encoded positions). */
    public final int columns;
    /** Per row (length {@link #rows}): the k-sample negative ELBO over the observed cells, in nats. */
    public final double[] negElbo;
    /** Per row: the importance-weighted estimate of -log p(x_r) over the observed cells, in nats. */
    public final double[] negLogPx;
    /** Per row: the sum of typical_c over the row's missing columns (0 when uncalibrated), in nats. */
    public final double[] missingTerm;
    /** Per row: {@code negLogPx + missingTerm}, the anomaly score (higher = more anomalous), in nats. */
    public final double[] score;
    /**
     * Per (row, column) at {@code [r * columns + c]}: the column's mean -log p(x_{r,c} | z_s) over the k
     * samples, in nats; 0 for a missing cell.
     */
    public final double[] share;
    /** Per (row, column) at {@code [r * columns + c]}: whether the cell was observed (not missing). */
    public final boolean[] observed;

    RowScores(int rows, int columns) {
        this.rows = rows;
        this.columns = columns;
        negElbo = new double[rows];
        negLogPx = new double[rows];
        missingTerm = new double[rows];
        score = new double[rows];
        share = new double[rows * columns];
        observed = new boolean[rows * columns];
    }

    /**
     * {@return the columns of row r that made it anomalous, most anomalous first: those whose share
     * exceeds its typical value ({@code typical[c]}, observed cells only), by that excess,
     * at most {@code max} of them; ties by column order}
     *
     * @param r       the row, 0 &lt;= r &lt; {@link #rows}
     * @param typical typical_c per column (length {@link #columns}), e.g. {@link Scorer#typical()}
     * @param max     the most columns returned, &gt;= 0
     * @throws IllegalArgumentException for a negative {@code max}, or {@code typical} not of length
     *                                  {@link #columns}
     */
    public int[] topColumns(int r, double[] typical, int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0, got " + max);
        }
        if (typical == null || typical.length != columns) {
            throw new IllegalArgumentException("typical must have one value per column (" + columns + "), got "
                    + (typical == null ? "null" : typical.length + " values"));
        }
        Integer[] idx = new Integer[columns];
        int n = 0;
        for (int c = 0; c < columns; c++) {
            if (observed[r * columns + c] && share[r * columns + c] > typical[c]) {
                idx[n++] = c;
            }
        }
        Integer[] some = Arrays.copyOf(idx, n);
        Arrays.sort(some, (a, b) -> {
            int cmp = Double.compare(share[r * columns + b] - typical[b], share[r * columns + a] - typical[a]);
            return cmp != 0 ? cmp : Integer.compare(a, b);
        });
        int k = Math.min(max, n);
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = some[i];
        }
        return out;
    }

    /**
     * {@return the rows of several results, in order, in a new object}
     *
     * @param parts at least one result, all with the same number of columns
     * @throws IllegalArgumentException for an empty list, or parts with different numbers of columns
     */
    public static RowScores concat(java.util.List<RowScores> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("concat needs at least one part, got none");
        }
        int c = parts.get(0).columns;
        long n = 0;
        for (int i = 0; i < parts.size(); i++) {
            RowScores p = parts.get(i);
            if (p.columns != c) {
                throw new IllegalArgumentException("part " + (i + 1) + " of " + parts.size() + " has " + p.columns
                        + " columns, part 1 has " + c + ": scores of different tables do not concatenate");
            }
            n += p.rows;
        }
        if (n * Math.max(1, c) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the parts hold " + n + " rows of " + c + " columns together: more than"
                    + " one array holds");
        }
        RowScores all = new RowScores((int) n, c);
        int at = 0;
        for (RowScores p : parts) {
            System.arraycopy(p.negElbo, 0, all.negElbo, at, p.rows);
            System.arraycopy(p.negLogPx, 0, all.negLogPx, at, p.rows);
            System.arraycopy(p.missingTerm, 0, all.missingTerm, at, p.rows);
            System.arraycopy(p.score, 0, all.score, at, p.rows);
            System.arraycopy(p.share, 0, all.share, at * c, p.rows * c);
            System.arraycopy(p.observed, 0, all.observed, at * c, p.rows * c);
            at += p.rows;
        }
        return all;
    }
}

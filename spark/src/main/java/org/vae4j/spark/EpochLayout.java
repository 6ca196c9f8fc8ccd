package org.vae4j.spark;

import java.io.Serializable;

/**
 * Where each position of an epoch's row order falls: its step (consecutive positions, the batch
 * size at a time, the last batch shorter) and its micro-batch within the step, as
 * {@link org.vae4j.train.GradientFunction} splits a batch of b rows into n = min(N, b)
 * consecutive micro-batches whose sizes differ by at most one, the earlier ones larger.
 *
 * <p>Immutable and thread-safe.
 */
public final class EpochLayout implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The rows of the epoch, &gt;= 1. */
    private final long rows;
    /** The batch size B: rows per step except the last, &gt;= 1. */
    private final int batchSize;
    /** The micro-batches N per step (fewer in a step of fewer than N rows), &gt;= 1. */
    private final int microBatches;

    /**
     * A layout of {@code rows} positions in steps of {@code batchSize} rows, each split into
     * {@code microBatches} micro-batches.
     *
     * @param rows         the epoch's rows, &gt;= 1
     * @param batchSize    B, the rows per step (the last step may have fewer), &gt;= 1
     * @param microBatches N, the micro-batches per step (min(N, b) for a step of b rows), &gt;= 1
     * @throws IllegalArgumentException when any of the three is &lt; 1
     */
    public EpochLayout(long rows, int batchSize, int microBatches) {
        if (rows < 1 || batchSize < 1 || microBatches < 1) {
            throw new IllegalArgumentException("an epoch layout needs rows, batch size and micro-batches >= 1, got "
                    + rows + ", " + batchSize + ", " + microBatches);
        }
        this.rows = rows;
        this.batchSize = batchSize;
        this.microBatches = microBatches;
    }

    /** {@return the epoch's rows, &gt;= 1} */
    public long rows() {
        return rows;
    }

    /** {@return the batch size B, the rows of every step but possibly the last} */
    public int batchSize() {
        return batchSize;
    }

    /** {@return the micro-batches N of a step of at least N rows} */
    public int microBatches() {
        return microBatches;
    }

    /** {@return the steps of the epoch: ceil(rows / B), &gt;= 1} */
    public long steps() {
        return (rows + batchSize - 1) / batchSize;
    }

    /**
     * {@return the step (0-based within the epoch) of position {@code p}: floor(p / B)}
     *
     * @param p a position in the epoch's row order, in [0, rows); not checked
     */
    public long stepOf(long p) {
        return p / batchSize;
    }

    /**
     * {@return the rows of step {@code s}: min(B, rows - s B), B for every step but the last}
     *
     * @param s a step of the epoch, in [0, {@link #steps()}); not checked
     */
    public int batchRows(long s) {
        return (int) Math.min(batchSize, rows - s * batchSize);
    }

    /**
     * {@return the micro-batches of step {@code s}: min(N, its rows)}
     *
     * @param s a step of the epoch, in [0, {@link #steps()}); not checked
     */
    public int microBatchCount(long s) {
        return Math.min(microBatches, batchRows(s));
    }

    /**
     * {@return the rows of micro-batch {@code i} of step {@code s}: with b the step's rows and
     * n = min(N, b), floor(b / n), plus one for the first b mod n micro-batches}
     *
     * @param s a step of the epoch, in [0, {@link #steps()}); not checked
     * @param i a micro-batch of that step, in
     *          [0, {@link #microBatchCount(long) microBatchCount(s)}); not checked
     */
    public int microBatchRows(long s, int i) {
        int b = batchRows(s);
        int n = Math.min(microBatches, b);
        return b / n + (i < b % n ? 1 : 0);
    }

    /**
     * {@return the micro-batch (0-based within its step) of position {@code p}}
     *
     * @param p a position in the epoch's row order, in [0, rows); not checked
     */
    public int microBatchOf(long p) {
        long s = stepOf(p);
        int r = (int) (p - s * batchSize);
        int b = batchRows(s);
        int n = Math.min(microBatches, b);
        int q = b / n;
        int longer = b % n; // the first `longer` micro-batches have q + 1 rows
        int inLonger = longer * (q + 1);
        return r < inLonger ? r / (q + 1) : longer + (r - inLonger) / q;
    }
}

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

    private final long rows;
    private final int batchSize;
    private final int microBatches;

    /**
     * @param rows         the epoch's rows, &gt;= 1
     * @param batchSize    B &gt;= 1
     * @param microBatches N &gt;= 1
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

    public long rows() {
        return rows;
    }

    public int batchSize() {
        return batchSize;
    }

    public int microBatches() {
        return microBatches;
    }

    /** Steps of the epoch: ceil(rows / B). */
    public long steps() {
        return (rows + batchSize - 1) / batchSize;
    }

    /** The step (0-based within the epoch) of position {@code p}. */
    public long stepOf(long p) {
        return p / batchSize;
    }

    /** The rows of step {@code s}. */
    public int batchRows(long s) {
        return (int) Math.min(batchSize, rows - s * batchSize);
    }

    /** The micro-batches of step {@code s}: min(N, its rows). */
    public int microBatchCount(long s) {
        return Math.min(microBatches, batchRows(s));
    }

    /** The rows of micro-batch {@code i} of step {@code s}. */
    public int microBatchRows(long s, int i) {
        int b = batchRows(s);
        int n = Math.min(microBatches, b);
        return b / n + (i < b % n ? 1 : 0);
    }

    /** The micro-batch (0-based within its step) of position {@code p}. */
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

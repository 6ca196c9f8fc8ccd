package org.vae4j.objective;

import org.ejml.data.FMatrixRMaj;

/**
 * One batch as an {@link Objective} sees it: the encoder's input, the reconstruction target (the
 * same matrix unless denoising), an optional condition, an optional missing-cell mask of the
 * target (1 = observed, 0 = missing; see {@link org.vae4j.loss.MissingCells}), and each row's
 * index in its data set (the key of the row's noise). A holder that the caller refills for every batch, so a training
 * step allocates nothing. Mutable, not thread-safe.
 */
public final class Batch {

    private FMatrixRMaj input;
    private FMatrixRMaj target;
    private FMatrixRMaj condition;
    private FMatrixRMaj mask;
    private int[] rowIds;
    private int rowOffset;

    /** An empty batch, to fill with {@code set} before use. */
    public Batch() {
    }

    /**
     * Sets the batch.
     *
     * @param input     (rows, d) the encoder's input, not modified by objectives
     * @param target    (rows, d) the target; may be {@code input}
     * @param condition (rows, c) a condition, or {@code null}
     * @param rowIds    the data-set index of row r is {@code rowIds[rowOffset + r]}; kept by reference
     * @param rowOffset the index in {@code rowIds} of the batch's first row, &gt;= 0
     * @return this batch
     * @throws IllegalArgumentException as {@link #set(FMatrixRMaj, FMatrixRMaj, FMatrixRMaj, FMatrixRMaj, int[], int)}
     */
    public Batch set(FMatrixRMaj input, FMatrixRMaj target, FMatrixRMaj condition, int[] rowIds, int rowOffset) {
        return set(input, target, condition, null, rowIds, rowOffset);
    }

    /**
     * Sets the batch, with a missing-cell mask.
     *
     * @param input     (rows, d) the encoder's input (missing cells already neutral), not modified by objectives
     * @param target    (rows, d) the target; may be {@code input}
     * @param condition (rows, c) a condition, or {@code null}
     * @param mask      (rows, d) 1 where the target's cell is observed, 0 where it is missing; or
     *                  {@code null} for complete rows
     * @param rowIds    the data-set index of row r is {@code rowIds[rowOffset + r]}; kept by reference
     * @param rowOffset the index in {@code rowIds} of the batch's first row, &gt;= 0
     * @return this batch
     * @throws IllegalArgumentException for a null input or target, a target, condition or mask
     *         whose shape does not match the input's, or row ids that do not cover the batch's rows
     *         from {@code rowOffset}
     */
    public Batch set(FMatrixRMaj input, FMatrixRMaj target, FMatrixRMaj condition, FMatrixRMaj mask, int[] rowIds,
                     int rowOffset) {
        if (input == null || target == null) {
            throw new IllegalArgumentException("a batch needs an input and a target");
        }
        if (input.numRows != target.numRows || input.numCols != target.numCols) {
            throw new IllegalArgumentException("input batch must have the target's shape (" + target.numRows + ", "
                    + target.numCols + "), got (" + input.numRows + ", " + input.numCols + ")");
        }
        if (condition != null && condition.numRows != input.numRows) {
            throw new IllegalArgumentException("condition has " + condition.numRows + " rows, the batch "
                    + input.numRows);
        }
        if (mask != null && (mask.numRows != target.numRows || mask.numCols != target.numCols)) {
            throw new IllegalArgumentException("mask must have the target's shape (" + target.numRows + ", "
                    + target.numCols + "), got (" + mask.numRows + ", " + mask.numCols + ")");
        }
        if (rowIds == null || rowOffset < 0 || rowOffset + input.numRows > rowIds.length) {
            throw new IllegalArgumentException("row ids must cover the batch's " + input.numRows + " rows from offset "
                    + rowOffset);
        }
        this.input = input;
        this.target = target;
        this.condition = condition;
        this.mask = mask;
        this.rowIds = rowIds;
        this.rowOffset = rowOffset;
        return this;
    }

    /**
     * {@return a new batch with {@code x} as input and target, no condition, no mask, and row ids
     * 0, 1, ..., rows - 1}
     *
     * @param x the rows, (rows, d), kept by reference
     */
    public static Batch of(FMatrixRMaj x) {
        int[] ids = new int[x.numRows];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        return new Batch().set(x, x, null, ids, 0);
    }

    /** {@return the input rows the model encodes, (rows, d)} */
    public FMatrixRMaj input() {
        return input;
    }

    /** {@return the rows the likelihood scores, (rows, d); the input itself unless denoising} */
    public FMatrixRMaj target() {
        return target;
    }

    /** {@return the condition, or {@code null}} */
    public FMatrixRMaj condition() {
        return condition;
    }

    /**
     * {@return the target's missing-cell mask (1 = observed, 0 = missing), or {@code null} for complete rows}
     */
    public FMatrixRMaj mask() {
        return mask;
    }

    /** {@return the number of rows of this batch} */
    public int rows() {
        return input.numRows;
    }

    /** {@return the array of row ids (live, not copied); row r's is at {@link #rowOffset()} + r} */
    public int[] rowIds() {
        return rowIds;
    }

    /** {@return the index in {@link #rowIds()} of this batch's first row} */
    public int rowOffset() {
        return rowOffset;
    }

    /**
     * {@return the data-set index of row {@code r} of this batch}
     *
     * @param r the row's index in this batch, in [0, {@link #rows()})
     */
    public int rowId(int r) {
        return rowIds[rowOffset + r];
    }
}

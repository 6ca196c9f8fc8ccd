package org.vae4j.internal;

import java.util.function.BiConsumer;

import org.ejml.data.FMatrixRMaj;

/**
 * Row helpers shared by the models' inference and the evaluators: chunking, row copies, shape
 * checks and array conversions. Not API. Stateless.
 */
public final class Rows {

    /** Rows per chunk when a model runs inference or an evaluator runs a model on a large input. */
    public static final int CHUNK_ROWS = 1000;

    private Rows() {
    }

    /** Copies rows [start, end) of {@code x} into {@code buf} (reshaped to (end - start, x.numCols)) and returns it. */
    public static FMatrixRMaj copyRows(FMatrixRMaj x, int start, int end, FMatrixRMaj buf) {
        buf.reshape(end - start, x.numCols);
        System.arraycopy(x.data, start * x.numCols, buf.data, 0, (end - start) * x.numCols);
        return buf;
    }

    /** Calls {@code fn(chunk, start)} for consecutive chunks of at most {@link #CHUNK_ROWS} rows of x. */
    public static void forEachChunk(FMatrixRMaj x, BiConsumer<FMatrixRMaj, Integer> fn) {
        FMatrixRMaj buf = new FMatrixRMaj(Math.min(CHUNK_ROWS, x.numRows), x.numCols);
        for (int start = 0; start < x.numRows; start += CHUNK_ROWS) {
            int end = Math.min(x.numRows, start + CHUNK_ROWS);
            fn.accept(copyRows(x, start, end, buf), start);
        }
    }

    /** Copies {@code src} into rows starting at {@code row} of {@code dst}. */
    public static void putRows(FMatrixRMaj src, FMatrixRMaj dst, int row) {
        System.arraycopy(src.data, 0, dst.data, row * dst.numCols, src.getNumElements());
    }

    /** Copies row {@code from} of {@code src} into row {@code to} of {@code dst} (same width). */
    public static void copyRow(FMatrixRMaj src, int from, FMatrixRMaj dst, int to) {
        System.arraycopy(src.data, from * src.numCols, dst.data, to * dst.numCols, src.numCols);
    }

    /** Throws unless {@code x} is a non-empty matrix of the given width. */
    public static void checkWidth(FMatrixRMaj x, int width, String what) {
        if (x == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (x.numRows == 0 || x.numCols != width) {
            throw new IllegalArgumentException(what + " must be (n >= 1, " + width + "), got (" + x.numRows + ", "
                    + x.numCols + ")");
        }
    }

    /** Converts rows of equal length to a matrix, checking the lengths. */
    public static FMatrixRMaj fromRows(float[][] rows, String what) {
        if (rows == null || rows.length == 0) {
            throw new IllegalArgumentException(what + " is empty (0 rows)");
        }
        int cols = rows[0].length;
        FMatrixRMaj m = new FMatrixRMaj(rows.length, cols);
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != cols) {
                throw new IllegalArgumentException(what + " row " + r + " has " + rows[r].length
                        + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[r], 0, m.data, r * cols, cols);
        }
        return m;
    }

    /** Converts a matrix to rows. */
    public static float[][] toRows(FMatrixRMaj m) {
        float[][] rows = new float[m.numRows][m.numCols];
        for (int r = 0; r < m.numRows; r++) {
            System.arraycopy(m.data, r * m.numCols, rows[r], 0, m.numCols);
        }
        return rows;
    }

    /** Copies columns [start, start + w) of {@code src} into {@code dst}, reshaped to (src rows, w), and returns it. */
    public static FMatrixRMaj columnsOf(FMatrixRMaj src, int start, int w, FMatrixRMaj dst) {
        dst.reshape(src.numRows, w);
        for (int r = 0; r < src.numRows; r++) {
            System.arraycopy(src.data, r * src.numCols + start, dst.data, r * w, w);
        }
        return dst;
    }

    /** Copies {@code src} (rows, w) into columns [start, start + w) of {@code dst}. */
    public static void putColumns(FMatrixRMaj src, FMatrixRMaj dst, int start) {
        int w = src.numCols;
        for (int r = 0; r < src.numRows; r++) {
            System.arraycopy(src.data, r * w, dst.data, r * dst.numCols + start, w);
        }
    }
}

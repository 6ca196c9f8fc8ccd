package org.vae4j;

import java.util.function.BiConsumer;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.loss.Likelihood;

/** Small matrix helpers shared by the models. Stateless. */
final class Matrices {

    /** Rows per chunk when a model runs inference on a large input. */
    static final int CHUNK_ROWS = 1000;

    private Matrices() {
    }

    /** Copies rows [start, end) of {@code x} into {@code buf} (reshaped) and returns it. */
    static FMatrixRMaj copyRows(FMatrixRMaj x, int start, int end, FMatrixRMaj buf) {
        buf.reshape(end - start, x.numCols);
        System.arraycopy(x.data, start * x.numCols, buf.data, 0, (end - start) * x.numCols);
        return buf;
    }

    /** Calls {@code fn(chunk, start)} for consecutive chunks of at most {@link #CHUNK_ROWS} rows of x. */
    static void forEachChunk(FMatrixRMaj x, BiConsumer<FMatrixRMaj, Integer> fn) {
        FMatrixRMaj buf = new FMatrixRMaj(Math.min(CHUNK_ROWS, x.numRows), x.numCols);
        for (int start = 0; start < x.numRows; start += CHUNK_ROWS) {
            int end = Math.min(x.numRows, start + CHUNK_ROWS);
            fn.accept(copyRows(x, start, end, buf), start);
        }
    }

    /** Copies {@code src} into rows starting at {@code row} of {@code dst}. */
    static void putRows(FMatrixRMaj src, FMatrixRMaj dst, int row) {
        System.arraycopy(src.data, 0, dst.data, row * dst.numCols, src.getNumElements());
    }

    /** Checks a model input: width, at least one row, finite values in the likelihood's support. */
    static void checkInput(FMatrixRMaj x, int width, Likelihood likelihood, String what) {
        if (x == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (x.numCols != width) {
            throw new IllegalArgumentException(what + " has " + x.numCols + " columns but the model's input size is "
                    + width);
        }
        if (x.numRows == 0) {
            throw new IllegalArgumentException(what + " is empty (0 rows)");
        }
        Likelihood.checkFinite(x, what);
        likelihood.validate(x, what);
    }

    /** Converts rows of equal length to a matrix, checking the lengths. */
    static FMatrixRMaj fromRows(float[][] rows, String what) {
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
    static float[][] toRows(FMatrixRMaj m) {
        float[][] rows = new float[m.numRows][m.numCols];
        for (int r = 0; r < m.numRows; r++) {
            System.arraycopy(m.data, r * m.numCols, rows[r], 0, m.numCols);
        }
        return rows;
    }
}

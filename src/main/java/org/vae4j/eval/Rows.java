package org.vae4j.eval;

import org.ejml.data.FMatrixRMaj;

/** Row helpers for chunked evaluation. Stateless. */
final class Rows {

    /** Rows per chunk passed to a model at once. */
    static final int CHUNK = 1000;

    private Rows() {
    }

    /** Copies rows [start, end) of {@code x} into {@code buf} (reshaped to (end - start, x.numCols)) and returns it. */
    static FMatrixRMaj copy(FMatrixRMaj x, int start, int end, FMatrixRMaj buf) {
        buf.reshape(end - start, x.numCols);
        System.arraycopy(x.data, start * x.numCols, buf.data, 0, (end - start) * x.numCols);
        return buf;
    }

    /** Copies row {@code from} of {@code src} into row {@code to} of {@code dst} (same width). */
    static void copyRow(FMatrixRMaj src, int from, FMatrixRMaj dst, int to) {
        System.arraycopy(src.data, from * src.numCols, dst.data, to * dst.numCols, src.numCols);
    }

    /** Throws unless {@code x} is a non-empty matrix of the given width. */
    static void checkWidth(FMatrixRMaj x, int width, String what) {
        if (x == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (x.numRows == 0 || x.numCols != width) {
            throw new IllegalArgumentException(what + " must be (n >= 1, " + width + "), got (" + x.numRows + ", "
                    + x.numCols + ")");
        }
    }
}

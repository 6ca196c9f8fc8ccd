package org.vae4j;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.loss.Likelihood;
import org.vae4j.loss.MissingCells;

/** The models' input check (row helpers are in {@link org.vae4j.internal.Rows}). Stateless. */
final class Matrices {

    private Matrices() {
    }

    /**
     * Checks a model input: width, at least one row, finite values in the likelihood's support
     * (NaN = a missing cell allowed when the likelihood accepts missing cells).
     */
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
        if (likelihood.acceptsMissing() && MissingCells.any(x)) {
            FMatrixRMaj filled = new FMatrixRMaj(x.numRows, x.numCols);
            MissingCells.split(likelihood, x, filled, what);
            Likelihood.checkFinite(filled, what);
            likelihood.validate(filled, what);
            return;
        }
        Likelihood.checkFinite(x, what);
        likelihood.validate(x, what);
    }
}

package org.vae4j;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.loss.Likelihood;

/** The models' input check (row helpers are in {@link org.vae4j.internal.Rows}). Stateless. */
final class Matrices {

    private Matrices() {
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
}

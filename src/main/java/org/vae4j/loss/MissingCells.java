package org.vae4j.loss;

import org.ejml.data.FMatrixRMaj;

/**
 * Missing cells: NaN in a data matrix means "missing" for a likelihood that
 * {@link Likelihood#acceptsMissing() accepts missing cells}. {@link #split} turns such data into
 * the encoder's input (each missing cell given the likelihood's neutral value,
 * {@link Likelihood#fillMissing}) and a mask (1 = observed, 0 = missing) that the likelihood
 * skips, so a missing cell is never imputed into the loss. Stateless; thread-safe.
 */
public final class MissingCells {

    private MissingCells() {
    }

    /**
     * {@return whether {@code x} has a NaN among its elements (infinities do not count)}
     *
     * @param x the matrix to scan, not modified
     */
    public static boolean any(FMatrixRMaj x) {
        final float[] v = x.data;
        for (int i = 0, n = x.getNumElements(); i < n; i++) {
            if (v[i] != v[i]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Copies {@code x} into {@code filled} (reshaped) and, if it has missing cells, fills them
     * with the likelihood's neutral values and returns their mask.
     *
     * @param likelihood the model's likelihood, which decides whether NaN is allowed and fills it
     *                   ({@link Likelihood#fillMissing})
     * @param x      (batch, d) data with NaN for missing cells, not modified
     * @param filled (batch, d) modified: x with each missing cell neutral; may be {@code x} itself
     * @param what   names the data in errors
     * @return (batch, d) the mask, or {@code null} when no cell is missing
     * @throws IllegalArgumentException when a cell is NaN and the likelihood does not accept missing cells
     */
    public static FMatrixRMaj split(Likelihood likelihood, FMatrixRMaj x, FMatrixRMaj filled, String what) {
        if (filled != x) {
            filled.reshape(x.numRows, x.numCols);
            System.arraycopy(x.data, 0, filled.data, 0, x.getNumElements());
        }
        if (!any(x)) {
            return null;
        }
        if (!likelihood.acceptsMissing()) {
            Likelihood.checkFinite(x, what + " (the " + likelihood.describe() + " likelihood takes no missing cells)");
        }
        FMatrixRMaj mask = new FMatrixRMaj(x.numRows, x.numCols);
        likelihood.fillMissing(filled, mask);
        return mask;
    }

    /**
     * The elementwise rule: each NaN of {@code x} becomes {@code neutral} with mask 0; every other
     * cell keeps its value with mask 1.
     *
     * @param x       (batch, d) modified: each NaN replaced by {@code neutral}
     * @param mask    (batch, d) modified: 1 = observed, 0 = missing
     * @param neutral the value a missing cell gets (e.g. 0 for a standardised column)
     * @throws IllegalArgumentException when {@code mask} is not the shape of {@code x}
     */
    public static void fillElementwise(FMatrixRMaj x, FMatrixRMaj mask, float neutral) {
        checkMask(mask, x);
        final float[] v = x.data;
        final float[] m = mask.data;
        for (int i = 0, n = x.getNumElements(); i < n; i++) {
            if (v[i] != v[i]) {
                v[i] = neutral;
                m[i] = 0f;
            } else {
                m[i] = 1f;
            }
        }
    }

    /**
     * Checks that a mask, if given, has the data's shape.
     *
     * @param mask (batch, d) mask, or {@code null} (always accepted)
     * @param x    (batch, d) data
     * @throws IllegalArgumentException when the mask is not null and its shape differs from the data's
     */
    public static void checkMask(FMatrixRMaj mask, FMatrixRMaj x) {
        if (mask != null && (mask.numRows != x.numRows || mask.numCols != x.numCols)) {
            throw new IllegalArgumentException(String.format("the mask is (%d, %d) but the data is (%d, %d)",
                    mask.numRows, mask.numCols, x.numRows, x.numCols));
        }
    }

    /** Whether cell i is observed: no mask, or a nonzero mask value. */
    static boolean observed(FMatrixRMaj mask, int i) {
        return mask == null || mask.data[i] != 0f;
    }
}

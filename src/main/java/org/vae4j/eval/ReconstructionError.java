package org.vae4j.eval;

import java.util.function.UnaryOperator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.Rows;
import org.vae4j.LatentModel;

/**
 * The squared reconstruction error per image, the deterministic autoencoder's usual figure
 * (Hinton &amp; Salakhutdinov 2006): summed over the pixels of an image, averaged over the images.
 * Stateless.
 */
public final class ReconstructionError {

    private ReconstructionError() {
    }

    /**
     * {@return (1/n) sum_i sum_j (r_ij - x_ij)^2, in double}
     *
     * @param reconstruction (n, d) the reconstruction r, not modified
     * @param x              (n, d) the data, not modified
     * @throws IllegalArgumentException for shapes that differ or data with no rows
     */
    public static double squaredErrorPerImage(FMatrixRMaj reconstruction, FMatrixRMaj x) {
        return squaredErrorSum(reconstruction, x) / x.numRows;
    }

    /**
     * {@return the squared error per image of a model reconstructing through the posterior mean,
     * r = E[x | z = encodeMean(x)] ({@link LatentModel#reconstruct}): mu(x) for a VAE, the code
     * for an autoencoder}
     *
     * @param model an unconditional model (its work buffers are used)
     * @param x     (n, inputSize), not modified
     * @throws IllegalArgumentException for null or empty data, data of the wrong width, or a conditional model
     */
    public static double squaredErrorPerImage(LatentModel model, FMatrixRMaj x) {
        return squaredErrorPerImage(model::reconstruct, x);
    }

    /**
     * {@return the squared error per image of any reconstruction function, called on chunks of at most
     * 1000 rows (e.g. {@code pca::reconstruct})}
     *
     * @param reconstruct maps (m, d) rows to their (m, d) reconstruction; the chunk it gets is reused
     * @param x           (n, d), not modified
     * @throws IllegalArgumentException for null or empty data, or a reconstruction of another shape
     */
    public static double squaredErrorPerImage(UnaryOperator<FMatrixRMaj> reconstruct, FMatrixRMaj x) {
        if (x == null || x.numRows == 0) {
            throw new IllegalArgumentException("data is empty (0 rows)");
        }
        FMatrixRMaj chunk = new FMatrixRMaj(Math.min(Rows.CHUNK_ROWS, x.numRows), x.numCols);
        double sum = 0;
        for (int start = 0; start < x.numRows; start += Rows.CHUNK_ROWS) {
            int end = Math.min(x.numRows, start + Rows.CHUNK_ROWS);
            Rows.copyRows(x, start, end, chunk);
            sum += squaredErrorSum(reconstruct.apply(chunk), chunk);
        }
        return sum / x.numRows;
    }

    private static double squaredErrorSum(FMatrixRMaj r, FMatrixRMaj x) {
        if (r.numRows != x.numRows || r.numCols != x.numCols) {
            throw new IllegalArgumentException("reconstruction is (" + r.numRows + ", " + r.numCols
                    + ") but the data is (" + x.numRows + ", " + x.numCols + ")");
        }
        if (x.numRows == 0) {
            throw new IllegalArgumentException("data is empty (0 rows)");
        }
        double sum = 0;
        for (int i = 0; i < x.getNumElements(); i++) {
            double d = (double) r.data[i] - x.data[i];
            sum += d * d;
        }
        return sum;
    }
}

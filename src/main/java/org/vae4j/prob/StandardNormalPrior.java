package org.vae4j.prob;

import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;

/** The prior p(z) = N(0, I) of every model here. Immutable, thread-safe. */
public final class StandardNormalPrior {

    /** The one instance. */
    public static final StandardNormalPrior INSTANCE = new StandardNormalPrior();

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private StandardNormalPrior() {
    }

    /**
     * Fills {@code z} with independent standard normal draws, in row-major order.
     *
     * @param z   the matrix to fill, (batch, latent), overwritten
     * @param rng the source of the draws ({@link RandomGenerator#nextGaussian()}, cast to float)
     */
    public void sample(FMatrixRMaj z, RandomGenerator rng) {
        for (int i = 0; i < z.getNumElements(); i++) {
            z.data[i] = (float) rng.nextGaussian();
        }
    }

    /**
     * log p(z_r) = -1/2 sum_j (log 2 pi + z_rj^2) for each row, in nats.
     *
     * @param z      (batch, latent), not modified
     * @param perRow receives log p(z_r) at perRow[r] for r &lt; batch (overwritten)
     */
    public void logDensityPerRow(FMatrixRMaj z, double[] perRow) {
        for (int r = 0; r < z.numRows; r++) {
            double s = 0;
            for (int j = 0; j < z.numCols; j++) {
                double v = z.data[r * z.numCols + j];
                s += -0.5 * (LOG_2PI + v * v);
            }
            perRow[r] = s;
        }
    }

    /**
     * The gradient of {@code sum_r s_r (-log p(z_r))}: {@code dz_r += s_r z_r}, since
     * d(-log p(z))/dz = z.
     *
     * @param z      (batch, latent), not modified
     * @param scales (batch) s_r, not modified
     * @param dz     (batch, latent), modified
     * @throws IllegalArgumentException if {@code dz} does not have {@code z}'s shape
     */
    public void addNegLogDensityGradient(FMatrixRMaj z, float[] scales, FMatrixRMaj dz) {
        if (dz.numRows != z.numRows || dz.numCols != z.numCols) {
            throw new IllegalArgumentException("dz must be (" + z.numRows + ", " + z.numCols + "), got ("
                    + dz.numRows + ", " + dz.numCols + ")");
        }
        final int cols = z.numCols;
        for (int r = 0; r < z.numRows; r++) {
            float s = scales[r];
            for (int j = 0; j < cols; j++) {
                dz.data[r * cols + j] += s * z.data[r * cols + j];
            }
        }
    }

    @Override
    public String toString() {
        return "N(0, I)";
    }
}

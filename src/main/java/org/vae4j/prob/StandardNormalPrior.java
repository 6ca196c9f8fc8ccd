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

    /** Fills {@code z} with independent standard normal draws. */
    public void sample(FMatrixRMaj z, RandomGenerator rng) {
        for (int i = 0; i < z.getNumElements(); i++) {
            z.data[i] = (float) rng.nextGaussian();
        }
    }

    /** log p(z_r) = -1/2 sum_j (log 2 pi + z_rj^2) for each row. */
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

    @Override
    public String toString() {
        return "N(0, I)";
    }
}

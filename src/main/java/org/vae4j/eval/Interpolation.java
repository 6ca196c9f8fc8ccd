package org.vae4j.eval;

import org.ejml.data.FMatrixRMaj;

/**
 * A path between two latent codes a and b, sampled at t = 0, 1/(steps-1), ..., 1 (both ends
 * included). Computed in double. Immutable and thread-safe.
 */
public enum Interpolation {

    /** The straight line (1 - t) a + t b. */
    LINEAR,

    /**
     * Spherical linear interpolation (Shoemake 1985; for generative models White 2016, "Sampling
     * generative networks"):
     * <pre>
     *   omega = arccos(a.b / (|a| |b|))
     *   p(t)  = sin((1 - t) omega) / sin(omega) a + sin(t omega) / sin(omega) b
     * </pre>
     * It follows the great circle when |a| = |b| and keeps the norm of a path between prior samples
     * typical of N(0, I), where the straight line passes near the origin. Falls back to the line
     * when sin(omega) is below 1e-6 (a and b parallel or opposite, or one of them zero).
     */
    SPHERICAL;

    /** Below this sin(omega) slerp divides by almost zero; use the line. */
    private static final double MIN_SIN = 1e-6;

    /**
     * The paths between corresponding rows of {@code from} and {@code to}.
     *
     * @param from  (n, latent), not modified
     * @param to    (n, latent), not modified
     * @param steps points per path, &gt;= 2
     * @return a new (n * steps, latent) matrix: rows [i * steps, (i + 1) * steps) are the path of
     *         pair i, from {@code from} row i to {@code to} row i exactly
     */
    public FMatrixRMaj path(FMatrixRMaj from, FMatrixRMaj to, int steps) {
        if (steps < 2) {
            throw new IllegalArgumentException("an interpolation needs at least 2 steps (the two ends), got " + steps);
        }
        if (from.numRows != to.numRows || from.numCols != to.numCols || from.numRows == 0) {
            throw new IllegalArgumentException("interpolation ends must have the same non-empty shape, got ("
                    + from.numRows + ", " + from.numCols + ") and (" + to.numRows + ", " + to.numCols + ")");
        }
        final int latent = from.numCols;
        FMatrixRMaj out = new FMatrixRMaj(from.numRows * steps, latent);
        double[] a = new double[latent];
        double[] b = new double[latent];
        for (int i = 0; i < from.numRows; i++) {
            for (int j = 0; j < latent; j++) {
                a[j] = from.data[i * latent + j];
                b[j] = to.data[i * latent + j];
            }
            double omega = this == SPHERICAL ? angle(a, b) : 0;
            double sinOmega = Math.sin(omega);
            boolean line = this == LINEAR || !(sinOmega > MIN_SIN);
            for (int s = 0; s < steps; s++) {
                double t = (double) s / (steps - 1);
                double wa = line ? 1 - t : Math.sin((1 - t) * omega) / sinOmega;
                double wb = line ? t : Math.sin(t * omega) / sinOmega;
                int row = i * steps + s;
                for (int j = 0; j < latent; j++) {
                    out.data[row * latent + j] = (float) (wa * a[j] + wb * b[j]);
                }
            }
            // the ends exactly, whatever the rounding of the weights
            System.arraycopy(from.data, i * latent, out.data, i * steps * latent, latent);
            System.arraycopy(to.data, i * latent, out.data, (i * steps + steps - 1) * latent, latent);
        }
        return out;
    }

    /** The angle between a and b in [0, pi]; 0 when either is zero. */
    static double angle(double[] a, double[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int j = 0; j < a.length; j++) {
            dot += a[j] * b[j];
            na += a[j] * a[j];
            nb += b[j] * b[j];
        }
        if (na == 0 || nb == 0) {
            return 0;
        }
        double cos = dot / Math.sqrt(na * nb);
        return Math.acos(Math.max(-1, Math.min(1, cos)));
    }
}

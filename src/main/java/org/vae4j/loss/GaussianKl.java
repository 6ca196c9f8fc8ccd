package org.vae4j.loss;

import org.ejml.data.FMatrixRMaj;

/**
 * The closed-form KL divergence between the diagonal Gaussian q = N(mu, exp(logvar)) and the
 * standard normal prior (Kingma &amp; Welling 2013, appendix B). Stateless.
 * <pre>
 *   KL        = -1/2 sum(1 + logvar - mu^2 - exp(logvar))     forward
 *   dmu      += scale * mu                                     backward
 *   dlogvar  += scale * (exp(logvar) - 1) / 2                  backward
 * </pre>
 */
public final class GaussianKl {

    private GaussianKl() {
    }

    /**
     * {@return the KL summed over all rows and latent dimensions, accumulated in double, in nats}
     *
     * @param mu     (batch, latent), not modified
     * @param logvar (batch, latent), not modified
     * @throws IllegalArgumentException when {@code mu} and {@code logvar} differ in shape
     */
    public static double forward(FMatrixRMaj mu, FMatrixRMaj logvar) {
        checkShape(mu, logvar);
        final float[] m = mu.data;
        final float[] lv = logvar.data;
        final int n = mu.getNumElements();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += term(m[i], lv[i]);
        }
        return sum;
    }

    /**
     * The KL of each row (one example), summed over latent dimensions, in nats.
     *
     * @param mu     (batch, latent), not modified
     * @param logvar (batch, latent), not modified
     * @param out    modified: {@code out[r]} for r &lt; batch (length &gt;= batch)
     * @throws IllegalArgumentException when {@code mu} and {@code logvar} differ in shape
     */
    public static void forwardPerRow(FMatrixRMaj mu, FMatrixRMaj logvar, double[] out) {
        checkShape(mu, logvar);
        final int cols = mu.numCols;
        for (int r = 0; r < mu.numRows; r++) {
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += term(mu.data[r * cols + j], logvar.data[r * cols + j]);
            }
            out[r] = sum;
        }
    }

    /** -1/2 (1 + logvar - mu^2 - exp(logvar)) of one latent dimension. */
    static double term(float mu, float logvar) {
        return -0.5 * (1.0 + logvar - (double) mu * mu - Math.exp(logvar));
    }

    /**
     * Accumulates {@code scale} times the gradient of the summed KL.
     *
     * @param mu      (batch, latent), not modified
     * @param logvar  (batch, latent), not modified
     * @param scale   the KL's weight in the loss (beta / batch)
     * @param dmu     (batch, latent), modified
     * @param dlogvar (batch, latent), modified
     * @throws IllegalArgumentException when the four matrices differ in shape
     */
    public static void backward(FMatrixRMaj mu, FMatrixRMaj logvar, float scale,
                                FMatrixRMaj dmu, FMatrixRMaj dlogvar) {
        checkShape(mu, logvar);
        checkShape(mu, dmu);
        checkShape(mu, dlogvar);
        final float[] m = mu.data;
        final float[] lv = logvar.data;
        final float[] dm = dmu.data;
        final float[] dl = dlogvar.data;
        final int n = mu.getNumElements();
        final float half = 0.5f * scale;
        for (int i = 0; i < n; i++) {
            dm[i] += scale * m[i];
            dl[i] += half * ((float) Math.exp(lv[i]) - 1f);
        }
    }

    static void checkShape(FMatrixRMaj a, FMatrixRMaj b) {
        if (a.numRows != b.numRows || a.numCols != b.numCols) {
            throw new IllegalArgumentException(String.format("shape mismatch: (%d, %d) vs (%d, %d)",
                    a.numRows, a.numCols, b.numRows, b.numCols));
        }
    }
}

package org.vae4j.loss;

import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;

/**
 * The reparameterisation trick (Kingma &amp; Welling 2013, section 2.4): a draw from
 * q(z|x) = N(mu, diag(exp(logvar))) written as a differentiable function of (mu, logvar) and
 * independent noise eps ~ N(0, I). Stateless.
 * <pre>
 *   z        = mu + exp(logvar / 2) * eps          forward
 *   dmu     += dz                                  backward
 *   dlogvar += dz * eps * exp(logvar / 2) / 2      backward
 * </pre>
 */
public final class GaussianSampler {

    private GaussianSampler() {
    }

    /**
     * Fills {@code eps} with independent standard normal draws, one {@code rng.nextGaussian()}
     * per element in row-major order.
     *
     * @param eps (batch, latent) modified: the noise
     * @param rng the source of the draws (batch * latent calls of {@code nextGaussian()})
     */
    public static void drawNoise(FMatrixRMaj eps, RandomGenerator rng) {
        float[] e = eps.data;
        int n = eps.getNumElements();
        for (int i = 0; i < n; i++) {
            e[i] = (float) rng.nextGaussian();
        }
    }

    /**
     * z = mu + exp(logvar / 2) * eps.
     *
     * @param mu     (batch, latent), not modified
     * @param logvar (batch, latent), not modified
     * @param eps    (batch, latent), not modified
     * @param z      (batch, latent), modified
     * @throws IllegalArgumentException when the four matrices differ in shape
     */
    public static void forward(FMatrixRMaj mu, FMatrixRMaj logvar, FMatrixRMaj eps, FMatrixRMaj z) {
        checkShapes(mu, logvar, eps, z);
        final float[] m = mu.data;
        final float[] lv = logvar.data;
        final float[] e = eps.data;
        final float[] out = z.data;
        final int n = z.getNumElements();
        for (int i = 0; i < n; i++) {
            out[i] = m[i] + (float) Math.exp(0.5f * lv[i]) * e[i];
        }
    }

    /**
     * Accumulates the gradients of the loss w.r.t. mu and logvar given its gradient w.r.t. z.
     *
     * @param dz      (batch, latent), not modified
     * @param logvar  (batch, latent), the forward input, not modified
     * @param eps     (batch, latent), the forward noise, not modified
     * @param dmu     (batch, latent), modified: dmu += dz
     * @param dlogvar (batch, latent), modified: dlogvar += dz * eps * exp(logvar / 2) / 2
     * @throws IllegalArgumentException when the five matrices differ in shape
     */
    public static void backward(FMatrixRMaj dz, FMatrixRMaj logvar, FMatrixRMaj eps,
                                FMatrixRMaj dmu, FMatrixRMaj dlogvar) {
        checkShapes(dz, logvar, eps, dmu);
        checkShapes(dz, logvar, eps, dlogvar);
        final float[] g = dz.data;
        final float[] lv = logvar.data;
        final float[] e = eps.data;
        final float[] dm = dmu.data;
        final float[] dl = dlogvar.data;
        final int n = dz.getNumElements();
        for (int i = 0; i < n; i++) {
            dm[i] += g[i];
            dl[i] += g[i] * e[i] * (float) Math.exp(0.5f * lv[i]) * 0.5f;
        }
    }

    static void checkShapes(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c, FMatrixRMaj d) {
        for (FMatrixRMaj m : new FMatrixRMaj[] {b, c, d}) {
            if (m.numRows != a.numRows || m.numCols != a.numCols) {
                throw new IllegalArgumentException(String.format("shape mismatch: (%d, %d) vs (%d, %d)",
                        a.numRows, a.numCols, m.numRows, m.numCols));
            }
        }
    }
}

package org.vae4j.eval;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.Vae;

/**
 * How a {@link Vae} uses its latent dimensions on some data: active units and the KL of each
 * dimension. Both read only the encoder's q(z|x) = N(mu, exp(logvar)); no sampling. Stateless.
 */
public final class LatentUsage {

    private LatentUsage() {
    }

    /** {@link #activeUnits(Vae, FMatrixRMaj, double)} with the paper's threshold 0.01. */
    public static ActiveUnits activeUnits(Vae vae, FMatrixRMaj x) {
        return activeUnits(vae, x, ActiveUnits.DEFAULT_THRESHOLD);
    }

    /**
     * Active units (Burda et al. 2016): the variance over the data of each posterior mean,
     * <pre>
     *   A_u = (1/n) sum_i (mu_u(x_i) - mean_i mu_u(x_i))^2,   u active when A_u &gt; threshold
     * </pre>
     * (the population variance, as numpy's {@code var}), accumulated in double.
     *
     * @param x (n, inputSize) data, not modified
     */
    public static ActiveUnits activeUnits(Vae vae, FMatrixRMaj x, double threshold) {
        Rows.checkWidth(x, vae.inputSize(), "data");
        FMatrixRMaj mu = vae.encode(x).mu(); // (n, latent)
        final int latent = mu.numCols;
        double[] variances = new double[latent];
        for (int u = 0; u < latent; u++) {
            MeanAccumulator acc = new MeanAccumulator();
            for (int i = 0; i < mu.numRows; i++) {
                acc.add(mu.data[i * latent + u]);
            }
            variances[u] = acc.populationVariance();
        }
        return new ActiveUnits(variances, threshold);
    }

    /**
     * The closed-form KL of each latent dimension, averaged over the data:
     * <pre>
     *   KL_u = (1/n) sum_i -1/2 (1 + logvar_u(x_i) - mu_u(x_i)^2 - exp(logvar_u(x_i)))
     * </pre>
     * The entries sum to the KL part of the negative ELBO per example. Accumulated in double.
     *
     * @param x (n, inputSize) data, not modified
     * @return a new array of length latentSize
     */
    public static double[] klPerDimension(Vae vae, FMatrixRMaj x) {
        Rows.checkWidth(x, vae.inputSize(), "data");
        Vae.Encoding q = vae.encode(x);
        final int latent = vae.latentSize();
        double[] kl = new double[latent];
        for (int i = 0; i < x.numRows; i++) {
            for (int u = 0; u < latent; u++) {
                double m = q.mu().data[i * latent + u];
                double lv = q.logvar().data[i * latent + u];
                kl[u] += -0.5 * (1 + lv - m * m - Math.exp(lv));
            }
        }
        for (int u = 0; u < latent; u++) {
            kl[u] /= x.numRows;
        }
        return kl;
    }
}

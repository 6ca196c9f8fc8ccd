package org.vae4j.eval;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.Rows;
import org.vae4j.LatentModel;
import org.vae4j.prob.Posterior;

/**
 * How a {@link LatentModel} uses its latent dimensions on some data: active units (from the
 * posterior means) and the KL of each dimension (for a posterior whose KL splits by dimension,
 * such as the VAE's q(z|x) = N(mu, exp(logvar))). No sampling. Stateless.
 */
public final class LatentUsage {

    private LatentUsage() {
    }

    /**
     * {@link #activeUnits(LatentModel, FMatrixRMaj, double)} with the paper's threshold 0.01.
     *
     * @param model an unconditional model
     * @param x     (n, inputSize) data, not modified
     * @return A_u of each latent dimension and which exceed 0.01
     * @throws IllegalArgumentException for data of the wrong width or a conditional model
     */
    public static ActiveUnits activeUnits(LatentModel model, FMatrixRMaj x) {
        return activeUnits(model, x, ActiveUnits.DEFAULT_THRESHOLD);
    }

    /**
     * Active units (Burda et al. 2016): the variance over the data of each posterior mean,
     * <pre>
     *   A_u = (1/n) sum_i (mu_u(x_i) - mean_i mu_u(x_i))^2,   u active when A_u &gt; threshold
     * </pre>
     * (the population variance, as numpy's {@code var}), accumulated in double.
     *
     * @param model     an unconditional model
     * @param x         (n, inputSize) data, not modified
     * @param threshold a dimension is active when A_u &gt; threshold; finite, &gt;= 0
     * @return A_u of each latent dimension and which exceed the threshold
     * @throws IllegalArgumentException for data of the wrong width, a negative or non-finite threshold, or a
     *                                  conditional model
     */
    public static ActiveUnits activeUnits(LatentModel model, FMatrixRMaj x, double threshold) {
        return activeUnits(model, x, null, threshold);
    }

    /**
     * As {@link #activeUnits(LatentModel, FMatrixRMaj, double)} with the posterior means of a
     * conditional model given each row's condition, mu(x_i, c_i) ({@code c == null}: none).
     *
     * @param model     the model, conditional or not
     * @param x         (n, inputSize) data, not modified
     * @param c         (n, conditionSize) condition of each row, or {@code null} for an unconditional model
     * @param threshold a dimension is active when A_u &gt; threshold; finite, &gt;= 0
     * @return A_u of each latent dimension and which exceed the threshold
     * @throws IllegalArgumentException for data of the wrong width, a negative or non-finite threshold, or a
     *                                  condition that breaks {@link LatentModel#checkCondition}
     */
    public static ActiveUnits activeUnits(LatentModel model, FMatrixRMaj x, FMatrixRMaj c, double threshold) {
        Rows.checkWidth(x, model.inputSize(), "data");
        FMatrixRMaj mu = c == null ? model.encodeMean(x) : model.encodeMean(x, c); // (n, latent)
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
     * @param model an unconditional model
     * @param x     (n, inputSize) data, not modified
     * @return a new array of length latentSize, KL_u in nats per example
     * @throws UnsupportedOperationException when the posterior's KL does not split by dimension
     * @throws IllegalArgumentException      for data of the wrong width or a conditional model
     */
    public static double[] klPerDimension(LatentModel model, FMatrixRMaj x) {
        return klPerDimension(model, x, null);
    }

    /**
     * As {@link #klPerDimension(LatentModel, FMatrixRMaj)} for a conditional model, the KL of
     * q(z|x_i,c_i) ({@code c == null}: none).
     *
     * @param model the model, conditional or not
     * @param x     (n, inputSize) data, not modified
     * @param c     (n, conditionSize) condition of each row, or {@code null} for an unconditional model
     * @return a new array of length latentSize, KL_u in nats per example
     * @throws UnsupportedOperationException when the posterior's KL does not split by dimension
     * @throws IllegalArgumentException      for data of the wrong width or a condition that breaks
     *                                       {@link LatentModel#checkCondition}
     */
    public static double[] klPerDimension(LatentModel model, FMatrixRMaj x, FMatrixRMaj c) {
        Rows.checkWidth(x, model.inputSize(), "data");
        model.checkCondition(c, x.numRows, "condition");
        final Posterior q = model.posterior();
        double[] kl = new double[model.latentSize()];
        FMatrixRMaj chunk = new FMatrixRMaj(Math.min(Rows.CHUNK_ROWS, x.numRows), x.numCols);
        FMatrixRMaj cChunk = new FMatrixRMaj(1, 1);
        for (int start = 0; start < x.numRows; start += Rows.CHUNK_ROWS) {
            int end = Math.min(x.numRows, start + Rows.CHUNK_ROWS);
            Rows.copyRows(x, start, end, chunk);
            q.forward(model.kernels(), c == null ? model.encoderOutput(chunk)
                    : model.encoderOutput(chunk, Rows.copyRows(c, start, end, cChunk)));
            q.addKlToPriorPerDimension(kl);
        }
        for (int u = 0; u < kl.length; u++) {
            kl[u] /= x.numRows;
        }
        return kl;
    }
}

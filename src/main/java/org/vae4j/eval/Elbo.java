package org.vae4j.eval;

import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.Vae;
import org.vae4j.loss.GaussianKl;
import org.vae4j.loss.GaussianSampler;
import org.vae4j.loss.Likelihood;

/**
 * The test negative ELBO of a {@link Vae} with sampled z, as the PyTorch reference computes it
 * ({@code eval_vae} in bench/pytorch_ref.py): the encoder runs once per example, k draws of z are
 * decoded, and the KL is the closed form. Stateless.
 */
public final class Elbo {

    private Elbo() {
    }

    /**
     * The negative ELBO per example with {@code samples} z draws per example:
     * <pre>
     *   -ELBO(x) = (1/k) sum_s -log p(x | z_s) + KL(q(z|x) || N(0, I)),
     *   z_s = mu(x) + exp(logvar(x) / 2) * eps_s,   eps_s ~ N(0, I)
     * </pre>
     * averaged over the rows of x. With k = 1 and the same generator state this is
     * {@link Vae#evaluate}: the noise is drawn per chunk of at most 1000 rows, row by row, once
     * for each sample. Accumulated in double.
     *
     * @param vae     the model (its work buffers are used)
     * @param x       (n, inputSize) data, not modified
     * @param samples k &gt;= 1
     * @param rng     the source of eps
     * @throws IllegalArgumentException for k &lt; 1 or data of the wrong shape or outside the likelihood's support
     */
    public static ElboEstimate estimate(Vae vae, FMatrixRMaj x, int samples, RandomGenerator rng) {
        if (samples < 1) {
            throw new IllegalArgumentException("number of z samples must be >= 1, got " + samples);
        }
        Rows.checkWidth(x, vae.inputSize(), "evaluation data");
        final Likelihood likelihood = vae.likelihood();
        final int latent = vae.latentSize();
        final int chunkRows = Math.min(Rows.CHUNK, x.numRows);
        FMatrixRMaj chunk = new FMatrixRMaj(chunkRows, x.numCols); // (chunk, d)
        FMatrixRMaj eps = new FMatrixRMaj(chunkRows, latent);      // (chunk, latent)
        FMatrixRMaj z = new FMatrixRMaj(chunkRows, latent);        // (chunk, latent)
        double[] kl = new double[chunkRows];
        double[] nll = new double[chunkRows];
        double[] reconSum = new double[chunkRows];
        MeanAccumulator negElbo = new MeanAccumulator();
        double reconTotal = 0;
        double klTotal = 0;
        for (int start = 0; start < x.numRows; start += Rows.CHUNK) {
            int end = Math.min(x.numRows, start + Rows.CHUNK);
            int n = end - start;
            Rows.copy(x, start, end, chunk);
            Vae.Encoding q = vae.encode(chunk);
            GaussianKl.forwardPerRow(q.mu(), q.logvar(), kl);
            java.util.Arrays.fill(reconSum, 0, n, 0.0);
            eps.reshape(n, latent);
            z.reshape(n, latent);
            for (int s = 0; s < samples; s++) {
                GaussianSampler.drawNoise(eps, rng);
                GaussianSampler.forward(q.mu(), q.logvar(), eps, z);
                likelihood.negLogLikelihoodPerRow(vae.decoderOutput(z), chunk, nll);
                for (int r = 0; r < n; r++) {
                    reconSum[r] += nll[r];
                }
            }
            for (int r = 0; r < n; r++) {
                double recon = reconSum[r] / samples;
                negElbo.add(recon + kl[r]);
                reconTotal += recon;
                klTotal += kl[r];
            }
        }
        int n = x.numRows;
        double recon = reconTotal / n;
        double klMean = klTotal / n;
        return new ElboEstimate(recon + klMean, recon, klMean, negElbo.standardError(), samples, n);
    }
}

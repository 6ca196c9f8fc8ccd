package org.vae4j.eval;

import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.Rows;
import org.vae4j.LatentModel;
import org.vae4j.kernel.Kernels;
import org.vae4j.loss.GaussianSampler;
import org.vae4j.loss.Likelihood;
import org.vae4j.loss.MissingCells;
import org.vae4j.prob.Posterior;

/**
 * The test negative ELBO of a {@link LatentModel} with sampled z, as the PyTorch reference
 * computes it for a VAE ({@code eval_vae} in bench/pytorch_ref.py): the encoder runs once per
 * example, k draws of z are decoded, and the KL is the posterior's closed form. For a
 * deterministic posterior (an autoencoder's point mass) z is the code, the KL 0 and the result
 * the reconstruction's negative log-likelihood. Stateless.
 */
public final class Elbo {

    private Elbo() {
    }

    /**
     * {@return the negative ELBO per example with {@code samples} z draws per example:
     * <pre>
     *   -ELBO(x) = (1/k) sum_s -log p(x | z_s) + KL(q(z|x) || N(0, I)),   z_s = posterior sample with eps_s ~ N(0, I)
     * </pre>
     * (for the VAE's Gaussian, z_s = mu(x) + exp(logvar(x) / 2) * eps_s), averaged over the rows
     * of x} With k = 1 and the same generator state this is
     * {@link LatentModel#negativeElbo(FMatrixRMaj, RandomGenerator)}: the noise is drawn per chunk of
     * at most 1000 rows, row by row, once for each sample. Accumulated in double.
     *
     * @param model   the model (its work buffers are used)
     * @param x       (n, inputSize) data, not modified
     * @param samples k &gt;= 1
     * @param rng     the source of eps
     * @throws IllegalArgumentException for k &lt; 1, data of the wrong shape or outside the likelihood's support,
     *                                  or a conditional model (use the method that takes c)
     */
    public static ElboEstimate estimate(LatentModel model, FMatrixRMaj x, int samples, RandomGenerator rng) {
        return estimate(model, x, null, samples, rng);
    }

    /**
     * As {@link #estimate(LatentModel, FMatrixRMaj, int, RandomGenerator)} for a conditional model
     * ({@link LatentModel#conditionSize()} &gt; 0), given the condition of each row (e.g. the true
     * one-hot labels): the negative ELBO of log p(x|c),
     * <pre>
     *   -ELBO(x|c) = (1/k) sum_s -log p(x | z_s, c) + KL(q(z|x,c) || N(0, I))
     * </pre>
     * With {@code c == null} (an unconditional model) it is the estimate above.
     *
     * @param model   the model (its work buffers are used)
     * @param x       (n, inputSize) data, not modified
     * @param c       (n, conditionSize) condition of each row, or {@code null} for an unconditional model; not modified
     * @param samples k &gt;= 1 z draws per example
     * @param rng     the source of eps
     * @return the negative ELBO of log p(x|c), its reconstruction and KL parts and their standard error, in nats per example
     * @throws IllegalArgumentException for k &lt; 1, data of the wrong shape or outside the likelihood's support, a
     *                                  condition for an unconditional model, one of the wrong shape or not finite,
     *                                  or none for a conditional model
     */
    public static ElboEstimate estimate(LatentModel model, FMatrixRMaj x, FMatrixRMaj c, int samples,
                                        RandomGenerator rng) {
        if (samples < 1) {
            throw new IllegalArgumentException("number of z samples must be >= 1, got " + samples);
        }
        Rows.checkWidth(x, model.inputSize(), "evaluation data");
        model.checkCondition(c, x.numRows, "evaluation condition");
        final Likelihood likelihood = model.likelihood();
        final Posterior q = model.posterior();
        final Kernels kernels = model.kernels();
        final int noise = q.noiseWidth();
        final int chunkRows = Math.min(Rows.CHUNK_ROWS, x.numRows);
        FMatrixRMaj chunk = new FMatrixRMaj(chunkRows, x.numCols);        // (chunk, d)
        FMatrixRMaj cChunk = c == null ? null : new FMatrixRMaj(chunkRows, c.numCols); // (chunk, conditionSize)
        FMatrixRMaj eps = new FMatrixRMaj(chunkRows, Math.max(1, noise)); // (chunk, noiseWidth)
        double[] kl = new double[chunkRows];
        double[] nll = new double[chunkRows];
        double[] reconSum = new double[chunkRows];
        MeanAccumulator negElbo = new MeanAccumulator();
        double reconTotal = 0;
        double klTotal = 0;
        for (int start = 0; start < x.numRows; start += Rows.CHUNK_ROWS) {
            int end = Math.min(x.numRows, start + Rows.CHUNK_ROWS);
            int n = end - start;
            Rows.copyRows(x, start, end, chunk);
            if (c != null) {
                Rows.copyRows(c, start, end, cChunk);
            }
            FMatrixRMaj h = c == null ? model.encoderOutput(chunk) : model.encoderOutput(chunk, cChunk); // validates
            FMatrixRMaj mask = MissingCells.split(likelihood, chunk, chunk, "evaluation data"); // NaN: missing
            q.forward(kernels, h);
            q.klToPriorPerRow(kl);
            java.util.Arrays.fill(reconSum, 0, n, 0.0);
            if (noise > 0) {
                eps.reshape(n, noise);
            }
            for (int s = 0; s < samples; s++) {
                if (noise > 0) {
                    GaussianSampler.drawNoise(eps, rng);
                }
                FMatrixRMaj z = q.sample(noise > 0 ? eps : null);
                likelihood.negLogLikelihoodPerRow(c == null ? model.decoderOutput(z) : model.decoderOutput(z, cChunk),
                        chunk, mask, nll);
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

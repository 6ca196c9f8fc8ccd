package org.vae4j.eval;

import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.Vae;
import org.vae4j.loss.GaussianSampler;
import org.vae4j.loss.Likelihood;

/**
 * The importance-weighted estimate of log p(x) (Burda, Grosse &amp; Salakhutdinov 2016) with the
 * encoder as proposal, as the PyTorch reference computes it ({@code iwae_loglik} in
 * bench/pytorch_ref.py). Stateless.
 */
public final class ImportanceWeighted {

    private ImportanceWeighted() {
    }

    /**
     * Estimates log p(x) for every row of x with k importance samples, and returns the mean and
     * its standard error over the rows:
     * <pre>
     *   log w_s     = log p(x | z_s) + log p(z_s) - log q(z_s | x),  z_s = mu + exp(logvar / 2) * eps_s
     *   log p(z)    = -1/2 sum_j (z_j^2 + log 2 pi)
     *   log q(z|x)  = -1/2 sum_j (eps_j^2 + log 2 pi + logvar_j)
     *   log p(x)   ~= logmeanexp_s log w_s = m + log(sum_s exp(log w_s - m)) - log k,  m = max_s log w_s
     * </pre>
     * log p(x|z) is {@code -likelihood.negLogLikelihoodPerRow}, a normalised log density for the
     * Bernoulli likelihood and for {@code GaussianLikelihood.withVariance}. Everything after the
     * decoder is computed in double. The (example, sample) pairs are decoded in chunks of at most
     * 1000 rows, and only the k log weights of the current example are kept, so memory is bounded
     * for any k (k = 5000 is fine). eps is drawn example by example, sample by sample; with k = 1
     * the draws are those of {@link Elbo#estimate} with one sample.
     *
     * @param vae     the model (its work buffers are used)
     * @param x       (n, inputSize) data, not modified
     * @param samples k &gt;= 1 importance samples per example
     * @param rng     the source of eps
     * @throws IllegalArgumentException for k &lt; 1 or data of the wrong shape or outside the likelihood's support
     */
    public static LogLikelihoodEstimate logLikelihood(Vae vae, FMatrixRMaj x, int samples, RandomGenerator rng) {
        if (samples < 1) {
            throw new IllegalArgumentException("number of importance samples must be >= 1, got " + samples);
        }
        Rows.checkWidth(x, vae.inputSize(), "evaluation data");
        final Likelihood likelihood = vae.likelihood();
        final int latent = vae.latentSize();
        final Vae.Encoding q = vae.encode(x); // (n, latent) each; validates x
        final long pairs = (long) x.numRows * samples;
        final int chunkRows = (int) Math.min(Rows.CHUNK, pairs);
        FMatrixRMaj mu = new FMatrixRMaj(chunkRows, latent);       // (chunk, latent) mu of each pair's example
        FMatrixRMaj logvar = new FMatrixRMaj(chunkRows, latent);   // (chunk, latent)
        FMatrixRMaj eps = new FMatrixRMaj(chunkRows, latent);      // (chunk, latent)
        FMatrixRMaj z = new FMatrixRMaj(chunkRows, latent);        // (chunk, latent)
        FMatrixRMaj target = new FMatrixRMaj(chunkRows, x.numCols); // (chunk, d) each pair's example
        double[] nll = new double[chunkRows];
        double[] logWeights = new double[samples]; // of the current example
        MeanAccumulator logPx = new MeanAccumulator();
        double elboSum = 0;
        for (long first = 0; first < pairs; first += Rows.CHUNK) {
            int rows = (int) Math.min(Rows.CHUNK, pairs - first);
            mu.reshape(rows, latent);
            logvar.reshape(rows, latent);
            eps.reshape(rows, latent);
            z.reshape(rows, latent);
            target.reshape(rows, x.numCols);
            for (int r = 0; r < rows; r++) {
                int example = (int) ((first + r) / samples);
                Rows.copyRow(q.mu(), example, mu, r);
                Rows.copyRow(q.logvar(), example, logvar, r);
                Rows.copyRow(x, example, target, r);
            }
            GaussianSampler.drawNoise(eps, rng);
            GaussianSampler.forward(mu, logvar, eps, z);
            likelihood.negLogLikelihoodPerRow(vae.decoderOutput(z), target, nll);
            for (int r = 0; r < rows; r++) {
                int s = (int) ((first + r) % samples);
                logWeights[s] = -nll[r] + logPriorMinusLogPosterior(z, eps, logvar, r);
                if (s == samples - 1) {
                    logPx.add(logMeanExp(logWeights));
                    elboSum += mean(logWeights);
                }
            }
        }
        int n = x.numRows;
        return new LogLikelihoodEstimate(logPx.mean(), logPx.standardError(), elboSum / n, samples, n);
    }

    /**
     * log p(z) - log q(z|x) of row r, in double: the log 2 pi terms cancel, leaving
     * -1/2 sum_j (z_j^2 - eps_j^2 - logvar_j).
     */
    static double logPriorMinusLogPosterior(FMatrixRMaj z, FMatrixRMaj eps, FMatrixRMaj logvar, int r) {
        final int latent = z.numCols;
        double sum = 0;
        for (int j = r * latent; j < (r + 1) * latent; j++) {
            double zj = z.data[j];
            double ej = eps.data[j];
            sum += zj * zj - ej * ej - logvar.data[j];
        }
        return -0.5 * sum;
    }

    /**
     * log((1/k) sum_s exp(a_s)) computed stably with the maximum subtracted; -infinity when every
     * a_s is -infinity, NaN when any is NaN.
     */
    static double logMeanExp(double[] a) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : a) {
            if (Double.isNaN(v)) {
                return Double.NaN;
            }
            max = Math.max(max, v);
        }
        if (max == Double.NEGATIVE_INFINITY || max == Double.POSITIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (double v : a) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum) - Math.log(a.length);
    }

    private static double mean(double[] a) {
        double sum = 0;
        for (double v : a) {
            sum += v;
        }
        return sum / a.length;
    }
}

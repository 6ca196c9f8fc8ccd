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
import org.vae4j.prob.StandardNormalPrior;

/**
 * The importance-weighted estimate of log p(x) (Burda, Grosse &amp; Salakhutdinov 2016) with the
 * encoder's q(z|x) as proposal, as the PyTorch reference computes it ({@code iwae_loglik} in
 * bench/pytorch_ref.py), for any {@link LatentModel} whose posterior has a density
 * ({@link LatentModel#hasStochasticPosterior()}: a VAE's, not an autoencoder's point mass).
 * Stateless.
 */
public final class ImportanceWeighted {

    private ImportanceWeighted() {
    }

    /**
     * Estimates log p(x) for every row of x with k importance samples, and returns the mean and
     * its standard error over the rows:
     * <pre>
     *   log w_s     = log p(x | z_s) + log p(z_s) - log q(z_s | x),  z_s = posterior sample with eps_s ~ N(0, I)
     *   log p(z)    = -1/2 sum_j (z_j^2 + log 2 pi)                  the prior N(0, I)
     *   log q(z|x)  = posterior().logDensityPerRow (for the VAE's Gaussian -1/2 sum_j (log 2 pi + logvar_j + (z_j - mu_j)^2 / exp(logvar_j)))
     *   log p(x)   ~= logmeanexp_s log w_s = m + log(sum_s exp(log w_s - m)) - log k,  m = max_s log w_s
     * </pre>
     * log p(x|z) is {@code -likelihood.negLogLikelihoodPerRow}, a normalised log density for the
     * Bernoulli likelihood and for {@code GaussianLikelihood.withVariance}. Everything after the
     * decoder is computed in double. The encoder runs once per example; the (example, sample)
     * pairs go through the posterior and the decoder in chunks of at most 1000 rows, and only the
     * k log weights of the current example are kept, so memory is bounded for any k (k = 5000 is
     * fine). eps is drawn example by example, sample by sample; with k = 1 the draws are those of
     * {@link Elbo#estimate} with one sample.
     *
     * @param model   the model (its work buffers are used); its posterior must have a density
     * @param x       (n, inputSize) data, not modified
     * @param samples k &gt;= 1 importance samples per example
     * @param rng     the source of eps
     * @return the mean estimate of log p(x) over the rows, its standard error and the matching Monte Carlo ELBO, in
     *         nats per example
     * @throws IllegalArgumentException for a posterior without a density, k &lt; 1, data of the wrong shape
     *                                  or outside the likelihood's support, or a conditional model (use the method
     *                                  that takes c)
     */
    public static LogLikelihoodEstimate logLikelihood(LatentModel model, FMatrixRMaj x, int samples,
                                                      RandomGenerator rng) {
        return logLikelihood(model, x, null, samples, rng);
    }

    /**
     * As {@link #logLikelihood(LatentModel, FMatrixRMaj, int, RandomGenerator)} for a conditional
     * model given the condition of each row: the estimate of log p(x|c),
     * <pre>
     *   log w_s = log p(x | z_s, c) + log p(z_s) - log q(z_s | x, c),   z_s ~ q(z|x,c)
     * </pre>
     * (the prior does not depend on c). With {@code c == null} it is the estimate above.
     *
     * @param model   the model (its work buffers are used); its posterior must have a density
     * @param x       (n, inputSize) data, not modified
     * @param c       (n, conditionSize) condition of each row, or {@code null} for an unconditional model; not modified
     * @param samples k &gt;= 1 importance samples per example
     * @param rng     the source of eps
     * @return the mean estimate of log p(x|c) over the rows, its standard error and the matching Monte Carlo ELBO,
     *         in nats per example
     * @throws IllegalArgumentException for a posterior without a density, k &lt; 1, data of the wrong shape or
     *                                  outside the likelihood's support, a condition for an unconditional
     *                                  model, one of the wrong shape or not finite, or none for a conditional model
     */
    public static LogLikelihoodEstimate logLikelihood(LatentModel model, FMatrixRMaj x, FMatrixRMaj c, int samples,
                                                      RandomGenerator rng) {
        if (!model.hasStochasticPosterior()) {
            throw new IllegalArgumentException("the importance-weighted log p(x) needs a posterior with a density "
                    + "(a VAE's); the " + model.kind() + " model's posterior is " + model.posterior().describe()
                    + ", a point mass");
        }
        if (samples < 1) {
            throw new IllegalArgumentException("number of importance samples must be >= 1, got " + samples);
        }
        Rows.checkWidth(x, model.inputSize(), "evaluation data");
        model.checkCondition(c, x.numRows, "evaluation condition");
        final Likelihood likelihood = model.likelihood();
        final Posterior q = model.posterior();
        final Kernels kernels = model.kernels();
        final int noise = q.noiseWidth();
        final FMatrixRMaj h = c == null ? model.encoderOutput(x) : model.encoderOutput(x, c); // (n, posterior input)
        FMatrixRMaj data = x;     // (n, d) missing cells filled
        FMatrixRMaj dataMask = null; // (n, d) or null: missing cells are left out of -log p(x|z)
        if (likelihood.acceptsMissing() && MissingCells.any(x)) {
            data = new FMatrixRMaj(x.numRows, x.numCols);
            dataMask = MissingCells.split(likelihood, x, data, "evaluation data");
        }
        FMatrixRMaj targetMask = dataMask == null ? null : new FMatrixRMaj(1, x.numCols); // (chunk, d)
        final int width = h.numCols;
        final long pairs = (long) x.numRows * samples;
        final int chunkRows = (int) Math.min(Rows.CHUNK_ROWS, pairs);
        FMatrixRMaj hs = new FMatrixRMaj(chunkRows, width);         // (chunk, width) h of each pair's example
        FMatrixRMaj eps = new FMatrixRMaj(chunkRows, noise);        // (chunk, noiseWidth)
        FMatrixRMaj target = new FMatrixRMaj(chunkRows, x.numCols); // (chunk, d) each pair's example
        FMatrixRMaj cs = c == null ? null : new FMatrixRMaj(chunkRows, c.numCols); // (chunk, c) each pair's condition
        double[] nll = new double[chunkRows];
        double[] logPrior = new double[chunkRows];
        double[] logPosterior = new double[chunkRows];
        double[] logWeights = new double[samples]; // of the current example
        MeanAccumulator logPx = new MeanAccumulator();
        double elboSum = 0;
        for (long first = 0; first < pairs; first += Rows.CHUNK_ROWS) {
            int rows = (int) Math.min(Rows.CHUNK_ROWS, pairs - first);
            hs.reshape(rows, width);
            eps.reshape(rows, noise);
            target.reshape(rows, x.numCols);
            if (targetMask != null) {
                targetMask.reshape(rows, x.numCols);
            }
            for (int r = 0; r < rows; r++) {
                int example = (int) ((first + r) / samples);
                Rows.copyRow(h, example, hs, r);
                Rows.copyRow(data, example, target, r);
                if (targetMask != null) {
                    Rows.copyRow(dataMask, example, targetMask, r);
                }
            }
            if (c != null) {
                cs.reshape(rows, c.numCols);
                for (int r = 0; r < rows; r++) {
                    Rows.copyRow(c, (int) ((first + r) / samples), cs, r);
                }
            }
            q.forward(kernels, hs);
            GaussianSampler.drawNoise(eps, rng);
            FMatrixRMaj z = q.sample(eps);
            q.logDensityPerRow(z, logPosterior);
            StandardNormalPrior.INSTANCE.logDensityPerRow(z, logPrior);
            likelihood.negLogLikelihoodPerRow(c == null ? model.decoderOutput(z) : model.decoderOutput(z, cs), target,
                    targetMask, nll);
            for (int r = 0; r < rows; r++) {
                int s = (int) ((first + r) % samples);
                logWeights[s] = -nll[r] + logPrior[r] - logPosterior[r];
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

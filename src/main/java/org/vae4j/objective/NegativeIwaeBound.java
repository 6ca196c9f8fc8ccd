package org.vae4j.objective;

import java.util.Arrays;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.kernel.Kernels;
import org.vae4j.prob.Posterior;
import org.vae4j.prob.StandardNormalPrior;

/**
 * The negative importance-weighted bound of the IWAE (Burda, Grosse &amp; Salakhutdinov 2016,
 * eq. 8) with K reparameterised samples per row:
 * <pre>
 *   log w_is = log p(target_i | z_is) + log p(z_is) - log q(z_is | x_i),   z_is = posterior(h_i).sample(eps_is)
 *   loss     = -sum_i logmeanexp_s log w_is / B                             {@link #logMeanExp}
 *   dloss    = sum_i sum_s  wt_is / B * d(-log w_is),  wt_is = w_is / sum_s' w_is'   (the normalised weights)
 * </pre>
 * Each sample's gradient is weighted by its normalised importance weight; the density terms are
 * differentiated along every path ({@link Posterior#backwardWithLogDensity},
 * {@link StandardNormalPrior#addNegLogDensityGradient}; docs/MATH.md, section 27). With K = 1 the
 * loss is the one-sample negative ELBO with the KL estimated at the sample, log q(z|x) - log p(z),
 * instead of {@link NegativeElbo}'s closed form.
 *
 * <p>The encoder runs once on the B rows; its output is repeated K times (row {@code i * K + s} for
 * sample s of row i) and the posterior heads, the sampler and the decoder run once over the
 * K B rows, so the GEMMs stay large. A conditional model's encoder gets the batch's condition c
 * (B rows), its decoder c with each row repeated K times, so every density is given c and the
 * bound is on log p(x|c). A likelihood with its own parameters (a learned variance) gets sample
 * (i, s)'s gradient weighted by wt_is / B too
 * ({@link org.vae4j.loss.Likelihood#weightedNegLogLikelihood}). eps of row i, sample s comes from
 * the step's noise keyed by (row id of i, s) ({@link StepContext#fillSampleNoise}), so the loss
 * of a row does not depend on its batch, position or micro-batch. The returned {@link Loss} has the bound as its total and,
 * as its parts, the sample means of -log p(x|z) and of log q(z|x) - log p(z) (their sum is the
 * K-sample negative ELBO of the same draws, never below the total). The bound has no KL weight:
 * the step's beta must be 1. Mutable (work buffers, allocated once for the largest batch),
 * not thread-safe.
 */
public final class NegativeIwaeBound implements Objective {

    private final int samples;
    private final FMatrixRMaj hs = new FMatrixRMaj(1, 1);      // (K B, posterior input) h of each sample's row
    private final FMatrixRMaj eps = new FMatrixRMaj(1, 1);     // (K B, noiseWidth)
    private final FMatrixRMaj targets = new FMatrixRMaj(1, 1); // (K B, d) each sample's target row
    private final FMatrixRMaj masks = new FMatrixRMaj(1, 1);   // (K B, d) each sample's missing-cell mask row
    private final FMatrixRMaj conditions = new FMatrixRMaj(1, 1); // (K B, c) each sample's condition row
    private final FMatrixRMaj dout = new FMatrixRMaj(1, 1);    // (K B, decoder output width)
    private final FMatrixRMaj dz = new FMatrixRMaj(1, 1);      // (K B, latent)
    private final FMatrixRMaj dh = new FMatrixRMaj(1, 1);      // (B, posterior input) summed over the samples
    private double[] nll = new double[0];                      // (K B)
    private double[] logPrior = new double[0];                 // (K B)
    private double[] logPosterior = new double[0];             // (K B)
    private double[] logWeights = new double[0];               // (K B)
    private double[] weights = new double[0];                  // (K B) normalised per row
    private float[] scales = new float[0];                     // (K B) wt_is / B

    /**
     * The bound with K importance samples per row.
     *
     * @param samples K &gt;= 1 importance samples per row
     * @throws IllegalArgumentException if {@code samples < 1}
     */
    public NegativeIwaeBound(int samples) {
        if (samples < 1) {
            throw new IllegalArgumentException("the IWAE bound needs K >= 1 importance samples, got " + samples);
        }
        this.samples = samples;
    }

    /** {@return K, the importance samples per row} */
    public int samples() {
        return samples;
    }

    @Override
    public Loss computeGradients(LatentModel model, Batch batch, StepContext context) {
        checkModel(model);
        if (context.beta() != 1) {
            throw new IllegalArgumentException("the IWAE bound has no KL term to weigh: beta must be 1 at every step, "
                    + "got " + context.beta() + " at step " + context.step());
        }
        final Kernels k = model.kernels();
        final FMatrixRMaj x = batch.input();
        final FMatrixRMaj target = batch.target();
        final int rows = x.numRows;
        final int n = rows * samples;
        final Posterior q = model.posterior();
        reserve(n);
        // forward: the encoder on the rows (given their condition), everything after it on the K samples of each row
        model.setCondition(batch.condition());
        FMatrixRMaj h = model.encoder().forward(k, x);
        repeatRows(h, samples, hs);
        repeatRows(target, samples, targets);
        FMatrixRMaj mask = null;
        if (batch.mask() != null) {
            repeatRows(batch.mask(), samples, masks);
            mask = masks;
        }
        if (batch.condition() != null) { // the decoder's K B rows, each given its row's condition
            repeatRows(batch.condition(), samples, conditions);
            model.setCondition(conditions);
        }
        q.forward(k, hs);
        eps.reshape(n, q.noiseWidth());
        context.fillSampleNoise(batch, samples, eps);
        FMatrixRMaj z = q.sample(eps);
        q.logDensityPerRow(z, logPosterior);
        model.prior().logDensityPerRow(z, logPrior);
        FMatrixRMaj out = model.decoder().forward(k, z);
        model.likelihood().negLogLikelihoodPerRow(out, targets, mask, nll);
        double bound = 0;
        double recon = 0;
        double kl = 0;
        final double b = context.batchSize();
        for (int i = 0; i < rows; i++) {
            int first = i * samples;
            for (int s = first; s < first + samples; s++) {
                logWeights[s] = -nll[s] + logPrior[s] - logPosterior[s];
                recon += nll[s];
                kl += logPosterior[s] - logPrior[s];
            }
            bound += logMeanExp(logWeights, first, samples, weights);
            for (int s = first; s < first + samples; s++) {
                scales[s] = (float) (weights[s] / b);
            }
        }
        // d nll / d out of sample (i, s) weighted by wt_is / B, and so the likelihood's own parameters' gradients
        dout.reshape(n, out.numCols);
        model.likelihood().weightedNegLogLikelihood(k.elementwise(), out, targets, mask, scales, dout);
        // backward: the forward's calls in reverse, sample (i, s) weighted by wt_is / B (the encoder's
        // backward reads its forward's state, not the condition set since)
        FMatrixRMaj dzDecoder = model.decoder().backward(k, dout, true);
        dz.reshape(n, dzDecoder.numCols);
        System.arraycopy(dzDecoder.data, 0, dz.data, 0, dz.getNumElements());
        model.prior().addNegLogDensityGradient(z, scales, dz);
        FMatrixRMaj dhs = q.backwardWithLogDensity(k, dz, scales, true);
        sumRowGroups(dhs, samples, dh);
        model.encoder().backward(k, dh, false);
        return new Loss(-bound / b, recon / samples / b, kl / samples / b);
    }

    /**
     * The stable log-mean-exp of {@code a[offset .. offset + n)} and the normalised weights:
     * <pre>
     *   m      = max_s a_s
     *   lme    = m + log(sum_s exp(a_s - m)) - log n
     *   wt_s   = exp(a_s - m) / sum_s' exp(a_s' - m)          (softmax: d lme / d a_s)
     * </pre>
     * Every exp is in (0, 1] and the largest is 1, so nothing overflows and the log has an argument
     * in [1, n]. If every a_s is -infinity the result is -infinity (weights 1/n); if any is NaN or
     * +infinity, the result is NaN or +infinity (a loss the trainer stops on).
     *
     * @param a       the log values a_s (e.g. log w_is of one row), read at {@code offset .. offset + n)}
     * @param offset  the index of the first value in {@code a} and {@code weights}
     * @param n       the number of values, &gt;= 1
     * @param weights receives the normalised weights wt_s at {@code offset .. offset + n)}
     * @return log((1/n) sum_s exp(a_s))
     */
    public static double logMeanExp(double[] a, int offset, int n, double[] weights) {
        double max = Double.NEGATIVE_INFINITY;
        boolean nan = false;
        for (int s = offset; s < offset + n; s++) {
            nan |= Double.isNaN(a[s]);
            max = Math.max(max, a[s]);
        }
        if (nan || Double.isInfinite(max)) {
            Arrays.fill(weights, offset, offset + n, 1.0 / n);
            return nan ? Double.NaN : max;
        }
        double sum = 0;
        for (int s = offset; s < offset + n; s++) {
            double e = Math.exp(a[s] - max);
            weights[s] = e;
            sum += e;
        }
        for (int s = offset; s < offset + n; s++) {
            weights[s] /= sum;
        }
        return max + Math.log(sum) - Math.log(n);
    }

    /**
     * The bound needs log q(z|x): a posterior with a density. A conditional model and a likelihood
     * with its own parameters are fine (the condition is repeated for the decoder's K B rows; the
     * likelihood weighs each row's parameter gradient, {@link org.vae4j.loss.Likelihood#weightedNegLogLikelihood}).
     */
    @Override
    public void checkModel(LatentModel model) {
        if (!model.hasStochasticPosterior()) {
            throw new IllegalArgumentException("the IWAE bound needs a posterior with a density (a VAE's); the "
                    + model.kind() + " model's posterior is " + model.posterior().describe() + ", a point mass");
        }
    }

    @Override
    public String describe() {
        return "negative IWAE bound (K=" + samples + ")";
    }

    /** Grows the per-sample arrays to {@code n} (once for the largest batch). */
    private void reserve(int n) {
        if (nll.length < n) {
            nll = new double[n];
            logPrior = new double[n];
            logPosterior = new double[n];
            logWeights = new double[n];
            weights = new double[n];
            scales = new float[n];
        }
    }

    /** out (rows * times, cols): row r * times + s is row r of m. */
    static void repeatRows(FMatrixRMaj m, int times, FMatrixRMaj out) {
        final int cols = m.numCols;
        out.reshape(m.numRows * times, cols);
        for (int r = 0; r < m.numRows; r++) {
            for (int s = 0; s < times; s++) {
                System.arraycopy(m.data, r * cols, out.data, (r * times + s) * cols, cols);
            }
        }
    }

    /** out (rows / size, cols): row g is the sum of rows g * size .. g * size + size - 1 of m, in order. */
    static void sumRowGroups(FMatrixRMaj m, int size, FMatrixRMaj out) {
        final int cols = m.numCols;
        out.reshape(m.numRows / size, cols);
        for (int g = 0; g < out.numRows; g++) {
            int o = g * cols;
            System.arraycopy(m.data, g * size * cols, out.data, o, cols);
            for (int s = 1; s < size; s++) {
                int from = (g * size + s) * cols;
                for (int j = 0; j < cols; j++) {
                    out.data[o + j] += m.data[from + j];
                }
            }
        }
    }
}

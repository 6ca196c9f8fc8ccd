package org.vae4j.objective;

import java.util.Arrays;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.kernel.Kernels;
import org.vae4j.prob.Posterior;

/**
 * The negative ELBO of a VAE with KL weight beta (beta-VAE; Higgins et al. 2017), with one
 * reparameterised sample per row (Kingma &amp; Welling 2013, eq. 10):
 * <pre>
 *   model.setCondition(c)                  the batch's condition (null for an unconditional model)
 *   h     = encoder(x)
 *   z     = posterior(h).sample(eps)       eps from the step's noise, keyed by row
 *   out   = decoder(z)
 *   loss  = sum_rows [ -log p(target | out) + beta * KL(q(z|x) || N(0, I)) ] / B
 * </pre>
 * With free bits lambda &gt; 0 (Kingma et al. 2016, the IAF paper, eq. 15) the KL term is
 * clamped per latent dimension j, after the mean over the whole batch:
 * <pre>
 *   loss  = sum_rows -log p(target | out) / B + beta * sum_j max(lambda, (1/B) sum_rows KL_rj)
 * </pre>
 * so a dimension whose batch-mean KL is at most lambda gets no KL gradient ({@link #freeBitsKl}).
 * The mean must be over the whole batch: a micro-batch (fewer rows than the context's batch size)
 * is refused.
 *
 * <p>With a missing-cell mask in the batch, -log p is of the observed cells only (the likelihood
 * skips masked cells); the likelihood's own parameters get their gradient with the decoder's.
 * The backward is the forward's calls in reverse: likelihood, decoder, posterior (with the KL's
 * gradient), encoder (without the input gradient). For a deterministic posterior (an
 * autoencoder) the KL is 0 and this is the reconstruction loss. Mutable (work buffers), not
 * thread-safe.
 */
public class NegativeElbo implements Objective {

    private final double freeBits;
    private final FMatrixRMaj eps = new FMatrixRMaj(1, 1);  // (batch, noiseWidth)
    private final FMatrixRMaj dout = new FMatrixRMaj(1, 1); // (batch, decoder output width)
    private double[] klSums = new double[0];                // (latent) free bits: KL per dimension over the batch
    private float[] klScales = new float[0];                // (latent) free bits: each dimension's KL weight

    /** The negative ELBO without free bits. */
    public NegativeElbo() {
        this(0);
    }

    /**
     * The negative ELBO with free bits.
     *
     * @param freeBits lambda, nats per latent dimension, finite and &gt;= 0 (0 = none)
     * @throws IllegalArgumentException if {@code freeBits} is negative, NaN or infinite
     */
    public NegativeElbo(double freeBits) {
        if (!(freeBits >= 0) || !Double.isFinite(freeBits)) {
            throw new IllegalArgumentException("free bits must be finite and >= 0 (0 = none), got " + freeBits);
        }
        this.freeBits = freeBits;
    }

    /** {@return the free bits lambda, nats per latent dimension (0 for none)} */
    public double freeBits() {
        return freeBits;
    }

    @Override
    public Loss computeGradients(LatentModel model, Batch batch, StepContext context) {
        final Kernels k = model.kernels();
        final FMatrixRMaj x = batch.input();
        final int rows = x.numRows;
        final double beta = klWeight(context);
        final double b = context.batchSize();
        if (freeBits > 0) {
            checkModel(model);
            if (rows != context.batchSize()) {
                throw new IllegalArgumentException("free bits take each dimension's KL averaged over the whole batch of "
                        + context.batchSize() + " rows, but this part has " + rows + ": use 1 micro-batch");
            }
        }
        // forward (a conditional model joins the batch's condition to its encoder's and decoder's inputs)
        model.setCondition(batch.condition());
        FMatrixRMaj h = model.encoder().forward(k, x);
        Posterior q = model.posterior();
        q.forward(k, h);
        FMatrixRMaj noise = null;
        if (q.noiseWidth() > 0) {
            eps.reshape(rows, q.noiseWidth());
            context.fillNoise(batch, 0, eps);
            noise = eps;
        }
        FMatrixRMaj z = q.sample(noise);
        FMatrixRMaj out = model.decoder().forward(k, z);
        dout.reshape(rows, out.numCols);
        double recon = model.likelihood().negLogLikelihood(k.elementwise(), out, batch.target(), batch.mask(),
                context.gradientScale(), dout);
        double kl = q.klToPrior();
        double klTerm = kl; // what beta weighs, summed over the rows
        if (freeBits > 0) {
            int latent = q.latentSize();
            if (klSums.length != latent) {
                klSums = new double[latent];
                klScales = new float[latent];
            }
            Arrays.fill(klSums, 0.0);
            q.addKlToPriorPerDimension(klSums);
            klTerm = b * freeBitsKl(klSums, context.batchSize(), freeBits, (float) (beta / b), klScales);
        }
        // backward: the forward's calls in reverse
        FMatrixRMaj dz = model.decoder().backward(k, dout, true);
        FMatrixRMaj dh = freeBits > 0 ? q.backwardPerDimensionKl(k, dz, klScales, true)
                : q.backward(k, dz, (float) (beta / b), true);
        model.encoder().backward(k, dh, false);
        return new Loss((recon + beta * klTerm) / b, recon / b, kl / b);
    }

    /**
     * The free-bits KL term of a batch of B rows and its per-dimension gradient weights:
     * <pre>
     *   term     = sum_j max(lambda, klSums_j / B)            klSums_j = sum_rows KL_rj
     *   scales_j = klScale  if klSums_j / B &gt; lambda, else 0   (the gradient of the max; 0 at a tie)
     * </pre>
     *
     * @param klSums    (latent) each dimension's KL summed over the batch, not modified
     * @param batchSize B, the rows the sums are over, &gt;= 1
     * @param lambda    the free bits, nats per dimension, &gt;= 0
     * @param klScale the weight of an active dimension's KL (beta / B)
     * @param scales    (latent) receives each dimension's KL gradient weight (overwritten)
     * @return the term, per example (nats)
     */
    public static double freeBitsKl(double[] klSums, int batchSize, double lambda, float klScale, float[] scales) {
        double term = 0;
        for (int j = 0; j < klSums.length; j++) {
            double mean = klSums[j] / batchSize;
            boolean active = mean > lambda;
            term += active ? mean : lambda;
            scales[j] = active ? klScale : 0f;
        }
        return term;
    }

    /** Free bits need a KL that splits by dimension: a posterior with a density. */
    @Override
    public void checkModel(LatentModel model) {
        if (freeBits > 0 && !model.hasStochasticPosterior()) {
            throw new IllegalArgumentException("free bits clamp the KL of each latent dimension, which the "
                    + model.kind() + " model's " + model.posterior().describe() + " posterior does not have");
        }
    }

    /**
     * {@return the weight of the KL term: the step's beta} {@link Reconstruction} overrides it
     * with 0.
     *
     * @param context the step being computed
     */
    protected double klWeight(StepContext context) {
        return context.beta();
    }

    @Override
    public String describe() {
        return freeBits > 0 ? "negative ELBO, free bits " + freeBits : "negative ELBO";
    }
}

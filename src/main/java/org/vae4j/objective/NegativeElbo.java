package org.vae4j.objective;

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
 * With a missing-cell mask in the batch, -log p is of the observed cells only (the likelihood
 * skips masked cells); the likelihood's own parameters get their gradient with the decoder's.
 * The backward is the forward's calls in reverse: likelihood, decoder, posterior (with the KL's
 * gradient), encoder (without the input gradient). For a deterministic posterior (an
 * autoencoder) the KL is 0 and this is the reconstruction loss. Mutable (work buffers), not
 * thread-safe.
 */
public class NegativeElbo implements Objective {

    private final FMatrixRMaj eps = new FMatrixRMaj(1, 1);  // (batch, noiseWidth)
    private final FMatrixRMaj dout = new FMatrixRMaj(1, 1); // (batch, decoder output width)

    @Override
    public Loss computeGradients(LatentModel model, Batch batch, StepContext context) {
        final Kernels k = model.kernels();
        final FMatrixRMaj x = batch.input();
        final int rows = x.numRows;
        final double beta = klWeight(context);
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
        // backward: the forward's calls in reverse
        FMatrixRMaj dz = model.decoder().backward(k, dout, true);
        FMatrixRMaj dh = q.backward(k, dz, (float) (beta / context.batchSize()), true);
        model.encoder().backward(k, dh, false);
        double b = context.batchSize();
        return new Loss((recon + beta * kl) / b, recon / b, kl / b);
    }

    /** The weight of the KL term: the step's beta. */
    protected double klWeight(StepContext context) {
        return context.beta();
    }

    @Override
    public String describe() {
        return "negative ELBO";
    }
}

package org.vae4j.prob;

import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Kernels;
import org.vae4j.nn.Parameter;

/**
 * The approximate posterior q(z|x) of a latent-variable model, computed from the encoder's
 * output h, with its reparameterised sample and its KL divergence to the prior N(0, I). Like a
 * {@link org.vae4j.nn.Module} it has a forward and a backward over buffers it owns:
 * <pre>
 *   forward(h)        the distribution's parameters (e.g. mu, logvar), kept for the backward
 *   sample(eps)       z = g(parameters, eps), differentiable in the parameters
 *   klToPrior()       sum over rows of KL(q(z|x_r) || N(0, I))
 *   backward(dz, s)   dL/dh for L = (loss through z) + s * KL, accumulating parameter gradients
 * </pre>
 * {@link DiagonalGaussianPosterior} is the VAE's, {@link DeltaPosterior} the deterministic
 * autoencoder's (z = h, no KL). Mutable, not thread-safe ({@link #replicate} gives another thread its own).
 */
public interface Posterior {

    /** {@return the width of the encoder output h this posterior reads, &gt; 0} */
    int inputSize();

    /** {@return the width of z, the latent size, &gt; 0} */
    int latentSize();

    /** {@return how many standard normal draws one row's sample needs (0 for a deterministic posterior)} */
    int noiseWidth();

    /**
     * Computes the distribution's parameters for each row of h, kept for {@link #sample} and the
     * backward.
     *
     * @param kernels the model's kernels, which run the heads' matrix multiplies
     * @param h       the encoder's output, (batch, inputSize), not modified; kept by reference, so
     *                it must not change before the backward
     * @throws IllegalArgumentException if {@code h} does not have {@link #inputSize()} columns
     *         (the Gaussian posterior also rejects an empty batch)
     */
    void forward(Kernels kernels, FMatrixRMaj h);

    /** {@return the posterior mean of the last forward, (batch, latentSize), owned by this posterior} */
    FMatrixRMaj mean();

    /**
     * A reparameterised sample of the last forward.
     *
     * @param eps (batch, noiseWidth) standard normal draws, not modified; kept for the backward
     *            ({@code null} when {@link #noiseWidth()} is 0)
     * @return (batch, latentSize) z, owned by this posterior (the deterministic posterior's is h itself)
     * @throws IllegalArgumentException if {@code eps} is not (batch, noiseWidth) for a posterior with noise
     */
    FMatrixRMaj sample(FMatrixRMaj eps);

    /**
     * {@return sum over the rows of the last forward of KL(q(z|x) || N(0, I)), in nats (0 if deterministic)}
     */
    double klToPrior();

    /**
     * KL(q(z|x) || N(0, I)) of each row of the last forward.
     *
     * @param perRow receives KL_r in nats at perRow[r] for r &lt; batch (overwritten); at least
     *               batch long
     */
    void klToPriorPerRow(double[] perRow);

    /**
     * Adds to {@code sums[j]} the KL of latent dimension j, summed over the rows of the last
     * forward, for a posterior whose KL is a sum over dimensions (a diagonal Gaussian's). By
     * default it is not.
     *
     * @param sums modified: sums[j] for j &lt; latentSize
     * @throws UnsupportedOperationException when the KL does not split by dimension
     */
    default void addKlToPriorPerDimension(double[] sums) {
        throw new UnsupportedOperationException("the " + describe() + " posterior does not split its KL by dimension");
    }

    /**
     * log q(z_r | x_r) of each row, for a z of the last forward's rows (e.g. importance sampling).
     *
     * @param z      (batch, latentSize), not modified
     * @param perRow receives log q(z_r | x_r) in nats at perRow[r] for r &lt; batch (overwritten)
     * @throws UnsupportedOperationException for a posterior without a density (a point mass)
     */
    void logDensityPerRow(FMatrixRMaj z, double[] perRow);

    /**
     * The backward pass of the last {@link #forward} and {@link #sample}: accumulates parameter
     * gradients of {@code (loss through z) + klScale * klToPrior()}.
     *
     * @param kernels       the model's kernels, which run the heads' matrix multiplies
     * @param dz            (batch, latentSize) dL/dz, not modified; {@code null} when z was not used
     * @param klScale       the KL term's weight in L (e.g. beta / batch)
     * @param inputGradient whether to return dL/dh
     * @return (batch, inputSize) dL/dh owned by this posterior (or {@code dz} itself), or null
     */
    FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dz, float klScale, boolean inputGradient);

    /**
     * As {@link #backward}, with a KL weight per latent dimension (free bits): accumulates the
     * parameter gradients of {@code (loss through z) + sum_j klScales[j] * KL_j}, where KL_j is the
     * KL of dimension j summed over the rows ({@link #addKlToPriorPerDimension}). By default the
     * KL does not split by dimension.
     *
     * @param kernels       the model's kernels, which run the heads' matrix multiplies
     * @param dz            (batch, latentSize) dL/dz, not modified; {@code null} when z was not used
     * @param klScales      (latentSize) each dimension's weight, not modified
     * @param inputGradient whether to return dL/dh
     * @return (batch, inputSize) dL/dh owned by this posterior, or null when not asked for
     * @throws UnsupportedOperationException when the KL does not split by dimension
     * @throws IllegalArgumentException if {@code klScales} is shorter than {@link #latentSize()}
     */
    default FMatrixRMaj backwardPerDimensionKl(Kernels kernels, FMatrixRMaj dz, float[] klScales,
                                               boolean inputGradient) {
        throw new UnsupportedOperationException("the " + describe() + " posterior does not split its KL by dimension");
    }

    /**
     * As {@link #backward} with the log density instead of the KL (importance-weighted bounds):
     * accumulates the parameter gradients of
     * {@code (loss through z) + sum_r logDensityScales[r] * log q(z_r | x_r)}, where z is the last
     * {@link #sample} and the density is differentiated along every path, through z = g(parameters,
     * eps) and directly (its total derivative with eps held fixed).
     *
     * @param kernels          the model's kernels, which run the heads' matrix multiplies
     * @param dz               (batch, latentSize) dL/dz, not modified; {@code null} when z was not used
     * @param logDensityScales (batch) each row's weight, not modified
     * @param inputGradient    whether to return dL/dh
     * @return (batch, inputSize) dL/dh owned by this posterior, or null when not asked for
     * @throws UnsupportedOperationException for a posterior without a density
     * @throws IllegalArgumentException if {@code logDensityScales} is shorter than the batch
     */
    default FMatrixRMaj backwardWithLogDensity(Kernels kernels, FMatrixRMaj dz, float[] logDensityScales,
                                               boolean inputGradient) {
        throw new UnsupportedOperationException("the " + describe() + " posterior has no density to differentiate");
    }

    /**
     * {@return a posterior computing the same distribution with buffers of its own on the tensors
     * {@code tensors} maps this one's to (as {@link org.vae4j.nn.Module#replicate}), for another
     * thread's inference} The default refuses; the library's posteriors implement it.
     *
     * @param tensors the map from this posterior's parameters to the replica's (shared or copied)
     * @throws UnsupportedOperationException when this posterior cannot replicate itself
     */
    default Posterior replicate(org.vae4j.nn.TensorMap tensors) {
        throw new UnsupportedOperationException("the " + describe() + " posterior (" + getClass().getName()
                + ") does not implement Posterior.replicate(TensorMap), which a thread-safe inference view needs");
    }

    /** {@return the trainable tensors, named relative to the model} */
    List<Parameter> parameters();

    /** {@return a short name for files and logs, e.g. {@code gaussian}} */
    String describe();
}

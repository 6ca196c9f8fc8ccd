package org.vae4j;

import java.util.List;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Gemm;
import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Parameter;

/**
 * What a {@link org.vae4j.train.Trainer} needs of a model: its parameters and one call that
 * computes the loss of a batch and the gradient of every parameter. Implemented by {@link Vae}
 * and {@link Autoencoder}; instances are mutable and not thread-safe.
 */
public interface TrainableModel {

    /** Width of an input row. */
    int inputSize();

    /** The trainable parameters, in a fixed order (the order of a PyTorch state_dict). */
    List<Parameter> parameters();

    /** The observation model p(x|z) (for an autoencoder, its reconstruction loss). */
    Likelihood likelihood();

    /**
     * Sets every gradient to zero, runs the forward and backward pass on one batch and leaves
     * d(total)/d(parameter) in each {@link Parameter#grad()}.
     *
     * @param x    (batch, inputSize) data, not modified
     * @param beta the KL weight (ignored by an autoencoder)
     * @param rng  the noise source (ignored by an autoencoder)
     * @return the batch's loss per example
     * @throws IllegalArgumentException for a wrong width, an empty batch or data the likelihood rejects
     */
    Loss computeGradients(FMatrixRMaj x, double beta, RandomGenerator rng);

    /**
     * The loss of {@code x} with beta = 1 (for a VAE: the negative ELBO with one z sample per row),
     * per example, without touching gradients. Processes large inputs in chunks.
     */
    Loss evaluate(FMatrixRMaj x, RandomGenerator rng);

    /** The GEMM backend every multiply of this model goes through. */
    Gemm gemm();

    /** Replaces the GEMM backend. */
    void setGemm(Gemm gemm);

    /** Number of trainable scalars. */
    default long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) {
            n += p.size();
        }
        return n;
    }

    /** Sets every gradient to zero. */
    default void zeroGrad() {
        for (Parameter p : parameters()) {
            p.zeroGrad();
        }
    }
}

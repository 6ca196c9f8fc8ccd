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
     * d(total)/d(parameter) in each {@link Parameter#grad()}. Allocates nothing in steady state;
     * the parts of the loss are then available from {@link #lastReconstruction()} and {@link #lastKl()}.
     *
     * @param x    (batch, inputSize) data, not modified
     * @param beta the KL weight (ignored by an autoencoder)
     * @param rng  the noise source (ignored by an autoencoder)
     * @return the batch's loss per example, reconstruction + beta * KL
     * @throws IllegalArgumentException for a wrong width, an empty batch or data the likelihood rejects
     */
    double forwardBackward(FMatrixRMaj x, double beta, RandomGenerator rng);

    /**
     * As {@link #forwardBackward(FMatrixRMaj, double, RandomGenerator)} with separate input and
     * target, for denoising: the encoder sees {@code input} (e.g. a corrupted batch), the
     * likelihood is evaluated against {@code target} (the clean batch), i.e. the loss is
     * -log p(target | z) + beta * KL(q(z | input) || p(z)). {@code forwardBackward(x, beta, rng)}
     * is {@code forwardBackward(x, x, beta, rng)}.
     *
     * <p>{@link Vae} and {@link Autoencoder} implement it; this default supports only
     * {@code input == target}.
     *
     * @param input  (batch, inputSize) the encoder's input, finite, not modified
     * @param target (batch, inputSize) the reconstruction target, in the likelihood's support, not modified
     * @throws IllegalArgumentException for shapes that differ, or as the one-argument form
     * @throws UnsupportedOperationException from this default when {@code input != target}
     */
    default double forwardBackward(FMatrixRMaj input, FMatrixRMaj target, double beta, RandomGenerator rng) {
        if (input != target) {
            throw new UnsupportedOperationException(getClass().getSimpleName()
                    + " does not support a target different from its input (denoising)");
        }
        return forwardBackward(input, beta, rng);
    }

    /** The reconstruction part of the last {@link #forwardBackward} loss, per example. */
    double lastReconstruction();

    /** The KL part (unweighted) of the last {@link #forwardBackward} loss, per example; 0 for an autoencoder. */
    double lastKl();

    /** {@link #forwardBackward}, with the loss and its parts as a {@link Loss}. */
    default Loss computeGradients(FMatrixRMaj x, double beta, RandomGenerator rng) {
        double total = forwardBackward(x, beta, rng);
        return new Loss(total, lastReconstruction(), lastKl());
    }

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
        List<Parameter> ps = parameters();
        for (int i = 0; i < ps.size(); i++) {
            ps.get(i).zeroGrad();
        }
    }
}

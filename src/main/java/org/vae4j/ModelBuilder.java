package org.vae4j;

import java.util.Arrays;

import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Init;

/**
 * The settings {@link Vae.Builder} and {@link Autoencoder.Builder} share. Not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class ModelBuilder<B extends ModelBuilder<B>> {

    /** Seed used when none is given. */
    public static final long DEFAULT_SEED = 42L;

    final int inputSize;
    int[] hidden = {512};
    int[] decoderHidden;
    int latent = 32;
    Activation activation = Activation.RELU;
    Likelihood likelihood;
    Activation outputActivation;
    long seed = DEFAULT_SEED;
    Init init = Init.TORCH_DEFAULT;

    ModelBuilder(int inputSize, Likelihood defaultLikelihood) {
        if (inputSize <= 0) {
            throw new IllegalArgumentException("input size must be positive, got " + inputSize);
        }
        this.inputSize = inputSize;
        this.likelihood = defaultLikelihood;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Encoder hidden widths from the input side, e.g. {@code hidden(1000, 500, 250)}; at least one. */
    public B hidden(int... widths) {
        this.hidden = checkWidths(widths, "hidden");
        return self();
    }

    /** Decoder hidden widths from the latent side; by default the encoder's, reversed. */
    public B decoderHidden(int... widths) {
        this.decoderHidden = checkWidths(widths, "decoder hidden");
        return self();
    }

    /** Latent (code) size, &gt; 0. */
    public B latent(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("latent size must be positive, got " + size);
        }
        this.latent = size;
        return self();
    }

    /** Activation of every hidden layer (default ReLU). */
    public B activation(Activation a) {
        this.activation = requireNonNull(a, "activation");
        return self();
    }

    /** The observation model p(x|z). */
    public B likelihood(Likelihood l) {
        this.likelihood = requireNonNull(l, "likelihood");
        return self();
    }

    /** The decoder's final activation; by default the likelihood's. */
    public B outputActivation(Activation a) {
        this.outputActivation = requireNonNull(a, "output activation");
        return self();
    }

    /** Weight initialisation of every layer; by default PyTorch's ({@link Init#TORCH_DEFAULT}). */
    public B init(Init scheme) {
        this.init = requireNonNull(scheme, "init");
        return self();
    }

    /**
     * Seed of the initial weights, and of nothing else: training's draws come from the trainer's
     * seed ({@link org.vae4j.train.Trainer.Builder#seed(long)}); the package documentation,
     * "Seeds", gives the whole story. Default {@link #DEFAULT_SEED}.
     */
    public B seed(long s) {
        this.seed = s;
        return self();
    }

    int[] decoderWidths() {
        if (decoderHidden != null) {
            return decoderHidden.clone();
        }
        int[] r = new int[hidden.length];
        for (int i = 0; i < hidden.length; i++) {
            r[i] = hidden[hidden.length - 1 - i];
        }
        return r;
    }

    Activation resolvedOutputActivation() {
        Activation required = likelihood.requiredOutputActivation();
        if (outputActivation == null) {
            return likelihood.defaultOutputActivation();
        }
        if (required != null && outputActivation != required) {
            throw new IllegalArgumentException("the " + likelihood.describe() + " likelihood needs output activation "
                    + required + ", got " + outputActivation);
        }
        return outputActivation;
    }

    private static int[] checkWidths(int[] widths, String what) {
        if (widths == null || widths.length == 0) {
            throw new IllegalArgumentException(what + " widths: need at least one layer");
        }
        for (int i = 0; i < widths.length; i++) {
            if (widths[i] <= 0) {
                throw new IllegalArgumentException(what + " width " + i + " must be positive, got "
                        + widths[i] + " in " + Arrays.toString(widths));
            }
        }
        return widths.clone();
    }

    private static <T> T requireNonNull(T t, String what) {
        if (t == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        return t;
    }
}

package org.vae4j;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Sequential;
import org.vae4j.prob.DeltaPosterior;

/**
 * A deterministic autoencoder (Hinton &amp; Salakhutdinov 2006): a dense encoder to a small
 * linear code and a decoder back, trained on the squared reconstruction error by default. As a
 * {@link LatentModel} its posterior is a point mass at the code ({@link DeltaPosterior}: no
 * noise, no KL), so every objective and evaluation written for latent models applies.
 *
 * <pre>
 *   code = encoder(x)          hidden activation, linear code layer
 *   out  = decoder(code)       hidden activation, sigmoid output by default
 *   loss = sum (out - x)^2 / batch
 * </pre>
 *
 * Parameter names are those of two PyTorch {@code nn.Sequential}s, {@code encoder.0, encoder.2,
 * ...} and {@code decoder.0, decoder.2, ...}. Mutable, not thread-safe (one thread at a time; for many
 * threads take the {@link #inference()} view). Build with
 * {@link #builder(int)}; e.g. Hinton's 784-1000-500-250-30 is
 * {@code Autoencoder.builder(784).hidden(1000, 500, 250).latent(30).build()}.
 */
public class Autoencoder extends ComposedLatentModel {

    /** The kind name of autoencoder model files. */
    public static final String KIND = "ae";

    private final MlpShape shape;

    /**
     * Builds the model from a builder's settings (for a subclass's builder); the weights are
     * drawn from the builder's seed.
     *
     * @param b the settings
     * @throws IllegalArgumentException if the output activation does not suit the likelihood
     */
    protected Autoencoder(Builder b) {
        this(b, new MlpShape(b), new SplittableRandom(b.seed));
    }

    private Autoencoder(Builder b, MlpShape shape, RandomGenerator rng) {
        super(KIND, "encoder", shape.encoder(b.inputSize, b.latent, null, b, rng), new DeltaPosterior(b.latent),
                "decoder", shape.decoder(b.latent, b.inputSize, null, b, rng), b.likelihood);
        this.shape = shape;
    }

    /**
     * {@return a builder for an autoencoder on inputs of width {@code inputSize}; defaults: hidden 512,
     * code 32, ReLU, sigmoid output, squared error}
     *
     * @param inputSize the width of an input row, &gt; 0
     * @throws IllegalArgumentException if {@code inputSize <= 0}
     */
    public static Builder builder(int inputSize) {
        return new Builder(inputSize);
    }

    /** Builds an {@link Autoencoder}. Not thread-safe. */
    public static class Builder extends ModelBuilder<Builder> {
        /**
         * A builder with the defaults of {@link Autoencoder#builder(int)} (for a subclass's builder).
         *
         * @param inputSize the width of an input row, &gt; 0
         * @throws IllegalArgumentException if {@code inputSize <= 0}
         */
        protected Builder(int inputSize) {
            super(inputSize, GaussianLikelihood.squaredError());
        }

        /**
         * {@return a new autoencoder with these settings; the builder can be changed and used again}
         *
         * @throws IllegalArgumentException if the output activation does not suit the likelihood
         */
        public Autoencoder build() {
            return new Autoencoder(this);
        }
    }

    @Override
    public Sequential encoder() {
        return (Sequential) super.encoder();
    }

    @Override
    public Sequential decoder() {
        return (Sequential) super.decoder();
    }

    /** {@return the width of the code, the same as {@link #latentSize()}} */
    public int codeSize() {
        return latentSize();
    }

    /** {@return a copy of the encoder's hidden widths, input side first (excluding the code layer)} */
    public int[] hiddenSizes() {
        return shape.hidden();
    }

    /** {@return a copy of the decoder's hidden widths, code side first (excluding the output layer)} */
    public int[] decoderHiddenSizes() {
        return shape.decoderHidden();
    }

    /** {@return the hidden layers' activation} */
    public Activation activation() {
        return shape.activation();
    }

    /** {@return the decoder's final activation} */
    public Activation outputActivation() {
        return shape.outputActivation();
    }

    /** A one-line description, e.g. {@code 784-1000-500-250-(30)-250-500-1000-784 relu squared-error}. */
    @Override
    public String describe() {
        return shape.describe(inputSize(), latentSize(), likelihood());
    }

    /**
     * {@return the codes of each row: a new (n, codeSize) matrix} The same as {@link #encodeMean}.
     *
     * @param x the rows, (n, inputSize), finite and in the likelihood's support
     * @throws IllegalArgumentException for rows of the wrong width, no rows, or a bad value
     */
    public FMatrixRMaj encode(FMatrixRMaj x) {
        return encodeMean(x);
    }
}

package org.vae4j;

import java.util.Arrays;
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
 * ...} and {@code decoder.0, decoder.2, ...}. Mutable, not thread-safe. Build with
 * {@link #builder(int)}; e.g. Hinton's 784-1000-500-250-30 is
 * {@code Autoencoder.builder(784).hidden(1000, 500, 250).latent(30).build()}.
 */
public class Autoencoder extends ComposedLatentModel {

    /** The kind name of autoencoder model files. */
    public static final String KIND = "ae";

    private final int[] hidden;
    private final int[] decoderHidden;
    private final Activation activation;
    private final Activation outputActivation;

    protected Autoencoder(Builder b) {
        this(b, b.resolvedOutputActivation(), new SplittableRandom(b.seed));
    }

    private Autoencoder(Builder b, Activation out, RandomGenerator rng) {
        super(KIND, "encoder", encoder(b, rng), new DeltaPosterior(b.latent), "decoder", decoder(b, out, rng),
                b.likelihood);
        this.hidden = b.hidden.clone();
        this.decoderHidden = b.decoderWidths();
        this.activation = b.activation;
        this.outputActivation = out;
    }

    private static Sequential encoder(Builder b, RandomGenerator rng) {
        int[] enc = b.hidden;
        int[] sizes = new int[enc.length + 2];
        sizes[0] = b.inputSize;
        System.arraycopy(enc, 0, sizes, 1, enc.length);
        sizes[enc.length + 1] = b.latent;
        Activation[] acts = new Activation[enc.length + 1];
        Arrays.fill(acts, b.activation);
        acts[enc.length] = Activation.IDENTITY; // linear code
        return Sequential.mlp(null, sizes, acts, b.init, rng);
    }

    private static Sequential decoder(Builder b, Activation out, RandomGenerator rng) {
        int[] dec = b.decoderWidths();
        int[] sizes = new int[dec.length + 2];
        sizes[0] = b.latent;
        System.arraycopy(dec, 0, sizes, 1, dec.length);
        sizes[dec.length + 1] = b.inputSize;
        Activation[] acts = new Activation[dec.length + 1];
        Arrays.fill(acts, b.activation);
        acts[dec.length] = out;
        return Sequential.mlp(null, sizes, acts, b.init, rng);
    }

    /**
     * A builder for an autoencoder on inputs of width {@code inputSize}; defaults: hidden 512,
     * code 32, ReLU, sigmoid output, squared error.
     */
    public static Builder builder(int inputSize) {
        return new Builder(inputSize);
    }

    /** Builds an {@link Autoencoder}. Not thread-safe. */
    public static class Builder extends ModelBuilder<Builder> {
        protected Builder(int inputSize) {
            super(inputSize, GaussianLikelihood.squaredError());
        }

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

    /** Width of the code. */
    public int codeSize() {
        return latentSize();
    }

    /** Encoder hidden widths, input side first (excluding the code layer). */
    public int[] hiddenSizes() {
        return hidden.clone();
    }

    /** Decoder hidden widths, code side first (excluding the output layer). */
    public int[] decoderHiddenSizes() {
        return decoderHidden.clone();
    }

    /** The hidden layers' activation. */
    public Activation activation() {
        return activation;
    }

    /** The decoder's final activation. */
    public Activation outputActivation() {
        return outputActivation;
    }

    /** A one-line description, e.g. {@code 784-1000-500-250-(30)-250-500-1000-784 relu squared-error}. */
    @Override
    public String describe() {
        StringBuilder s = new StringBuilder().append(inputSize());
        for (int h : hidden) {
            s.append('-').append(h);
        }
        s.append("-(").append(latentSize()).append(')');
        for (int h : decoderHidden) {
            s.append('-').append(h);
        }
        s.append('-').append(inputSize());
        return s.append(' ').append(activation.name().toLowerCase()).append(' ').append(likelihood().describe())
                .toString();
    }

    /** The codes of each row: a new (n, code) matrix. */
    public FMatrixRMaj encode(FMatrixRMaj x) {
        return encodeMean(x);
    }
}

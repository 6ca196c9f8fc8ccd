package org.vae4j;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.Rows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Dense;
import org.vae4j.nn.Init;
import org.vae4j.nn.Sequential;
import org.vae4j.prob.DiagonalGaussianPosterior;

/**
 * A variational autoencoder (Kingma &amp; Welling 2013) with dense encoder and decoder of any depth.
 *
 * <pre>
 *   h      = encoder(x)                         MLP, hidden activation
 *   mu     = h W_mu^T + b_mu                    (batch, latent)   DiagonalGaussianPosterior
 *   logvar = h W_lv^T + b_lv                    (batch, latent)
 *   z      = mu + exp(logvar / 2) * eps         eps ~ N(0, I), GaussianSampler
 *   out    = decoder(z)                         logits for the Bernoulli likelihood
 *   loss   = [ -log p(x|z) + beta * KL(q(z|x) || N(0, I)) ] / batch     NegativeElbo
 * </pre>
 *
 * Parameter names are those of a PyTorch module: with one hidden layer on each side
 * {@code fc1, fc_mu, fc_logvar, fc3, fc4} (the seed model's PyTorch module; PyTorch's own
 * example calls the heads {@code fc21} and {@code fc22}), otherwise
 * {@code encoder.0, encoder.2, ..., fc_mu, fc_logvar, decoder.0, decoder.2, ...} as
 * {@code nn.Sequential} names them. Weights are (out, in).
 *
 * <p>Mutable (parameters and work buffers), not thread-safe: one thread at a time; to serve it
 * from many threads take the {@link #inference()} view. Build with {@link #builder(int)};
 * subclasses may add behaviour (the constructor takes the builder).
 */
public class Vae extends ComposedLatentModel {

    /** The kind name of VAE model files. */
    public static final String KIND = "vae";

    private static final Logger LOG = LoggerFactory.getLogger(Vae.class);

    private final MlpShape shape;

    /**
     * Builds the model from a builder's settings (for a subclass's builder); the weights are
     * drawn from the builder's seed.
     *
     * @param b the settings
     * @throws IllegalArgumentException if the output activation does not suit the likelihood
     */
    protected Vae(Builder b) {
        this(b, new MlpShape(b), new SplittableRandom(b.seed));
    }

    private Vae(Builder b, MlpShape shape, RandomGenerator rng) {
        super(KIND, classic(b) ? "" : "encoder",
                shape.encoder(b.inputSize, 0, classic(b) ? new String[] {"fc1"} : null, b, rng),
                new DiagonalGaussianPosterior(b.hidden[b.hidden.length - 1], b.latent,
                        b.init.resolve(Activation.IDENTITY), rng),
                classic(b) ? "" : "decoder",
                shape.decoder(b.latent, b.inputSize, classic(b) ? new String[] {"fc3", "fc4"} : null, b, rng),
                b.likelihood);
        this.shape = shape;
        LOG.debug("built VAE {} with {} parameters", describe(), parameterCount());
    }

    /** The seed model's shape (one hidden layer each side) keeps the PyTorch module's names fc1 ... fc4. */
    private static boolean classic(Builder b) {
        return b.hidden.length == 1 && b.decoderWidths().length == 1;
    }

    /**
     * {@return a builder for a VAE on inputs of width {@code inputSize}; defaults: hidden 512, latent 32, ReLU, Bernoulli}
     *
     * @param inputSize the width of an input row, &gt; 0
     * @throws IllegalArgumentException if {@code inputSize <= 0}
     */
    public static Builder builder(int inputSize) {
        return new Builder(inputSize);
    }

    /** Builds a {@link Vae}. Not thread-safe. */
    public static class Builder extends ModelBuilder<Builder> {
        /**
         * A builder with the defaults of {@link Vae#builder(int)} (for a subclass's builder).
         *
         * @param inputSize the width of an input row, &gt; 0
         * @throws IllegalArgumentException if {@code inputSize <= 0}
         */
        protected Builder(int inputSize) {
            super(inputSize, BernoulliLikelihood.INSTANCE);
        }

        /**
         * {@return a new VAE with these settings; the builder can be changed and used again}
         *
         * @throws IllegalArgumentException if the output activation does not suit the likelihood
         */
        public Vae build() {
            return new Vae(this);
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

    @Override
    public DiagonalGaussianPosterior posterior() {
        return (DiagonalGaussianPosterior) super.posterior();
    }

    /** {@return a copy of the encoder's hidden widths, input side first (excluding the latent heads)} */
    public int[] hiddenSizes() {
        return shape.hidden();
    }

    /** {@return a copy of the decoder's hidden widths, latent side first (excluding the output layer)} */
    public int[] decoderHiddenSizes() {
        return shape.decoderHidden();
    }

    /** {@return the hidden layers' activation} */
    public Activation activation() {
        return shape.activation();
    }

    /**
     * {@return the decoder's final activation (IDENTITY, logits, with the default Bernoulli
     * likelihood; by default the likelihood's)}
     */
    public Activation outputActivation() {
        return shape.outputActivation();
    }

    /** {@return the mu head (weights (latent, h_last))} */
    public Dense muHead() {
        return posterior().muHead();
    }

    /** {@return the logvar head (weights (latent, h_last))} */
    public Dense logvarHead() {
        return posterior().logvarHead();
    }

    /** A one-line description of the architecture, e.g. {@code 784-512-(32)-512-784 relu bernoulli}. */
    @Override
    public String describe() {
        return shape.describe(inputSize(), latentSize(), likelihood());
    }

    /**
     * The parameters of q(z|x) for each row of an input.
     *
     * @param mu     (rows, latent) the posterior means
     * @param logvar (rows, latent) the posterior log-variances
     */
    public record Encoding(FMatrixRMaj mu, FMatrixRMaj logvar) {
    }

    /**
     * The encoder's Gaussian q(z|x) = N(mu, exp(logvar)) for each row.
     *
     * @param x (n, inputSize), not modified
     * @return new matrices mu and logvar, each (n, latent)
     */
    public Encoding encode(FMatrixRMaj x) {
        checkData(x, "input");
        FMatrixRMaj m = new FMatrixRMaj(x.numRows, latentSize());
        FMatrixRMaj lv = new FMatrixRMaj(x.numRows, latentSize());
        inEvaluationMode(() -> Rows.forEachChunk(x, (chunk, start) -> {
            encodeChunk(chunk);
            Rows.putRows(posterior().mean(), m, start);
            Rows.putRows(posterior().logVariance(), lv, start);
        }));
        return new Encoding(m, lv);
    }
}

package org.vae4j;

import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vae4j.internal.Rows;
import org.vae4j.kernel.Kernels;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Concat;
import org.vae4j.nn.Module;
import org.vae4j.nn.Sequential;
import org.vae4j.nn.TensorMap;
import org.vae4j.prob.DiagonalGaussianPosterior;

/**
 * A conditional VAE (Sohn, Lee &amp; Yan 2015): a condition c (a one-hot class label, or any
 * float vector) is joined to the encoder's input and to the decoder's input, so the posterior is
 * q(z|x,c), the likelihood p(x|z,c), and the prior stays N(0, I):
 *
 * <pre>
 *   h      = encoder([x | s c])                 Concat, then the MLP, hidden activation
 *   mu     = h W_mu^T + b_mu                    (batch, latent)   DiagonalGaussianPosterior
 *   logvar = h W_lv^T + b_lv                    (batch, latent)
 *   z      = mu + exp(logvar / 2) * eps         eps ~ N(0, I)
 *   out    = decoder([z | s c])                 Concat, then the MLP; logits for the Bernoulli likelihood
 *   loss   = [ -log p(x|z,c) + beta * KL(q(z|x,c) || N(0, I)) ] / batch      NegativeElbo
 * </pre>
 *
 * The condition scale s ({@link Builder#conditionScale}, default {@value #DEFAULT_CONDITION_SCALE})
 * changes no function the model can compute (the first layers' condition columns absorb it), only
 * how fast training moves them: with s = 1 the label's columns take Adam steps as small as a
 * pixel's, and prior draws decoded given a label show another class far more often (on MNIST, 25%
 * of them against 6% at s = 10, after 10 epochs: docs/MATH.md section 26, docs/TUTORIAL.md).
 *
 * <p>The {@link #encoder()} is {@code Sequential(Concat(inputSize, c), MLP)} and reads x (batch,
 * inputSize); the {@link #decoder()} is {@code Sequential(Concat(latent, c), MLP)} and reads z.
 * Both Concats take the condition set by {@link #setCondition}, which the objectives call with
 * the batch's condition before the forward; the decoder's Concat returns dz for the posterior.
 *
 * <p>Parameter names are those of the PyTorch module in docs/MODEL_FILES.md (the {@code CVAE}
 * of src/test/python/make_cvae_fixtures.py): with one hidden layer on each side
 * {@code fc1 (hidden, inputSize + c), fc_mu, fc_logvar, fc3 (hidden, latent + c), fc4}, otherwise
 * {@code encoder.0, encoder.2, ..., fc_mu, fc_logvar, decoder.0, decoder.2, ...}, where PyTorch
 * applies {@code nn.Sequential} to {@code torch.cat([x, s * c], 1)} and {@code torch.cat([z, s * c], 1)}.
 *
 * <p>The inference methods take the condition of each row: {@link #encode(FMatrixRMaj, FMatrixRMaj)},
 * {@link #encodeMean(FMatrixRMaj, FMatrixRMaj)}, {@link #decodeMean(FMatrixRMaj, FMatrixRMaj)},
 * {@link #sample(int, FMatrixRMaj, RandomGenerator)}, {@link #negativeElbo(FMatrixRMaj, FMatrixRMaj,
 * RandomGenerator)}; the unconditioned forms of {@link LatentModel} refuse to run without one.
 *
 * <p>Mutable (parameters and work buffers), not thread-safe: one thread at a time; for many
 * threads take the {@link #inference()} view. Build with {@link #builder(int, int)}.
 */
public class ConditionalVae extends ComposedLatentModel {

    /** The kind name of conditional-VAE model files. */
    public static final String KIND = "cvae";

    /**
     * The condition scale s of {@link Builder#conditionScale} unless given: the one-hot label
     * enters both first layers as s c.
     */
    public static final float DEFAULT_CONDITION_SCALE = 10f;

    private static final Logger LOG = LoggerFactory.getLogger(ConditionalVae.class);

    private final MlpShape shape;
    private final int conditionSize;
    private final Concat encoderConcat;
    private final Concat decoderConcat;

    /**
     * Builds the model from a builder's settings (for a subclass's builder); the weights are
     * drawn from the builder's seed, in the order encoder, heads, decoder.
     *
     * @param b the settings
     * @throws IllegalArgumentException if the output activation does not suit the likelihood
     */
    protected ConditionalVae(Builder b) {
        this(b, new Parts(b, new MlpShape(b), new SplittableRandom(b.seed)));
    }

    private ConditionalVae(Builder b, Parts parts) {
        super(KIND, classic(b) ? "" : "encoder", parts.encoder, parts.posterior, classic(b) ? "" : "decoder",
                parts.decoder, b.likelihood);
        this.shape = parts.shape;
        this.conditionSize = b.conditionSize;
        this.encoderConcat = parts.encoderConcat;
        this.decoderConcat = parts.decoderConcat;
        LOG.debug("built conditional VAE {} with {} parameters", describe(), parameterCount());
    }

    /** The modules, built in the order that draws the initial weights: encoder, heads, decoder. */
    private static final class Parts {
        final MlpShape shape;
        final Concat encoderConcat;
        final Concat decoderConcat;
        final Sequential encoder;
        final DiagonalGaussianPosterior posterior;
        final Sequential decoder;

        Parts(Builder b, MlpShape shape, RandomGenerator rng) {
            this.shape = shape;
            boolean classic = classic(b);
            int c = b.conditionSize;
            encoderConcat = new Concat(b.inputSize, c, b.conditionScale);
            Sequential encoderMlp = shape.encoder(b.inputSize + c, 0, classic ? new String[] {"fc1"} : null, b, rng);
            encoder = new Conditioned(encoderConcat, encoderMlp);
            posterior = new DiagonalGaussianPosterior(b.hidden[b.hidden.length - 1], b.latent,
                    b.init.resolve(Activation.IDENTITY), rng);
            decoderConcat = new Concat(b.latent, c, b.conditionScale);
            Sequential decoderMlp = shape.decoder(b.latent + c, b.inputSize,
                    classic ? new String[] {"fc3", "fc4"} : null, b, rng);
            decoder = new Conditioned(decoderConcat, decoderMlp);
        }
    }

    /**
     * {@code Sequential(Concat, MLP)}, both children unnamed (the MLP's names are the module's),
     * whose backward skips the MLP's input gradient when neither dx nor dc is wanted: the
     * encoder's first Dense then computes no (batch, inputSize + c) gradient only to drop it.
     */
    private static final class Conditioned extends Sequential {
        private final Concat concat;
        private final Sequential mlp;

        Conditioned(Concat concat, Sequential mlp) {
            super(List.of("", ""), List.<Module>of(concat, mlp));
            this.concat = concat;
            this.mlp = mlp;
        }

        /** The Concat's and the MLP's replicas, in a new Conditioned. */
        @Override
        public Conditioned replicate(TensorMap tensors) {
            return new Conditioned(concat.replicate(tensors), mlp.replicate(tensors));
        }

        /** The MLP's backward, then the Concat's (the forward's calls in reverse). */
        @Override
        public FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dy, boolean inputGradient) {
            boolean below = inputGradient || concat.computesConditionGradient();
            FMatrixRMaj g = mlp.backward(kernels, dy, below);
            return below ? concat.backward(kernels, g, inputGradient) : null;
        }
    }

    /** One hidden layer on each side keeps the PyTorch module's names fc1 ... fc4. */
    private static boolean classic(Builder b) {
        return b.hidden.length == 1 && b.decoderWidths().length == 1;
    }

    /**
     * {@return a builder for a conditional VAE on inputs of width {@code inputSize} with conditions of
     * width {@code conditionSize} (e.g. 10 for a one-hot digit label); defaults as {@link Vae}'s:
     * hidden 512, latent 32, ReLU, Bernoulli}
     *
     * @param inputSize     the width of an input row x, &gt; 0
     * @param conditionSize the width of a condition row c, &gt; 0
     * @throws IllegalArgumentException for a non-positive size
     */
    public static Builder builder(int inputSize, int conditionSize) {
        return new Builder(inputSize, conditionSize);
    }

    /** Builds a {@link ConditionalVae}. Not thread-safe. */
    public static class Builder extends ModelBuilder<Builder> {
        final int conditionSize;
        float conditionScale = DEFAULT_CONDITION_SCALE;

        /**
         * A builder with the defaults of {@link ConditionalVae#builder(int, int)} (for a subclass's builder).
         *
         * @param inputSize     the width of an input row x, &gt; 0
         * @param conditionSize the width of a condition row c, &gt; 0
         * @throws IllegalArgumentException for a non-positive size
         */
        protected Builder(int inputSize, int conditionSize) {
            super(inputSize, BernoulliLikelihood.INSTANCE);
            if (conditionSize <= 0) {
                throw new IllegalArgumentException("condition size must be positive, got " + conditionSize);
            }
            this.conditionSize = conditionSize;
        }

        /**
         * The scale s by which both Concats multiply the condition, [x | s c] and [z | s c]
         * (default {@value ConditionalVae#DEFAULT_CONDITION_SCALE}; 1 is Sohn et al.'s plain
         * concatenation). The model computes the same functions for every s (the first layers'
         * condition columns absorb it); s sets how fast Adam moves them: docs/MATH.md, section 26.
         *
         * @param s the scale, finite and &gt; 0, also as a float (it is stored as one)
         * @return this builder
         * @throws IllegalArgumentException unless finite and &gt; 0 (as a double and as a float)
         */
        public Builder conditionScale(double s) {
            if (!(s > 0) || !Double.isFinite(s) || !Float.isFinite((float) s)) {
                throw new IllegalArgumentException("the condition scale must be finite and > 0, got " + s);
            }
            this.conditionScale = (float) s;
            return this;
        }

        /**
         * {@return a new conditional VAE with these settings; the builder can be changed and used again}
         *
         * @throws IllegalArgumentException if the output activation does not suit the likelihood
         */
        public ConditionalVae build() {
            return new ConditionalVae(this);
        }
    }

    @Override
    public int conditionSize() {
        return conditionSize;
    }

    /** {@return the scale s of [x | s c] and [z | s c] ({@link Builder#conditionScale}), &gt; 0} */
    public float conditionScale() {
        return encoderConcat.conditionScale();
    }

    /**
     * Sets c (batch, conditionSize) into both Concats, by reference: it must not change before
     * the backward. Only the width is checked here (the trainer checks the whole data set's
     * conditions once; the inference methods check theirs); a row count other than the next
     * input's is refused by the forward.
     *
     * @throws IllegalArgumentException for {@code null} or a wrong width
     */
    @Override
    public void setCondition(FMatrixRMaj c) {
        if (c == null) {
            throw new IllegalArgumentException("the " + KIND + " model needs a (batch, " + conditionSize
                    + ") condition for every batch, got none");
        }
        encoderConcat.setCondition(c);
        decoderConcat.setCondition(c);
    }

    /** Replicas whose two Concats both take each chunk's condition. */
    @Override
    protected InferenceView.Replica replicate(TensorMap tensors) {
        Conditioned e = ((Conditioned) encoder()).replicate(tensors);
        Conditioned d = ((Conditioned) decoder()).replicate(tensors);
        return new InferenceView.Replica(e, posterior().replicate(tensors), d, c -> {
            e.concat.setCondition(c);
            d.concat.setCondition(c);
        });
    }

    /** {@return the encoder's first module, [x | c]} */
    public Concat encoderConcat() {
        return encoderConcat;
    }

    /** {@return the decoder's first module, [z | c]} */
    public Concat decoderConcat() {
        return decoderConcat;
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

    /**
     * {@return a one-line description, e.g. {@code 784-512-(32)-512-784 relu bernoulli, condition 10 x 10.0}
     * (the {@code x 10.0}, the condition scale, is left out when it is 1)}
     */
    @Override
    public String describe() {
        float s = conditionScale();
        return shape.describe(inputSize(), latentSize(), likelihood()) + ", condition " + conditionSize
                + (s == 1f ? "" : " x " + s);
    }

    /**
     * The encoder's Gaussian q(z|x,c) = N(mu, exp(logvar)) for each row; mu is the posterior mean
     * ({@link #encodeMean(FMatrixRMaj, FMatrixRMaj)}).
     *
     * @param x (n, inputSize), not modified
     * @param c (n, conditionSize), not modified
     * @return new matrices mu and logvar, each (n, latent)
     * @throws IllegalArgumentException for rows or a condition of the wrong shape, or a bad value
     */
    public Vae.Encoding encode(FMatrixRMaj x, FMatrixRMaj c) {
        checkData(x, "input");
        checkCondition(c, x.numRows, "condition");
        FMatrixRMaj m = new FMatrixRMaj(x.numRows, latentSize());
        FMatrixRMaj lv = new FMatrixRMaj(x.numRows, latentSize());
        inEvaluationMode(() -> Rows.forEachChunk(x, (chunk, start) -> {
            conditionChunk(c, start, chunk.numRows);
            encodeChunk(chunk);
            Rows.putRows(posterior().mean(), m, start);
            Rows.putRows(posterior().logVariance(), lv, start);
        }));
        return new Vae.Encoding(m, lv);
    }

    /**
     * One-hot conditions: row r has a 1 in column {@code labels[r]}, 0 elsewhere.
     *
     * @param labels the class of each row, each in [0, width); at least one
     * @param width  the number of classes (the condition size), &gt; 0
     * @return a new (labels.length, width) matrix
     * @throws IllegalArgumentException for a null or empty {@code labels}, a width &lt;= 0, or a
     *         label outside [0, width), naming its row
     */
    public static FMatrixRMaj oneHot(int[] labels, int width) {
        if (labels == null || labels.length == 0 || width <= 0) {
            throw new IllegalArgumentException("one-hot conditions need at least one label and a positive width");
        }
        FMatrixRMaj c = new FMatrixRMaj(labels.length, width);
        for (int r = 0; r < labels.length; r++) {
            if (labels[r] < 0 || labels[r] >= width) {
                throw new IllegalArgumentException("label " + labels[r] + " of row " + r + " is outside [0, "
                        + width + ")");
            }
            c.data[r * width + labels[r]] = 1f;
        }
        return c;
    }
}

package org.vae4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Gemms;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.loss.GaussianKl;
import org.vae4j.loss.GaussianSampler;
import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Dense;
import org.vae4j.nn.Init;
import org.vae4j.nn.Mlp;
import org.vae4j.nn.Parameter;

/**
 * A variational autoencoder (Kingma &amp; Welling 2013) with dense encoder and decoder of any depth.
 *
 * <pre>
 *   h      = encoder(x)                         MLP, hidden activation
 *   mu     = h W_mu^T + b_mu                    (batch, latent)
 *   logvar = h W_lv^T + b_lv                    (batch, latent)
 *   z      = mu + exp(logvar / 2) * eps         eps ~ N(0, I), GaussianSampler
 *   out    = decoder(z)                         logits for the Bernoulli likelihood
 *   loss   = [ -log p(x|z) + beta * KL(q(z|x) || N(0, I)) ] / batch
 * </pre>
 *
 * Parameter names are those of a PyTorch module: with one hidden layer on each side
 * {@code fc1, fc_mu, fc_logvar, fc3, fc4} (the seed model's PyTorch module; PyTorch's own
 * example calls the heads {@code fc21} and {@code fc22}), otherwise
 * {@code encoder.0, encoder.2, ..., fc_mu, fc_logvar, decoder.0, decoder.2, ...} as
 * {@code nn.Sequential} names them. Weights are (out, in).
 *
 * <p>Mutable (parameters and work buffers), not thread-safe. Build with {@link #builder(int)}.
 */
public final class Vae implements TrainableModel {

    private static final Logger LOG = LoggerFactory.getLogger(Vae.class);

    private final int inputSize;
    private final int latentSize;
    private final Likelihood likelihood;
    private final Mlp encoder;      // (batch, in) -> (batch, h_last)
    private final Dense muHead;     // (batch, h_last) -> (batch, latent)
    private final Dense logvarHead; // (batch, h_last) -> (batch, latent)
    private final Mlp decoder;      // (batch, latent) -> (batch, in)
    private final List<Parameter> parameters;
    private Gemm gemm = Gemms.get();

    // Work buffers, reshaped to the batch (capacity kept, so a short last batch allocates nothing).
    private final FMatrixRMaj mu = new FMatrixRMaj(1, 1);      // (batch, latent)
    private final FMatrixRMaj logvar = new FMatrixRMaj(1, 1);  // (batch, latent)
    private final FMatrixRMaj eps = new FMatrixRMaj(1, 1);     // (batch, latent)
    private final FMatrixRMaj z = new FMatrixRMaj(1, 1);       // (batch, latent)
    private final FMatrixRMaj dz = new FMatrixRMaj(1, 1);      // (batch, latent)
    private final FMatrixRMaj dmu = new FMatrixRMaj(1, 1);     // (batch, latent)
    private final FMatrixRMaj dlogvar = new FMatrixRMaj(1, 1); // (batch, latent)
    private final FMatrixRMaj dh = new FMatrixRMaj(1, 1);      // (batch, h_last)
    private final FMatrixRMaj dout = new FMatrixRMaj(1, 1);    // (batch, in)
    private double[] rowBuffer = new double[0];                // per-row losses for evaluation
    private double lastReconstruction;
    private double lastKl;

    private Vae(Builder b) {
        this.inputSize = b.inputSize;
        this.latentSize = b.latent;
        this.likelihood = b.likelihood;
        Activation out = b.resolvedOutputActivation();
        int[] enc = b.hidden;
        int[] dec = b.decoderWidths();
        boolean classic = enc.length == 1 && dec.length == 1;
        RandomGenerator rng = new SplittableRandom(b.seed);

        int[] encSizes = new int[enc.length + 1];
        encSizes[0] = inputSize;
        System.arraycopy(enc, 0, encSizes, 1, enc.length);
        Activation[] encActs = new Activation[enc.length];
        java.util.Arrays.fill(encActs, b.activation);
        String[] encNames = classic ? new String[] {"fc1"} : Mlp.sequentialNames("encoder", enc.length);
        this.encoder = new Mlp(encNames, encSizes, encActs, b.init, rng);

        int last = enc[enc.length - 1];
        Init headInit = b.init.resolve(Activation.IDENTITY);
        this.muHead = new Dense("fc_mu", last, latentSize, headInit, rng);
        this.logvarHead = new Dense("fc_logvar", last, latentSize, headInit, rng);

        int[] decSizes = new int[dec.length + 2];
        decSizes[0] = latentSize;
        System.arraycopy(dec, 0, decSizes, 1, dec.length);
        decSizes[dec.length + 1] = inputSize;
        Activation[] decActs = new Activation[dec.length + 1];
        java.util.Arrays.fill(decActs, b.activation);
        decActs[dec.length] = out;
        String[] decNames = classic ? new String[] {"fc3", "fc4"} : Mlp.sequentialNames("decoder", dec.length + 1);
        this.decoder = new Mlp(decNames, decSizes, decActs, b.init, rng);

        List<Parameter> ps = new ArrayList<>(encoder.parameters());
        ps.addAll(muHead.parameters());
        ps.addAll(logvarHead.parameters());
        ps.addAll(decoder.parameters());
        this.parameters = Collections.unmodifiableList(ps);
        LOG.debug("built VAE {} with {} parameters", describe(), parameterCount());
    }

    /** A builder for a VAE on inputs of width {@code inputSize}; defaults: hidden 512, latent 32, ReLU, Bernoulli. */
    public static Builder builder(int inputSize) {
        return new Builder(inputSize);
    }

    /** Builds a {@link Vae}. Not thread-safe. */
    public static final class Builder extends ModelBuilder<Builder> {
        Builder(int inputSize) {
            super(inputSize, BernoulliLikelihood.INSTANCE);
        }

        public Vae build() {
            return new Vae(this);
        }
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    public int latentSize() {
        return latentSize;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public Likelihood likelihood() {
        return likelihood;
    }

    @Override
    public Gemm gemm() {
        return gemm;
    }

    @Override
    public void setGemm(Gemm gemm) {
        if (gemm == null) {
            throw new IllegalArgumentException("gemm must not be null");
        }
        this.gemm = gemm;
    }

    /** Encoder hidden widths, input side first (excluding the latent heads). */
    public int[] hiddenSizes() {
        return encoder.layers().stream().mapToInt(Dense::outputSize).toArray();
    }

    /** Decoder hidden widths, latent side first (excluding the output layer). */
    public int[] decoderHiddenSizes() {
        List<Dense> d = decoder.layers();
        return d.subList(0, d.size() - 1).stream().mapToInt(Dense::outputSize).toArray();
    }

    /** The hidden layers' activation. */
    public Activation activation() {
        return encoder.activations().get(0);
    }

    /** The decoder's final activation (IDENTITY: logits for the Bernoulli likelihood). */
    public Activation outputActivation() {
        List<Activation> a = decoder.activations();
        return a.get(a.size() - 1);
    }

    /** The mu head (weights (latent, h_last)). */
    public Dense muHead() {
        return muHead;
    }

    /** The logvar head (weights (latent, h_last)). */
    public Dense logvarHead() {
        return logvarHead;
    }

    /**
     * The decoder's raw output for each row of z: the likelihood's parameters (logits for the
     * Bernoulli likelihood, means for the Gaussian), e.g. for
     * {@link Likelihood#negLogLikelihoodPerRow}. Returns a new (n, inputSize) matrix.
     */
    public FMatrixRMaj decoderOutput(FMatrixRMaj latent) {
        if (latent.numCols != latentSize || latent.numRows == 0) {
            throw new IllegalArgumentException("latent codes must be (n >= 1, " + latentSize + "), got ("
                    + latent.numRows + ", " + latent.numCols + ")");
        }
        FMatrixRMaj result = new FMatrixRMaj(latent.numRows, inputSize);
        Matrices.forEachChunk(latent, (chunk, start) -> Matrices.putRows(decoder.forward(gemm, chunk), result, start));
        return result;
    }

    public Mlp encoder() {
        return encoder;
    }

    public Mlp decoder() {
        return decoder;
    }

    /** A one-line description of the architecture, e.g. {@code 784-512-(32)-512-784 relu bernoulli}. */
    public String describe() {
        StringBuilder s = new StringBuilder().append(inputSize);
        for (Dense d : encoder.layers()) {
            s.append('-').append(d.outputSize());
        }
        s.append("-(").append(latentSize).append(')');
        for (Dense d : decoder.layers()) {
            s.append('-').append(d.outputSize());
        }
        return s.append(' ').append(encoder.activations().get(0).name().toLowerCase())
                .append(' ').append(likelihood.describe()).toString();
    }

    @Override
    public double forwardBackward(FMatrixRMaj x, double beta, RandomGenerator rng) {
        return forwardBackward(x, x, beta, rng);
    }

    /** Denoising form: the encoder sees {@code input}, the likelihood scores {@code target}. */
    @Override
    public double forwardBackward(FMatrixRMaj input, FMatrixRMaj target, double beta, RandomGenerator rng) {
        checkInputAndTarget(input, target);
        reshapeBuffers(target.numRows);
        GaussianSampler.drawNoise(eps, rng);
        return forwardBackward(input, target, beta);
    }

    /** The target must be valid data; a distinct input only needs the same shape and finite values. */
    private void checkInputAndTarget(FMatrixRMaj input, FMatrixRMaj target) {
        Matrices.checkInput(target, inputSize, likelihood, input == target ? "batch" : "target batch");
        if (input != target) {
            if (input == null || input.numRows != target.numRows || input.numCols != target.numCols) {
                throw new IllegalArgumentException("input batch must have the target's shape (" + target.numRows
                        + ", " + target.numCols + ")");
            }
            Likelihood.checkFinite(input, "input batch");
        }
    }

    @Override
    public double lastReconstruction() {
        return lastReconstruction;
    }

    @Override
    public double lastKl() {
        return lastKl;
    }

    /**
     * As {@link #computeGradients} but with the noise given: {@code noise} (batch, latent) is used
     * as eps. For tests against reference implementations.
     */
    public Loss computeGradients(FMatrixRMaj x, FMatrixRMaj noise, double beta) {
        Matrices.checkInput(x, inputSize, likelihood, "batch");
        if (noise.numRows != x.numRows || noise.numCols != latentSize) {
            throw new IllegalArgumentException("noise must be (" + x.numRows + ", " + latentSize + "), got ("
                    + noise.numRows + ", " + noise.numCols + ")");
        }
        reshapeBuffers(x.numRows);
        System.arraycopy(noise.data, 0, eps.data, 0, noise.getNumElements());
        double total = forwardBackward(x, x, beta);
        return new Loss(total, lastReconstruction, lastKl);
    }

    private void reshapeBuffers(int batch) {
        mu.reshape(batch, latentSize);
        logvar.reshape(batch, latentSize);
        eps.reshape(batch, latentSize);
        z.reshape(batch, latentSize);
        dz.reshape(batch, latentSize);
        dmu.reshape(batch, latentSize);
        dlogvar.reshape(batch, latentSize);
        dh.reshape(batch, muHead.inputSize());
        dout.reshape(batch, inputSize);
    }

    /**
     * Forward then backward with the noise already in {@code eps}; buffers already shaped. The
     * encoder sees {@code x}, the likelihood scores {@code target} (the same matrix unless denoising).
     */
    private double forwardBackward(FMatrixRMaj x, FMatrixRMaj target, double beta) {
        if (!(beta >= 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("beta must be finite and >= 0, got " + beta);
        }
        final int batch = x.numRows;
        zeroGrad();
        // forward
        FMatrixRMaj h = encoder.forward(gemm, x);
        muHead.forward(gemm, h, mu);
        logvarHead.forward(gemm, h, logvar);
        GaussianSampler.forward(mu, logvar, eps, z);
        FMatrixRMaj out = decoder.forward(gemm, z);
        double recon = likelihood.negLogLikelihood(out, target, 1f / batch, dout);
        double kl = GaussianKl.forward(mu, logvar);
        // backward: the forward's calls in reverse
        decoder.backward(gemm, dout, dz);
        java.util.Arrays.fill(dmu.data, 0, dmu.getNumElements(), 0f);
        java.util.Arrays.fill(dlogvar.data, 0, dlogvar.getNumElements(), 0f);
        GaussianKl.backward(mu, logvar, (float) (beta / batch), dmu, dlogvar);
        GaussianSampler.backward(dz, logvar, eps, dmu, dlogvar);
        logvarHead.backward(gemm, h, dlogvar, dh, false);
        muHead.backward(gemm, h, dmu, dh, true);
        encoder.backward(gemm, dh, null);
        lastReconstruction = recon / batch;
        lastKl = kl / batch;
        return (recon + beta * kl) / batch;
    }

    @Override
    public Loss evaluate(FMatrixRMaj x, RandomGenerator rng) {
        Matrices.checkInput(x, inputSize, likelihood, "evaluation data");
        double[] sums = new double[2];
        Matrices.forEachChunk(x, (chunk, start) -> {
            int n = chunk.numRows;
            encodeInto(chunk);
            eps.reshape(n, latentSize);
            z.reshape(n, latentSize);
            GaussianSampler.drawNoise(eps, rng);
            GaussianSampler.forward(mu, logvar, eps, z);
            FMatrixRMaj out = decoder.forward(gemm, z);
            sums[0] += sumRows(out, chunk);
            sums[1] += GaussianKl.forward(mu, logvar);
        });
        double recon = sums[0] / x.numRows;
        double kl = sums[1] / x.numRows;
        return new Loss(recon + kl, recon, kl);
    }

    /** -log p(x|out) summed over the rows of a chunk. */
    private double sumRows(FMatrixRMaj out, FMatrixRMaj x) {
        if (rowBuffer.length < x.numRows) {
            rowBuffer = new double[x.numRows];
        }
        likelihood.negLogLikelihoodPerRow(out, x, rowBuffer);
        double s = 0;
        for (int r = 0; r < x.numRows; r++) {
            s += rowBuffer[r];
        }
        return s;
    }

    private FMatrixRMaj dout(int rows) {
        dout.reshape(rows, inputSize);
        return dout;
    }

    /** Runs the encoder and heads on a chunk, leaving the results in {@code mu} and {@code logvar}. */
    private void encodeInto(FMatrixRMaj chunk) {
        FMatrixRMaj h = encoder.forward(gemm, chunk);
        mu.reshape(chunk.numRows, latentSize);
        logvar.reshape(chunk.numRows, latentSize);
        muHead.forward(gemm, h, mu);
        logvarHead.forward(gemm, h, logvar);
    }

    /** The parameters of q(z|x) for each row of an input. */
    public record Encoding(FMatrixRMaj mu, FMatrixRMaj logvar) {
    }

    /**
     * The encoder's Gaussian q(z|x) = N(mu, exp(logvar)) for each row.
     *
     * @param x (n, inputSize), not modified
     * @return new matrices mu and logvar, each (n, latent)
     */
    public Encoding encode(FMatrixRMaj x) {
        Matrices.checkInput(x, inputSize, likelihood, "input");
        FMatrixRMaj m = new FMatrixRMaj(x.numRows, latentSize);
        FMatrixRMaj lv = new FMatrixRMaj(x.numRows, latentSize);
        Matrices.forEachChunk(x, (chunk, start) -> {
            encodeInto(chunk);
            Matrices.putRows(mu, m, start);
            Matrices.putRows(logvar, lv, start);
        });
        return new Encoding(m, lv);
    }

    /**
     * The decoder's mean E[x|z] for each row of z (pixel probabilities for the Bernoulli likelihood).
     *
     * @param latent (n, latentSize), not modified
     * @return a new (n, inputSize) matrix
     */
    public FMatrixRMaj decode(FMatrixRMaj latent) {
        if (latent.numCols != latentSize || latent.numRows == 0) {
            throw new IllegalArgumentException("latent codes must be (n >= 1, " + latentSize + "), got ("
                    + latent.numRows + ", " + latent.numCols + ")");
        }
        Likelihood.checkFinite(latent, "latent codes");
        FMatrixRMaj result = new FMatrixRMaj(latent.numRows, inputSize);
        Matrices.forEachChunk(latent, (chunk, start) -> {
            FMatrixRMaj out = decoder.forward(gemm, chunk);
            FMatrixRMaj mean = dout(chunk.numRows);
            likelihood.mean(out, mean);
            Matrices.putRows(mean, result, start);
        });
        return result;
    }

    /** decode(mu(x)): the reconstruction through the posterior mean. Returns a new (n, inputSize) matrix. */
    public FMatrixRMaj reconstruct(FMatrixRMaj x) {
        return decode(encode(x).mu());
    }

    /**
     * Generates {@code n} examples: z ~ N(0, I), then the decoder's mean.
     *
     * @return a new (n, inputSize) matrix
     */
    public FMatrixRMaj sample(int n, RandomGenerator rng) {
        if (n <= 0) {
            throw new IllegalArgumentException("number of samples must be positive, got " + n);
        }
        FMatrixRMaj prior = new FMatrixRMaj(n, latentSize);
        GaussianSampler.drawNoise(prior, rng);
        return decode(prior);
    }

    /** {@link #encode} on rows given as arrays. */
    public float[][] encodeMean(float[][] x) {
        return Matrices.toRows(encode(Matrices.fromRows(x, "input")).mu());
    }

    /** {@link #reconstruct} on rows given as arrays. */
    public float[][] reconstruct(float[][] x) {
        return Matrices.toRows(reconstruct(Matrices.fromRows(x, "input")));
    }
}

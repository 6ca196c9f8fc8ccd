package org.vae4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Gemms;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Dense;
import org.vae4j.nn.Mlp;
import org.vae4j.nn.Parameter;

/**
 * A deterministic autoencoder (Hinton &amp; Salakhutdinov 2006): a dense encoder to a small
 * linear code and a decoder back, trained on the squared reconstruction error by default.
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
public final class Autoencoder implements TrainableModel {

    private final int inputSize;
    private final int codeSize;
    private final Likelihood likelihood;
    private final Mlp encoder; // (batch, in) -> (batch, code)
    private final Mlp decoder; // (batch, code) -> (batch, in)
    private final List<Parameter> parameters;
    private Gemm gemm = Gemms.get();

    private final FMatrixRMaj dcode = new FMatrixRMaj(1, 1); // (batch, code)
    private final FMatrixRMaj dout = new FMatrixRMaj(1, 1);  // (batch, in)
    private double[] rowBuffer = new double[0];
    private double lastReconstruction;

    private Autoencoder(Builder b) {
        this.inputSize = b.inputSize;
        this.codeSize = b.latent;
        this.likelihood = b.likelihood;
        RandomGenerator rng = new SplittableRandom(b.seed);
        int[] enc = b.hidden;
        int[] dec = b.decoderWidths();

        int[] encSizes = new int[enc.length + 2];
        encSizes[0] = inputSize;
        System.arraycopy(enc, 0, encSizes, 1, enc.length);
        encSizes[enc.length + 1] = codeSize;
        Activation[] encActs = new Activation[enc.length + 1];
        Arrays.fill(encActs, b.activation);
        encActs[enc.length] = Activation.IDENTITY; // linear code
        this.encoder = new Mlp(Mlp.sequentialNames("encoder", enc.length + 1), encSizes, encActs, b.init, rng);

        int[] decSizes = new int[dec.length + 2];
        decSizes[0] = codeSize;
        System.arraycopy(dec, 0, decSizes, 1, dec.length);
        decSizes[dec.length + 1] = inputSize;
        Activation[] decActs = new Activation[dec.length + 1];
        Arrays.fill(decActs, b.activation);
        decActs[dec.length] = b.resolvedOutputActivation();
        this.decoder = new Mlp(Mlp.sequentialNames("decoder", dec.length + 1), decSizes, decActs, b.init, rng);

        List<Parameter> ps = new ArrayList<>(encoder.parameters());
        ps.addAll(decoder.parameters());
        this.parameters = Collections.unmodifiableList(ps);
    }

    /**
     * A builder for an autoencoder on inputs of width {@code inputSize}; defaults: hidden 512,
     * code 32, ReLU, sigmoid output, squared error.
     */
    public static Builder builder(int inputSize) {
        return new Builder(inputSize);
    }

    /** Builds an {@link Autoencoder}. Not thread-safe. */
    public static final class Builder extends ModelBuilder<Builder> {
        Builder(int inputSize) {
            super(inputSize, GaussianLikelihood.squaredError());
        }

        public Autoencoder build() {
            return new Autoencoder(this);
        }
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    public int codeSize() {
        return codeSize;
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

    /** Encoder hidden widths, input side first (excluding the code layer). */
    public int[] hiddenSizes() {
        List<Dense> e = encoder.layers();
        return e.subList(0, e.size() - 1).stream().mapToInt(Dense::outputSize).toArray();
    }

    /** Decoder hidden widths, code side first (excluding the output layer). */
    public int[] decoderHiddenSizes() {
        List<Dense> d = decoder.layers();
        return d.subList(0, d.size() - 1).stream().mapToInt(Dense::outputSize).toArray();
    }

    /** The hidden layers' activation. */
    public Activation activation() {
        return encoder.activations().get(0);
    }

    /** The decoder's final activation. */
    public Activation outputActivation() {
        List<Activation> a = decoder.activations();
        return a.get(a.size() - 1);
    }

    public Mlp encoder() {
        return encoder;
    }

    public Mlp decoder() {
        return decoder;
    }

    /** A one-line description, e.g. {@code 784-1000-500-250-(30)-250-500-1000-784 relu squared-error}. */
    public String describe() {
        StringBuilder s = new StringBuilder().append(inputSize);
        List<Dense> enc = encoder.layers();
        for (int i = 0; i < enc.size(); i++) {
            int w = enc.get(i).outputSize();
            s.append('-').append(i == enc.size() - 1 ? "(" + w + ")" : String.valueOf(w));
        }
        for (Dense d : decoder.layers()) {
            s.append('-').append(d.outputSize());
        }
        return s.append(' ').append(encoder.activations().get(0).name().toLowerCase())
                .append(' ').append(likelihood.describe()).toString();
    }

    /** Forward and backward of one batch; {@code beta} and {@code rng} are ignored. */
    @Override
    public double forwardBackward(FMatrixRMaj x, double beta, RandomGenerator rng) {
        return forwardBackward(x, x, beta, rng);
    }

    /**
     * Denoising form: the encoder sees {@code input}, the loss compares the reconstruction with
     * {@code target}; {@code beta} and {@code rng} are ignored.
     */
    @Override
    public double forwardBackward(FMatrixRMaj input, FMatrixRMaj target, double beta, RandomGenerator rng) {
        Matrices.checkInput(target, inputSize, likelihood, input == target ? "batch" : "target batch");
        if (input != target) {
            if (input == null || input.numRows != target.numRows || input.numCols != target.numCols) {
                throw new IllegalArgumentException("input batch must have the target's shape (" + target.numRows
                        + ", " + target.numCols + ")");
            }
            Likelihood.checkFinite(input, "input batch");
        }
        final int batch = target.numRows;
        dcode.reshape(batch, codeSize);
        dout.reshape(batch, inputSize);
        zeroGrad();
        FMatrixRMaj code = encoder.forward(gemm, input);
        FMatrixRMaj out = decoder.forward(gemm, code);
        double recon = likelihood.negLogLikelihood(out, target, 1f / batch, dout);
        // backward: the forward's calls in reverse
        decoder.backward(gemm, dout, dcode);
        encoder.backward(gemm, dcode, null);
        lastReconstruction = recon / batch;
        return lastReconstruction;
    }

    @Override
    public double lastReconstruction() {
        return lastReconstruction;
    }

    @Override
    public double lastKl() {
        return 0;
    }

    /** The reconstruction loss per example (squared error per image by default); {@code rng} is unused. */
    @Override
    public Loss evaluate(FMatrixRMaj x, RandomGenerator rng) {
        Matrices.checkInput(x, inputSize, likelihood, "evaluation data");
        double[] sum = new double[1];
        Matrices.forEachChunk(x, (chunk, start) -> {
            FMatrixRMaj out = decoder.forward(gemm, encoder.forward(gemm, chunk));
            if (rowBuffer.length < chunk.numRows) {
                rowBuffer = new double[chunk.numRows];
            }
            likelihood.negLogLikelihoodPerRow(out, chunk, rowBuffer);
            for (int r = 0; r < chunk.numRows; r++) {
                sum[0] += rowBuffer[r];
            }
        });
        double recon = sum[0] / x.numRows;
        return new Loss(recon, recon, 0);
    }

    /** The codes of each row: a new (n, code) matrix. */
    public FMatrixRMaj encode(FMatrixRMaj x) {
        Matrices.checkInput(x, inputSize, likelihood, "input");
        FMatrixRMaj result = new FMatrixRMaj(x.numRows, codeSize);
        Matrices.forEachChunk(x, (chunk, start) -> Matrices.putRows(encoder.forward(gemm, chunk), result, start));
        return result;
    }

    /** The decoder's mean for each code: a new (n, inputSize) matrix. */
    public FMatrixRMaj decode(FMatrixRMaj codes) {
        if (codes.numCols != codeSize || codes.numRows == 0) {
            throw new IllegalArgumentException("codes must be (n >= 1, " + codeSize + "), got ("
                    + codes.numRows + ", " + codes.numCols + ")");
        }
        Likelihood.checkFinite(codes, "codes");
        FMatrixRMaj result = new FMatrixRMaj(codes.numRows, inputSize);
        Matrices.forEachChunk(codes, (chunk, start) -> {
            FMatrixRMaj out = decoder.forward(gemm, chunk);
            dout.reshape(chunk.numRows, inputSize);
            likelihood.mean(out, dout);
            Matrices.putRows(dout, result, start);
        });
        return result;
    }

    /** decode(encode(x)): a new (n, inputSize) matrix. */
    public FMatrixRMaj reconstruct(FMatrixRMaj x) {
        return decode(encode(x));
    }
}

package org.vae4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.Rows;
import org.vae4j.kernel.Kernels;
import org.vae4j.loss.GaussianSampler;
import org.vae4j.loss.Likelihood;
import org.vae4j.loss.MissingCells;
import org.vae4j.nn.Module;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.ParameterStore;
import org.vae4j.nn.TensorMap;
import org.vae4j.prob.Posterior;
import org.vae4j.random.CounterRandom;
import org.vae4j.random.Noise;

/**
 * A {@link LatentModel} put together from its pieces: any encoder and decoder {@link Module}, a
 * {@link Posterior} and a {@link Likelihood}. {@link Vae} and {@link Autoencoder} are built on
 * it; research code can use it directly with its own modules, or extend it.
 *
 * <p>Parameter names are composed as PyTorch composes them: the encoder's under
 * {@code encoderName} (e.g. {@code encoder.0.weight}), the posterior's as it names them, the
 * decoder's under {@code decoderName}; an empty name puts a module's parameters at the top
 * level (the seed VAE's {@code fc1.weight}); the likelihood's own parameters, if any, come last,
 * under {@code likelihood} (e.g. {@code likelihood.log_var}). The decoder's output width is the
 * likelihood's {@link Likelihood#outputWidth(int) outputWidth(inputSize)}. The model takes
 * {@link Likelihood#forModel()} of the likelihood it is given.
 *
 * <p>Missing cells: when the likelihood {@link Likelihood#acceptsMissing() accepts them}, NaN in
 * the data of every inference method means a missing cell: the encoder sees the likelihood's
 * neutral value there and {@link #negativeElbo} leaves the cell out of -log p
 * ({@link MissingCells}).
 *
 * <p>Mutable (parameters and work buffers), not thread-safe: one thread at a time, for training
 * and for its own inference methods. {@link #inference(int)} gives the thread-safe view, built
 * from {@link #replicate} (a subclass with a condition or extra modules overrides that).
 */
public class ComposedLatentModel implements LatentModel {

    /** The prefix of the likelihood's parameter names: {@code likelihood.log_var}. */
    public static final String LIKELIHOOD_PREFIX = "likelihood";

    private final String kind;
    private final Module encoder;
    private final Posterior posterior;
    private final Module decoder;
    private final Likelihood likelihood;
    private final List<Parameter> parameters;
    private final ParameterStore store;
    private Kernels kernels = Kernels.defaults();
    private boolean training = true;

    // Inference buffers (evaluation): reused across chunks.
    private final FMatrixRMaj eps = new FMatrixRMaj(1, 1);  // (chunk, noiseWidth)
    private final FMatrixRMaj mean = new FMatrixRMaj(1, 1); // (chunk, inputSize)
    private final FMatrixRMaj conditionBuffer = new FMatrixRMaj(1, 1); // (chunk, conditionSize)
    private final FMatrixRMaj filled = new FMatrixRMaj(1, 1); // (chunk, inputSize) missing cells neutral
    private FMatrixRMaj chunkMask;                            // (chunk, inputSize) or null, of the last chunk
    private final CounterRandom scratch = new CounterRandom();
    private double[] rowBuffer = new double[0];

    /**
     * A model of the given pieces; its parameters are the pieces' tensors (not copies), adopted
     * into one flat {@link #parameterStore()} and named as the class comment says.
     *
     * @param kind        the codec name of this kind of model (see {@link #kind()}), not null
     * @param encoderName prefix of the encoder's parameter names ("" for none), not null
     * @param encoder     x (batch, inputSize) to h (batch, posterior.inputSize()), not null
     * @param posterior   q(z|x) on h, not null
     * @param decoderName prefix of the decoder's parameter names ("" for none), not null
     * @param decoder     z (batch, latentSize) to the likelihood's parameters (batch,
     *                    likelihood.outputWidth(inputSize)), not null
     * @param likelihood  p(x|z) on the decoder's output; the model keeps its {@link Likelihood#forModel()}
     * @throws IllegalArgumentException for a null piece or kind, when the pieces' widths do not
     *         chain, or when two parameters share a name
     */
    public ComposedLatentModel(String kind, String encoderName, Module encoder, Posterior posterior,
                               String decoderName, Module decoder, Likelihood likelihood) {
        if (kind == null || encoder == null || posterior == null || decoder == null || likelihood == null) {
            throw new IllegalArgumentException("a latent model needs a kind, encoder, posterior, decoder and likelihood");
        }
        if (encoder.outputSize() != posterior.inputSize()) {
            throw new IllegalArgumentException("the encoder gives " + encoder.outputSize()
                    + " columns but the posterior reads " + posterior.inputSize());
        }
        if (decoder.inputSize() != posterior.latentSize()) {
            throw new IllegalArgumentException("the decoder reads " + decoder.inputSize()
                    + " columns but z has " + posterior.latentSize());
        }
        likelihood = likelihood.forModel();
        int outputWidth = likelihood.outputWidth(encoder.inputSize());
        if (decoder.outputSize() != outputWidth) {
            throw new IllegalArgumentException("the decoder gives " + decoder.outputSize()
                    + " columns but the " + likelihood.describe() + " likelihood reads " + outputWidth
                    + " for an input of " + encoder.inputSize());
        }
        this.kind = kind;
        this.encoder = encoder;
        this.posterior = posterior;
        this.decoder = decoder;
        this.likelihood = likelihood;
        List<Parameter> ps = new ArrayList<>();
        for (Parameter p : encoder.parameters()) {
            ps.add(p.withPrefix(encoderName));
        }
        ps.addAll(posterior.parameters());
        for (Parameter p : decoder.parameters()) {
            ps.add(p.withPrefix(decoderName));
        }
        for (Parameter p : likelihood.parameters()) {
            ps.add(p.withPrefix(LIKELIHOOD_PREFIX));
        }
        this.parameters = Collections.unmodifiableList(ps);
        this.store = new ParameterStore(this.parameters);
    }

    @Override
    public InferenceView inference(int threads) {
        return new InferenceView(this, threads);
    }

    /**
     * {@return the modules one {@link InferenceView} worker runs: replicas of the encoder, posterior and
     * decoder on {@code tensors} ({@link Module#replicate}), without a condition} A conditional
     * subclass overrides it to say how a chunk's condition reaches its replicas.
     *
     * @param tensors the map from this model's parameters to the view's snapshot of them
     * @throws UnsupportedOperationException when a module cannot replicate itself, or the model
     *         is conditional and the subclass does not override this method
     */
    protected InferenceView.Replica replicate(TensorMap tensors) {
        if (conditionSize() != 0) {
            throw new UnsupportedOperationException("the conditional " + kind + " model (" + getClass().getName()
                    + ") must override ComposedLatentModel.replicate(TensorMap) to set the condition of its replicas");
        }
        return new InferenceView.Replica(encoder.replicate(tensors), posterior.replicate(tensors),
                decoder.replicate(tensors), null);
    }

    @Override
    public ParameterStore parameterStore() {
        return store;
    }

    @Override
    public void zeroGrad() {
        store.zeroGradients(kernels().gemm());
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public int inputSize() {
        return encoder.inputSize();
    }

    @Override
    public int latentSize() {
        return posterior.latentSize();
    }

    @Override
    public Module encoder() {
        return encoder;
    }

    @Override
    public Posterior posterior() {
        return posterior;
    }

    @Override
    public Module decoder() {
        return decoder;
    }

    @Override
    public Likelihood likelihood() {
        return likelihood;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    @Override
    public void setKernels(Kernels kernels) {
        if (kernels == null) {
            throw new IllegalArgumentException("kernels must not be null");
        }
        this.kernels = kernels;
    }

    @Override
    public void setTraining(boolean training) {
        this.training = training;
        encoder.setTraining(training);
        decoder.setTraining(training);
    }

    /** {@return whether the model is in training mode} */
    public boolean isTraining() {
        return training;
    }

    @Override
    public void checkData(FMatrixRMaj x, String what) {
        Matrices.checkInput(x, inputSize(), likelihood, what);
    }

    /**
     * Runs {@code inference} with the modules in evaluation mode, then restores the mode (for
     * a subclass's own inference methods).
     *
     * @param inference the work to run in evaluation mode, on this thread
     */
    protected final void inEvaluationMode(Runnable inference) {
        boolean was = beginInference();
        try {
            inference.run();
        } finally {
            endInference(was);
        }
    }

    /** Modules in evaluation mode for one inference call; restored by {@link #endInference}. */
    private boolean beginInference() {
        boolean was = training;
        if (was) {
            encoder.setTraining(false);
            decoder.setTraining(false);
        }
        return was;
    }

    private void endInference(boolean was) {
        if (was) {
            encoder.setTraining(true);
            decoder.setTraining(true);
        }
    }

    /**
     * Runs the encoder and the posterior on a chunk (its results stay in the posterior's
     * buffers). Missing cells (NaN, when the likelihood accepts them) are given their neutral
     * value first; {@link #chunkMask()} is then their mask.
     *
     * @param chunk the rows, (rows, inputSize), not modified
     */
    protected final void encodeChunk(FMatrixRMaj chunk) {
        posterior.forward(kernels, encoder.forward(kernels, fillChunk(chunk)));
    }

    /**
     * {@return the chunk with missing cells neutral (the chunk itself when none is missing); sets {@link #chunkMask()}}
     * A filled chunk is a buffer of this model, valid until the next call.
     *
     * @param chunk the rows, (rows, inputSize), not modified
     */
    protected final FMatrixRMaj fillChunk(FMatrixRMaj chunk) {
        if (!likelihood.acceptsMissing() || !MissingCells.any(chunk)) {
            chunkMask = null;
            return chunk;
        }
        chunkMask = MissingCells.split(likelihood, chunk, filled, "input");
        return filled;
    }

    /**
     * {@return the missing-cell mask of the chunk last given to {@link #encodeChunk}, or {@code null} if it had none}
     */
    protected final FMatrixRMaj chunkMask() {
        return chunkMask;
    }

    /**
     * Sets the condition of rows [start, start + rows) of {@code c} for the next chunk's forwards
     * (nothing when {@code c} is null: an unconditional model). The rows are copied into a buffer
     * of this model, valid until the next chunk.
     *
     * @param c     the condition of all the call's rows, (n, conditionSize), or {@code null}
     * @param start the index in {@code c} of the chunk's first row
     * @param rows  the number of rows of the chunk
     */
    protected final void conditionChunk(FMatrixRMaj c, int start, int rows) {
        if (c != null) {
            setCondition(Rows.copyRows(c, start, start + rows, conditionBuffer));
        }
    }

    @Override
    public FMatrixRMaj encodeMean(FMatrixRMaj x) {
        return encodeMean(x, null);
    }

    @Override
    public FMatrixRMaj encodeMean(FMatrixRMaj x, FMatrixRMaj c) {
        checkData(x, "input");
        checkCondition(c, x.numRows, "condition");
        FMatrixRMaj result = new FMatrixRMaj(x.numRows, latentSize());
        inEvaluationMode(() -> {
            Rows.forEachChunk(x, (chunk, start) -> {
                conditionChunk(c, start, chunk.numRows);
                encodeChunk(chunk);
                Rows.putRows(posterior.mean(), result, start);
            });
        });
        return result;
    }

    @Override
    public FMatrixRMaj encoderOutput(FMatrixRMaj x) {
        return encoderOutput(x, null);
    }

    @Override
    public FMatrixRMaj encoderOutput(FMatrixRMaj x, FMatrixRMaj c) {
        checkData(x, "input");
        checkCondition(c, x.numRows, "condition");
        FMatrixRMaj result = new FMatrixRMaj(x.numRows, posterior.inputSize());
        inEvaluationMode(() -> Rows.forEachChunk(x, (chunk, start) -> {
            conditionChunk(c, start, chunk.numRows);
            Rows.putRows(encoder.forward(kernels, fillChunk(chunk)), result, start);
        }));
        return result;
    }

    /**
     * Checks latent codes: (n &gt;= 1, latentSize), finite.
     *
     * @param z    the codes to check
     * @param what what they are, for the message (e.g. {@code "latent codes"})
     * @throws IllegalArgumentException for null codes, a wrong shape or a non-finite value
     */
    protected final void checkLatent(FMatrixRMaj z, String what) {
        if (z == null || z.numCols != latentSize() || z.numRows == 0) {
            throw new IllegalArgumentException(what + " must be (n >= 1, " + latentSize() + "), got "
                    + (z == null ? "null" : "(" + z.numRows + ", " + z.numCols + ")"));
        }
        Likelihood.checkFinite(z, what);
    }

    @Override
    public FMatrixRMaj decoderOutput(FMatrixRMaj z) {
        return decoderOutput(z, null);
    }

    @Override
    public FMatrixRMaj decoderOutput(FMatrixRMaj z, FMatrixRMaj c) {
        checkLatent(z, "latent codes");
        checkCondition(c, z.numRows, "condition");
        FMatrixRMaj result = new FMatrixRMaj(z.numRows, decoder.outputSize());
        inEvaluationMode(() -> Rows.forEachChunk(z, (chunk, start) -> {
            conditionChunk(c, start, chunk.numRows);
            Rows.putRows(decoder.forward(kernels, chunk), result, start);
        }));
        return result;
    }

    @Override
    public FMatrixRMaj decodeMean(FMatrixRMaj z) {
        return decodeMean(z, null);
    }

    @Override
    public FMatrixRMaj decodeMean(FMatrixRMaj z, FMatrixRMaj c) {
        checkLatent(z, "latent codes");
        checkCondition(c, z.numRows, "condition");
        FMatrixRMaj result = new FMatrixRMaj(z.numRows, inputSize());
        inEvaluationMode(() -> {
            Rows.forEachChunk(z, (chunk, start) -> {
                conditionChunk(c, start, chunk.numRows);
                FMatrixRMaj out = decoder.forward(kernels, chunk);
                mean.reshape(chunk.numRows, inputSize());
                likelihood.mean(out, mean);
                Rows.putRows(mean, result, start);
            });
        });
        return result;
    }

    @Override
    public FMatrixRMaj sample(int n, RandomGenerator rng) {
        return sample(n, null, rng);
    }

    @Override
    public FMatrixRMaj sample(int n, FMatrixRMaj c, RandomGenerator rng) {
        if (n <= 0) {
            throw new IllegalArgumentException("number of samples must be positive, got " + n);
        }
        checkCondition(c, n, "condition");
        FMatrixRMaj z = new FMatrixRMaj(n, latentSize());
        prior().sample(z, rng);
        return decodeMean(z, c);
    }

    @Override
    public Loss negativeElbo(FMatrixRMaj x, RandomGenerator rng) {
        return negativeElbo(x, null, rng, null);
    }

    @Override
    public Loss negativeElbo(FMatrixRMaj x, Noise noise) {
        return negativeElbo(x, (FMatrixRMaj) null, noise);
    }

    @Override
    public Loss negativeElbo(FMatrixRMaj x, FMatrixRMaj c, RandomGenerator rng) {
        return negativeElbo(x, c, rng, null);
    }

    @Override
    public Loss negativeElbo(FMatrixRMaj x, FMatrixRMaj c, Noise noise) {
        if (noise == null) {
            throw new IllegalArgumentException("noise must not be null");
        }
        return negativeElbo(x, c, null, noise);
    }

    /** One z per row, from {@code rng} in order or from {@code noise} keyed by row; c may be null. */
    private Loss negativeElbo(FMatrixRMaj x, FMatrixRMaj c, RandomGenerator rng, Noise noise) {
        checkData(x, "evaluation data");
        checkCondition(c, x.numRows, "evaluation condition");
        double[] sums = new double[2];
        inEvaluationMode(() -> {
            Rows.forEachChunk(x, (chunk, start) -> {
                int n = chunk.numRows;
                conditionChunk(c, start, n);
                encodeChunk(chunk);
                FMatrixRMaj e = null;
                int w = posterior.noiseWidth();
                if (w > 0) {
                    eps.reshape(n, w);
                    if (noise == null) {
                        GaussianSampler.drawNoise(eps, rng);
                    } else {
                        for (int r = 0; r < n; r++) {
                            noise.gaussian(scratch, Noise.EVALUATION, 0, start + r, 0, eps.data, r * w, w);
                        }
                    }
                    e = eps;
                }
                FMatrixRMaj out = decoder.forward(kernels, posterior.sample(e));
                if (rowBuffer.length < n) {
                    rowBuffer = new double[n];
                }
                likelihood.negLogLikelihoodPerRow(out, chunkMask == null ? chunk : filled, chunkMask, rowBuffer);
                for (int r = 0; r < n; r++) {
                    sums[0] += rowBuffer[r];
                }
                sums[1] += posterior.klToPrior();
            });
        });
        double recon = sums[0] / x.numRows;
        double kl = sums[1] / x.numRows;
        return new Loss(recon + kl, recon, kl);
    }

    @Override
    public String describe() {
        return kind + " " + encoder.describe() + " -> " + posterior.describe() + "(" + latentSize() + ") -> "
                + decoder.describe() + " " + likelihood.describe();
    }
}

package org.vae4j;

import java.util.List;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Kernels;
import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Module;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.ParameterStore;
import org.vae4j.prob.Posterior;
import org.vae4j.prob.StandardNormalPrior;
import org.vae4j.random.Noise;

/**
 * What every latent-variable model here is: an encoder {@link Module}, a posterior q(z|x) on its
 * output, the prior N(0, I), a decoder {@link Module} and a likelihood p(x|z) on the decoder's
 * output. {@link Vae} (Gaussian posterior) and {@link Autoencoder} (a point-mass posterior)
 * implement it, and so can a research model: training ({@link org.vae4j.objective.Objective},
 * {@link org.vae4j.train.Trainer}), evaluation ({@code org.vae4j.eval}) and files
 * ({@code org.vae4j.io}, through the codec of its {@link #kind()}) take this interface.
 *
 * <p>The inference methods ({@link #encodeMean}, {@link #decodeMean}, ...) run in evaluation mode,
 * in chunks, and return new matrices. Models are mutable (parameters and work buffers) and not
 * thread-safe: use one model from one thread at a time (two threads calling even its inference
 * methods corrupt each other's results through the shared buffers). To serve one model from many
 * threads, or to use all cores on one large batch, take an {@link #inference()} view: a
 * thread-safe snapshot of the weights.
 */
public interface LatentModel {

    /** The model kind that names its file codec, e.g. {@code vae} or {@code ae}. */
    String kind();

    /** Width of an input row. */
    int inputSize();

    /** Width of z. */
    int latentSize();

    /** x (batch, inputSize) to h (batch, posterior().inputSize()). */
    Module encoder();

    /** q(z|x) from h. */
    Posterior posterior();

    /** p(z). */
    default StandardNormalPrior prior() {
        return StandardNormalPrior.INSTANCE;
    }

    /** z (batch, latentSize) to the likelihood's parameters (batch, likelihood().outputWidth(inputSize)). */
    Module decoder();

    /** p(x|z) on the decoder's output. */
    Likelihood likelihood();

    /**
     * Every trainable tensor with its state_dict name (composed from the modules' names), in a
     * fixed order: the order of files, optimiser state and gradient buffers.
     */
    List<Parameter> parameters();

    /** The kernels every computation of this model goes through. */
    Kernels kernels();

    /** Replaces the kernels. */
    void setKernels(Kernels kernels);

    /** The GEMM backend of {@link #kernels()}. */
    default Gemm gemm() {
        return kernels().gemm();
    }

    /** Replaces the GEMM backend, keeping the elementwise kernels. */
    default void setGemm(Gemm gemm) {
        if (gemm == null) {
            throw new IllegalArgumentException("gemm must not be null");
        }
        setKernels(kernels().withGemm(gemm));
    }

    /** Training (the initial mode) or evaluation behaviour of every module (dropout). */
    void setTraining(boolean training);

    /**
     * Checks that {@code x} can be this model's data: its width, at least one row, finite
     * values in the likelihood's support.
     *
     * @throws IllegalArgumentException naming {@code what} and the first bad value
     */
    void checkData(FMatrixRMaj x, String what);

    /**
     * The encoder's output h (the posterior's input) for each row, in evaluation mode: a new
     * (n, posterior().inputSize()) matrix. Evaluations that need more of q(z|x) than its mean
     * (samples, KL, density) run {@code posterior().forward(kernels(), h)} on it.
     */
    FMatrixRMaj encoderOutput(FMatrixRMaj x);

    /**
     * Whether q(z|x) is a distribution sampled with noise and with a density (a VAE's), rather
     * than a point mass (an autoencoder's code): then the prior is what the codes were fitted to,
     * and likelihood bounds such as the importance-weighted one apply.
     */
    default boolean hasStochasticPosterior() {
        return posterior().noiseWidth() > 0;
    }

    /** The posterior mean of z for each row: a new (n, latentSize) matrix. */
    FMatrixRMaj encodeMean(FMatrixRMaj x);

    /**
     * The decoder's raw output for each z, before the likelihood turns it into data: the
     * likelihood's parameters (the logits for a Bernoulli likelihood, the mean for a
     * fixed-variance Gaussian, mean and log-variance for a learned one), a new
     * (n, likelihood().outputWidth(inputSize)) matrix. {@link #decodeMean} gives E[x|z].
     */
    FMatrixRMaj decoderOutput(FMatrixRMaj z);

    /**
     * The likelihood's mean E[x|z] for each z (pixel probabilities for a Bernoulli likelihood): a
     * new (n, inputSize) matrix. {@link #decoderOutput} gives the decoder's raw output instead.
     */
    FMatrixRMaj decodeMean(FMatrixRMaj z);

    /** decodeMean(encodeMean(x)): a new (n, inputSize) matrix. */
    default FMatrixRMaj reconstruct(FMatrixRMaj x) {
        return decodeMean(encodeMean(x));
    }

    /** decodeMean(z) for n draws z ~ p(z): a new (n, inputSize) matrix. */
    FMatrixRMaj sample(int n, RandomGenerator rng);

    /**
     * The negative ELBO per example with one z draw per row, always unweighted (beta = 1, whatever
     * beta or KL schedule the model was trained with): {@code total = reconstruction + kl}, the
     * bound on -log p(x) that models trained with different betas are compared on. For an
     * autoencoder (a point-mass posterior, KL 0) it is the reconstruction loss. The noise is
     * drawn in order from {@code rng}; {@link #negativeElbo(FMatrixRMaj, Noise)} keys it by row
     * instead. A beta-weighted value is {@code l.reconstruction() + beta * l.kl()}.
     */
    Loss negativeElbo(FMatrixRMaj x, RandomGenerator rng);

    /**
     * As {@link #negativeElbo(FMatrixRMaj, RandomGenerator)} with row r's noise from the stream
     * ({@link Noise#EVALUATION}, 0, r, 0) of {@code noise}: the same value every time it is
     * called on the same rows, whatever their chunking.
     */
    Loss negativeElbo(FMatrixRMaj x, Noise noise);

    // ------------------------------------------------------------------ conditions

    /**
     * Width of the condition c that a conditional model (e.g. {@link ConditionalVae}: q(z|x,c),
     * p(x|z,c)) joins to its encoder's and decoder's inputs; 0 (the default) for a model without
     * one.
     */
    default int conditionSize() {
        return 0;
    }

    /**
     * Sets the condition (batch, {@link #conditionSize()}) that the next forwards of
     * {@link #encoder()} and {@link #decoder()} join to their inputs, kept by reference until it is
     * replaced: an objective calls it with {@code batch.condition()} before its forward. An
     * unconditional model accepts only {@code null} (the default does nothing else).
     *
     * @throws IllegalArgumentException for a condition of the wrong width, or any condition on an
     *                                  unconditional model, or none on a conditional one
     */
    default void setCondition(FMatrixRMaj c) {
        if (c != null) {
            checkCondition(c, c.numRows, "condition");
        }
    }

    /**
     * Checks a condition for {@code rows} rows: {@code null} for an unconditional model, else
     * (rows, {@link #conditionSize()}) and finite.
     *
     * @throws IllegalArgumentException naming {@code what}, the shapes and the first bad value
     */
    default void checkCondition(FMatrixRMaj c, int rows, String what) {
        int w = conditionSize();
        if (w == 0) {
            if (c != null) {
                throw new IllegalArgumentException(what + ": the " + kind() + " model takes no condition, got a ("
                        + c.numRows + ", " + c.numCols + ") one");
            }
            return;
        }
        if (c == null) {
            throw new IllegalArgumentException(what + ": the " + kind() + " model is conditional and needs a ("
                    + rows + ", " + w + ") condition; use the methods that take one, e.g. negativeElbo(x, c, noise)");
        }
        if (c.numRows != rows || c.numCols != w) {
            throw new IllegalArgumentException(what + " must be (" + rows + ", " + w + "), got (" + c.numRows + ", "
                    + c.numCols + ")");
        }
        Likelihood.checkFinite(c, what);
    }

    /**
     * {@link #encoderOutput(FMatrixRMaj)} given the condition c (n, conditionSize()) of each row
     * ({@code null} for an unconditional model).
     */
    default FMatrixRMaj encoderOutput(FMatrixRMaj x, FMatrixRMaj c) {
        checkCondition(c, x == null ? 0 : x.numRows, "condition");
        return encoderOutput(x);
    }

    /** {@link #encodeMean(FMatrixRMaj)} given the condition of each row ({@code null} without one). */
    default FMatrixRMaj encodeMean(FMatrixRMaj x, FMatrixRMaj c) {
        checkCondition(c, x == null ? 0 : x.numRows, "condition");
        return encodeMean(x);
    }

    /** {@link #decoderOutput(FMatrixRMaj)} given the condition of each code ({@code null} without one). */
    default FMatrixRMaj decoderOutput(FMatrixRMaj z, FMatrixRMaj c) {
        checkCondition(c, z == null ? 0 : z.numRows, "condition");
        return decoderOutput(z);
    }

    /** {@link #decodeMean(FMatrixRMaj)} given the condition of each code ({@code null} without one). */
    default FMatrixRMaj decodeMean(FMatrixRMaj z, FMatrixRMaj c) {
        checkCondition(c, z == null ? 0 : z.numRows, "condition");
        return decodeMean(z);
    }

    /** decodeMean(encodeMean(x, c), c): a new (n, inputSize) matrix. */
    default FMatrixRMaj reconstruct(FMatrixRMaj x, FMatrixRMaj c) {
        return decodeMean(encodeMean(x, c), c);
    }

    /**
     * decodeMean(z, c) for n draws z ~ p(z), row r with the condition c[r] ({@code c} is (n,
     * conditionSize()), {@code null} without one): a new (n, inputSize) matrix.
     */
    default FMatrixRMaj sample(int n, FMatrixRMaj c, RandomGenerator rng) {
        checkCondition(c, n, "condition");
        return sample(n, rng);
    }

    /** {@link #negativeElbo(FMatrixRMaj, RandomGenerator)} given the condition of each row ({@code null} without one). */
    default Loss negativeElbo(FMatrixRMaj x, FMatrixRMaj c, RandomGenerator rng) {
        checkCondition(c, x == null ? 0 : x.numRows, "condition");
        return negativeElbo(x, rng);
    }

    /** {@link #negativeElbo(FMatrixRMaj, Noise)} given the condition of each row ({@code null} without one). */
    default Loss negativeElbo(FMatrixRMaj x, FMatrixRMaj c, Noise noise) {
        checkCondition(c, x == null ? 0 : x.numRows, "condition");
        return negativeElbo(x, noise);
    }

    /** A one-line description of the architecture. */
    String describe();

    /**
     * A thread-safe {@link InferenceView} of this model: a snapshot of its weights taken now
     * (later training does not reach it), served to any number of threads at once, each large
     * call split over up to {@link org.vae4j.kernel.Gemms#defaultThreads()} threads.
     *
     * @throws UnsupportedOperationException for a model whose modules cannot be replicated
     *                                       ({@link Module#replicate})
     */
    default InferenceView inference() {
        return inference(org.vae4j.kernel.Gemms.defaultThreads());
    }

    /**
     * As {@link #inference()}, each call using at most {@code threads} threads (1: only the
     * caller's, for callers that bring their own parallelism, e.g. one task per core).
     *
     * @throws UnsupportedOperationException by default: {@link ComposedLatentModel} implements it
     */
    default InferenceView inference(int threads) {
        throw new UnsupportedOperationException("the " + kind() + " model (" + getClass().getName()
                + ") has no inference view; models built on ComposedLatentModel have one");
    }

    /**
     * {@link #parameters()} in one flat array of values and one of gradients (the tensors are
     * views into them), with whole-model zeroing, finiteness and norm as one pass each. The
     * first store built over a model's parameters adopts them; this default builds a new store on
     * each call, which after the first shares the first one's arrays (see {@link ParameterStore}).
     * {@link ComposedLatentModel} keeps one, built when the model is.
     */
    default ParameterStore parameterStore() {
        return new ParameterStore(parameters());
    }

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

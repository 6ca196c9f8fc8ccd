package org.vae4j;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.EjmlGemm;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Gemms;
import org.vae4j.kernel.Kernels;
import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Module;
import org.vae4j.nn.TensorMap;
import org.vae4j.prob.Posterior;
import org.vae4j.random.Noise;

/**
 * A thread-safe inference view of a latent-variable model ({@link LatentModel#inference()}): the
 * batch inference methods of the model, callable from any number of threads at once on one view.
 *
 * <p><b>A snapshot.</b> The view copies the model's parameter values once, when it is made, into
 * one read-only flat array ({@link TensorMap#snapshot}: 4 bytes per parameter, e.g. 3.4 MB for the
 * seed VAE, whatever the number of threads; no gradients), and takes a snapshot of the likelihood
 * ({@link Likelihood#forModel()}). Training the model afterwards, loading other values into it or
 * changing its kernels does not reach the view: make a new view to serve new weights. Every thread
 * that reaches the view sees the snapshot complete (final fields).
 *
 * <p><b>Threads.</b> Each call borrows a worker (replicas of the model's modules on the snapshot,
 * {@link Module#replicate}, with their own buffers: about 4 bytes x chunk rows x the sum of the
 * layer widths, ~5 MB for the seed VAE at 1,000 rows; and their weights prepared for the GEMM
 * backend, {@link org.vae4j.kernel.Gemm#prepare}, packed once instead of on every call: with the
 * vector backend about as many floats as the weights, ~3.4 MB for the seed VAE) from a pool and
 * gives it back; as many workers are made as parts run at once, and kept. A call on at least
 * 2 x {@value #MIN_ROWS_PER_THREAD} rows on a view of several threads is split into up to
 * {@value #PARTS_PER_THREAD} x {@link #threads()} contiguous row ranges of at least
 * {@value #MIN_ROWS_PER_THREAD} rows (earlier ones larger by at most one row), which the caller
 * and {@code threads() - 1} helpers in the common {@link ForkJoinPool} claim one at a time until
 * none is left: a thread slowed by another process computes fewer, and ranges no helper has
 * started are computed by the caller, so a busy pool never delays a call. The workers' GEMM is
 * the model's backend with one thread ({@code vector-2t} becomes {@code vector}, {@code ejml-mt2}
 * {@code ejml}; a user's own backend is used as it is and must be thread-safe): the row split is
 * the parallelism.
 *
 * <p><b>Results.</b> Every row is computed by the same operations whatever the rows around it: the
 * same as the model's own methods ({@link LatentModel#encodeMean}, {@link LatentModel#decodeMean},
 * ...) bit for bit, whatever the thread, the number of threads, the batch size or the split, with
 * the library's GEMM backends (each element of a product is accumulated in ascending k by both)
 * and modules (all row-wise). Noise is keyed by row id, never by thread or position: row r of a
 * call with {@code firstRow} f draws its posterior noise from the stream
 * ({@link Noise#EVALUATION}, 0, f + r, 0), as {@link LatentModel#negativeElbo(FMatrixRMaj, Noise)}
 * does for f = 0, and its prior draw from ({@link Noise#PRIOR}, 0, f + r, 0).
 *
 * <p>Immutable (the snapshot) and thread-safe. The methods return new matrices; inputs are not
 * modified. A conditional model's methods need the condition of each row (the forms without one
 * refuse to run it); an unconditional model accepts only {@code null}.
 */
public final class InferenceView {

    /** Rows per thread below which a call is not split. */
    public static final int MIN_ROWS_PER_THREAD = 64;
    /**
     * Parts per thread a large call is split into, claimed one at a time by the caller and its
     * helpers: a thread slowed by another process takes fewer (each part at least
     * {@value #MIN_ROWS_PER_THREAD} rows).
     */
    static final int PARTS_PER_THREAD = 4;

    /**
     * The modules one worker runs: replicas of a model's encoder, posterior and decoder on one
     * {@link TensorMap}, and (for a conditional model) what sets a chunk's condition into the
     * replicas before their forwards, or {@code null}.
     *
     * @param encoder   the encoder's replica, not null
     * @param posterior the posterior's replica, not null
     * @param decoder   the decoder's replica, not null
     * @param condition sets a chunk's condition, (chunk rows, conditionSize), into the replicas; or
     *                  {@code null} for an unconditional model
     */
    public record Replica(Module encoder, Posterior posterior, Module decoder, Consumer<FMatrixRMaj> condition) {
        /**
         * Checks that the three modules are given.
         *
         * @param encoder   the encoder's replica, not null
         * @param posterior the posterior's replica, not null
         * @param decoder   the decoder's replica, not null
         * @param condition sets a chunk's condition into the replicas, or {@code null}
         * @throws IllegalArgumentException if a module is null
         */
        public Replica {
            if (encoder == null || posterior == null || decoder == null) {
                throw new IllegalArgumentException("a replica needs an encoder, a posterior and a decoder");
            }
        }
    }

    private final ComposedLatentModel model; // read for its modules' structure only, never its values
    private final String description;
    private final TensorMap snapshot;
    private final Likelihood likelihood;
    private final Kernels kernels;
    private final int threads;
    private final String kind;
    private final int inputSize;
    private final int latentSize;
    private final int conditionSize;
    private final boolean stochastic;
    private final ConcurrentLinkedQueue<InferenceWorker> pool = new ConcurrentLinkedQueue<>();

    /** A snapshot of {@code model} (see {@link ComposedLatentModel#inference(int)}). */
    InferenceView(ComposedLatentModel model, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("an inference view needs at least one thread, got " + threads);
        }
        this.model = model;
        this.snapshot = TensorMap.snapshot(model.parameters());
        this.likelihood = model.likelihood().forModel();
        this.kernels = model.kernels().withGemm(singleThreaded(model.kernels().gemm()));
        this.threads = threads;
        this.kind = model.kind();
        this.inputSize = model.inputSize();
        this.latentSize = model.latentSize();
        this.conditionSize = model.conditionSize();
        this.stochastic = model.hasStochasticPosterior();
        this.description = model.describe();
        pool.add(newWorker()); // fails here, not in a later call, when a module cannot replicate
    }

    private synchronized InferenceWorker newWorker() {
        return new InferenceWorker(model.replicate(snapshot), likelihood, kernels, inputSize);
    }

    /** The same backend with one thread, for the library's own backends; a user's as it is. */
    private static Gemm singleThreaded(Gemm g) {
        String name = g.name();
        if (name.startsWith("vector-")) {
            return SingleVector.INSTANCE;
        }
        if (name.startsWith("ejml-mt")) {
            return EjmlGemm.INSTANCE;
        }
        return g;
    }

    /** A one-thread vector GEMM, made on first use (a few ms of warm-up) and shared by all views. */
    private static final class SingleVector {
        static final Gemm INSTANCE = Gemms.create("vector", 1);
    }

    /** {@return the model kind, e.g. {@code vae}} */
    public String kind() {
        return kind;
    }

    /** {@return the input size} */
    public int inputSize() {
        return inputSize;
    }

    /** {@return the latent size} */
    public int latentSize() {
        return latentSize;
    }

    /** {@return the width of the condition (0 for an unconditional model)} */
    public int conditionSize() {
        return conditionSize;
    }

    /** {@return the most threads one call uses} */
    public int threads() {
        return threads;
    }

    /** {@return the kernels of the workers} */
    public Kernels kernels() {
        return kernels;
    }

    /** {@return the number of float values in the weight snapshot (4 bytes each)} */
    public long snapshotSize() {
        return snapshot.size();
    }

    /** {@return whether q(z|x) draws noise (a VAE's; not an autoencoder's point mass)} */
    public boolean hasStochasticPosterior() {
        return stochastic;
    }

    // ------------------------------------------------------------------ the inference methods

    /**
     * {@return the posterior mean of z for each row: a new (n, latentSize) matrix} For an
     * unconditional model only.
     *
     * @param x the rows, (n, inputSize), n &gt;= 1, finite and in the likelihood's support (NaN
     *          for a missing cell where the likelihood accepts them); not modified
     * @throws IllegalArgumentException for rows or a condition of the wrong shape, a non-finite
     *         value or one outside the likelihood's support, or a condition given to (or missing
     *         for) the model
     */
    public FMatrixRMaj encodeMean(FMatrixRMaj x) {
        return encodeMean(x, null);
    }

    /**
     * {@return the posterior mean of z for each row, given its condition: a new (n, latentSize) matrix}
     *
     * @param x the rows, (n, inputSize), n &gt;= 1, finite and in the likelihood's support (NaN
     *          for a missing cell where the likelihood accepts them); not modified
     * @param c the condition of each row, (n, conditionSize), finite; {@code null} for an
     *          unconditional model (and only then)
     * @throws IllegalArgumentException for rows or a condition of the wrong shape, a non-finite
     *         value or one outside the likelihood's support, or a condition given to (or missing
     *         for) the model
     */
    public FMatrixRMaj encodeMean(FMatrixRMaj x, FMatrixRMaj c) {
        checkInput(x, c, "input");
        return run(InferenceWorker.Op.ENCODE_MEAN, x, c, null, 0, x.numRows, latentSize);
    }

    /**
     * {@return one draw z ~ q(z|x, c) for each row (the mean for a point-mass posterior), row r's noise the
     * stream ({@link Noise#EVALUATION}, 0, firstRow + r, 0) of {@code noise}: a new (n, latentSize) matrix}
     *
     * @param x the rows, (n, inputSize), n &gt;= 1, finite and in the likelihood's support (NaN
     *          for a missing cell where the likelihood accepts them); not modified
     * @param c the condition of each row, (n, conditionSize), finite; {@code null} for an
     *          unconditional model (and only then)
     * @param noise    the run's counter-based noise, not null
     * @param firstRow the row id of the first row, &gt;= 0: row r's draws are keyed by firstRow + r
     * @throws IllegalArgumentException for rows or a condition of the wrong shape, a non-finite
     *         value or one outside the likelihood's support, or a condition given to (or missing
     *         for) the model, a null noise or a negative first row id
     */
    public FMatrixRMaj encodeSample(FMatrixRMaj x, FMatrixRMaj c, Noise noise, long firstRow) {
        checkInput(x, c, "input");
        checkNoise(noise, firstRow, x.numRows);
        return run(InferenceWorker.Op.ENCODE_SAMPLE, x, c, noise, firstRow, x.numRows, latentSize);
    }

    /**
     * {@return the likelihood's mean E[x|z] for each z: a new (n, inputSize) matrix} For an
     * unconditional model only.
     *
     * @param z the codes, (n, latentSize), n &gt;= 1, finite; not modified
     * @throws IllegalArgumentException for codes of the wrong shape or with a non-finite value, or
     *         a conditional model
     */
    public FMatrixRMaj decodeMean(FMatrixRMaj z) {
        return decodeMean(z, null);
    }

    /**
     * {@return the likelihood's mean E[x|z, c] for each code given its condition: a new (n, inputSize) matrix}
     *
     * @param z the codes, (n, latentSize), n &gt;= 1, finite; not modified
     * @param c the condition of each code, (n, conditionSize), finite; {@code null} for an
     *          unconditional model (and only then)
     * @throws IllegalArgumentException for codes or a condition of the wrong shape, a non-finite
     *         value, or a condition given to (or missing for) the model
     */
    public FMatrixRMaj decodeMean(FMatrixRMaj z, FMatrixRMaj c) {
        if (z == null || z.numCols != latentSize || z.numRows == 0) {
            throw new IllegalArgumentException("latent codes must be (n >= 1, " + latentSize + "), got "
                    + (z == null ? "null" : "(" + z.numRows + ", " + z.numCols + ")"));
        }
        Likelihood.checkFinite(z, "latent codes");
        checkCondition(c, z.numRows, "condition");
        return run(InferenceWorker.Op.DECODE, z, c, null, 0, z.numRows, inputSize);
    }

    /**
     * {@return decodeMean(encodeMean(x)): a new (n, inputSize) matrix} For an unconditional model only.
     *
     * @param x the rows, (n, inputSize), n &gt;= 1, finite and in the likelihood's support (NaN
     *          for a missing cell where the likelihood accepts them); not modified
     * @throws IllegalArgumentException for rows or a condition of the wrong shape, a non-finite
     *         value or one outside the likelihood's support, or a condition given to (or missing
     *         for) the model
     */
    public FMatrixRMaj reconstruct(FMatrixRMaj x) {
        return reconstruct(x, null);
    }

    /**
     * {@return decodeMean(encodeMean(x, c), c): a new (n, inputSize) matrix}
     *
     * @param x the rows, (n, inputSize), n &gt;= 1, finite and in the likelihood's support (NaN
     *          for a missing cell where the likelihood accepts them); not modified
     * @param c the condition of each row, (n, conditionSize), finite; {@code null} for an
     *          unconditional model (and only then)
     * @throws IllegalArgumentException for rows or a condition of the wrong shape, a non-finite
     *         value or one outside the likelihood's support, or a condition given to (or missing
     *         for) the model
     */
    public FMatrixRMaj reconstruct(FMatrixRMaj x, FMatrixRMaj c) {
        checkInput(x, c, "input");
        return run(InferenceWorker.Op.RECONSTRUCT, x, c, null, 0, x.numRows, inputSize);
    }

    /**
     * decodeMean(encodeSample(x, c, noise, firstRow), c): encode, sample z, decode, as a PyTorch VAE's
     * {@code forward} (what {@code pytorch-ref} times as inference).
     *
     * @param x the rows, (n, inputSize), n &gt;= 1, finite and in the likelihood's support (NaN
     *          for a missing cell where the likelihood accepts them); not modified
     * @param c the condition of each row, (n, conditionSize), finite; {@code null} for an
     *          unconditional model (and only then)
     * @param noise    the run's counter-based noise, not null
     * @param firstRow the row id of the first row, &gt;= 0: row r's draws are keyed by firstRow + r
     * @return a new (n, inputSize) matrix
     * @throws IllegalArgumentException for rows or a condition of the wrong shape, a non-finite
     *         value or one outside the likelihood's support, or a condition given to (or missing
     *         for) the model, a null noise or a negative first row id
     */
    public FMatrixRMaj reconstructSample(FMatrixRMaj x, FMatrixRMaj c, Noise noise, long firstRow) {
        checkInput(x, c, "input");
        checkNoise(noise, firstRow, x.numRows);
        return run(InferenceWorker.Op.RECONSTRUCT_SAMPLE, x, c, noise, firstRow, x.numRows, inputSize);
    }

    /**
     * decodeMean(z, c) for n draws z ~ p(z), draw r from the stream ({@link Noise#PRIOR}, 0,
     * firstRow + r, 0) of {@code noise}; {@code c} is (n, conditionSize) or {@code null}.
     *
     * @param n        the number of samples, &gt;= 1
     * @param c        the condition of each sample, (n, conditionSize), finite; {@code null} for an
     *                 unconditional model (and only then)
     * @param noise    the run's counter-based noise, not null
     * @param firstRow the row id of the first row, &gt;= 0: row r's draws are keyed by firstRow + r
     * @return a new (n, inputSize) matrix
     * @throws IllegalArgumentException for {@code n <= 0}, a condition of the wrong shape, given to
     *         (or missing for) the model, a null noise or a negative first row id
     */
    public FMatrixRMaj sample(int n, FMatrixRMaj c, Noise noise, long firstRow) {
        if (n <= 0) {
            throw new IllegalArgumentException("number of samples must be positive, got " + n);
        }
        checkCondition(c, n, "condition");
        checkNoise(noise, firstRow, n);
        return run(InferenceWorker.Op.PRIOR_SAMPLE, null, c, noise, firstRow, n, inputSize);
    }

    /**
     * {@return the per-row losses with beta = 1 and one z per row, row r's noise the stream
     * ({@link Noise#EVALUATION}, 0, firstRow + r, 0): for a VAE the negative ELBO's two terms, for
     * an autoencoder the reconstruction loss (KL 0)} Missing cells (NaN, for a likelihood that
     * accepts them) are left out of -log p.
     *
     * @param x the rows, (n, inputSize), n &gt;= 1, finite and in the likelihood's support (NaN
     *          for a missing cell where the likelihood accepts them); not modified
     * @param c the condition of each row, (n, conditionSize), finite; {@code null} for an
     *          unconditional model (and only then)
     * @param noise    the run's counter-based noise, not null
     * @param firstRow the row id of the first row, &gt;= 0: row r's draws are keyed by firstRow + r
     * @throws IllegalArgumentException for rows or a condition of the wrong shape, a non-finite
     *         value or one outside the likelihood's support, or a condition given to (or missing
     *         for) the model, a null noise or a negative first row id
     */
    public RowLosses negativeElbo(FMatrixRMaj x, FMatrixRMaj c, Noise noise, long firstRow) {
        checkInput(x, c, "evaluation data");
        checkNoise(noise, firstRow, x.numRows);
        RowLosses out = new RowLosses(x.numRows);
        split(InferenceWorker.Op.EVALUATE, x, c, noise, firstRow, x.numRows, null, out);
        return out;
    }

    // ------------------------------------------------------------------ checks and the split

    private void checkInput(FMatrixRMaj x, FMatrixRMaj c, String what) {
        Matrices.checkInput(x, inputSize, likelihood, what);
        checkCondition(c, x.numRows, what.equals("input") ? "condition" : what.replace("data", "condition"));
    }

    private void checkCondition(FMatrixRMaj c, int rows, String what) {
        if (conditionSize == 0) {
            if (c != null) {
                throw new IllegalArgumentException(what + ": the " + kind + " model takes no condition, got a ("
                        + c.numRows + ", " + c.numCols + ") one");
            }
            return;
        }
        if (c == null) {
            throw new IllegalArgumentException(what + ": the " + kind + " model is conditional and needs a (" + rows
                    + ", " + conditionSize + ") condition; use the methods that take one");
        }
        if (c.numRows != rows || c.numCols != conditionSize) {
            throw new IllegalArgumentException(what + " must be (" + rows + ", " + conditionSize + "), got ("
                    + c.numRows + ", " + c.numCols + ")");
        }
        Likelihood.checkFinite(c, what);
    }

    private static void checkNoise(Noise noise, long firstRow, int rows) {
        if (noise == null) {
            throw new IllegalArgumentException("noise must not be null");
        }
        if (firstRow < 0 || firstRow > Long.MAX_VALUE - rows) {
            throw new IllegalArgumentException("the first row id must be in [0, 2^63 - rows), got " + firstRow);
        }
    }

    private FMatrixRMaj run(InferenceWorker.Op op, FMatrixRMaj in, FMatrixRMaj c, Noise noise, long firstRow,
                            int rows, int width) {
        FMatrixRMaj out = new FMatrixRMaj(rows, width);
        split(op, in, c, noise, firstRow, rows, out, null);
        return out;
    }

    /** Runs {@code op} on [0, rows) in up to {@link #threads} contiguous parts. */
    private void split(InferenceWorker.Op op, FMatrixRMaj in, FMatrixRMaj c, Noise noise, long firstRow, int rows,
                       FMatrixRMaj out, RowLosses losses) {
        int parts = Math.min(threads * PARTS_PER_THREAD, rows / MIN_ROWS_PER_THREAD);
        if (threads <= 1 || parts <= 1) {
            runPart(op, in, c, noise, firstRow, 0, rows, out, losses);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(parts);
        AtomicReference<Throwable> error = new AtomicReference<>();
        Runnable claim = () -> {
            int p;
            while ((p = next.getAndIncrement()) < parts) {
                try {
                    int start = partStart(rows, parts, p);
                    runPart(op, in, c, noise, firstRow, start, partStart(rows, parts, p + 1), out, losses);
                } catch (Throwable t) {
                    error.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            }
        };
        for (int h = 1; h < Math.min(threads, parts); h++) {
            ForkJoinPool.commonPool().execute(claim);
        }
        claim.run();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the inference threads", e);
        }
        Throwable t = error.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    /** Part p of [0, rows) split in {@code parts}: earlier parts one row larger. */
    static int partStart(int rows, int parts, int p) {
        int base = rows / parts;
        int extra = rows % parts;
        return p * base + Math.min(p, extra);
    }

    private void runPart(InferenceWorker.Op op, FMatrixRMaj in, FMatrixRMaj c, Noise noise, long firstRow,
                         int start, int end, FMatrixRMaj out, RowLosses losses) {
        InferenceWorker w = pool.poll();
        if (w == null) {
            w = newWorker();
        }
        try {
            w.run(op, in, c, noise, firstRow, start, end, out, losses);
        } finally {
            pool.add(w);
        }
    }

    @Override
    public String toString() {
        return "InferenceView(" + description + ", " + threads + " threads, " + kernels.gemm().name() + ")";
    }
}

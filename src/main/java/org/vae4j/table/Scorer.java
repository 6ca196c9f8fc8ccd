package org.vae4j.table;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.internal.Rows;
import org.vae4j.kernel.Kernels;
import org.vae4j.loss.Likelihood;
import org.vae4j.loss.MissingCells;
import org.vae4j.nn.Module;
import org.vae4j.nn.TensorMap;
import org.vae4j.prob.Posterior;
import org.vae4j.prob.StandardNormalPrior;
import org.vae4j.random.CounterRandom;
import org.vae4j.random.Noise;

/**
 * Per-row anomaly scores of a trained latent-variable model whose likelihood splits by column
 * (docs/MATH.md, "Row scores"). For row r with k posterior samples z_s = mu + sigma eps_s, eps_s
 * drawn from the stream ({@link Noise#EVALUATION}, 0, row id, s) of the scorer's seed:
 * <pre>
 *   nll_{r,s,c}     = -log p(x_{r,c} | z_s)          column c's term, 0 when the cell is missing
 *   log w_{r,s}     = -sum_c nll_{r,s,c} + log p(z_s) - log q(z_s | x_r)
 *   negElbo_r       = (1/k) sum_s sum_c nll_{r,s,c} + KL(q(z|x_r) || p(z))      (KL in closed form)
 *   negLogPx_r      = -logmeanexp_s log w_{r,s}      the importance-weighted estimate of -log p(x_r)
 *   share_{r,c}     = (1/k) sum_s nll_{r,s,c}        each column's share of the reconstruction term
 *   score_r         = negLogPx_r + sum_{c missing in r} typical_c
 * </pre>
 * {@code typical_c} is the mean of share_{r,c} over the calibration rows where c is observed
 * (zero when not calibrated): a missing cell adds what the column usually costs, so a row with a
 * missing cell is not made to look more normal than the same row complete.
 *
 * <p>The row id, not the row's position in a call, keys its noise, and every row is computed by
 * the same operations whatever the rows around it (row-wise GEMMs, sums in a fixed order), so a
 * row's scores do not depend on the batch size, the position in the file or the thread.
 *
 * <p>Thread-safe: each call borrows a worker (a copy of the model made by the supplier, in
 * evaluation mode, run through replicas of its modules on a snapshot of its values, with their
 * own buffers and their weights prepared once for the GEMM backend) from a pool and returns it;
 * the model's parameters are never changed. As many workers are made as calls run at once.
 */
public final class Scorer {

    /** Rows per pass through the model (times k samples through the decoder). */
    static final int CHUNK = 128;

    private final Supplier<LatentModel> copies;
    private final int samples;
    private final Noise noise;
    private final int[] columnStarts;
    private final double[] typical;
    private final ConcurrentLinkedQueue<Worker> pool = new ConcurrentLinkedQueue<>();
    private final int columns;
    private final int width;

    /**
     * A scorer; makes its first worker (one model copy) at once to check the model.
     *
     * @param copies       makes an independent copy of the model (same parameter values) for each worker
     * @param samples      k &gt;= 1 posterior samples per row
     * @param seed         the seed of the scoring noise
     * @param columnStarts the first data position of each column ({@link TableSchema#offsets()} without its last entry)
     * @param typical      typical_c per column, or {@code null} for zeros (copied)
     * @throws IllegalArgumentException for k &lt; 1, {@code typical} of the wrong length, a model whose posterior
     *                                  has no density, or a likelihood with another number of columns
     */
    public Scorer(Supplier<LatentModel> copies, int samples, long seed, int[] columnStarts, double[] typical) {
        if (samples < 1) {
            throw new IllegalArgumentException("scoring needs at least one sample per row, got " + samples);
        }
        this.copies = copies;
        this.samples = samples;
        this.noise = new Noise(seed);
        this.columnStarts = columnStarts.clone();
        this.columns = columnStarts.length;
        this.typical = typical == null ? new double[columns] : typical.clone();
        if (this.typical.length != columns) {
            throw new IllegalArgumentException("typical column terms: " + this.typical.length + " for " + columns + " columns");
        }
        Worker w = new Worker(copies.get());
        if (!w.model.hasStochasticPosterior()) {
            throw new IllegalArgumentException("scores need a posterior with a density (a VAE's), the model's is "
                    + w.model.posterior().describe());
        }
        int c = w.model.likelihood().columnCount(w.model.inputSize());
        if (c != columns) {
            throw new IllegalArgumentException("the likelihood has " + c + " columns, the scorer was given " + columns);
        }
        this.width = w.model.inputSize();
        pool.add(w);
    }

    /** {@return k, the posterior samples per row} */
    public int samples() {
        return samples;
    }

    /** {@return the number of columns} */
    public int columns() {
        return columns;
    }

    /** {@return typical_c per column, zeros when uncalibrated (a copy)} */
    public double[] typical() {
        return typical.clone();
    }

    /**
     * {@return a new scorer with other typical column terms, the same model supplier, samples and seed (its
     * own workers)}
     *
     * @param newTypical typical_c per column, or {@code null} for zeros
     * @throws IllegalArgumentException for an array of the wrong length
     */
    public Scorer withTypical(double[] newTypical) {
        return new Scorer(copies, samples, noise.seed(), columnStarts, newTypical);
    }

    /**
     * Scores rows.
     *
     * @param x        (n, width) encoded rows, NaN in missing cells; not modified
     * @param firstRow the row id of x's first row (its index in its file); row r's id is firstRow + r
     * @return the scores of the n rows
     * @throws IllegalArgumentException for null, empty or wrong-width rows, or NaN cells the likelihood does not
     *                                  accept as missing
     */
    public RowScores score(FMatrixRMaj x, long firstRow) {
        Rows.checkWidth(x, width, "rows to score");
        RowScores out = new RowScores(x.numRows, columns);
        Worker w = pool.poll();
        if (w == null) {
            w = new Worker(copies.get());
        }
        try {
            for (int start = 0; start < x.numRows; start += CHUNK) {
                int end = Math.min(x.numRows, start + CHUNK);
                w.scoreChunk(x, start, end, firstRow, out);
            }
        } finally {
            pool.add(w);
        }
        return out;
    }

    /** One model copy and its buffers; used by one thread at a time. */
    private final class Worker {
        final LatentModel model;
        final Likelihood likelihood;
        final Kernels kernels;
        final CounterRandom rng = new CounterRandom();
        final FMatrixRMaj chunk = new FMatrixRMaj(1, 1);
        final FMatrixRMaj filled = new FMatrixRMaj(1, 1);
        final FMatrixRMaj hs = new FMatrixRMaj(1, 1);
        final FMatrixRMaj eps = new FMatrixRMaj(1, 1);
        final FMatrixRMaj target = new FMatrixRMaj(1, 1);
        final FMatrixRMaj targetMask = new FMatrixRMaj(1, 1);
        double[] kl = new double[0];
        double[] logq = new double[0];
        double[] logp = new double[0];
        double[] nll = new double[0];
        final double[] logw = new double[samples];

        /** The copy's modules, or their replicas on a snapshot of its values (see the constructor). */
        final Module encoder;
        final Posterior posterior;
        final Module decoder;

        Worker(LatentModel model) {
            this.model = model;
            model.setTraining(false);
            this.likelihood = model.likelihood();
            this.kernels = model.kernels();
            // Replicas on a snapshot of the copy's values, which never change: their layers
            // multiply by weights prepared once for the GEMM backend (Gemm.prepare) instead of
            // packing them on every call (a single-row call's products are mostly packing). A
            // model with a module that cannot replicate itself is run as it is.
            Module e;
            Posterior q;
            Module d;
            try {
                TensorMap snapshot = TensorMap.snapshot(model.parameters());
                e = model.encoder().replicate(snapshot);
                q = model.posterior().replicate(snapshot);
                d = model.decoder().replicate(snapshot);
            } catch (UnsupportedOperationException notReplicable) {
                e = model.encoder();
                q = model.posterior();
                d = model.decoder();
            }
            this.encoder = e;
            this.posterior = q;
            this.decoder = d;
        }

        void scoreChunk(FMatrixRMaj x, int start, int end, long firstRow, RowScores out) {
            int n = end - start;
            int pairs = n * samples;
            Rows.copyRows(x, start, end, chunk);
            FMatrixRMaj mask = MissingCells.split(likelihood, chunk, filled, "rows to score");
            FMatrixRMaj h = encoder.forward(kernels, filled);
            int hw = h.numCols;
            hs.reshape(pairs, hw);
            target.reshape(pairs, width);
            if (mask != null) {
                targetMask.reshape(pairs, width);
            }
            for (int r = 0; r < n; r++) {
                for (int s = 0; s < samples; s++) {
                    int p = r * samples + s;
                    System.arraycopy(h.data, r * hw, hs.data, p * hw, hw);
                    System.arraycopy(filled.data, r * width, target.data, p * width, width);
                    if (mask != null) {
                        System.arraycopy(mask.data, r * width, targetMask.data, p * width, width);
                    }
                }
            }
            Posterior q = posterior;
            q.forward(kernels, hs);
            int nw = q.noiseWidth();
            eps.reshape(pairs, nw);
            for (int r = 0; r < n; r++) {
                long id = firstRow + start + r;
                for (int s = 0; s < samples; s++) {
                    noise.gaussian(rng, Noise.EVALUATION, 0, id, s, eps.data, (r * samples + s) * nw, nw);
                }
            }
            if (kl.length < pairs) {
                kl = new double[pairs];
                logq = new double[pairs];
                logp = new double[pairs];
                nll = new double[pairs * columns];
            }
            q.klToPriorPerRow(kl);
            FMatrixRMaj z = q.sample(eps);
            q.logDensityPerRow(z, logq);
            StandardNormalPrior.INSTANCE.logDensityPerRow(z, logp);
            FMatrixRMaj decoded = decoder.forward(kernels, z);
            likelihood.negLogLikelihoodPerColumn(decoded, target, mask == null ? null : targetMask, nll);
            for (int r = 0; r < n; r++) {
                int row = start + r;
                double recon = 0;
                for (int c = 0; c < columns; c++) {
                    double share = 0;
                    for (int s = 0; s < samples; s++) {
                        share += nll[(r * samples + s) * columns + c];
                    }
                    share /= samples;
                    out.share[row * columns + c] = share;
                }
                for (int s = 0; s < samples; s++) {
                    int p = r * samples + s;
                    double sum = 0;
                    for (int c = 0; c < columns; c++) {
                        sum += nll[p * columns + c];
                    }
                    recon += sum;
                    logw[s] = -sum + logp[p] - logq[p];
                }
                out.negElbo[row] = recon / samples + kl[r * samples];
                out.negLogPx[row] = -logMeanExp(logw);
                double missing = 0;
                for (int c = 0; c < columns; c++) {
                    boolean observed = mask == null || mask.data[r * width + columnStarts[c]] != 0f;
                    out.observed[row * columns + c] = observed;
                    if (!observed) {
                        missing += typical[c];
                    }
                }
                out.missingTerm[row] = missing;
                out.score[row] = out.negLogPx[row] + missing;
            }
        }
    }

    /** log((1/k) sum_s exp(a_s)), with the maximum subtracted. */
    static double logMeanExp(double[] a) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : a) {
            max = Math.max(max, v);
        }
        if (!Double.isFinite(max)) {
            return max;
        }
        double sum = 0;
        for (double v : a) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum) - Math.log(a.length);
    }
}

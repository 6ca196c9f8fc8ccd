package org.vae4j;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.Rows;
import org.vae4j.kernel.Kernels;
import org.vae4j.loss.Likelihood;
import org.vae4j.loss.MissingCells;
import org.vae4j.nn.Module;
import org.vae4j.prob.Posterior;
import org.vae4j.random.CounterRandom;
import org.vae4j.random.Noise;

/**
 * One thread's share of an {@link InferenceView}: replicas of the model's modules on the view's
 * snapshot, and their buffers. Each method computes rows [start, end) of its input, in chunks of
 * at most {@link Rows#CHUNK_ROWS} rows, writing rows [start, end) of the result; every row is
 * computed by the same operations whatever the rows around it, so the result does not depend on
 * how the rows are split between workers. Used by one thread at a time (the view lends it).
 */
final class InferenceWorker {

    private final Module encoder;
    private final Posterior posterior;
    private final Module decoder;
    private final java.util.function.Consumer<FMatrixRMaj> condition; // null for an unconditional model
    private final Likelihood likelihood;
    private final Kernels kernels;
    private final int inputSize;
    private final CounterRandom scratch = new CounterRandom();
    private final FMatrixRMaj chunk = new FMatrixRMaj(1, 1);     // (chunk, input or latent)
    private final FMatrixRMaj filled = new FMatrixRMaj(1, 1);    // (chunk, input) missing cells neutral
    private final FMatrixRMaj conditionRows = new FMatrixRMaj(1, 1); // (chunk, conditionSize)
    private final FMatrixRMaj eps = new FMatrixRMaj(1, 1);       // (chunk, noiseWidth)
    private final FMatrixRMaj mean = new FMatrixRMaj(1, 1);      // (chunk, input)
    private FMatrixRMaj mask;                                   // (chunk, input) or null
    private double[] nll = new double[0];
    private double[] kl = new double[0];

    /** Replicas in evaluation mode. */
    InferenceWorker(InferenceView.Replica replica, Likelihood likelihood, Kernels kernels, int inputSize) {
        this.encoder = replica.encoder();
        this.posterior = replica.posterior();
        this.decoder = replica.decoder();
        this.condition = replica.condition();
        this.likelihood = likelihood;
        this.kernels = kernels;
        this.inputSize = inputSize;
        encoder.setTraining(false);
        decoder.setTraining(false);
    }

    /** What the view asks of rows [start, end): one of the operations below. */
    enum Op { ENCODE_MEAN, ENCODE_SAMPLE, DECODE, RECONSTRUCT, RECONSTRUCT_SAMPLE, PRIOR_SAMPLE, EVALUATE }

    /**
     * Runs {@code op} on rows [start, end) of {@code in} (x, or z for DECODE; unused for
     * PRIOR_SAMPLE), with condition rows of {@code c} (or null) and noise keyed by
     * {@code firstRow + row}, into rows [start, end) of {@code out} (or of {@code losses}).
     */
    void run(Op op, FMatrixRMaj in, FMatrixRMaj c, Noise noise, long firstRow, int start, int end,
             FMatrixRMaj out, RowLosses losses) {
        for (int s = start; s < end; s += Rows.CHUNK_ROWS) {
            int e = Math.min(end, s + Rows.CHUNK_ROWS);
            int n = e - s;
            if (condition != null) {
                condition.accept(Rows.copyRows(c, s, e, conditionRows));
            }
            switch (op) {
                case ENCODE_MEAN -> put(encode(in, s, e), out, s);
                case ENCODE_SAMPLE -> put(sampleZ(in, s, e, noise, firstRow), out, s);
                case DECODE -> put(decodeMean(Rows.copyRows(in, s, e, chunk)), out, s);
                case RECONSTRUCT -> put(decodeMean(encode(in, s, e)), out, s);
                case RECONSTRUCT_SAMPLE -> put(decodeMean(sampleZ(in, s, e, noise, firstRow)), out, s);
                case PRIOR_SAMPLE -> {
                    int w = posterior.latentSize();
                    chunk.reshape(n, w);
                    for (int r = 0; r < n; r++) {
                        noise.gaussian(scratch, Noise.PRIOR, 0, firstRow + s + r, 0, chunk.data, r * w, w);
                    }
                    put(decodeMean(chunk), out, s);
                }
                case EVALUATE -> negativeElbo(in, s, e, noise, firstRow, losses);
                default -> throw new IllegalStateException("unknown operation " + op);
            }
        }
    }

    /** Encoder and posterior on rows [s, e) of x; returns the posterior mean (the posterior's buffer). */
    private FMatrixRMaj encode(FMatrixRMaj x, int s, int e) {
        Rows.copyRows(x, s, e, chunk);
        FMatrixRMaj input = chunk;
        mask = null;
        if (likelihood.acceptsMissing() && MissingCells.any(chunk)) {
            mask = MissingCells.split(likelihood, chunk, filled, "input");
            input = filled;
        }
        posterior.forward(kernels, encoder.forward(kernels, input));
        return posterior.mean();
    }

    /** z ~ q(z|x) for rows [s, e), row r's noise the stream (EVALUATION, 0, firstRow + r, 0). */
    private FMatrixRMaj sampleZ(FMatrixRMaj x, int s, int e, Noise noise, long firstRow) {
        encode(x, s, e);
        int w = posterior.noiseWidth();
        if (w == 0) {
            return posterior.sample(null);
        }
        int n = e - s;
        eps.reshape(n, w);
        for (int r = 0; r < n; r++) {
            noise.gaussian(scratch, Noise.EVALUATION, 0, firstRow + s + r, 0, eps.data, r * w, w);
        }
        return posterior.sample(eps);
    }

    /** The likelihood's mean of the decoder's output for z (a buffer of this worker). */
    private FMatrixRMaj decodeMean(FMatrixRMaj z) {
        FMatrixRMaj o = decoder.forward(kernels, z);
        mean.reshape(z.numRows, inputSize);
        likelihood.mean(o, mean);
        return mean;
    }

    private void negativeElbo(FMatrixRMaj x, int s, int e, Noise noise, long firstRow, RowLosses losses) {
        int n = e - s;
        FMatrixRMaj z = sampleZ(x, s, e, noise, firstRow);
        FMatrixRMaj o = decoder.forward(kernels, z);
        if (nll.length < n) {
            nll = new double[n];
            kl = new double[n];
        }
        likelihood.negLogLikelihoodPerRow(o, mask == null ? chunk : filled, mask, nll);
        posterior.klToPriorPerRow(kl);
        System.arraycopy(nll, 0, losses.reconstruction, s, n);
        System.arraycopy(kl, 0, losses.kl, s, n);
    }

    private static void put(FMatrixRMaj rows, FMatrixRMaj out, int start) {
        Rows.putRows(rows, out, start);
    }
}

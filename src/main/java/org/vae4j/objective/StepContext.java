package org.vae4j.objective;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.random.CounterRandom;
import org.vae4j.random.Noise;

/**
 * What an {@link Objective} needs to know about the step it computes: the KL weight beta (from
 * the schedule), the size B of the whole batch (gradients are scaled by 1/B even when the batch
 * is processed as several micro-batches), the epoch and optimiser step, and the noise source.
 * A row's noise is drawn from {@link Noise} keyed by (purpose, time, row id, sample), so it is
 * the same whatever batch, micro-batch, thread or partition the row is in.
 *
 * <p>The trainer refills one context per step (no allocation). Mutable, not thread-safe; an
 * objective only reads it.
 */
public final class StepContext {

    private Noise noise;
    private long purpose = Noise.TRAINING;
    private long time;
    private long step;
    private double beta = 1.0;
    private int batchSize = 1;
    private FMatrixRMaj fixedNoise;
    private final CounterRandom scratch = new CounterRandom();

    /**
     * A context drawing training noise ({@link Noise#TRAINING}, time 0) from {@code noise}, with
     * beta 1, batch size 1 and step 0 until {@link #set} is called.
     *
     * @param noise the run's noise source, not null
     * @throws IllegalArgumentException if {@code noise} is null
     */
    public StepContext(Noise noise) {
        if (noise == null) {
            throw new IllegalArgumentException("noise must not be null");
        }
        this.noise = noise;
    }

    /**
     * Sets the step. The purpose set by {@link #purpose} is kept; the time becomes {@code epoch}.
     *
     * @param epoch     the epoch (1-based), the time of training noise
     * @param step      optimiser steps taken before this one
     * @param beta      the KL weight, finite and &gt;= 0
     * @param batchSize B, the rows of the whole batch (&gt;= the rows an objective sees)
     * @return this context
     * @throws IllegalArgumentException for a negative, NaN or infinite beta or a batch size &lt;= 0
     */
    public StepContext set(long epoch, long step, double beta, int batchSize) {
        if (!(beta >= 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("beta must be finite and >= 0, got " + beta);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.time = epoch;
        this.step = step;
        this.beta = beta;
        this.batchSize = batchSize;
        return this;
    }

    /**
     * Makes the following draws those of purpose {@code purpose} at {@code time} (e.g.
     * {@link Noise#EVALUATION}, 0); until the next call, or until {@link #set} replaces the time.
     *
     * @param purpose the use of the draws, one of {@link Noise}'s constants
     * @param time    the noise's time key (the epoch, or 0 for draws that must repeat)
     * @return this context
     */
    public StepContext purpose(long purpose, long time) {
        this.purpose = purpose;
        this.time = time;
        return this;
    }

    /**
     * Uses the given noise, row for row, instead of drawing (tests against reference
     * implementations that dumped their noise). {@code null} returns to drawing.
     *
     * @param eps the noise to copy into every filled buffer, of the buffers' shape (kept by
     *            reference, not modified), or {@code null}
     * @return this context
     */
    public StepContext fixedNoise(FMatrixRMaj eps) {
        this.fixedNoise = eps;
        return this;
    }

    /** {@return the counter-based noise of this run} */
    public Noise noise() {
        return noise;
    }

    /**
     * {@return the noise's time key: the epoch given to {@link #set}, or the time given to
     * {@link #purpose} if that was called later}
     */
    public long epoch() {
        return time;
    }

    /** {@return the optimiser step being computed} */
    public long step() {
        return step;
    }

    /** {@return the KL weight of this step} */
    public double beta() {
        return beta;
    }

    /** {@return B, the rows of the whole batch, &gt;= 1} */
    public int batchSize() {
        return batchSize;
    }

    /** {@return 1/B as a float: the factor of every gradient (the loss is a mean over the batch)} */
    public float gradientScale() {
        return 1f / batchSize;
    }

    /**
     * {@return a generator reset to the stream of (purpose, time, row, sample), with this
     * context's time} The generator is this context's one scratch instance: the next call to
     * this method or to a fill method resets it.
     *
     * @param purpose the use of the draws, one of {@link Noise}'s constants
     * @param row     the row's index in its data set
     * @param sample  the number of the draw for this row (0 when there is one)
     */
    public CounterRandom stream(long purpose, long row, long sample) {
        return noise.stream(scratch, purpose, time, row, sample);
    }

    /**
     * Fills {@code eps} (batch rows, width) with standard normal noise of sample {@code sample}
     * for each row of the batch: row r from the stream of (this context's purpose and time, its
     * row id, {@code sample}); or a copy of the fixed noise when one is set.
     *
     * @param batch  the batch whose row ids key the streams
     * @param sample the number of the draw for every row (0 when there is one)
     * @param eps    the buffer to fill, (batch rows, width), overwritten
     * @throws IllegalArgumentException if {@code eps} does not have the batch's rows, or the fixed
     *         noise does not have {@code eps}'s shape
     */
    public void fillNoise(Batch batch, int sample, FMatrixRMaj eps) {
        int w = eps.numCols;
        if (eps.numRows != batch.rows()) {
            throw new IllegalArgumentException("noise buffer has " + eps.numRows + " rows, the batch " + batch.rows());
        }
        if (fixedNoise != null) {
            if (fixedNoise.numRows != eps.numRows || fixedNoise.numCols != w) {
                throw new IllegalArgumentException("fixed noise must be (" + eps.numRows + ", " + w + "), got ("
                        + fixedNoise.numRows + ", " + fixedNoise.numCols + ")");
            }
            System.arraycopy(fixedNoise.data, 0, eps.data, 0, eps.getNumElements());
            return;
        }
        for (int r = 0; r < eps.numRows; r++) {
            noise.gaussian(scratch, purpose, time, batch.rowId(r), sample, eps.data, r * w, w);
        }
    }

    /**
     * Fills {@code eps} (batch rows * samples, width) with standard normal noise for
     * {@code samples} draws of each row: row {@code r * samples + s} from the stream of
     * (row id of r, sample s). With one sample it is {@link #fillNoise(Batch, int, FMatrixRMaj)} of
     * sample 0. Fixed noise ({@link #fixedNoise}) must then have the same (rows * samples, width) shape.
     *
     * @param batch   the batch whose row ids key the streams
     * @param samples the number of draws per row, &gt;= 1
     * @param eps     the buffer to fill, (batch rows * samples, width), overwritten
     * @throws IllegalArgumentException for {@code samples < 1}, an {@code eps} without batch rows
     *         times samples rows, or fixed noise not of {@code eps}'s shape
     */
    public void fillSampleNoise(Batch batch, int samples, FMatrixRMaj eps) {
        int w = eps.numCols;
        if (samples < 1 || eps.numRows != batch.rows() * samples) {
            throw new IllegalArgumentException("noise buffer has " + eps.numRows + " rows, the batch's " + batch.rows()
                    + " rows times " + samples + " samples need " + (long) batch.rows() * samples);
        }
        if (fixedNoise != null) {
            if (fixedNoise.numRows != eps.numRows || fixedNoise.numCols != w) {
                throw new IllegalArgumentException("fixed noise must be (" + eps.numRows + ", " + w + "), got ("
                        + fixedNoise.numRows + ", " + fixedNoise.numCols + ")");
            }
            System.arraycopy(fixedNoise.data, 0, eps.data, 0, eps.getNumElements());
            return;
        }
        for (int r = 0; r < batch.rows(); r++) {
            for (int s = 0; s < samples; s++) {
                int row = r * samples + s;
                noise.gaussian(scratch, purpose, time, batch.rowId(r), s, eps.data, row * w, w);
            }
        }
    }
}

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

    /** A context drawing training noise from {@code noise}, with beta 1. */
    public StepContext(Noise noise) {
        if (noise == null) {
            throw new IllegalArgumentException("noise must not be null");
        }
        this.noise = noise;
    }

    /**
     * Sets the step.
     *
     * @param epoch     the epoch (1-based), the time of training noise
     * @param step      optimiser steps taken before this one
     * @param beta      the KL weight, finite and &gt;= 0
     * @param batchSize B, the rows of the whole batch (&gt;= the rows an objective sees)
     * @return this context
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

    /** Draws of purpose {@code purpose} at {@code time} (e.g. {@link Noise#EVALUATION}, 0). */
    public StepContext purpose(long purpose, long time) {
        this.purpose = purpose;
        this.time = time;
        return this;
    }

    /**
     * Uses the given noise, row for row, instead of drawing (tests against reference
     * implementations that dumped their noise). {@code null} returns to drawing.
     */
    public StepContext fixedNoise(FMatrixRMaj eps) {
        this.fixedNoise = eps;
        return this;
    }

    /** {@return the counter-based noise of this run} */
    public Noise noise() {
        return noise;
    }

    /** {@return the epoch of the step (the noise's time key)} */
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

    /** B, the rows of the whole batch. */
    public int batchSize() {
        return batchSize;
    }

    /** 1/B as a float: the factor of every gradient (the loss is a mean over the batch). */
    public float gradientScale() {
        return 1f / batchSize;
    }

    /** {@return a generator reset to the stream of (purpose, time, row, sample) of this step} */
    public CounterRandom stream(long purpose, long row, long sample) {
        return noise.stream(scratch, purpose, time, row, sample);
    }

    /**
     * Fills {@code eps} (batch rows, width) with standard normal noise of sample {@code sample}
     * for each row of the batch: row r from the stream of its row id.
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

package org.vae4j.data;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.random.CounterRandom;
import org.vae4j.random.Noise;

/**
 * Stochastic binarisation keyed by row: pixel j of the row with id r, drawn at time t, is 1 when
 * the j-th uniform of the stream ({@link Noise#BINARISE}, t, r, 0) of the seed is below its grey
 * value, else 0 ({@code u_j < x_j}, {@code u_j} = {@code nextFloat()} of a {@link CounterRandom}, a multiple of
 * 2^-24 in [0, 1)). So P(pixel = 1) = x_j up to the 2^-24 grid, a grey value of 0 always gives 0
 * and 1 always gives 1, and a row's bits are a function of (seed, time, row id) only: the same
 * whatever batch, slice, partition or thread the row is binarised in (a Spark task binarises its
 * own rows).
 *
 * <p>The times: {@code epoch} (1, 2, ...) for a fresh draw of the training rows each epoch
 * (dynamic binarisation, Salakhutdinov &amp; Murray 2008), and the fixed times {@link #TEST} and
 * {@link #VALIDATION} for the sets binarised once. The row id is the row's index in its set (for
 * training rows: the id that also keys their training noise).
 *
 * <p>Immutable and thread-safe; each call uses its own generator.
 */
public final class Binarisation {

    /** The time of the test set's one draw. */
    public static final long TEST = -1;
    /** The time of the validation set's one draw. */
    public static final long VALIDATION = -2;

    private final Noise noise;

    /**
     * Binarisation of the run with this seed.
     *
     * @param seed the run's seed; with the time and the row id it alone decides every bit
     */
    public Binarisation(long seed) {
        this.noise = new Noise(seed);
    }

    /** {@return the seed this binarisation draws from} */
    public long seed() {
        return noise.seed();
    }

    /**
     * Row {@code r} of {@code src} binarised into row {@code r} of {@code dst} with the id
     * {@code firstRowId + r}. {@code dst} may be {@code src}.
     *
     * @param src        (rows, d) grey values in [0, 1]
     * @param dst        (rows, d); written with 0 and 1
     * @param time       the draw's time: an epoch (1, 2, ...), {@link #TEST} or {@link #VALIDATION}
     * @param firstRowId the id of row 0 of {@code src}; row r has the id {@code firstRowId + r}
     * @throws IllegalArgumentException when the shapes differ
     */
    public void binarise(FMatrixRMaj src, FMatrixRMaj dst, long time, long firstRowId) {
        checkShapes(src, dst);
        CounterRandom rng = new CounterRandom();
        int d = src.numCols;
        for (int r = 0; r < src.numRows; r++) {
            row(rng, time, firstRowId + r, src.data, r * d, dst.data, r * d, d);
        }
    }

    /**
     * Row {@code r} of {@code src} binarised into row {@code r} of {@code dst} with the id
     * {@code rowIds[r]} (rows in any order, e.g. a shuffled batch). {@code dst} may be {@code src}.
     *
     * @param src    (rows, d) grey values in [0, 1]
     * @param dst    (rows, d); written with 0 and 1
     * @param time   the draw's time: an epoch (1, 2, ...), {@link #TEST} or {@link #VALIDATION}
     * @param rowIds (rows) the rows' ids
     * @throws IllegalArgumentException when the shapes differ or there is not one id per row
     */
    public void binarise(FMatrixRMaj src, FMatrixRMaj dst, long time, int[] rowIds) {
        checkShapes(src, dst);
        if (rowIds == null || rowIds.length != src.numRows) {
            throw new IllegalArgumentException("binarise: " + (rowIds == null ? "no" : rowIds.length)
                    + " row ids for " + src.numRows + " rows");
        }
        CounterRandom rng = new CounterRandom();
        int d = src.numCols;
        for (int r = 0; r < src.numRows; r++) {
            row(rng, time, rowIds[r], src.data, r * d, dst.data, r * d, d);
        }
    }

    /**
     * One row: {@code dst[to + j] = u_j < src[from + j] ? 1 : 0} for j &lt; d, the uniforms of the
     * stream (BINARISE, time, rowId, 0). Allocates nothing.
     *
     * @param scratch a generator this call resets and draws from
     * @param time    the draw's time: an epoch (1, 2, ...), {@link #TEST} or {@link #VALIDATION}
     * @param rowId   the row's id
     * @param src     the grey values in [0, 1]
     * @param from    the index in {@code src} of the row's first value
     * @param dst     written with 0 and 1 at {@code [to, to + d)}; may be {@code src}
     * @param to      the index in {@code dst} of the row's first value
     * @param d       the row's length
     * @throws ArrayIndexOutOfBoundsException when a range leaves its array
     */
    public void row(CounterRandom scratch, long time, long rowId, float[] src, int from, float[] dst, int to, int d) {
        noise.stream(scratch, Noise.BINARISE, time, rowId, 0);
        for (int j = 0; j < d; j++) {
            dst[to + j] = scratch.nextFloat() < src[from + j] ? 1f : 0f;
        }
    }

    private static void checkShapes(FMatrixRMaj src, FMatrixRMaj dst) {
        if (src.numRows != dst.numRows || src.numCols != dst.numCols) {
            throw new IllegalArgumentException("binarise: dst is (" + dst.numRows + ", " + dst.numCols
                    + ") but src is (" + src.numRows + ", " + src.numCols + ")");
        }
    }

    @Override
    public String toString() {
        return "Binarisation(seed=" + noise.seed() + ")";
    }
}

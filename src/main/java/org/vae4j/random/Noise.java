package org.vae4j.random;

/**
 * The one source of randomness of training and evaluation: every draw is a function of
 * (seed, purpose, time, row, sample, index), never of a batch position, micro-batch, thread or
 * partition. {@code purpose} separates independent uses (the constants below); {@code time} is
 * the epoch for per-epoch draws (or 0 for draws that must repeat, such as the fixed evaluation
 * noise); {@code row} is the row's index in its data set; {@code sample} numbers several draws
 * for one row (importance samples). The stream of one key is a {@link CounterRandom}.
 *
 * <p>Keys are built by chaining SplitMix64's finaliser over the five values with distinct odd
 * multipliers, so nearby keys (row 7 and 8, epoch 1 and 2) give unrelated streams.
 *
 * <p>Immutable and thread-safe; the {@link CounterRandom} scratch passed to the fill methods is
 * the caller's.
 */
public final class Noise {

    /** Reparameterisation noise of training steps (time = epoch). */
    public static final long TRAINING = 1;
    /** Reparameterisation noise of evaluation (time = 0: the same noise every epoch). */
    public static final long EVALUATION = 2;
    /** Input corruption of denoising training (time = epoch). */
    public static final long CORRUPTION = 3;
    /** The order of the rows in an epoch (time = epoch, row = 0). */
    public static final long SHUFFLE = 4;
    /** Draws from the prior, e.g. for generation. */
    public static final long PRIOR = 5;
    /** The training/validation split (time = 0, row = 0). */
    public static final long SPLIT = 6;
    /**
     * Dynamic binarisation of pixels (time = epoch for the training rows; fixed negative times
     * for the sets binarised once: {@code data.Binarisation}).
     */
    public static final long BINARISE = 7;

    private final long seed;

    /**
     * The noise of a run with the given seed.
     *
     * @param seed the run's seed, any 64-bit value
     */
    public Noise(long seed) {
        this.seed = seed;
    }

    /** {@return the seed} */
    public long seed() {
        return seed;
    }

    /**
     * {@return the key of the stream of (purpose, time, row, sample) under this seed, for
     * {@link CounterRandom#reset(long)}}
     *
     * @param purpose the use of the draws, one of the constants of this class
     * @param time    the epoch for per-epoch draws, or the fixed time of the purpose (see the constants)
     * @param row     the row's index in its data set (0 for purposes that are not per row)
     * @param sample  the number of the draw for this row (the importance sample; 0 when there is one)
     */
    public long key(long purpose, long time, long row, long sample) {
        long h = CounterRandom.mix64(seed ^ 0x3C6EF372FE94F82BL);
        h = CounterRandom.mix64(h + purpose * 0xD1B54A32D192ED03L);
        h = CounterRandom.mix64(h + time * 0xAEF17502108EF2D9L);
        h = CounterRandom.mix64(h + row * 0xDB4F0B9175AE2165L);
        return CounterRandom.mix64(h + sample * 0x9FB21C651E98DF25L);
    }

    /**
     * Resets {@code rng} to the stream of (purpose, time, row, sample).
     *
     * @param rng     the generator to reset, not null
     * @param purpose the use of the draws, one of the constants of this class
     * @param time    the epoch, or the purpose's fixed time
     * @param row     the row's index in its data set
     * @param sample  the number of the draw for this row
     * @return {@code rng}, at the start of that stream
     */
    public CounterRandom stream(CounterRandom rng, long purpose, long time, long row, long sample) {
        return rng.reset(key(purpose, time, row, sample));
    }

    /**
     * Fills {@code out[offset .. offset + n)} with standard normal draws of the stream of
     * (purpose, time, row, sample), in order.
     *
     * @param scratch a generator this call resets and draws from
     * @param purpose the use of the draws, one of the constants of this class
     * @param time    the epoch, or the purpose's fixed time
     * @param row     the row's index in its data set
     * @param sample  the number of the draw for this row
     * @param out     the array that receives the draws (as floats)
     * @param offset  the index in {@code out} of the first draw
     * @param n       the number of draws, &gt;= 0
     */
    public void gaussian(CounterRandom scratch, long purpose, long time, long row, long sample,
                         float[] out, int offset, int n) {
        scratch.reset(key(purpose, time, row, sample));
        for (int i = 0; i < n; i++) {
            out[offset + i] = (float) scratch.nextGaussian();
        }
    }

    @Override
    public String toString() {
        return "Noise(seed=" + seed + ")";
    }
}

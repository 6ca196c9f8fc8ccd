package org.vae4j.random;

import java.util.random.RandomGenerator;

/**
 * A counter-based generator: the i-th draw after {@link #reset(long)} is a fixed function of
 * (key, i), SplitMix64's finaliser applied to {@code key + i * 0x9E3779B97F4A7C15} (the sequence
 * {@link java.util.SplittableRandom} produces from a seed). Resetting to a key costs nothing and
 * allocates nothing, so a row's noise can be drawn from its own key wherever the row is processed.
 * {@link #nextGaussian()} is {@link RandomGenerator}'s (the JDK's ziggurat over {@link #nextLong()}).
 *
 * <p>Mutable, not thread-safe: give each thread its own instance.
 */
public final class CounterRandom implements RandomGenerator {

    static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private long key;
    private long counter;

    /** A generator at key 0; call {@link #reset(long)} before drawing. */
    public CounterRandom() {
    }

    /**
     * A generator at the start of the stream of {@code key}.
     *
     * @param key the stream's key, any 64-bit value (e.g. from {@link Noise#key})
     */
    public CounterRandom(long key) {
        reset(key);
    }

    /**
     * Starts the stream of {@code key} from its first draw.
     *
     * @param key the stream's key, any 64-bit value (e.g. from {@link Noise#key})
     * @return this generator
     */
    public CounterRandom reset(long key) {
        this.key = key;
        this.counter = 0;
        return this;
    }

    @Override
    public long nextLong() {
        return mix64(key + GOLDEN * ++counter);
    }

    /**
     * SplitMix64's finaliser (Stafford's variant 13): a bijection of 64-bit values with full avalanche.
     *
     * @param z the value to mix
     * @return the mixed value
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

package org.vae4j.internal;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * How much a loader may still allocate, so that a file whose header truthfully declares more than
 * the heap holds (a gzip bomb: a few MB that decompress to gigabytes) ends in an error naming the
 * file and the sizes before anything is allocated, never in an {@link OutOfMemoryError}. Not API.
 *
 * <p>The budget is {@code Runtime.maxMemory()} minus the heap in use, minus a margin of
 * {@link #MARGIN_FRACTION} of the maximum heap (at least {@link #MIN_MARGIN_BYTES}) for everything
 * that is allocated besides the loader's arrays. When a request exceeds it, one full garbage
 * collection is asked for and the budget measured again, so garbage that a collection would free
 * does not cause a refusal. Stateless and thread-safe (the measurement is a snapshot).
 */
public final class HeapBudget {

    /** Part of the maximum heap kept free for everything else. */
    public static final double MARGIN_FRACTION = 0.125;
    /** The least margin kept free, 16 MiB. */
    public static final long MIN_MARGIN_BYTES = 16L << 20;

    /** The budget of this JVM's heap, as described above. */
    public static final LongSupplier SYSTEM = HeapBudget::available;

    private HeapBudget() {
    }

    /** Bytes that may still be allocated now: max heap - heap in use - margin (may be negative). */
    public static long available() {
        Runtime r = Runtime.getRuntime();
        long max = r.maxMemory();
        long used = r.totalMemory() - r.freeMemory();
        return max - used - Math.max(MIN_MARGIN_BYTES, (long) (max * MARGIN_FRACTION));
    }

    /**
     * Checks that {@code bytes} more can be allocated.
     *
     * @param budget  the budget ({@link #SYSTEM}, or a fixed one in tests); asked twice when the
     *                first answer is too small and it is {@link #SYSTEM}, with a collection between
     * @param bytes   what the caller is about to allocate
     * @param what    what needs it, naming the file and sizes, e.g.
     *                {@code "train-images.gz: 2739000 images of 28x28 (as floats)"}
     * @throws IllegalArgumentException {@code what + " need(s) N MB of heap, but only M MB are
     *                                  available ..."}, when they cannot be allocated
     */
    public static void require(LongSupplier budget, long bytes, String what) {
        long available = budget.getAsLong();
        if (bytes <= available) {
            return;
        }
        if (budget == SYSTEM) {
            System.gc(); // once: what the loader refuses should not be garbage that a collection would free
            available = budget.getAsLong();
            if (bytes <= available) {
                return;
            }
        }
        throw new IllegalArgumentException(what + " needs " + megabytes(bytes) + " of heap, but only "
                + megabytes(Math.max(0, available)) + " are available (maximum heap "
                + megabytes(Runtime.getRuntime().maxMemory()) + "); give the JVM more memory (-Xmx, e.g. "
                + "VAE4J_JAVA_OPTS=-Xmx4g) or use a smaller file");
    }

    /** A byte count in MB with one decimal, e.g. {@code "8602.4 MB"}. */
    public static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}

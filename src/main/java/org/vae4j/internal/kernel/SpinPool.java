package org.vae4j.internal.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.vae4j.kernel.Gemm;

/**
 * A tiny fork-join for GEMMs: {@code threads - 1} daemon workers that spin briefly before
 * parking, as OpenBLAS's do, because handing work to a sleeping thread costs tens of microseconds
 * here, as much as a small GEMM. Work is split into a fixed number of parts, one per thread.
 *
 * <p>Parts are claimed, not assigned: the caller runs part 0, then claims and runs every part no
 * worker has claimed yet, so a worker that the operating system has not scheduled (another
 * process, the GC or the JIT on the same cores) never makes the call wait for it; the call then
 * runs at one thread's speed instead of stalling. What a part computes does not depend on the
 * thread that runs it (each part has its own buffers in the caller), so results never depend on
 * timing.
 *
 * <p>{@link #run} is synchronised: one parallel call at a time; it allocates nothing.
 */
final class SpinPool {

    /** A part of a parallel call; {@code part} in [0, parts). */
    interface Body {
        void run(int part, int parts);
    }

    /** Spin iterations before a worker parks (roughly 50-100 microseconds). */
    private static final int SPINS = Integer.getInteger("vae4j.spins", 20_000);
    /** Bits of {@link #ticket} that hold the next unclaimed part; the rest count calls. */
    private static final int PART_BITS = 16;
    private static final long PART_MASK = (1L << PART_BITS) - 1;

    private final int threads;
    private final Worker[] workers;
    /** (call number << PART_BITS) | next unclaimed part of the current call. */
    private final AtomicLong ticket;
    /** Parts 1 .. threads-1 of the current call finished, by any thread. */
    private final AtomicInteger done = new AtomicInteger();
    private volatile Body body;
    private volatile Throwable failure;
    // the range pass being run (guarded by this pool's lock)
    private Gemm.RangeTask rangeTask;
    private int rangeN;
    private int rangeAlign;
    private final Body rangeBody = this::rangePart;

    SpinPool(int threads) {
        if (threads <= 0 || threads > PART_MASK) {
            throw new IllegalArgumentException("threads must be in [1, " + PART_MASK + "], got " + threads);
        }
        this.threads = threads;
        this.ticket = new AtomicLong(threads); // call 0, no part left to claim
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
            workers[i].setDaemon(true);
            workers[i].setName("vae4j-gemm-" + (i + 1));
            workers[i].start();
        }
    }

    int threads() {
        return threads;
    }

    /** Runs {@code b.run(part, threads)} for every part, part 0 on the calling thread; returns when all are done. */
    synchronized void run(Body b) {
        if (workers.length == 0) {
            b.run(0, 1);
            return;
        }
        failure = null;
        body = b;
        done.set(0);
        long call = (ticket.get() >>> PART_BITS) + 1;
        ticket.set(call << PART_BITS | 1); // part 0 is the caller's
        for (Worker w : workers) {
            if (w.parked) {
                LockSupport.unpark(w);
            }
        }
        // part 0, then the parts no worker has claimed yet: run them here rather than wait for a
        // worker (one call site for all of them, as for part 0 alone before)
        Throwable mine = null;
        int part = 0;
        int ran = 0;
        do {
            try {
                b.run(part, threads);
            } catch (Throwable t) {
                mine = mine != null ? mine : t;
            }
            ran++;
        } while ((part = claim()) >= 0);
        done.addAndGet(ran - 1); // the caller's parts other than 0
        while (done.get() != threads - 1) {
            Thread.onSpinWait();
        }
        body = null;
        Throwable t = mine != null ? mine : failure;
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    /**
     * Runs {@code task} over [0, n) in {@code threads} consecutive ranges of whole
     * {@code align}-element units (the last range ends at n; a range may be empty and is then
     * skipped), range 0 on the calling thread. The split depends on n, align and the thread count
     * only. Allocates nothing.
     */
    synchronized void runRanges(int n, int align, Gemm.RangeTask task) {
        rangeTask = task;
        rangeN = n;
        rangeAlign = align;
        try {
            run(rangeBody);
        } finally {
            rangeTask = null;
        }
    }

    private void rangePart(int part, int parts) {
        int n = rangeN;
        int align = rangeAlign;
        int units = (int) ((n + (long) align - 1) / align);
        int from = (int) Math.min(n, (long) align * (int) ((long) units * part / parts));
        int to = (int) Math.min(n, (long) align * (int) ((long) units * (part + 1) / parts));
        if (from < to) {
            rangeTask.run(from, to);
        }
    }

    /** Claims the next part of the current call, or returns -1 when every part is claimed. */
    private int claim() {
        while (true) {
            long t = ticket.get();
            int part = (int) (t & PART_MASK);
            if (part >= threads) {
                return -1;
            }
            if (ticket.compareAndSet(t, t + 1)) {
                return part;
            }
        }
    }

    /** Whether the current call has a part left to claim. */
    private boolean claimable() {
        return (ticket.get() & PART_MASK) < threads;
    }

    private void runPart(Body b, int part) {
        try {
            b.run(part, threads);
        } catch (Throwable t) {
            failure = t;
        } finally {
            done.incrementAndGet();
        }
    }

    private final class Worker extends Thread {
        volatile boolean parked;

        @Override
        public void run() {
            int spins = 0;
            while (true) {
                int part = claim();
                if (part >= 0) {
                    // claimed before the call can finish, so body is that call's
                    runPart(body, part);
                    spins = 0;
                } else if (++spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (!claimable()) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    spins = 0;
                }
            }
        }
    }
}

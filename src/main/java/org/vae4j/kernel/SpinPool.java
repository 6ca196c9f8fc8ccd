package org.vae4j.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A tiny fork-join for GEMMs: {@code threads - 1} daemon workers that spin briefly before
 * parking, as OpenBLAS's do, because handing work to a sleeping thread costs tens of microseconds
 * here, as much as a small GEMM. The caller runs part 0 itself. Work is split into a fixed number
 * of parts, one per thread, so which thread computes what never depends on timing.
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

    private final int threads;
    private final Worker[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Body body;
    private volatile long generation;
    private volatile Throwable failure;

    SpinPool(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
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
        pending.set(workers.length);
        generation++;
        for (Worker w : workers) {
            if (w.parked) {
                LockSupport.unpark(w);
            }
        }
        Throwable mine = null;
        try {
            b.run(0, threads);
        } catch (Throwable t) {
            mine = t;
        }
        while (pending.get() != 0) {
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

    private final class Worker extends Thread {
        private final int part;
        volatile boolean parked;

        Worker(int part) {
            this.part = part;
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                int spins = 0;
                while (generation == seen) {
                    if (++spins < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (generation == seen) {
                            LockSupport.park(this);
                        }
                        parked = false;
                        spins = 0;
                    }
                }
                seen = generation;
                try {
                    body.run(part, threads);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    pending.decrementAndGet();
                }
            }
        }
    }
}

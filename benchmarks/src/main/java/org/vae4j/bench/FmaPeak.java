package org.vae4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's float32 FMA throughput as the Vector API reaches it: 12 independent accumulator
 * chains of fused multiply-adds in registers (no loads, no stores), the ceiling any GEMM on this
 * JVM and CPU can approach. Timed on 1 thread, then on N threads at once (N = the processors, or
 * {@code --threads}): if N threads each keep the one-thread figure, the vCPUs are separate cores
 * (not hyperthreads of one). Prints the best and median of the timed rounds per thread count.
 * <pre>benchmarks/run peak [--threads N] [--rounds 9]</pre>
 */
public final class FmaPeak {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int ITERS = 4_000_000;

    private FmaPeak() {
    }

    /** Runs {@code iters} steps of 12 vector FMAs; returns a value depending on all of them. */
    static float chains(int iters, float[] in) {
        FloatVector a = FloatVector.fromArray(S, in, 0);
        FloatVector b = FloatVector.fromArray(S, in, S.length());
        FloatVector s0 = a, s1 = b, s2 = a, s3 = b, s4 = a, s5 = b;
        FloatVector s6 = a, s7 = b, s8 = a, s9 = b, s10 = a, s11 = b;
        for (int i = 0; i < iters; i++) {
            s0 = a.fma(b, s0);
            s1 = a.fma(b, s1);
            s2 = a.fma(b, s2);
            s3 = a.fma(b, s3);
            s4 = a.fma(b, s4);
            s5 = a.fma(b, s5);
            s6 = a.fma(b, s6);
            s7 = a.fma(b, s7);
            s8 = a.fma(b, s8);
            s9 = a.fma(b, s9);
            s10 = a.fma(b, s10);
            s11 = a.fma(b, s11);
        }
        return s0.add(s1).add(s2).add(s3).add(s4).add(s5).add(s6).add(s7).add(s8).add(s9).add(s10).add(s11)
                .reduceLanes(VectorOperators.ADD);
    }

    /** GFLOP/s of each of {@code threads} threads running the chains at the same time, round by round. */
    static double[][] measure(int threads, int rounds) throws Exception {
        double[][] gf = new double[threads][rounds];
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> ts = new ArrayList<>();
        float[] sink = new float[threads];
        for (int t = 0; t < threads; t++) {
            final int id = t;
            Thread th = new Thread(() -> {
                float[] in = new float[2 * S.length()];
                java.util.Arrays.fill(in, 0.9999f);
                try {
                    for (int w = 0; w < 3; w++) {
                        sink[id] += chains(ITERS / 4, in); // compile it
                    }
                    for (int r = 0; r < rounds; r++) {
                        start.await();
                        long t0 = System.nanoTime();
                        sink[id] += chains(ITERS, in);
                        gf[id][r] = 12.0 * 2 * S.length() * ITERS / (System.nanoTime() - t0);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "fma-" + t);
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        if (Float.isNaN(sink[0])) {
            System.out.println("(sink " + sink[0] + ")");
        }
        return gf;
    }

    public static void main(String[] args) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        int rounds = 9;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; expected --threads N, --rounds N");
            }
        }
        System.out.println(GemmReport.platform());
        System.out.printf(Locale.ROOT, "FMA chains: 12 independent accumulators of %d floats (%d-bit), in registers%n",
                S.length(), S.length() * 32);
        for (int n : threads > 1 ? new int[] {1, threads} : new int[] {1}) {
            double[][] gf = measure(n, rounds);
            double total = 0;
            StringBuilder per = new StringBuilder();
            for (int t = 0; t < n; t++) {
                double[] g = gf[t].clone();
                java.util.Arrays.sort(g);
                per.append(String.format(Locale.ROOT, "  thread %d best %.1f median %.1f", t, g[g.length - 1],
                        g[g.length / 2]));
                total += g[g.length / 2];
            }
            System.out.printf(Locale.ROOT, "%d thread(s) at once: GFLOP/s per thread:%s; sum of medians %.1f%n", n,
                    per, total);
        }
    }
}

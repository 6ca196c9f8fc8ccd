package org.vae4j.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import dev.ludovic.netlib.blas.BLAS;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Gemms;

/**
 * vae4j against OpenBLAS on the seed VAE's 12 GEMM shapes, in one process, back to back: for
 * each shape, after a warm-up that alternates the two call by call, {@code rounds} rounds each
 * time a batch of vae4j calls and a batch of OpenBLAS calls (which goes first alternates). A
 * round gives one ratio (OpenBLAS time / vae4j time); the table shows each side's best round and
 * the median of the per-round ratios, which a noisy shared machine disturbs less than JMH runs
 * minutes apart. Results are checked against OpenBLAS first.
 *
 * <pre>
 * benchmarks/run gemm-compare [--threads N] [--rounds N] [--warm SECONDS] [--ops fc1.fwd,head.dx] [--no-blas]
 *                              [--tsv FILE]
 * </pre>
 * {@code --tsv} also writes the table (and the step line as op {@code step}) as tab-separated
 * values, with the vector kernel's description in a first {@code # } line; {@code benchmarks/run
 * isa} reads it.
 * OpenBLAS runs with {@code OMP_NUM_THREADS} threads (the script sets 1 unless told).
 */
public final class GemmCompare {

    public static void main(String[] args) {
        int threads = 1;
        int rounds = 9;
        double warm = 1.0;
        List<String> ops = new ArrayList<>(GemmShapes.ALL.keySet());
        boolean useBlas = true;
        double target = 0.3; // seconds of calls per round and side
        java.nio.file.Path tsvPath = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warm" -> warm = Double.parseDouble(args[++i]);
                case "--ops" -> ops = Arrays.asList(args[++i].split(","));
                case "--round-seconds" -> target = Double.parseDouble(args[++i]);
                case "--no-blas" -> useBlas = false;
                case "--tsv" -> tsvPath = java.nio.file.Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; expected --threads N, --rounds N, --warm S, --round-seconds S, --ops A,B, --no-blas, --tsv FILE");
            }
        }
        System.out.println(GemmReport.platform());
        Gemm g = Gemms.create("vector", threads);
        BLAS blas = useBlas ? BLAS.getInstance() : null;
        System.out.println("vae4j: " + g.name() + "; reference: "
                + (blas == null ? "none" : blas.getClass().getSimpleName() + " OMP_NUM_THREADS="
                + System.getenv("OMP_NUM_THREADS")) + "; rounds " + rounds + ", warm-up " + warm + " s per shape");
        System.out.printf("%-11s %-13s %9s %7s %9s %7s %7s %7s%n", "op", "m x n x k", "vae4j us", "GF/s",
                "blas us", "GF/s", "best", "median");
        StringBuilder tsv = new StringBuilder("# " + GemmReport.platform().replace("\n", "; ") + "\n"
                + "op\tshape\tvae4j_us\tvae4j_gflops\tblas_us\tblas_gflops\tbest_ratio\tmedian_ratio\n");
        double tv = 0;
        double tb = 0;
        double flopsStep = 0;
        int shapes = 0;
        for (String op : ops) {
            GemmShapes.Shape s = GemmShapes.get(op.trim());
            SplittableRandom r = new SplittableRandom(1);
            FMatrixRMaj a = random(s.aRows(), s.aCols(), r);
            FMatrixRMaj b = random(s.bRows(), s.bCols(), r);
            FMatrixRMaj c = random(s.m(), s.n(), r);
            FMatrixRMaj c0 = c.copy();
            if (blas != null) {
                check(s, g, blas, a, b, c0);
            }
            double flops = s.flops();
            int reps = (int) Math.max(3, target * 60e9 / flops);
            long end = System.nanoTime() + (long) (warm * 1e9);
            while (System.nanoTime() < end) {
                call(s, g, a, b, c);
                if (blas != null) {
                    sgemm(s, blas, a, b, c);
                }
            }
            double[] v = new double[rounds];
            double[] bl = new double[rounds];
            double[] ratio = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                boolean blasFirst = round % 2 == 1;
                if (blas != null && blasFirst) {
                    bl[round] = timeBlas(s, blas, a, b, c, reps);
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    call(s, g, a, b, c);
                }
                v[round] = (System.nanoTime() - t0) / 1e3 / reps;
                if (blas != null && !blasFirst) {
                    bl[round] = timeBlas(s, blas, a, b, c, reps);
                }
                ratio[round] = bl[round] / v[round];
            }
            double bv = Arrays.stream(v).min().orElse(0);
            double bb = Arrays.stream(bl).min().orElse(0);
            double[] sorted = ratio.clone();
            Arrays.sort(sorted);
            double median = sorted[rounds / 2];
            System.out.printf(Locale.ROOT, "%-11s %-13s %9.1f %7.1f %9.1f %7.1f %7.2f %7.2f%n", s.op(),
                    s.m() + "x" + s.n() + "x" + s.k(), bv, flops / bv / 1e3, bb, blas == null ? 0 : flops / bb / 1e3,
                    blas == null ? 0 : bb / bv, blas == null ? 0 : median);
            tsv.append(String.format(Locale.ROOT, "%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.3f\t%.3f%n", s.op(),
                    s.m() + "x" + s.n() + "x" + s.k(), bv, flops / bv / 1e3, bb, blas == null ? 0 : flops / bb / 1e3,
                    blas == null ? 0 : bb / bv, blas == null ? 0 : median));
            if (GemmShapes.ALL.containsKey(s.op())) {
                // the step line: every training shape, and only those
                tv += bv * s.perStep();
                tb += bb * s.perStep();
                flopsStep += flops * s.perStep();
                shapes++;
            }
        }
        if (shapes == GemmShapes.ALL.size()) {
            System.out.printf(Locale.ROOT, "step (best rounds, ops weighted by count): vae4j %.1f us (%.1f GF/s), "
                    + "blas %.1f us (%.1f GF/s), ratio %.2f%n", tv, flopsStep / tv / 1e3, tb,
                    blas == null ? 0 : flopsStep / tb / 1e3, blas == null ? 0 : tb / tv);
            tsv.append(String.format(Locale.ROOT, "step\tall 12\t%.2f\t%.2f\t%.2f\t%.2f\t%.3f\t%s%n", tv,
                    flopsStep / tv / 1e3, tb, blas == null ? 0 : flopsStep / tb / 1e3, blas == null ? 0 : tb / tv,
                    "-"));
        }
        if (tsvPath != null) {
            try {
                java.nio.file.Files.writeString(tsvPath, tsv);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private static double timeBlas(GemmShapes.Shape s, BLAS blas, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c,
                                   int reps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            sgemm(s, blas, a, b, c);
        }
        return (System.nanoTime() - t0) / 1e3 / reps;
    }

    private static void call(GemmShapes.Shape s, Gemm g, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        switch (s.kind()) {
            case MULT_TRANS_B -> g.multTransB(a, b, c);
            case MULT_ADD_TRANS_A -> g.multAddTransA(a, b, c);
            case MULT -> g.mult(a, b, c);
            case MULT_ADD -> g.multAdd(a, b, c);
            default -> throw new AssertionError(s.kind());
        }
    }

    /** Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: B first, flags kept. */
    private static void sgemm(GemmShapes.Shape s, BLAS blas, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        GemmShapes.Kind k = s.kind();
        blas.sgemm(k.transB ? "T" : "N", k.transA ? "T" : "N", s.n(), s.m(), s.k(), 1f, b.data, b.numCols,
                a.data, a.numCols, k.accumulate ? 1f : 0f, c.data, s.n());
    }

    private static void check(GemmShapes.Shape s, Gemm g, BLAS blas, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        FMatrixRMaj x = c.copy();
        FMatrixRMaj y = c.copy();
        call(s, g, a, b, x);
        sgemm(s, blas, a, b, y);
        double worst = 0;
        for (int i = 0; i < x.data.length; i++) {
            worst = Math.max(worst, Math.abs(x.data[i] - y.data[i]) / (1 + Math.abs(y.data[i])));
        }
        if (!(worst < 1e-4)) {
            throw new IllegalStateException(s.op() + ": vae4j and OpenBLAS differ by " + worst);
        }
    }

    private static FMatrixRMaj random(int rows, int cols, SplittableRandom r) {
        FMatrixRMaj x = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    private GemmCompare() {
    }
}

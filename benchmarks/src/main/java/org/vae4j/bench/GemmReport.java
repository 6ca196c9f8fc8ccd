package org.vae4j.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link GemmBenchmark} through JMH's Runner API and prints a table: op, shape, backend,
 * microseconds per call and GFLOP/s (2 m n k / time), then, per backend that ran all 12 ops, the
 * GEMM time of one training step (each op weighted by how often a step runs it) and of one MNIST
 * epoch (469 steps).
 *
 * <pre>
 *   GemmReport                       # 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement (the defaults)
 *   GemmReport --quick               # 1 x 1 s warm-up, 1 x 0.5 s measurement: a smoke test
 *   GemmReport -wi 2 -i 3 -p backend=vector1,netlib -p op=fc1.fwd,fc4.dW
 * </pre>
 * Any other argument is passed to JMH as on its command line (-f, -wi, -i, -w, -r, -p, -rf, -rff, ...).
 */
public final class GemmReport {

    private static final List<String> BACKEND_ORDER = List.of("ejml", "vector1", "vector2", "netlib", "netlib-java");
    /** Training steps in one MNIST epoch at batch 128 (the last one has 96 rows). */
    private static final int STEPS_PER_EPOCH = (60_000 + GemmShapes.BATCH - 1) / GemmShapes.BATCH;

    public static void main(String[] args) throws RunnerException {
        List<String> jmhArgs = new ArrayList<>(Arrays.asList(args));
        boolean quick = jmhArgs.remove("--quick");
        if (jmhArgs.contains("--help") || jmhArgs.contains("-h")) {
            System.out.println("usage: GemmReport [--quick] [JMH options, e.g. -wi 2 -i 3 -w 500ms -r 500ms "
                    + "-p backend=vector1,netlib -p op=fc1.fwd]");
            System.out.println("--quick: 1 x 1 s warm-up, 1 x 0.5 s measurement (a warm-up under ~1 s leaves the "
                    + "Vector API kernels uncompiled on small shapes: junk numbers)");
            System.out.println("ops: " + GemmShapes.ALL.keySet() + "; backends: " + BACKEND_ORDER);
            return;
        }
        CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(jmhArgs.toArray(new String[0]));
        } catch (CommandLineOptionException e) {
            System.err.println("bad JMH option: " + e.getMessage());
            System.exit(2);
            return;
        }
        ChainedOptionsBuilder opts = new OptionsBuilder().parent(cmd).include(GemmBenchmark.class.getName() + ".gemm");
        if (quick) {
            if (!cmd.getWarmupIterations().hasValue()) {
                opts.warmupIterations(1);
            }
            if (!cmd.getWarmupTime().hasValue()) {
                // Not shorter: small shapes need ~1 s of calls before C2 compiles the Vector API
                // kernels; before that they run interpreted or in C1, 100-1000x slower.
                opts.warmupTime(TimeValue.seconds(1));
            }
            if (!cmd.getMeasurementIterations().hasValue()) {
                opts.measurementIterations(1);
            }
            if (!cmd.getMeasurementTime().hasValue()) {
                opts.measurementTime(TimeValue.milliseconds(500));
            }
        }
        Collection<RunResult> results = new Runner(opts.build()).run();
        printTable(results);
        System.out.println(platform());
        System.out.println("netlib = " + describe(BLAS::getInstance) + ", netlib-java = " + describe(JavaBLAS::getInstance)
                + " (as resolved in this JVM; OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS")
                + ", OPENBLAS_NUM_THREADS=" + System.getenv("OPENBLAS_NUM_THREADS") + ")");
    }

    static void printTable(Collection<RunResult> results) {
        List<String> ops = new ArrayList<>(GemmShapes.ALL.keySet());
        List<RunResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator
                .comparingInt((RunResult r) -> ops.indexOf(r.getParams().getParam("op")))
                .thenComparingInt(r -> order(r.getParams().getParam("backend"))));

        System.out.println();
        System.out.println("GEMMs of one training step of the seed VAE 784-512-32, batch 128 "
                + "(C is m x n, inner dimension k; GFLOP/s = 2mnk / time)");
        String fmt = "%-11s %-28s %-11s %11s %9s %8s %9s%n";
        System.out.printf(fmt, "op", "shape", "backend", "us/op", "+-", "GFLOP/s", "vs netlib");
        Map<String, Map<String, Double>> usByBackend = new LinkedHashMap<>();
        Map<String, Double> netlibUs = new LinkedHashMap<>();
        for (RunResult r : sorted) {
            if (r.getParams().getParam("backend").equals("netlib")) {
                netlibUs.put(r.getParams().getParam("op"), r.getPrimaryResult().getScore());
            }
        }
        for (RunResult r : sorted) {
            String op = r.getParams().getParam("op");
            String backend = r.getParams().getParam("backend");
            GemmShapes.Shape s = GemmShapes.get(op);
            double us = r.getPrimaryResult().getScore();
            double err = r.getPrimaryResult().getScoreError();
            double gflops = s.flops() / (us * 1e-6) / 1e9;
            String shape = String.format("%dx%dx%d %s", s.m(), s.n(), s.k(), s.describe().split(" ", 2)[0]);
            Double ref = netlibUs.get(op);
            String ratio = ref == null || backend.equals("netlib") ? "" : String.format("%.2fx", ref / us);
            System.out.printf(fmt, op, shape, backend, String.format("%.2f", us),
                    Double.isNaN(err) ? "" : String.format("%.2f", err), String.format("%.1f", gflops), ratio);
            usByBackend.computeIfAbsent(backend, k -> new LinkedHashMap<>()).put(op, us);
        }

        System.out.println();
        System.out.println("GEMM time of one training step (ops weighted by count per step: head.fwd and head.dW x2)");
        System.out.printf("%-11s %12s %10s %16s %10s%n", "backend", "us/step", "GFLOP/s", "s/epoch (469)", "vs netlib");
        double stepFlops = GemmShapes.ALL.values().stream().mapToDouble(s -> s.flops() * s.perStep()).sum();
        usByBackend.entrySet().stream()
                .sorted(Comparator.comparingInt(e -> order(e.getKey())))
                .forEach(e -> {
                    if (!e.getValue().keySet().containsAll(GemmShapes.ALL.keySet())) {
                        System.out.printf("%-11s %12s%n", e.getKey(), "(not all ops measured)");
                        return;
                    }
                    double us = GemmShapes.ALL.values().stream()
                            .mapToDouble(s -> e.getValue().get(s.op()) * s.perStep()).sum();
                    String ratio = "";
                    if (netlibUs.keySet().containsAll(GemmShapes.ALL.keySet()) && !e.getKey().equals("netlib")) {
                        double ref = GemmShapes.ALL.values().stream()
                                .mapToDouble(s -> netlibUs.get(s.op()) * s.perStep()).sum();
                        ratio = String.format("%.2fx", ref / us);
                    }
                    System.out.printf("%-11s %12.1f %10.1f %16.2f %10s%n", e.getKey(), us,
                            stepFlops / (us * 1e-6) / 1e9, us * 1e-6 * STEPS_PER_EPOCH, ratio);
                });
        System.out.printf("(%.1f MFLOP per step; the epoch figure counts every step as a full batch)%n", stepFlops / 1e6);
    }

    /**
     * The per-ISA line: CPU model and the vector flags that decide the kernel, the JDK, and the
     * vector kernel's own choice ({@code VectorGemm.describe()}, by reflection so that this module
     * also builds against a library without it). The forks run with the same JVM and flags.
     */
    static String platform() {
        String model = "?";
        String flags = "";
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && model.equals("?")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                } else if ((line.startsWith("flags") || line.startsWith("Features")) && flags.isEmpty()) {
                    List<String> f = Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                    StringBuilder sb = new StringBuilder();
                    for (String want : List.of("avx2", "fma", "avx512f", "asimd", "sve")) {
                        sb.append(' ').append(want).append(f.contains(want) ? "=yes" : "=no");
                    }
                    flags = sb.toString().trim();
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: leave the CPU unknown
        }
        String kernel;
        try {
            kernel = (String) Class.forName("org.vae4j.internal.kernel.VectorGemm").getMethod("describe").invoke(null);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            kernel = "unavailable (" + e + ")";
        }
        return "CPU: " + model + " (" + Runtime.getRuntime().availableProcessors() + " CPUs; " + flags + "); JDK "
                + System.getProperty("java.vm.version") + " " + System.getProperty("os.arch")
                + "\nvector kernel: " + kernel;
    }

    private static String describe(java.util.function.Supplier<Object> blas) {
        try {
            return blas.get().getClass().getSimpleName();
        } catch (RuntimeException | LinkageError e) {
            return "unavailable (" + e + ")";
        }
    }

    private static int order(String backend) {
        int i = BACKEND_ORDER.indexOf(backend);
        return i < 0 ? BACKEND_ORDER.size() : i;
    }

    private GemmReport() {
    }
}

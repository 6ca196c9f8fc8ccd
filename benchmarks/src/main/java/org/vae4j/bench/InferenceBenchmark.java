package org.vae4j.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.InferenceView;
import org.vae4j.Vae;
import org.vae4j.data.ImageDataset;
import org.vae4j.internal.Rows;
import org.vae4j.random.Noise;

/**
 * Inference speed of the seed VAE (784-512-32, ReLU, Bernoulli) through its thread-safe
 * {@link InferenceView}, on the 10,000 MNIST test images:
 * <ul>
 *   <li><b>the pytorch-ref operation</b>: encode, sample z, decode (the likelihood's mean, i.e. the
 *       sigmoid of the logits) in batches of {@code --batch} (1000) over the whole test set, as
 *       {@code pytorch_ref.py}'s {@code inference_throughput} runs {@code model(x)} under
 *       {@code torch.no_grad()}: {@code --warmup} untimed passes, then {@code --repeats} timed
 *       ones, images/s of the median and of the best pass; with the view splitting each call over
 *       1 and over 2 threads;</li>
 *   <li><b>a shared view under several callers</b>: 1 and then 2 threads calling one view (one
 *       thread per call) at once, each going over the test set in calls of {@code --call-batch}
 *       rows, total images/s and the ratio.</li>
 * </ul>
 * The weights are the initial ones (timing does not depend on them). Figures on a shared machine
 * vary: compare ratios measured back to back.
 *
 * <pre>benchmarks/run infer [--data DIR] [--batch 1000] [--repeats 5] [--warmup 3] [--call-batch 100]
 *                     [--passes 3] [--tsv FILE]</pre>
 * ({@code --no-pytorch} is the run script's: it skips the PyTorch side.)
 */
public final class InferenceBenchmark {

    private InferenceBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of("../shared/data/mnist");
        int batch = 1000;
        int repeats = 5;
        int warmup = 3;
        int callBatch = 100;
        int passes = 3;
        Path tsv = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--call-batch" -> callBatch = Integer.parseInt(args[++i]);
                case "--passes" -> passes = Integer.parseInt(args[++i]);
                case "--tsv" -> tsv = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (expected --data, "
                        + "--batch, --repeats, --warmup, --call-batch, --passes, --tsv)");
            }
        }
        if (batch < 1 || repeats < 1 || warmup < 0 || callBatch < 1 || passes < 1) {
            throw new IllegalArgumentException("sizes and counts must be positive");
        }
        if (!ImageDataset.hasMnistFormat(data)) {
            System.err.println("no MNIST IDX files in " + data.toAbsolutePath() + " (use --data DIR)");
            System.exit(2);
        }
        FMatrixRMaj x = ImageDataset.loadMnistFormat(data, false).images();
        Vae model = Vae.builder(784).seed(1).build();
        System.out.printf(Locale.ROOT, "seed VAE %s, %d test images; JVM %s, %d processors%n", model.describe(),
                x.numRows, Runtime.version(), Runtime.getRuntime().availableProcessors());

        List<String[]> rows = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%nencode + sample + decode, batch %d, %d warm-up + %d timed passes over the "
                + "test set (the pytorch-ref operation)%n", batch, warmup, repeats);
        System.out.printf(Locale.ROOT, "%-28s %14s %14s%n", "", "median img/s", "best img/s");
        for (int threads : new int[] {1, 2}) {
            InferenceView view = model.inference(threads);
            double[] s = passTimes(view, x, batch, warmup, repeats);
            String name = "view, " + threads + " thread" + (threads > 1 ? "s" : "") + " per call";
            System.out.printf(Locale.ROOT, "%-28s %14.0f %14.0f   (%s)%n", name, x.numRows / s[s.length / 2],
                    x.numRows / s[0], view.kernels().gemm().name());
            rows.add(new String[] {"pytorch-op", Integer.toString(threads), Integer.toString(batch),
                    fmt(x.numRows / s[s.length / 2]), fmt(x.numRows / s[0])});
        }

        System.out.printf(Locale.ROOT, "%none shared view (1 thread per call), callers each going over the test set "
                + "%d times in calls of %d rows%n", passes, callBatch);
        InferenceView shared = model.inference(1);
        callers(shared, x, callBatch, 1, 1); // warm-up
        double base = 0;
        for (int callers : new int[] {1, 2}) {
            double ips = callers(shared, x, callBatch, callers, passes);
            if (callers == 1) {
                base = ips;
            }
            System.out.printf(Locale.ROOT, "%d caller thread%s %14.0f img/s   %.2fx%n", callers, callers > 1 ? "s" : " ",
                    ips, ips / base);
            rows.add(new String[] {"shared-view", Integer.toString(callers), Integer.toString(callBatch), fmt(ips),
                    fmt(ips)});
        }
        if (tsv != null) {
            StringBuilder b = new StringBuilder("case\tthreads\tbatch\timg_per_s_median\timg_per_s_best\n");
            for (String[] r : rows) {
                b.append(String.join("\t", r)).append('\n');
            }
            Files.writeString(tsv, b.toString(), StandardCharsets.UTF_8);
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Seconds per pass, sorted. */
    private static double[] passTimes(InferenceView view, FMatrixRMaj x, int batch, int warmup, int repeats) {
        Noise noise = new Noise(1);
        FMatrixRMaj buf = new FMatrixRMaj(1, 1);
        double[] s = new double[repeats];
        float sink = 0;
        for (int p = -warmup; p < repeats; p++) {
            long t0 = System.nanoTime();
            for (int start = 0; start < x.numRows; start += batch) {
                int end = Math.min(x.numRows, start + batch);
                sink += view.reconstructSample(Rows.copyRows(x, start, end, buf), null, noise, start).data[0];
            }
            if (p >= 0) {
                s[p] = (System.nanoTime() - t0) / 1e9;
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        Arrays.sort(s);
        return s;
    }

    /** Images/s of {@code callers} threads each going over x {@code passes} times. */
    private static double callers(InferenceView view, FMatrixRMaj x, int callBatch, int callers, int passes)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                fs.add(pool.submit(() -> {
                    go.await();
                    Noise noise = new Noise(2);
                    FMatrixRMaj buf = new FMatrixRMaj(1, 1);
                    for (int p = 0; p < passes; p++) {
                        for (int start = 0; start < x.numRows; start += callBatch) {
                            int end = Math.min(x.numRows, start + callBatch);
                            view.reconstructSample(Rows.copyRows(x, start, end, buf), null, noise, start);
                        }
                    }
                    return null;
                }));
            }
            long t0 = System.nanoTime();
            go.countDown();
            for (Future<?> f : fs) {
                f.get();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            return (double) callers * passes * x.numRows / s;
        } finally {
            pool.shutdown();
        }
    }
}

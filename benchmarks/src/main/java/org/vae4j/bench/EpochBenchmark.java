package org.vae4j.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.vae4j.Autoencoder;
import org.vae4j.ComposedLatentModel;
import org.vae4j.Vae;
import org.vae4j.data.ImageDataset;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Gemms;
import org.vae4j.optim.Adam;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;

/**
 * Whole-epoch training throughput on MNIST: for each model (seed 784-512-32, examples
 * 784-400-20, hinton: the deterministic autoencoder 784-1000-500-250-30 with a sigmoid output
 * and squared error, as {@code pytorch-ref --model hinton}) and each GEMM backend (e.g. {@code vector:2} = the vector backend on 2 threads),
 * trains a fresh VAE (seed 42, Adam 1e-3, batch 128) for {@code --epochs} epochs and prints
 * training images/s per epoch, the mean over epochs 2..N (epoch 1 is JIT warm-up; with one epoch
 * it is reported as is), the test negative ELBO after training (one z sample, nats per image; for
 * the autoencoder the test squared error per image, pytorch-ref's {@code test_se_per_image}) and
 * the peak resident set size (VmHWM; reset before each configuration through
 * /proc/self/clear_refs when the kernel allows it).
 *
 * <pre>
 *   EpochBenchmark [--data DIR] [--epochs 2] [--backends vector:1,vector:2] [--models seed,examples,hinton]
 *                  [--batch-size 128] [--lr 1e-3] [--seed 42] [--limit N] [--tsv FILE]
 * </pre>
 * Every configuration runs in this one JVM, one after the other.
 */
public final class EpochBenchmark {

    /**
     * A model of the benchmark: a VAE or a deterministic autoencoder ({@code ae}), its encoder's
     * hidden widths and its latent size (the decoder mirrors it).
     */
    record Model(String name, boolean ae, int[] hidden, int latent) {
        String describe() {
            StringBuilder s = new StringBuilder("784");
            for (int h : hidden) {
                s.append('-').append(h);
            }
            return s.append('-').append(latent).toString();
        }

        ComposedLatentModel build(long seed) {
            return ae ? Autoencoder.builder(784).hidden(hidden).latent(latent).seed(seed).build()
                    : Vae.builder(784).hidden(hidden).latent(latent).seed(seed).build();
        }
    }

    /** A backend name for {@link Gemms#create(String, int)} and its thread count. */
    record Backend(String name, int threads) {
        static Backend parse(String s) {
            String[] p = s.trim().split(":");
            if (p.length > 2 || p[0].isEmpty()) {
                throw new IllegalArgumentException("backend '" + s + "': expected NAME[:THREADS], e.g. vector:2");
            }
            int t = p.length == 2 ? Integer.parseInt(p[1]) : Gemms.defaultThreads();
            return new Backend(p[0], t);
        }

        @Override
        public String toString() {
            return name + ":" + threads;
        }
    }

    record Result(Model model, Backend backend, String gemm, List<EpochStats> epochs, double imagesPerSecond,
                  double testNegElbo, double evalSeconds, long peakRssKb, boolean rssReset) {
    }

    private static final List<Model> MODELS = List.of(new Model("seed", false, new int[] {512}, 32),
            new Model("examples", false, new int[] {400}, 20),
            new Model("hinton", true, new int[] {1000, 500, 250}, 30));

    public static void main(String[] args) throws IOException {
        Path data = Path.of("../shared/data/mnist");
        int epochs = 2;
        int batchSize = 128;
        double lr = 1e-3;
        long seed = 42;
        String backends = "vector:1,vector:2";
        String models = "seed,examples";
        Path tsv = null;
        int limit = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--data" -> data = Path.of(value(args, ++i, a));
                case "--epochs" -> epochs = Integer.parseInt(value(args, ++i, a));
                case "--batch-size" -> batchSize = Integer.parseInt(value(args, ++i, a));
                case "--lr" -> lr = Double.parseDouble(value(args, ++i, a));
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                case "--backends" -> backends = value(args, ++i, a);
                case "--models" -> models = value(args, ++i, a);
                case "--tsv" -> tsv = Path.of(value(args, ++i, a));
                case "--limit" -> limit = Integer.parseInt(value(args, ++i, a));
                case "-h", "--help" -> {
                    usage();
                    return;
                }
                default -> {
                    System.err.println("unknown argument: " + a);
                    usage();
                    System.exit(2);
                }
            }
        }
        if (epochs <= 0) {
            throw new IllegalArgumentException("--epochs must be positive");
        }
        List<Model> modelList = new ArrayList<>();
        for (String m : models.split(",")) {
            modelList.add(MODELS.stream().filter(x -> x.name().equals(m.trim())).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("unknown model '" + m + "'; expected seed, examples or hinton")));
        }
        List<Backend> backendList = new ArrayList<>();
        for (String b : backends.split(",")) {
            backendList.add(Backend.parse(b));
        }
        if (!ImageDataset.hasMnistFormat(data)) {
            System.err.println("no MNIST IDX files in " + data.toAbsolutePath() + " (use --data DIR)");
            System.exit(2);
        }

        long t0 = System.nanoTime();
        ImageDataset train = ImageDataset.loadMnistFormat(data, true);
        if (limit > 0 && limit < train.size()) {
            train = train.head(limit);
        }
        ImageDataset test = ImageDataset.loadMnistFormat(data, false);
        System.out.printf(Locale.ROOT, "MNIST %s: %d train, %d test images, loaded in %.1f s; JVM %s, max heap %d MB, "
                        + "%d processors%n", data, train.size(), test.size(), (System.nanoTime() - t0) / 1e9,
                Runtime.version(), Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "batch %d, Adam lr %s, seed %d, %d epoch(s) per configuration; images/s = %s%n",
                batchSize, lr, seed, epochs, epochs >= 2 ? "mean of epochs 2.." + epochs + " (epoch 1 = warm-up)"
                        : "epoch 1 (includes JIT warm-up)");

        List<Result> results = new ArrayList<>();
        for (Model model : modelList) {
            for (Backend backend : backendList) {
                Result r = run(model, backend, train, test, epochs, batchSize, lr, seed);
                results.add(r);
                System.out.printf(Locale.ROOT, "RESULT model=%s (%s) backend=%s gemm=%s images/s=%.0f "
                                + "test_neg_elbo=%.3f peak_rss_mb=%.0f%n",
                        model.name(), model.describe(), backend, r.gemm(), r.imagesPerSecond(), r.testNegElbo(),
                        r.peakRssKb() / 1024.0);
            }
        }

        System.out.println();
        String fmt = "%-9s %-11s %-10s %-11s %7s %11s %13s %10s %8s %9s%n";
        System.out.printf(fmt, "model", "arch", "backend", "gemm", "epochs", "images/s", "epoch1 img/s",
                "test-ELBO", "eval s", "RSS MB");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, fmt, r.model().name(), r.model().describe(), r.backend(), r.gemm(),
                    r.epochs().size(), String.format(Locale.ROOT, "%.0f", r.imagesPerSecond()),
                    String.format(Locale.ROOT, "%.0f", r.epochs().get(0).imagesPerSecond()),
                    String.format(Locale.ROOT, "%.3f", r.testNegElbo()),
                    String.format(Locale.ROOT, "%.2f", r.evalSeconds()),
                    String.format(Locale.ROOT, "%.0f%s", r.peakRssKb() / 1024.0, r.rssReset() ? "" : "*"));
        }
        if (results.stream().anyMatch(r -> !r.rssReset())) {
            System.out.println("* the kernel refused to reset VmHWM: peak RSS of the whole process so far");
        }

        if (tsv != null) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(tsv, StandardCharsets.UTF_8))) {
                w.println("model\tbackend\tgemm\tepochs\timages_per_s\tepoch_images_per_s\ttest_neg_elbo\tpeak_rss_mb");
                for (Result r : results) {
                    StringBuilder per = new StringBuilder();
                    for (EpochStats e : r.epochs()) {
                        per.append(per.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.1f",
                                e.imagesPerSecond()));
                    }
                    w.printf(Locale.ROOT, "%s\t%s\t%s\t%d\t%.1f\t%s\t%.4f\t%.1f%n", r.model().name(), r.backend(),
                            r.gemm(), r.epochs().size(), r.imagesPerSecond(), per, r.testNegElbo(),
                            r.peakRssKb() / 1024.0);
                }
            }
        }
    }

    private static Result run(Model model, Backend backend, ImageDataset train, ImageDataset test, int epochs,
                              int batchSize, double lr, long seed) {
        Gemm gemm = Gemms.create(backend.name(), backend.threads());
        Gemms.set(gemm); // so the model's default backend is this one too (no idle pool from Gemms.get())
        ComposedLatentModel vae = model.build(seed);
        vae.setGemm(gemm);
        System.gc();
        boolean reset = resetPeakRss();
        System.out.printf(Locale.ROOT, "== %s (%s), backend %s (%s)%n", model.name(), vae.describe(), backend,
                gemm.name());
        Trainer trainer = Trainer.builder()
                .epochs(epochs).batchSize(batchSize).seed(seed)
                .optimizer(() -> new Adam(lr))
                .listener(e -> System.out.printf(Locale.ROOT, "   epoch %d: loss %.3f, %.0f images/s, %.2f s%n",
                        e.epoch(), e.trainLoss(), e.imagesPerSecond(), e.seconds()))
                .build();
        List<EpochStats> history = trainer.train(vae, train.images());
        double imagesPerSecond = history.stream().skip(history.size() >= 2 ? 1 : 0)
                .mapToDouble(EpochStats::imagesPerSecond).average().orElseThrow();
        long t0 = System.nanoTime();
        double negElbo = vae.negativeElbo(test.images(), new SplittableRandom(1)).total();
        double evalSeconds = (System.nanoTime() - t0) / 1e9;
        return new Result(model, backend, gemm.name(), history, imagesPerSecond, negElbo, evalSeconds,
                peakRssKb(), reset);
    }

    /** Resets VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs); false when not allowed. */
    private static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** VmHWM of this process in kB, or -1 when /proc is not there. */
    static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static void usage() {
        System.out.println("""
                usage: EpochBenchmark [options]
                  --data DIR          folder with the four MNIST IDX .gz files (default ../shared/data/mnist)
                  --epochs N          epochs per configuration (default 2; epoch 1 is warm-up when N >= 2)
                  --backends LIST     NAME:THREADS,... with NAME vector or ejml (default vector:1,vector:2)
                  --models LIST       seed (784-512-32), examples (784-400-20), hinton (autoencoder
                                      784-1000-500-250-30, squared error) (default seed,examples)
                  --batch-size N      (default 128)
                  --lr X              Adam learning rate (default 1e-3)
                  --seed N            weights, shuffling and noise (default 42)
                  --limit N           train on the first N images only (smoke tests; default all 60,000)
                  --tsv FILE          also write the results as tab-separated values""");
    }

    private EpochBenchmark() {
    }
}

package org.vae4j.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.table.CsvSource;
import org.vae4j.table.CsvTable;
import org.vae4j.table.RowScores;
import org.vae4j.table.SchemaFitter;
import org.vae4j.table.Scorer;
import org.vae4j.table.TableEncoder;
import org.vae4j.table.TableModel;
import org.vae4j.table.TableSchema;
import org.vae4j.train.Trainer;

/**
 * Scoring speed of the table path ({@code org.vae4j.table.Scorer}): a generated mixed table
 * (6 numeric, 2 binary, 2 categorical columns from 3 shared factors) is written as CSV, a VAE with
 * the {@code vae4j train} defaults is trained on its first rows for a few epochs, then
 * <ul>
 *   <li>single-row latency: one row per {@code score} call, p50 / p99 / max over the timed calls;</li>
 *   <li>throughput: the whole file streamed through CSV parsing, encoding and scoring in chunks of
 *       4096 rows (split over {@code --threads}), rows/s; and the peak RSS (VmHWM) of the process.</li>
 * </ul>
 * Timings on a shared machine vary: run twice and compare.
 *
 * <pre>benchmarks/run table-score [--rows 1000000] [--threads 2] [--samples 32] [--calls 20000]</pre>
 */
public final class TableScoring {

    private TableScoring() {
    }

    public static void main(String[] args) throws Exception {
        int rows = 1_000_000;
        int threads = 2;
        int samples = TableModel.DEFAULT_SAMPLES;
        int calls = 20_000;
        Path file = Path.of("target", "table-score.csv");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--file" -> file = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --rows, --threads, --samples, --calls, --file)");
            }
        }
        generate(file, rows);
        CsvTable head = head(file, Math.min(rows, 5000));
        TableSchema schema = SchemaFitter.defaults().fit(head);
        FMatrixRMaj x = new TableEncoder(schema, head.header(), file).encodeAll(head);
        TableModel model = TableModel.create(schema, TableModel.defaultHidden(schema), TableModel.defaultLatent(schema),
                1, samples, 1);
        Trainer.builder().epochs(5).batchSize(128).seed(1).build().train(model.model(), x);
        Scorer scorer = model.scorer();
        System.out.printf(Locale.ROOT, "model %s, k = %d samples per row; %d GEMM thread(s) per call%n",
                model.model().describe(), samples, Runtime.getRuntime().availableProcessors());

        // single-row latency
        FMatrixRMaj one = new FMatrixRMaj(1, x.numCols);
        long[] ns = new long[calls];
        for (int i = -calls / 4; i < calls; i++) {
            int r = Math.floorMod(i, x.numRows);
            System.arraycopy(x.data, r * x.numCols, one.data, 0, x.numCols);
            long t0 = System.nanoTime();
            scorer.score(one, r);
            if (i >= 0) {
                ns[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(ns);
        System.out.printf(Locale.ROOT, "single-row latency over %d calls: p50 %.1f us, p99 %.1f us, max %.1f us%n", calls,
                ns[calls / 2] / 1e3, ns[(int) (calls * 0.99)] / 1e3, ns[calls - 1] / 1e3);

        // throughput over the whole file
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        long scored = 0;
        double checksum = 0;
        try (CsvSource src = CsvSource.open(file)) {
            TableEncoder enc = new TableEncoder(schema, src.header(), file);
            FMatrixRMaj chunk = new FMatrixRMaj(4096, schema.width());
            String[] rec = src.next();
            while (rec != null) {
                int n = 0;
                chunk.reshape(4096, schema.width());
                while (rec != null && n < 4096) {
                    enc.encode(rec, src.line(), chunk, n++);
                    rec = src.next();
                }
                chunk.reshape(n, schema.width());
                List<Future<RowScores>> fs = new ArrayList<>();
                int parts = Math.max(1, Math.min(threads, n / 64));
                for (int p = 0; p < parts; p++) {
                    int a = n * p / parts;
                    int b = n * (p + 1) / parts;
                    FMatrixRMaj slice = org.vae4j.internal.Rows.copyRows(chunk, a, b, new FMatrixRMaj(1, 1));
                    long first = scored + a;
                    fs.add(pool.submit(() -> scorer.score(slice, first)));
                }
                for (Future<RowScores> f : fs) {
                    for (double s : f.get().score) {
                        checksum += s;
                    }
                }
                scored += n;
            }
        } finally {
            pool.shutdown();
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "throughput: %,d rows (parse + encode + score, %d threads) in %.1f s = %,.0f rows/s;"
                + " mean score %.4f%n", scored, threads, sec, scored / sec, checksum / scored);
        System.out.println("peak RSS: " + peakRss());
    }

    private static CsvTable head(Path file, int n) throws IOException {
        try (CsvSource src = CsvSource.open(file)) {
            List<String[]> rows = new ArrayList<>();
            String[] r;
            while (rows.size() < n && (r = src.next()) != null) {
                rows.add(r);
            }
            return CsvTable.of(src.header(), rows);
        }
    }

    private static String peakRss() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return "unknown (no /proc)";
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                return line.substring(6).trim();
            }
        }
        return "unknown";
    }

    static void generate(Path file, int rows) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        SplittableRandom rng = new SplittableRandom(7);
        String[] regions = {"north", "south", "east", "west"};
        String[] plans = {"basic", "plus", "pro"};
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("income,age,spend,visits,risk,tenure,premium,mobile,region,plan\n");
            for (int r = 0; r < rows; r++) {
                double f0 = rng.nextGaussian();
                double f1 = rng.nextGaussian();
                double f2 = rng.nextGaussian();
                String[] c = {Long.toString(Math.round(Math.exp(10 + 0.5 * f0))), fmt(45 + 12 * f1), fmt(f0 * f1),
                    fmt(f2 * f2), fmt(Math.tanh(f0 - f2)), fmt(10 + 4 * Math.abs(f1 + f2)),
                    rng.nextDouble() < 1 / (1 + Math.exp(-4 * f0 * f2)) ? "1" : "0", f1 > 0 ? "no" : "yes",
                    regions[(f2 > 0 ? 0 : 1) + (f0 * f1 > 0 ? 0 : 2)], plans[(int) Math.min(2, Math.abs(f0) + 0.5)]};
                for (int j = 0; j < c.length; j++) {
                    if (rng.nextDouble() < 0.02) {
                        c[j] = "";
                    }
                }
                w.write(String.join(",", c));
                w.write('\n');
            }
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}

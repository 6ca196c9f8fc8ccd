package org.vae4j.examples;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.AtomicFiles;
import org.vae4j.internal.Rows;
import org.vae4j.table.CsvSource;
import org.vae4j.table.RowScores;
import org.vae4j.table.Scorer;
import org.vae4j.table.TableEncoder;
import org.vae4j.table.TableFormatException;
import org.vae4j.table.TableModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vae4j score}: streams a CSV through a saved table model, {@value #CHUNK} rows at a time,
 * and writes one output row per input row, in order: {@code row} (0-based data row), {@code score}
 * (higher = more anomalous; {@link Double#toString}, so it parses back to the exact double),
 * {@code is_anomaly} (1 when the score is above the model's threshold), {@code top_columns} (one
 * quoted field: the columns whose reconstruction term exceeds its typical value the most, most
 * anomalous first, separated by {@code ;}); with {@code --details} also the -ELBO, the
 * importance-weighted -log p(x) over the observed cells and the missing-cell term. The output is written atomically: after an error
 * (a bad cell on line 10,000, say) no file, or the previous one, is there.
 */
@Command(name = "score", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = {"Score every row of a CSV with a trained table model (columns matched by name).", ""})
final class TableScore implements Callable<Integer> {

    static final int CHUNK = 4096;

    @Option(names = "--model", required = true, paramLabel = "MODEL", order = 1,
            description = "model.safetensors from vae4j train (or its folder).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE.csv", order = 2, description = "The rows to score.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "SCORES.csv", order = 3, description = "Output file.")
    Path out;

    @Option(names = "--top", defaultValue = "3", paramLabel = "N", order = 4,
            description = "Columns named in top_columns at most (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N", order = 5,
            description = "Scoring threads (the scores do not depend on it; default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--details", order = 6,
            description = "Also write neg_elbo and neg_log_px (over the observed cells) and missing_term after top_columns.")
    boolean details;

    @Override
    public Integer call() throws Exception {
        if (top < 0 || threads < 1) {
            throw new Vae4j.UsageException("--top must be >= 0 and --threads >= 1");
        }
        TableModel m = TableModel.load(Vae4j.modelFile(model));
        Scorer scorer = m.scorer();
        double threshold = m.calibration().threshold();
        double[] typical = m.calibration().typical();
        String[] names = m.schema().names();
        long[] counts = new long[2]; // rows, anomalies
        List<String> unseen = new ArrayList<>();
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        try (CsvSource src = CsvSource.open(data)) {
            TableEncoder encoder = new TableEncoder(m.schema(), src.header(), data);
            AtomicFiles.write(out, os -> {
                Writer w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
                w.write("row,score,is_anomaly,top_columns" + (details ? ",neg_elbo,neg_log_px,missing_term" : "") + "\n");
                FMatrixRMaj x = new FMatrixRMaj(CHUNK, m.schema().width());
                String[] rec = src.next();
                long row = 0;
                StringBuilder line = new StringBuilder();
                while (rec != null) {
                    int n = 0;
                    x.reshape(CHUNK, m.schema().width());
                    while (rec != null && n < CHUNK) {
                        encoder.encode(rec, src.line(), x, n++);
                        rec = src.next();
                    }
                    x.reshape(n, m.schema().width());
                    RowScores s = score(scorer, x, row, pool);
                    for (int r = 0; r < n; r++) {
                        boolean anomaly = s.score[r] > threshold;
                        counts[1] += anomaly ? 1 : 0;
                        line.setLength(0);
                        line.append(row + r).append(',').append(s.score[r]).append(',').append(anomaly ? '1' : '0')
                                .append(",\"");
                        int[] cols = s.topColumns(r, typical, top);
                        for (int i = 0; i < cols.length; i++) {
                            line.append(i == 0 ? "" : ";").append(names[cols[i]].replace("\"", "\"\""));
                        }
                        line.append('"');
                        if (details) {
                            line.append(',').append(s.negElbo[r]).append(',').append(s.negLogPx[r]).append(',')
                                    .append(s.missingTerm[r]);
                        }
                        line.append('\n');
                        w.write(line.toString());
                    }
                    row += n;
                }
                if (row == 0) {
                    throw new TableFormatException(data, 0, "the file has a header but no rows to score");
                }
                counts[0] = row;
                w.flush();
            });
            unseen.addAll(encoder.unseenSummary());
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        System.out.printf(Locale.ROOT, "scored %,d rows of %s: %,d above the threshold %.4f; wrote %s%n", counts[0], data,
                counts[1], threshold, out);
        for (String u : unseen) {
            System.out.println("note: labels the model was not trained on, scored in the unseen bucket (a binary "
                    + "column's as missing): " + u);
        }
        return 0;
    }

    /** Scores x (row ids from first), split over the pool's threads when there is one. */
    static RowScores score(Scorer scorer, FMatrixRMaj x, long first, ExecutorService pool) throws IOException {
        if (pool == null || x.numRows < 64) {
            return scorer.score(x, first);
        }
        int parts = Math.min(16, (x.numRows + 255) / 256);
        List<Future<RowScores>> fs = new ArrayList<>();
        int[] starts = new int[parts + 1];
        for (int p = 0; p <= parts; p++) {
            starts[p] = (int) ((long) x.numRows * p / parts);
        }
        for (int p = 0; p < parts; p++) {
            int a = starts[p];
            int b = starts[p + 1];
            FMatrixRMaj slice = Rows.copyRows(x, a, b, new FMatrixRMaj(1, x.numCols));
            fs.add(pool.submit(() -> scorer.score(slice, first + a)));
        }
        RowScores all = null;
        try {
            List<RowScores> got = new ArrayList<>();
            for (Future<RowScores> f : fs) {
                got.add(f.get());
            }
            all = RowScores.concat(got);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("scoring failed: " + e.getCause(), e.getCause());
        }
        return all;
    }
}

package org.vae4j.examples;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.AtomicFiles;
import org.vae4j.random.CounterRandom;
import org.vae4j.random.Noise;
import org.vae4j.table.Column;
import org.vae4j.table.TableModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vae4j generate}: synthetic rows. z ~ N(0, I) (row r's from the stream (PRIOR, 0, r, 0)
 * of {@code --seed}), then one draw from p(x|z) per column, decoded back to raw units (the
 * inverse of the column's standardisation and transform) and labels. The modelled columns only, in
 * the schema's order; a categorical draw that lands in the unseen bucket is written as an empty
 * cell. Written atomically.
 */
@Command(name = "generate", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = {"Write synthetic rows drawn from a trained table model.", ""})
final class TableGenerate implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL", order = 1, description = "model.safetensors (or its folder).")
    Path model;

    @Option(names = "--n", required = true, paramLabel = "N", order = 2, description = "Rows to generate.")
    int n;

    @Option(names = "--out", required = true, paramLabel = "SYNTHETIC.csv", order = 3, description = "Output file.")
    Path out;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", order = 4, description = "Default ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (n < 1) {
            throw new Vae4j.UsageException("--n must be >= 1, got " + n);
        }
        TableModel m = TableModel.load(Vae4j.modelFile(model));
        List<Column> cols = m.schema().columns();
        int[] off = m.schema().offsets();
        int latent = m.model().latentSize();
        Noise noise = new Noise(seed);
        CounterRandom scratch = new CounterRandom();
        SplittableRandom rng = new SplittableRandom(seed);
        AtomicFiles.write(out, os -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
            w.write(String.join(",", quoteAll(m.schema().names())) + "\n");
            int chunk = 1024;
            FMatrixRMaj z = new FMatrixRMaj(chunk, latent);
            FMatrixRMaj x = new FMatrixRMaj(chunk, m.schema().width());
            for (int start = 0; start < n; start += chunk) {
                int rows = Math.min(chunk, n - start);
                z.reshape(rows, latent);
                for (int r = 0; r < rows; r++) {
                    noise.gaussian(scratch, Noise.PRIOR, 0, start + r, 0, z.data, r * latent, latent);
                }
                FMatrixRMaj outp = m.model().decoderOutput(z);
                x.reshape(rows, m.schema().width());
                m.model().likelihood().sample(outp, rng, x);
                StringBuilder line = new StringBuilder();
                for (int r = 0; r < rows; r++) {
                    line.setLength(0);
                    for (int c = 0; c < cols.size(); c++) {
                        line.append(c == 0 ? "" : ",").append(cell(cols.get(c), x, r, off[c]));
                    }
                    w.write(line.append('\n').toString());
                }
            }
            w.flush();
        });
        System.out.printf("generated %,d rows of %d columns; wrote %s%n", n, cols.size(), out);
        return 0;
    }

    static String cell(Column c, FMatrixRMaj x, int r, int at) {
        return switch (c.type()) {
            case NUMERIC -> String.format(Locale.ROOT, "%.6g", c.raw(x.get(r, at)));
            case BINARY -> quote(c.labels().get(x.get(r, at) > 0.5f ? 1 : 0));
            default -> {
                int best = 0;
                for (int k = 1; k < c.width(); k++) {
                    if (x.get(r, at + k) > x.get(r, at + best)) {
                        best = k;
                    }
                }
                yield best < c.labels().size() ? quote(c.labels().get(best)) : "";
            }
        };
    }

    static String quote(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String[] quoteAll(String[] names) {
        String[] q = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            q[i] = quote(names[i]);
        }
        return q;
    }
}

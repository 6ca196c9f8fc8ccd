package org.vae4j.examples;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.AtomicFiles;
import org.vae4j.loss.MissingCells;
import org.vae4j.table.CsvSource;
import org.vae4j.table.TableEncoder;
import org.vae4j.table.TableFormatException;
import org.vae4j.table.TableModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vae4j encode}: the posterior mean of z for every row of a CSV (embeddings), one output
 * row per input row: {@code row,z0,z1,...}. Missing cells get the neutral input, as in training.
 * Written atomically.
 */
@Command(name = "encode", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = {"Write the latent means (embeddings) of every row of a CSV.", ""})
final class TableEncode implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL", order = 1, description = "model.safetensors (or its folder).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE.csv", order = 2, description = "The rows to encode.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "LATENT.csv", order = 3, description = "Output file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        TableModel m = TableModel.load(Vae4j.modelFile(model));
        int width = m.schema().width();
        int latent = m.model().latentSize();
        long[] rows = new long[1];
        try (CsvSource src = CsvSource.open(data)) {
            TableEncoder encoder = new TableEncoder(m.schema(), src.header(), data);
            AtomicFiles.write(out, os -> {
                Writer w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
                StringBuilder line = new StringBuilder("row");
                for (int j = 0; j < latent; j++) {
                    line.append(",z").append(j);
                }
                w.write(line.append('\n').toString());
                FMatrixRMaj x = new FMatrixRMaj(TableScore.CHUNK, width);
                FMatrixRMaj filled = new FMatrixRMaj(TableScore.CHUNK, width);
                String[] rec = src.next();
                while (rec != null) {
                    int n = 0;
                    x.reshape(TableScore.CHUNK, width);
                    while (rec != null && n < TableScore.CHUNK) {
                        encoder.encode(rec, src.line(), x, n++);
                        rec = src.next();
                    }
                    x.reshape(n, width);
                    MissingCells.split(m.model().likelihood(), x, filled, "rows");
                    FMatrixRMaj mu = m.model().encodeMean(filled);
                    for (int r = 0; r < n; r++) {
                        line.setLength(0);
                        line.append(rows[0] + r);
                        for (int j = 0; j < latent; j++) {
                            line.append(',').append(mu.get(r, j));
                        }
                        w.write(line.append('\n').toString());
                    }
                    rows[0] += n;
                }
                if (rows[0] == 0) {
                    throw new TableFormatException(data, 0, "the file has a header but no rows to encode");
                }
                w.flush();
            });
        }
        System.out.printf("encoded %,d rows of %s into %d latent means each; wrote %s%n", rows[0], data, latent, out);
        return 0;
    }
}

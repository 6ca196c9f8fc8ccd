package org.vae4j.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.vae4j.internal.AtomicFiles;
import org.vae4j.table.Column;
import org.vae4j.table.CsvTable;
import org.vae4j.table.RowScores;
import org.vae4j.table.TableEncoder;
import org.vae4j.table.TableModel;
import org.vae4j.table.TableSchema;
import org.vae4j.train.EpochStats;
import org.vae4j.train.TrainingRun;

/** metrics.json of {@code vae4j train}: data, schema (with the columns left out), model, training, scoring. Stateless. */
final class TableMetrics {

    private TableMetrics() {
    }

    static void write(Path file, TableTrain t, CsvTable table, TableSchema schema, TableEncoder encoder, TableModel model,
                      TrainingRun run, List<EpochStats> history, List<Double> validations, RowScores all, int flagged)
            throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", Map.of("file", t.data.toString(), "rows", table.size(), "columns", table.header().length));
        List<Map<String, Object>> cols = new ArrayList<>();
        long[] missing = encoder.missingCounts();
        for (int c = 0; c < schema.columns().size(); c++) {
            Column col = schema.columns().get(c);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", col.name());
            e.put("type", col.type().spelling());
            if (col.type() == org.vae4j.table.ColumnType.NUMERIC) {
                e.put("transform", col.transform().spelling());
            } else {
                e.put("labels", col.labels());
            }
            e.put("encoded_width", col.width());
            e.put("missing_cells", missing[c]);
            cols.add(e);
        }
        List<Map<String, String>> dropped = new ArrayList<>();
        for (TableSchema.Dropped d : schema.dropped()) {
            dropped.add(Map.of("name", d.name(), "reason", d.reason()));
        }
        m.put("schema", Map.of("columns", cols, "left_out", dropped, "encoded_width", schema.width()));
        Map<String, Object> mod = new LinkedHashMap<>();
        mod.put("description", model.model().describe());
        mod.put("hidden", model.model().hiddenSizes());
        mod.put("latent", model.model().latentSize());
        mod.put("parameters", model.model().parameterCount());
        m.put("model", mod);
        Map<String, Object> tr = new LinkedHashMap<>();
        tr.put("epochs_run", history.size());
        tr.put("best_epoch", run.bestEpoch());
        tr.put("best_validation_neg_elbo", run.bestValue());
        tr.put("seed", t.seed);
        tr.put("batch_size", t.batchSize);
        tr.put("learning_rate", t.lr);
        tr.put("patience", t.patience);
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            EpochStats e = history.get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", e.epoch());
            row.put("train_neg_elbo", e.trainLoss());
            row.put("reconstruction", e.reconstruction());
            row.put("kl", e.kl());
            row.put("validation_neg_elbo", i < validations.size() ? validations.get(i) : null);
            epochs.add(row);
        }
        tr.put("history", epochs);
        m.put("training", tr);
        TableModel.Calibration cal = model.calibration();
        Map<String, Object> sc = new LinkedHashMap<>();
        sc.put("score", "importance-weighted -log p(x) over the observed cells with k samples, plus each missing "
                + "column's typical term (nats; docs/MATH.md, \"Row scores\")");
        sc.put("samples", cal.samples());
        sc.put("threshold", cal.threshold());
        sc.put("quantile", cal.quantile());
        sc.put("calibration_rows", cal.rows());
        sc.put("typical_column_terms", TableTrain.typicalByColumn(model));
        sc.put("training_file_rows_above_threshold", flagged);
        m.put("scoring", sc);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        AtomicFiles.write(file, os -> json.writer().without(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .writeValue(os, m));
    }
}

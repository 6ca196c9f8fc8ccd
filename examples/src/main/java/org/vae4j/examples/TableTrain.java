package org.vae4j.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.io.TrainingState;
import org.vae4j.table.Column;
import org.vae4j.table.CsvTable;
import org.vae4j.table.RowScores;
import org.vae4j.table.SchemaFitter;
import org.vae4j.table.TableEncoder;
import org.vae4j.table.TableModel;
import org.vae4j.table.TableSchema;
import org.vae4j.train.EpochCallback;
import org.vae4j.train.EpochMetrics;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainingRun;
import org.vae4j.train.ValidationSplit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vae4j train}: fits the schema on the training rows of a CSV (a seeded validation split
 * held out), trains a VAE with per-column likelihoods and early stopping on the validation
 * -ELBO, calibrates the scores on the validation rows (typical column terms, the threshold at
 * {@code --quantile}) and writes {@code model.safetensors}, {@code metrics.json} and pictures
 * into {@code --out}. Nothing is written before the data has been read and checked.
 */
@Command(name = "train", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = {"Train a VAE on a CSV table (header line; numeric, binary and categorical columns; empty cells "
                + "allowed). Writes model.safetensors, metrics.json, loss.png, scores.png and latent.png into --out.", ""})
final class TableTrain implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "FILE.csv", order = 1, description = "The table (UTF-8, header line).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", order = 2, description = "Output folder.")
    Path out;

    @Option(names = "--schema", paramLabel = "FILE.json", order = 3,
            description = "Column types, transforms and columns to drop, overriding the inference (docs/DATA.md).")
    Path schemaFile;

    @Option(names = "--drop", split = ",", paramLabel = "COL[,COL...]", hideParamSyntax = true, order = 3,
            description = "Columns to leave out (on top of --schema).")
    List<String> drop = new ArrayList<>();

    @Option(names = "--type", paramLabel = "COL=TYPE", order = 3,
            description = "A column's type: numeric, binary or categorical (repeatable; on top of --schema).")
    Map<String, String> types = new LinkedHashMap<>();

    @Option(names = "--transform", paramLabel = "COL=T", order = 3,
            description = "A numeric column's transform: none, log or robust (repeatable; on top of --schema).")
    Map<String, String> transforms = new LinkedHashMap<>();

    @Option(names = "--hidden", split = ",", paramLabel = "W[,W...]", hideParamSyntax = true, order = 4,
            description = "Hidden widths (default: two layers of 4x the encoded width, rounded to a power of 2, 32..256).")
    int[] hidden;

    @Option(names = "--latent", paramLabel = "N", order = 5, description = "Latent size (default: columns / 3, 2..16).")
    Integer latent;

    @Option(names = "--epochs", defaultValue = "300", paramLabel = "N", order = 6,
            description = "Most epochs (early stopping usually ends sooner; default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--validation", defaultValue = "0.1", paramLabel = "N", order = 7,
            description = "Rows held out for early stopping and the threshold: a count, or a fraction below 1 "
                    + "(default ${DEFAULT-VALUE}).")
    double validation;

    @Option(names = "--patience", defaultValue = "20", paramLabel = "P", order = 8,
            description = "Epochs without a better validation -ELBO before stopping (default ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--batch-size", defaultValue = "128", paramLabel = "N", order = 9, description = "Default ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--lr", defaultValue = "1e-3", paramLabel = "RATE", order = 10, description = "Adam's learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", order = 11,
            description = "Seed of the weights, the split, the shuffling and the scoring noise (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--samples", defaultValue = "" + TableModel.DEFAULT_SAMPLES, paramLabel = "K", order = 12,
            description = "Posterior samples per scored row (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--quantile", defaultValue = "" + TableModel.DEFAULT_QUANTILE, paramLabel = "Q", order = 13,
            description = "The threshold is this quantile of the validation rows' scores (default ${DEFAULT-VALUE}).")
    double quantile;

    @Option(names = "--heteroscedastic", order = 14,
            description = "Numeric columns' variance output by the decoder per row (default: one learned variance per column).")
    boolean heteroscedastic;

    @Override
    public Integer call() throws Exception {
        PrintStream o = System.out;
        check();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new Vae4j.UsageException("--out " + out + " is a file, not a folder");
        }
        SchemaFitter fitter = schemaFile != null ? SchemaFitter.fromFile(schemaFile) : SchemaFitter.defaults();
        try {
            for (String c : drop) {
                fitter = fitter.with(c, new SchemaFitter.Override(null, null, true));
            }
            for (Map.Entry<String, String> e : types.entrySet()) {
                fitter = fitter.with(e.getKey(), new SchemaFitter.Override(
                        org.vae4j.table.ColumnType.parse(e.getValue(), "--type " + e.getKey()), null, false));
            }
            for (Map.Entry<String, String> e : transforms.entrySet()) {
                fitter = fitter.with(e.getKey(), new SchemaFitter.Override(null,
                        org.vae4j.table.Transform.parse(e.getValue(), "--transform " + e.getKey()), false));
            }
        } catch (IllegalArgumentException e) {
            throw new Vae4j.UsageException(e.getMessage());
        }
        CsvTable table = CsvTable.read(data);
        int n = table.size();
        if (n == 0) {
            throw new org.vae4j.table.TableFormatException(data, 0, "the file has a header but no rows to train on");
        }
        int valRows = validation >= 1 ? (int) validation : (int) Math.round(validation * n);
        if (valRows < 1 || valRows >= n) {
            throw new Vae4j.UsageException("--validation " + validation + " leaves " + valRows + " of " + n
                    + " rows for validation; it needs at least 1 and leaves at least 1 for training");
        }
        ValidationSplit positions = ValidationSplit.split(new FMatrixRMaj(n, 1), valRows, seed);
        int[] trainIdx = positions.trainRows();
        int[] valIdx = positions.validationRows();
        TableSchema schema = fitter.fit(table.select(trainIdx));
        TableEncoder encoder = new TableEncoder(schema, table.header(), data);
        FMatrixRMaj x = encoder.encodeAll(table);
        o.printf(Locale.ROOT, "data: %s, %,d rows (%,d for training, %,d for validation)%n", data, n, trainIdx.length,
                valIdx.length);
        o.println("schema: " + schema.describe());
        for (TableSchema.Dropped d : schema.dropped()) {
            o.println("note: column \"" + d.name() + "\" is not modelled: " + d.reason());
        }
        printMissing(o, schema, encoder);
        int[] h = hidden != null ? hidden : TableModel.defaultHidden(schema);
        int l = latent != null ? latent : TableModel.defaultLatent(schema);
        TableModel model = TableModel.create(schema, h, l, seed, samples, seed, heteroscedastic);
        o.printf(Locale.ROOT, "model: VAE %s, %,d parameters%n", model.model().describe(), model.model().parameterCount());

        Trainer trainer = Trainer.builder().epochs(epochs).batchSize(batchSize).seed(seed).learningRate(lr)
                .validation(valRows).patience(patience).restoreBest(true).callback(progress(o)).build();
        ValidationSplit split = ValidationSplit.of(ValidationSplit.rows(x, trainIdx), ValidationSplit.rows(x, valIdx));
        TrainingRun run = trainer.start(model.model(), split, trainer.newOptimizer());
        List<EpochStats> history = run.train();
        o.printf(Locale.ROOT, "trained %d epochs; best validation -ELBO %.4f nats per row at epoch %d%n",
                history.size(), run.bestValue(), run.bestEpoch());

        long[] valIds = Arrays.stream(valIdx).asLongStream().toArray();
        TableModel.Calibration cal = model.calibrate(ValidationSplit.rows(x, valIdx), valIds, quantile);
        RowScores all = model.scorer().score(x, 0);
        int flagged = 0;
        for (double s : all.score) {
            flagged += s > cal.threshold() ? 1 : 0;
        }
        o.printf(Locale.ROOT, "threshold %.4f (the %s quantile of %d validation scores); %,d of %,d rows of %s above it%n",
                cal.threshold(), Double.toString(quantile), cal.rows(), flagged, n, data.getFileName());

        Files.createDirectories(out);
        org.vae4j.internal.AtomicFiles.removeStaleTemporaries(out, null); // what a run killed mid-write left
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("data", data.getFileName().toString());
        model.save(out.resolve("model.safetensors"), TrainingState.of(run, history), extra);
        TableMetrics.write(out.resolve("metrics.json"), this, table, schema, encoder, model, run, history, validations,
                all, flagged);
        TablePictures.write(out, model, x, all, cal.threshold(), history, validations);
        o.println("wrote " + out.resolve("model.safetensors") + ", metrics.json, loss.png, scores.png, latent.png");
        return 0;
    }

    private final List<Double> validations = new ArrayList<>();

    private EpochCallback progress(PrintStream o) {
        ProgressBar bar = ProgressBar.forTerminal(o, "training", epochs);
        return new EpochCallback() {
            @Override
            public void onEpochEnd(TrainingRun run, EpochMetrics m) {
                validations.add(m.validation());
                bar.advance(1);
                if (m.epoch() == 1 || m.epoch() % 25 == 0 || run.isStopped()) {
                    bar.finish();
                    o.printf(Locale.ROOT, "epoch %3d  train -ELBO %.4f  validation %.4f  (best %.4f at %d)%n", m.epoch(),
                            m.stats().trainLoss(), m.validation(), m.bestValue(), m.bestEpoch());
                }
            }
        };
    }

    private static void printMissing(PrintStream o, TableSchema schema, TableEncoder encoder) {
        long[] missing = encoder.missingCounts();
        StringBuilder s = new StringBuilder();
        for (int c = 0; c < missing.length; c++) {
            if (missing[c] > 0) {
                s.append(s.length() == 0 ? "" : ", ").append(schema.columns().get(c).name()).append(' ').append(missing[c]);
            }
        }
        if (s.length() > 0) {
            o.println("missing cells (masked out of the loss): " + s);
        }
        for (String u : encoder.unseenSummary()) {
            o.println("note: validation rows have labels the training rows lack: " + u);
        }
    }

    private void check() throws Vae4j.UsageException {
        if (epochs < 1) {
            throw new Vae4j.UsageException("--epochs must be >= 1, got " + epochs);
        }
        if (!(validation > 0) || (validation >= 1 && validation != Math.rint(validation))) {
            throw new Vae4j.UsageException("--validation must be a whole number of rows >= 1 or a fraction in (0, 1), got "
                    + validation);
        }
        if (patience < 0 || batchSize < 1 || samples < 1 || !(lr > 0) || !(quantile > 0 && quantile < 1)) {
            throw new Vae4j.UsageException("--patience >= 0, --batch-size >= 1, --samples >= 1, --lr > 0 and "
                    + "0 < --quantile < 1 are needed");
        }
        if (latent != null && latent < 1) {
            throw new Vae4j.UsageException("--latent must be >= 1, got " + latent);
        }
        if (hidden != null) {
            for (int w : hidden) {
                if (w < 1) {
                    throw new Vae4j.UsageException("--hidden widths must be >= 1, got " + Arrays.toString(hidden));
                }
            }
        }
    }

    /** The typical terms of the columns, by name (for metrics.json). */
    static Map<String, Double> typicalByColumn(TableModel m) {
        Map<String, Double> t = new LinkedHashMap<>();
        double[] typical = m.calibration().typical();
        List<Column> cols = m.schema().columns();
        for (int c = 0; c < cols.size(); c++) {
            t.put(cols.get(c).name(), typical[c]);
        }
        return t;
    }
}

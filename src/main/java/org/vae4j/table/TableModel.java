package org.vae4j.table;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.io.ModelFileException;
import org.vae4j.io.ModelFiles;
import org.vae4j.io.TrainingState;
import org.vae4j.loss.CompositeLikelihood;
import org.vae4j.nn.Parameter;

/**
 * A VAE on an encoded table together with everything needed to score a raw CSV as the training
 * process did: the {@link TableSchema} (columns, types, fitted preprocessing, dictionaries) and
 * the {@link Calibration} (scoring samples and seed, each column's typical reconstruction term,
 * the anomaly threshold). Both are stored in the model file's metadata ({@value #SCHEMA_KEY},
 * {@value #CALIBRATION_KEY}, JSON; user-namespace keys, since {@code vae4j.*} is the io package's), so
 * {@link #load} needs no other file.
 *
 * <p>The likelihood is a {@link CompositeLikelihood} with one span per modelled column in the
 * schema's order: a Gaussian with a learned log-variance for a numeric column, a Bernoulli for a
 * binary one, a categorical over the one-hot span (labels plus the unseen bucket) for a
 * categorical one.
 *
 * <p>The model is mutable (training changes it): not thread-safe. {@link #scorer()} gives a
 * thread-safe view on copies of it.
 */
public final class TableModel {

    /** Metadata key of the schema's JSON. */
    public static final String SCHEMA_KEY = "table.schema";
    /** Metadata key of the calibration's JSON. */
    public static final String CALIBRATION_KEY = "table.calibration";
    /** Posterior samples per scored row by default. */
    public static final int DEFAULT_SAMPLES = 32;
    /** The validation quantile of the threshold by default. */
    public static final double DEFAULT_QUANTILE = 0.99;

    /**
     * How rows are scored and what is normal.
     *
     * @param samples   k posterior samples per row
     * @param seed      the seed of the scoring noise
     * @param quantile  the quantile of the calibration rows' scores that is the threshold
     * @param threshold a row with a score above it is an anomaly (NaN before calibration)
     * @param typical   each column's mean reconstruction term over the calibration rows where it is observed
     *                  (zeros before calibration)
     * @param rows      the number of calibration rows (0 before calibration)
     */
    public record Calibration(int samples, long seed, double quantile, double threshold, double[] typical, int rows) {
        /**
         * Copies {@code typical}.
         *
         * @param samples   k posterior samples per row
         * @param seed      the seed of the scoring noise
         * @param quantile  the quantile of the calibration rows' scores that is the threshold
         * @param threshold a row with a score above it is an anomaly (NaN before calibration)
         * @param typical   each column's mean reconstruction term in nats (copied)
         * @param rows      the number of calibration rows
         * @throws NullPointerException for a null {@code typical}
         */
        public Calibration {
            typical = typical.clone();
        }

        /** {@return each column's mean reconstruction term over the calibration rows, in nats (a copy)} */
        @Override
        public double[] typical() {
            return typical.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Calibration c && samples == c.samples && seed == c.seed
                    && Double.compare(quantile, c.quantile) == 0 && Double.compare(threshold, c.threshold) == 0
                    && java.util.Arrays.equals(typical, c.typical) && rows == c.rows;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(samples, seed, quantile, threshold, java.util.Arrays.hashCode(typical), rows);
        }
    }

    private final Vae model;
    private final TableSchema schema;
    private Calibration calibration;

    private TableModel(Vae model, TableSchema schema, Calibration calibration) {
        if (model.inputSize() != schema.width()) {
            throw new IllegalArgumentException("the model reads rows of " + model.inputSize()
                    + " values, the schema encodes " + schema.width());
        }
        this.model = model;
        this.schema = schema;
        this.calibration = calibration;
    }

    /**
     * {@return the likelihood of a schema: one span per column, numeric columns with one learned variance each}
     *
     * @param schema the fitted schema
     */
    public static CompositeLikelihood likelihood(TableSchema schema) {
        return likelihood(schema, false);
    }

    /**
     * {@return the likelihood of a schema: one span per column}
     *
     * @param schema the fitted schema
     * @param heteroscedastic numeric columns' log-variance output by the decoder per row, instead of one
     *                        learned value per column
     */
    public static CompositeLikelihood likelihood(TableSchema schema, boolean heteroscedastic) {
        CompositeLikelihood.Builder b = CompositeLikelihood.builder();
        for (Column c : schema.columns()) {
            switch (c.type()) {
                case NUMERIC -> {
                    if (heteroscedastic) {
                        b.heteroscedasticGaussian(1);
                    } else {
                        b.gaussian(1);
                    }
                }
                case BINARY -> b.bernoulli(1);
                default -> b.categorical(c.width());
            }
        }
        return b.build();
    }

    /**
     * {@return default latent size: a third of the modelled columns rounded up, between 2 and 16}
     *
     * @param schema the fitted schema
     */
    public static int defaultLatent(TableSchema schema) {
        return Math.max(2, Math.min(16, (schema.columns().size() + 2) / 3));
    }

    /**
     * {@return default hidden widths: two layers of 4x the encoded width rounded up to a power of two, between 32
     * and 256}
     *
     * @param schema the fitted schema
     */
    public static int[] defaultHidden(TableSchema schema) {
        int w = Integer.highestOneBit(Math.max(1, 4 * schema.width() - 1)) << 1;
        w = Math.max(32, Math.min(256, w));
        return new int[] {w, w};
    }

    /**
     * {@return a new, untrained model (ReLU MLPs, decoder the encoder's mirror), one learned variance per numeric column}
     * Its calibration is empty: threshold NaN, typical terms 0, quantile {@link #DEFAULT_QUANTILE}.
     *
     * @param schema the fitted schema
     * @param hidden      the encoder's hidden widths, e.g. {@link #defaultHidden(TableSchema)}
     * @param latent      the latent size, e.g. {@link #defaultLatent(TableSchema)}
     * @param seed        the seed of the initial weights
     * @param samples     k posterior samples per scored row, &gt;= 1 (e.g. {@link #DEFAULT_SAMPLES})
     * @param scoringSeed the seed of the scoring noise
     * @throws IllegalArgumentException for {@code samples < 1}, or widths or a latent size the VAE builder refuses
     */
    public static TableModel create(TableSchema schema, int[] hidden, int latent, long seed, int samples, long scoringSeed) {
        return create(schema, hidden, latent, seed, samples, scoringSeed, false);
    }

    /**
     * {@link #create(TableSchema, int[], int, long, int, long)}, with {@link #likelihood(TableSchema, boolean)}.
     *
     * @param schema the fitted schema
     * @param hidden          the encoder's hidden widths, e.g. {@link #defaultHidden(TableSchema)}
     * @param latent          the latent size, e.g. {@link #defaultLatent(TableSchema)}
     * @param seed            the seed of the initial weights
     * @param samples         k posterior samples per scored row, &gt;= 1 (e.g. {@link #DEFAULT_SAMPLES})
     * @param scoringSeed     the seed of the scoring noise
     * @param heteroscedastic numeric columns' log-variance output by the decoder per row, instead of one
     *                        learned value per column
     * @return a new, untrained model with an empty calibration
     * @throws IllegalArgumentException for {@code samples < 1}, or widths or a latent size the VAE builder refuses
     */
    public static TableModel create(TableSchema schema, int[] hidden, int latent, long seed, int samples, long scoringSeed,
                                    boolean heteroscedastic) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1 (posterior samples per scored row), got " + samples);
        }
        Vae vae = Vae.builder(schema.width()).hidden(hidden).latent(latent)
                .likelihood(likelihood(schema, heteroscedastic)).seed(seed).build();
        return new TableModel(vae, schema, new Calibration(samples, scoringSeed, DEFAULT_QUANTILE, Double.NaN,
                new double[schema.columns().size()], 0));
    }

    /** {@return the VAE itself (live: training it changes this table model)} */
    public Vae model() {
        return model;
    }

    /** {@return the schema} */
    public TableSchema schema() {
        return schema;
    }

    /** {@return the calibration: empty (threshold NaN) until {@link #calibrate} or a calibrated file} */
    public Calibration calibration() {
        return calibration;
    }

    /** {@return a new model with this one's architecture and parameter values (shares nothing with it)} */
    public Vae copyModel() {
        Vae copy = Vae.builder(model.inputSize()).hidden(model.hiddenSizes()).decoderHidden(model.decoderHiddenSizes())
                .latent(model.latentSize()).activation(model.activation()).likelihood(model.likelihood()).build();
        List<Parameter> from = model.parameters();
        List<Parameter> to = copy.parameters();
        if (from.size() != to.size()) {
            throw new IllegalStateException("model copy has " + to.size() + " parameters, the model " + from.size());
        }
        for (int i = 0; i < from.size(); i++) {
            Parameter f = from.get(i);
            Parameter t = to.get(i);
            if (!f.name().equals(t.name()) || f.size() != t.size()) {
                throw new IllegalStateException("model copy's parameter " + t + " does not match " + f);
            }
            float[] v = new float[f.size()];
            System.arraycopy(f.valueArray(), f.offset(), v, 0, v.length);
            t.set(v);
        }
        copy.setKernels(model.kernels());
        return copy;
    }

    /**
     * {@return a thread-safe scorer on copies of the model (a snapshot: later training does not reach it),
     * each computing with one GEMM thread}
     */
    public Scorer scorer() {
        Vae snapshot = copyModel();
        int[] off = schema.offsets();
        int[] starts = java.util.Arrays.copyOf(off, off.length - 1);
        return new Scorer(() -> copyOf(snapshot), calibration.samples(), calibration.seed(), starts, calibration.typical);
    }

    /** A worker's copy: one GEMM thread (the scorer's callers are the parallelism). */
    private Vae copyOf(Vae v) {
        Vae c = new TableModel(v, schema, calibration).copyModel();
        c.setGemm(org.vae4j.kernel.Gemms.create(1));
        return c;
    }

    /**
     * Fits the calibration on rows the model was not trained on (or on the training rows when no
     * others are given): typical_c is the mean of column c's share over the rows where c is
     * observed, the threshold the {@code quantile} of their scores (linear interpolation).
     *
     * @param rows     (n, width) encoded rows, n &gt;= 1, NaN in missing cells; not modified
     * @param ids      the row id of each row (its index in its file), exactly n of them; runs of consecutive ids
     *                 are scored together
     * @param quantile the quantile of the rows' scores that becomes the threshold, in (0, 1) (e.g.
     *                 {@link #DEFAULT_QUANTILE})
     * @return the calibration, also set on this model
     * @throws IllegalArgumentException for no rows, {@code ids} null or not one per row, a quantile outside (0, 1),
     *                                  or rows the scorer refuses
     */
    public Calibration calibrate(FMatrixRMaj rows, long[] ids, double quantile) {
        if (rows.numRows == 0) {
            throw new IllegalArgumentException("calibration needs at least one row");
        }
        if (ids == null || ids.length != rows.numRows) {
            throw new IllegalArgumentException("calibration needs one id per row: got "
                    + (ids == null ? "ids=null" : ids.length + " ids") + " for " + rows.numRows + " rows");
        }
        if (!(quantile > 0 && quantile < 1)) {
            throw new IllegalArgumentException("the threshold quantile must be in (0, 1), got " + quantile);
        }
        calibration = new Calibration(calibration.samples(), calibration.seed(), quantile, Double.NaN,
                new double[schema.columns().size()], 0);
        RowScores s = scoreById(scorer(), rows, ids);
        int c = s.columns;
        double[] typical = new double[c];
        long[] count = new long[c];
        for (int r = 0; r < s.rows; r++) {
            for (int j = 0; j < c; j++) {
                if (s.observed[r * c + j]) {
                    typical[j] += s.share[r * c + j];
                    count[j]++;
                }
            }
        }
        for (int j = 0; j < c; j++) {
            typical[j] = count[j] > 0 ? typical[j] / count[j] : 0;
        }
        double[] scores = new double[s.rows];
        for (int r = 0; r < s.rows; r++) {
            double missing = 0;
            for (int j = 0; j < c; j++) {
                if (!s.observed[r * c + j]) {
                    missing += typical[j];
                }
            }
            scores[r] = s.negLogPx[r] + missing;
        }
        calibration = new Calibration(calibration.samples(), calibration.seed(), quantile,
                SchemaFitter.quantile(scores, quantile), typical, s.rows);
        return calibration;
    }

    /** Scores rows whose ids are not consecutive, one call per run of consecutive ids. */
    static RowScores scoreById(Scorer scorer, FMatrixRMaj rows, long[] ids) {
        RowScores all = new RowScores(rows.numRows, scorer.columns());
        int start = 0;
        FMatrixRMaj buf = new FMatrixRMaj(1, rows.numCols);
        while (start < rows.numRows) {
            int end = start + 1;
            while (end < rows.numRows && ids[end] == ids[end - 1] + 1) {
                end++;
            }
            RowScores part = scorer.score(org.vae4j.internal.Rows.copyRows(rows, start, end, buf), ids[start]);
            int c = all.columns;
            for (int r = 0; r < part.rows; r++) {
                all.negElbo[start + r] = part.negElbo[r];
                all.negLogPx[start + r] = part.negLogPx[r];
                all.missingTerm[start + r] = part.missingTerm[r];
                all.score[start + r] = part.score[r];
            }
            System.arraycopy(part.share, 0, all.share, start * c, part.rows * c);
            System.arraycopy(part.observed, 0, all.observed, start * c, part.rows * c);
            start = end;
        }
        return all;
    }

    /**
     * Saves the model with the schema and calibration in its metadata (atomic).
     *
     * @param file     the target; missing parent folders are created
     * @param training the trainer settings and history to record, or {@code null} for none
     * @param extra    further metadata entries, not modified; entries named {@value #SCHEMA_KEY} or
     *                 {@value #CALIBRATION_KEY} are replaced, keys starting with {@code vae4j.} are refused
     * @throws IllegalArgumentException for a reserved or null metadata key, or a null value
     * @throws IOException if the file cannot be written
     */
    public void save(Path file, TrainingState training, Map<String, String> extra) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(extra);
        meta.put(SCHEMA_KEY, schema.toJson());
        meta.put(CALIBRATION_KEY, calibrationJson(calibration));
        if (training == null) {
            ModelFiles.save(model, file, meta);
        } else {
            ModelFiles.save(model, file, training, meta);
        }
    }

    /**
     * Loads a model saved by {@link #save}.
     *
     * @param file the model file
     * @return the model with its schema and calibration
     * @throws ModelFileException when the file is not a valid model file, not a table model, not a VAE, or its
     *                            schema or calibration is malformed or does not fit the model
     * @throws IOException        when the file cannot be read
     */
    public static TableModel load(Path file) throws IOException {
        Map<String, String> meta = ModelFiles.readMetadata(file);
        if (!meta.containsKey(SCHEMA_KEY) || !meta.containsKey(CALIBRATION_KEY)) {
            throw new ModelFileException(file, "not a table model: the metadata lacks " + SCHEMA_KEY + " and "
                    + CALIBRATION_KEY + " (train one with examples/vae4j train)");
        }
        TableSchema schema;
        Calibration cal;
        try {
            schema = TableSchema.fromJson(meta.get(SCHEMA_KEY));
            cal = parseCalibration(meta.get(CALIBRATION_KEY), schema.columns().size());
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // malformed calibration JSON, or a seed that is not a long (found by SafeTensorsFuzzTest)
            throw new ModelFileException(file, "table calibration: not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        Vae vae = ModelFiles.load(file, Vae.class);
        try {
            return new TableModel(vae, schema, cal);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, e.getMessage());
        }
    }

    static String calibrationJson(Calibration c) {
        StringWriter s = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(s)) {
            g.writeStartObject();
            g.writeNumberField("samples", c.samples());
            g.writeNumberField("seed", c.seed());
            g.writeNumberField("quantile", c.quantile());
            if (Double.isNaN(c.threshold())) {
                g.writeNullField("threshold");
            } else {
                g.writeNumberField("threshold", c.threshold());
            }
            g.writeNumberField("rows", c.rows());
            g.writeArrayFieldStart("typical");
            for (double t : c.typical) {
                g.writeNumber(t);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }

    static Calibration parseCalibration(String json, int columns) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(json)) {
            Map<String, Object> m = JsonValues.readObject(p);
            String where = "table calibration";
            double samples = JsonValues.number(m, "samples", where);
            double seed = JsonValues.number(m, "seed", where);
            if (samples < 1 || samples > 1_000_000 || samples != Math.rint(samples)) {
                throw new IllegalArgumentException(where + ": samples must be a positive integer, got " + samples);
            }
            Object th = m.get("threshold");
            double threshold = th == null ? Double.NaN : JsonValues.number(m, "threshold", where);
            List<?> t = JsonValues.list(m, "typical", where);
            if (t.size() != columns) {
                throw new IllegalArgumentException(where + ": " + t.size() + " typical terms for " + columns + " columns");
            }
            double[] typical = new double[columns];
            for (int i = 0; i < columns; i++) {
                if (!(t.get(i) instanceof Double d) || !Double.isFinite(d)) {
                    throw new IllegalArgumentException(where + ": typical term " + i + " must be a finite number");
                }
                typical[i] = (Double) t.get(i);
            }
            // the seed is written as a long and must parse back to the same long
            long seedLong = parseSeed(json);
            if ((double) seedLong != seed) {
                throw new IllegalArgumentException(where + ": bad seed " + seed);
            }
            return new Calibration((int) samples, seedLong, JsonValues.number(m, "quantile", where), threshold, typical,
                    (int) JsonValues.number(m, "rows", where));
        }
    }

    /** The "seed" field read as a long (a double loses bits above 2^53). */
    private static long parseSeed(String json) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(json)) {
            while (p.nextToken() != null) {
                if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME && "seed".equals(p.currentName())
                        && p.getParsingContext().getParent().inRoot()) {
                    p.nextToken();
                    return p.getLongValue();
                }
            }
        }
        throw new IllegalArgumentException("table calibration: no seed");
    }

    /**
     * {@return whether a model file holds a table model: its metadata has {@value #SCHEMA_KEY}}
     *
     * @param metadata a model file's metadata, e.g. from {@link ModelFiles#readMetadata}
     */
    public static boolean isTableModel(Map<String, String> metadata) {
        return metadata.containsKey(SCHEMA_KEY);
    }

    /** {@return the model as the interface, for {@link LatentModel} users (the same live object as {@link #model()})} */
    public LatentModel latentModel() {
        return model;
    }
}

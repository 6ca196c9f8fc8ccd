package org.vae4j.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.io.ModelFileException;
import org.vae4j.io.ModelFiles;
import org.vae4j.random.Noise;
import org.vae4j.train.Trainer;

class TableModelTest {

    static CsvTable table;
    static TableSchema schema;
    static FMatrixRMaj x;
    static TableModel trained;

    /** Two factors drive 4 numeric, 1 binary and 1 categorical column; 3% of cells empty. */
    static CsvTable correlated(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        String[] header = {"a", "b", "c", "d", "flag", "kind"};
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double f = rng.nextGaussian();
            double g = rng.nextGaussian();
            String[] r = {Double.toString(f + 0.1 * rng.nextGaussian()), Double.toString(f - g + 0.1 * rng.nextGaussian()),
                    Double.toString(Math.exp(g)), Double.toString(2 * g + 0.1 * rng.nextGaussian()),
                    f > 0 ? "yes" : "no", g > 0.5 ? "high" : g < -0.5 ? "low" : "mid"};
            for (int c = 0; c < r.length; c++) {
                if (rng.nextDouble() < 0.03) {
                    r[c] = "";
                }
            }
            rows.add(r);
        }
        return CsvTable.of(header, rows);
    }

    @BeforeAll
    static void train() {
        table = correlated(1500, 1);
        schema = SchemaFitter.defaults().fit(table);
        x = new TableEncoder(schema, table.header(), null).encodeAll(table);
        trained = TableModel.create(schema, new int[] {32}, 3, 7, 8, 11);
        Trainer.builder().epochs(15).batchSize(64).seed(3).learningRate(3e-3).build().train(trained.model(), x);
        long[] ids = new long[300];
        FMatrixRMaj cal = new FMatrixRMaj(300, x.numCols);
        for (int i = 0; i < 300; i++) {
            ids[i] = i;
            System.arraycopy(x.data, i * x.numCols, cal.data, i * x.numCols, x.numCols);
        }
        trained.calibrate(cal, ids, 0.99);
    }

    @Test
    void scoresAreBitIdenticalAfterSaveAndLoad(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.safetensors");
        trained.save(file, null, Map.of("note", "test"));
        TableModel back = TableModel.load(file);
        assertEquals(schema, back.schema());
        assertEquals(trained.calibration(), back.calibration());
        RowScores a = trained.scorer().score(x, 0);
        RowScores b = back.scorer().score(x, 0);
        assertArrayEquals(a.score, b.score);
        assertArrayEquals(a.negElbo, b.negElbo);
        assertArrayEquals(a.share, b.share);
        // a plain VAE file is refused with a clear message
        Path plain = dir.resolve("plain.safetensors");
        ModelFiles.save(trained.model(), plain);
        ModelFileException e = assertThrows(ModelFileException.class, () -> TableModel.load(plain));
        assertTrue(e.getMessage().contains("not a table model"), e.getMessage());
    }

    @Test
    void malformedTableEntriesAreRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.safetensors");
        String calibration = TableModel.calibrationJson(trained.calibration());
        ModelFiles.save(trained.model(), file, Map.of(TableModel.SCHEMA_KEY, "{\"version\": 1, \"columns\": [",
                TableModel.CALIBRATION_KEY, calibration));
        ModelFileException e = assertThrows(ModelFileException.class, () -> TableModel.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not valid JSON"), e.getMessage());
        // malformed calibration JSON, and a seed that is not a long: ModelFileExceptions naming the file, not
        // Jackson's own parse exceptions (found by SafeTensorsFuzzTest)
        for (String bad : new String[] {calibration.substring(0, calibration.length() / 2),
                calibration.replaceFirst("\"seed\":[0-9-]+", "\"seed\":1e30")}) {
            ModelFiles.save(trained.model(), file, Map.of(TableModel.SCHEMA_KEY, schema.toJson(),
                    TableModel.CALIBRATION_KEY, bad));
            e = assertThrows(ModelFileException.class, () -> TableModel.load(file), bad);
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("table calibration"),
                    e.getMessage());
        }
        // a schema of another width than the model's
        TableSchema other = new TableSchema(List.of(new Column("v", ColumnType.NUMERIC, Transform.NONE, 0, 1, 0, 1,
                List.of(), false)), List.of());
        ModelFiles.save(trained.model(), file, Map.of(TableModel.SCHEMA_KEY, other.toJson(),
                TableModel.CALIBRATION_KEY, TableModel.calibrationJson(new TableModel.Calibration(8, 1, 0.99, 1.0,
                        new double[other.columns().size()], 10))));
        e = assertThrows(ModelFileException.class, () -> TableModel.load(file));
        assertTrue(e.getMessage().contains("the model reads rows of " + schema.width()), e.getMessage());
    }

    @Test
    void eightThreadsEqualOneAndBatchSizeDoesNotMatter() throws Exception {
        Scorer scorer = trained.scorer();
        RowScores one = scorer.score(x, 0);
        // batch-size and position independence: rows in slices of 7 keyed by their own ids
        double[] sliced = new double[x.numRows];
        FMatrixRMaj buf = new FMatrixRMaj(1, x.numCols);
        for (int start = 0; start < x.numRows; start += 7) {
            int end = Math.min(x.numRows, start + 7);
            RowScores s = scorer.score(org.vae4j.internal.Rows.copyRows(x, start, end, buf), start);
            System.arraycopy(s.score, 0, sliced, start, end - start);
        }
        assertArrayEquals(one.score, sliced);
        // 8 threads, each scoring every row in slices of a different size, at once
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<double[]>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int step = 1 + 37 * t;
                fs.add(pool.submit(() -> {
                    double[] out = new double[x.numRows];
                    FMatrixRMaj b = new FMatrixRMaj(1, x.numCols);
                    for (int start = 0; start < x.numRows; start += step) {
                        int end = Math.min(x.numRows, start + step);
                        RowScores s = scorer.score(org.vae4j.internal.Rows.copyRows(x, start, end, b), start);
                        System.arraycopy(s.score, 0, out, start, end - start);
                    }
                    return out;
                }));
            }
            for (Future<double[]> f : fs) {
                assertArrayEquals(one.score, f.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void missingCellsKeepRowsComparable() {
        // complete rows, then the same rows with one cell blanked
        List<Integer> complete = new ArrayList<>();
        for (int r = 0; r < x.numRows && complete.size() < 400; r++) {
            boolean ok = true;
            for (int j = 0; j < x.numCols; j++) {
                ok &= !Float.isNaN(x.get(r, j));
            }
            if (ok) {
                complete.add(r);
            }
        }
        int n = complete.size();
        FMatrixRMaj full = new FMatrixRMaj(n, x.numCols);
        FMatrixRMaj gaps = new FMatrixRMaj(n, x.numCols);
        int[] off = schema.offsets();
        for (int i = 0; i < n; i++) {
            int r = complete.get(i);
            System.arraycopy(x.data, r * x.numCols, full.data, i * x.numCols, x.numCols);
            System.arraycopy(x.data, r * x.numCols, gaps.data, i * x.numCols, x.numCols);
            int c = i % schema.columns().size();
            for (int j = off[c]; j < off[c + 1]; j++) {
                gaps.set(i, j, Float.NaN);
            }
        }
        Scorer scorer = trained.scorer();
        RowScores a = scorer.score(full, 0);
        RowScores b = scorer.score(gaps, 0);
        double raw = 0;
        double corrected = 0;
        for (int i = 0; i < n; i++) {
            raw += b.negLogPx[i] - a.negLogPx[i];
            corrected += b.score[i] - a.score[i];
            assertEquals(b.negLogPx[i] + b.missingTerm[i], b.score[i]);
        }
        raw /= n;
        corrected /= n;
        // dropping a cell from -log p lowers it by about the cell's typical cost; the score adds it back
        assertTrue(raw < -0.3, "a masked cell should lower the raw -log p(x), got mean change " + raw);
        assertTrue(Math.abs(corrected) < 0.25 * Math.abs(raw), "corrected mean change " + corrected + ", raw " + raw);
        // and with no calibration (typical = 0) the score is the raw estimate
        RowScores none = scorer.withTypical(new double[schema.columns().size()]).score(gaps, 0);
        assertArrayEquals(b.negLogPx, none.score);
    }

    @Test
    void estimatorsAgreeWithTheModelsOwnEvaluationAndTighten() {
        // complete rows: with one sample, the scorer's -ELBO uses the noise of LatentModel.negativeElbo(x, noise)
        FMatrixRMaj some = new FMatrixRMaj(200, x.numCols);
        int k = 0;
        for (int r = 0; r < x.numRows && k < 200; r++) {
            boolean ok = true;
            for (int j = 0; j < x.numCols; j++) {
                ok &= !Float.isNaN(x.get(r, j));
            }
            if (ok) {
                System.arraycopy(x.data, r * x.numCols, some.data, k * x.numCols, x.numCols);
                k++;
            }
        }
        int[] off = schema.offsets();
        int[] starts = java.util.Arrays.copyOf(off, off.length - 1);
        Scorer single = new Scorer(trained::copyModel, 1, 11, starts, null);
        RowScores s1 = single.score(some, 0);
        double mean = 0;
        for (double v : s1.negElbo) {
            mean += v;
        }
        mean /= s1.rows;
        double eval = trained.model().negativeElbo(some, new Noise(11)).total();
        assertEquals(eval, mean, 1e-4 * Math.abs(eval));
        // the importance-weighted bound tightens with k (on average over rows) and lies below the -ELBO
        RowScores s64 = new Scorer(trained::copyModel, 64, 11, starts, null).score(some, 0);
        double iw1 = 0;
        double iw64 = 0;
        double elbo64 = 0;
        for (int r = 0; r < s1.rows; r++) {
            iw1 += s1.negLogPx[r];
            iw64 += s64.negLogPx[r];
            elbo64 += s64.negElbo[r];
        }
        assertTrue(iw64 < iw1, "IW k=64 " + iw64 / s1.rows + " vs k=1 " + iw1 / s1.rows);
        assertTrue(iw64 < elbo64, "IW k=64 " + iw64 / s1.rows + " vs -ELBO " + elbo64 / s1.rows);
        // each row's shares add up to its reconstruction term: -ELBO - KL = sum of shares
        double[] kl = new double[s64.rows];
        for (int r = 0; r < s64.rows; r++) {
            double sum = 0;
            for (int c = 0; c < s64.columns; c++) {
                sum += s64.share[r * s64.columns + c];
            }
            kl[r] = s64.negElbo[r] - sum;
            assertTrue(kl[r] >= -1e-9, "KL must be >= 0, got " + kl[r]);
        }
    }

    @Test
    void thresholdIsTheCalibrationQuantile() {
        TableModel.Calibration c = trained.calibration();
        assertEquals(300, c.rows());
        RowScores s = trained.scorer().score(org.vae4j.internal.Rows.copyRows(x, 0, 300, new FMatrixRMaj(1, 1)), 0);
        assertEquals(SchemaFitter.quantile(s.score, 0.99), c.threshold());
        int above = 0;
        for (double v : s.score) {
            above += v > c.threshold() ? 1 : 0;
        }
        assertEquals(3, above); // 1% of 300
    }

    @Test
    void calibrationNeedsOneIdPerRow() {
        TableModel m = TableModel.create(schema, new int[] {8}, 2, 1, 2, 3);
        FMatrixRMaj rows = new FMatrixRMaj(5, x.numCols);
        System.arraycopy(x.data, 0, rows.data, 0, rows.data.length);
        for (long[] ids : new long[][] {{0, 1, 2}, {0, 1, 2, 3, 4, 5}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.calibrate(rows, ids, 0.9));
            assertTrue(e.getMessage().contains("ids") && e.getMessage().contains(ids.length + " ids")
                    && e.getMessage().contains("5 rows"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.calibrate(rows, null, 0.9)).getMessage()
                .contains("ids"));
        assertEquals(5, m.calibrate(rows, new long[] {0, 1, 2, 3, 4}, 0.9).rows());
    }

    @Test
    void aModelNeedsAtLeastOneScoringSample() {
        for (int samples : new int[] {0, -2}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TableModel.create(schema, new int[] {8}, 2, 1, samples, 3));
            assertTrue(e.getMessage().contains("sample") && e.getMessage().contains("got " + samples), e.getMessage());
        }
        assertEquals(1, TableModel.create(schema, new int[] {8}, 2, 1, 1, 3).calibration().samples());
    }

    @Test
    void scoresOfDifferentWidthsAreNotConcatenated() {
        RowScores a = new RowScores(2, 3);
        a.score[1] = 7;
        a.share[5] = 4;
        RowScores b = new RowScores(1, 3);
        b.score[0] = 9;
        RowScores all = RowScores.concat(List.of(a, b));
        assertEquals(3, all.rows);
        assertArrayEquals(new double[] {0, 7, 9}, all.score);
        assertEquals(4, all.share[5]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RowScores.concat(List.of(a, new RowScores(1, 4))));
        assertTrue(e.getMessage().contains("part 2") && e.getMessage().contains("4 columns")
                && e.getMessage().contains("3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RowScores.concat(List.of()));
    }

    @Test
    void topColumnsRanksByExcessAndRejectsABadMaxOrTypical() {
        RowScores s = new RowScores(1, 4);
        double[] share = {0.1, 0.5, 0.3, 0.9};
        for (int c = 0; c < 4; c++) {
            s.share[c] = share[c];
            s.observed[c] = true;
        }
        double[] typical = {0.2, 0.2, 0.2, 0.2};
        assertArrayEquals(new int[] {3, 1, 2}, s.topColumns(0, typical, 5));
        assertArrayEquals(new int[] {3}, s.topColumns(0, typical, 1));
        assertArrayEquals(new int[0], s.topColumns(0, typical, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.topColumns(0, typical, -1));
        assertTrue(e.getMessage().contains("max") && e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.topColumns(0, new double[3], 2));
        assertTrue(e.getMessage().contains("4") && e.getMessage().contains("3 values"), e.getMessage());
    }
}

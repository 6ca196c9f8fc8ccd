package org.vae4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.table.CsvTable;
import org.vae4j.table.RowScores;
import org.vae4j.table.TableEncoder;
import org.vae4j.table.TableModel;

/** The table program end to end on a small generated table: train, score, encode, generate, bad input. */
class Vae4jTest {

    @TempDir
    static Path dir;
    static Path data;
    static Path modelDir;

    /** Exit status, stdout and stderr of one run. */
    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        System.setOut(o);
        System.setErr(e);
        try {
            int status = Vae4j.run(args, o, e);
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static void writeTable(Path file, int n, long seed, String extraHeader, String extraCell) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder("id,x,y,size,member,colour" + (extraHeader == null ? "" : "," + extraHeader) + "\n");
        String[] colours = {"red", "green", "blue"};
        for (int i = 0; i < n; i++) {
            double f = rng.nextGaussian();
            s.append("r").append(i).append(',').append(f + 0.1 * rng.nextGaussian()).append(',')
                    .append(rng.nextDouble() < 0.05 ? "" : Double.toString(-f + 0.1 * rng.nextGaussian())).append(',')
                    .append(Math.exp(f)).append(',').append(f > 0 ? "yes" : "no").append(',')
                    .append(colours[f > 0.6 ? 0 : f < -0.6 ? 1 : 2]);
            if (extraHeader != null) {
                s.append(',').append(extraCell);
            }
            s.append('\n');
        }
        Files.writeString(file, s.toString());
    }

    @BeforeAll
    static void train() throws IOException {
        data = dir.resolve("table.csv");
        writeTable(data, 400, 1, null, null);
        modelDir = dir.resolve("model");
        Result r = run("train", "--data", data.toString(), "--out", modelDir.toString(), "--seed", "3", "--epochs", "8",
                "--samples", "4");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("note: column \"id\" is not modelled: ID-like"), r.out());
    }

    @Test
    void trainWritesModelMetricsAndPictures() throws IOException {
        for (String f : new String[] {"model.safetensors", "metrics.json", "loss.png", "scores.png", "latent.png"}) {
            assertTrue(Files.size(modelDir.resolve(f)) > 0, f);
        }
        Map<?, ?> m = new ObjectMapper().readValue(modelDir.resolve("metrics.json").toFile(), Map.class);
        Map<?, ?> schema = (Map<?, ?>) m.get("schema");
        assertEquals(5, ((List<?>) schema.get("columns")).size());
        assertEquals("id", ((Map<?, ?>) ((List<?>) schema.get("left_out")).get(0)).get("name"));
        Map<?, ?> training = (Map<?, ?>) m.get("training");
        assertEquals(8, ((List<?>) training.get("history")).size());
        TableModel model = TableModel.load(modelDir.resolve("model.safetensors"));
        assertEquals(((Number) ((Map<?, ?>) m.get("scoring")).get("threshold")).doubleValue(), model.calibration().threshold());
    }

    @Test
    void scoresEqualInProcessScoresBitForBitAndThreadsDoNotMatter() throws IOException {
        Path one = dir.resolve("scores1.csv");
        Path eight = dir.resolve("scores8.csv");
        assertEquals(0, run("score", "--model", modelDir.toString(), "--data", data.toString(), "--out", one.toString()).status());
        Result r8 = run("score", "--model", modelDir.resolve("model.safetensors").toString(), "--data", data.toString(),
                "--out", eight.toString(), "--threads", "8");
        assertEquals(0, r8.status(), r8.err());
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(eight));
        Path detailed = dir.resolve("scores-details.csv");
        assertEquals(0, run("score", "--model", modelDir.toString(), "--data", data.toString(), "--out",
                detailed.toString(), "--details").status());
        List<String> d = Files.readAllLines(detailed);
        assertEquals("row,score,is_anomaly,top_columns,neg_elbo,neg_log_px,missing_term", d.get(0));
        for (int r = 1; r < d.size(); r++) {
            String[] f = d.get(r).split(",");
            int n = f.length;
            assertEquals(Double.parseDouble(f[1]), Double.parseDouble(f[n - 2]) + Double.parseDouble(f[n - 1]));
            assertTrue(Double.parseDouble(f[n - 2]) <= Double.parseDouble(f[n - 3]) + 1.0, d.get(r)); // IW below -ELBO, roughly
        }
        List<String> lines = Files.readAllLines(one);
        assertEquals("row,score,is_anomaly,top_columns", lines.get(0));
        assertEquals(401, lines.size());
        TableModel model = TableModel.load(modelDir.resolve("model.safetensors"));
        CsvTable t = CsvTable.read(data);
        FMatrixRMaj x = new TableEncoder(model.schema(), t.header(), data).encodeAll(t);
        RowScores s = model.scorer().score(x, 0);
        int anomalies = 0;
        for (int r = 0; r < 400; r++) {
            String[] f = lines.get(r + 1).split(",", 4);
            assertEquals(Integer.toString(r), f[0]);
            assertEquals(s.score[r], Double.parseDouble(f[1]), "row " + r);
            assertEquals(s.score[r] > model.calibration().threshold() ? "1" : "0", f[2]);
            anomalies += f[2].equals("1") ? 1 : 0;
            assertTrue(f[3].startsWith("\"") && f[3].endsWith("\""), f[3]);
            for (String name : f[3].substring(1, f[3].length() - 1).split(";")) {
                assertTrue(name.isEmpty() || List.of(model.schema().names()).contains(name), name);
            }
        }
        assertTrue(anomalies < 40, "anomalies " + anomalies);
    }

    @Test
    void columnsMatchByNameAndMismatchesAreErrorsWithoutOutput() throws IOException {
        // reordered columns score the same
        List<String> lines = Files.readAllLines(data);
        List<String> reordered = new ArrayList<>();
        for (String l : lines) {
            String[] f = l.split(",", -1);
            reordered.add(String.join(",", f[5], f[4], f[3], f[2], f[1], f[0]));
        }
        Path re = dir.resolve("reordered.csv");
        Files.write(re, reordered);
        Path a = dir.resolve("a.csv");
        Path b = dir.resolve("b.csv");
        assertEquals(0, run("score", "--model", modelDir.toString(), "--data", data.toString(), "--out", a.toString()).status());
        assertEquals(0, run("score", "--model", modelDir.toString(), "--data", re.toString(), "--out", b.toString()).status());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        // a missing column
        List<String> less = new ArrayList<>();
        for (String l : lines) {
            less.add(l.substring(0, l.lastIndexOf(',')));
        }
        Path missing = dir.resolve("missing.csv");
        Files.write(missing, less);
        Path out = dir.resolve("none.csv");
        Result r = run("score", "--model", modelDir.toString(), "--data", missing.toString(), "--out", out.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("lacks the model's column \"colour\""), r.err());
        assertFalse(Files.exists(out));
        // an extra column
        Path extra = dir.resolve("extra.csv");
        writeTable(extra, 10, 2, "zip", "1234");
        r = run("score", "--model", modelDir.toString(), "--data", extra.toString(), "--out", out.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("\"zip\""), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void badCellsZeroRowsAndUnseenLabels() throws IOException {
        Path out = dir.resolve("scores-bad.csv");
        Files.writeString(out, "previous\n");
        // a non-number in a numeric column, far down the file: an error, the previous output untouched
        List<String> lines = new ArrayList<>(Files.readAllLines(data));
        lines.set(350, lines.get(350).replaceFirst("^([^,]*),[^,]*,", "$1,abc,"));
        Path bad = dir.resolve("bad.csv");
        Files.write(bad, lines);
        Result r = run("score", "--model", modelDir.toString(), "--data", bad.toString(), "--out", out.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains(bad + ", line 351: column 2 (\"x\") is numeric, but \"abc\" is not a number"), r.err());
        assertEquals("previous\n", Files.readString(out));
        // a ragged row
        lines = new ArrayList<>(Files.readAllLines(data));
        lines.set(20, lines.get(20) + ",7");
        Files.write(bad, lines);
        r = run("score", "--model", modelDir.toString(), "--data", bad.toString(), "--out", out.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("line 21: the row has 7 fields but the header has 6 columns"), r.err());
        // a header and no rows
        Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, Files.readAllLines(data).get(0) + "\n");
        r = run("score", "--model", modelDir.toString(), "--data", empty.toString(), "--out", out.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("no rows to score"), r.err());
        assertEquals("previous\n", Files.readString(out));
        // unseen labels: scored (the unseen bucket), counted in the output
        lines = new ArrayList<>(Files.readAllLines(data));
        lines.set(5, lines.get(5).replaceFirst(",[a-z]+$", ",purple"));
        lines.set(9, lines.get(9).replaceFirst(",[a-z]+$", ",purple"));
        Path unseen = dir.resolve("unseen.csv");
        Files.write(unseen, lines);
        r = run("score", "--model", modelDir.toString(), "--data", unseen.toString(), "--out", out.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\"colour\": 2 unseen labels (first \"purple\" at line 6)"), r.out());
        assertEquals(401, Files.readAllLines(out).size());
        // bad flags: exit 2
        assertEquals(2, run("score", "--model", modelDir.toString()).status());
        assertEquals(2, run("train", "--data", data.toString(), "--out", dir.resolve("x").toString(), "--validation", "1.5").status());
    }

    @Test
    void flagsOverrideTheInferredSchema() throws IOException {
        Path out = dir.resolve("flags");
        Result r = run("train", "--data", data.toString(), "--out", out.toString(), "--epochs", "1", "--samples", "2",
                "--drop", "size", "--type", "member=categorical", "--transform", "x=robust", "--heteroscedastic");
        assertEquals(0, r.status(), r.err());
        TableModel m = TableModel.load(out.resolve("model.safetensors"));
        assertEquals(null, m.schema().column("size"));
        assertEquals(org.vae4j.table.ColumnType.CATEGORICAL, m.schema().column("member").type());
        assertEquals(org.vae4j.table.Transform.ROBUST, m.schema().column("x").transform());
        assertTrue(m.schema().dropped().stream().anyMatch(d -> d.name().equals("size")));
        assertTrue(m.model().likelihood().describe().contains("heteroscedastic"), m.model().likelihood().describe());
        Path s = dir.resolve("flags-scores.csv");
        assertEquals(0, run("score", "--model", out.toString(), "--data", data.toString(), "--out", s.toString()).status());
        assertEquals(401, Files.readAllLines(s).size());
        r = run("train", "--data", data.toString(), "--out", out.toString(), "--type", "member=text");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("unknown column type \"text\""), r.err());
        r = run("train", "--data", data.toString(), "--out", out.toString(), "--drop", "nosuch");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("the schema names column \"nosuch\", which the header lacks"), r.err());
    }

    @Test
    void encodeAndGenerate() throws IOException {
        Path latent = dir.resolve("latent.csv");
        Result r = run("encode", "--model", modelDir.toString(), "--data", data.toString(), "--out", latent.toString());
        assertEquals(0, r.status(), r.err());
        List<String> lines = Files.readAllLines(latent);
        assertEquals(401, lines.size());
        TableModel model = TableModel.load(modelDir.resolve("model.safetensors"));
        assertEquals(1 + model.model().latentSize(), lines.get(0).split(",").length);
        Path syn = dir.resolve("synthetic.csv");
        r = run("generate", "--model", modelDir.toString(), "--n", "50", "--out", syn.toString());
        assertEquals(0, r.status(), r.err());
        CsvTable t = CsvTable.read(syn);
        assertEquals(50, t.size());
        assertArrayEquals(model.schema().names(), t.header());
        int member = t.columnIndex("member");
        int colour = t.columnIndex("colour");
        for (String[] row : t.rows()) {
            Double.parseDouble(row[t.columnIndex("x")]);
            assertTrue(Double.parseDouble(row[t.columnIndex("size")]) > -1); // exp(f) in raw units, roughly
            assertTrue(List.of("no", "yes").contains(row[member]), row[member]);
            assertTrue(List.of("blue", "green", "red", "").contains(row[colour]), row[colour]);
        }
        // the generated rows score like the training rows (they are drawn from the model)
        FMatrixRMaj x = new TableEncoder(model.schema(), t.header(), syn).encodeAll(t);
        RowScores s = model.scorer().score(x, 0);
        double mean = 0;
        for (double v : s.score) {
            mean += v;
        }
        assertTrue(mean / s.rows < model.calibration().threshold(), "mean score of generated rows " + mean / s.rows);
    }
}

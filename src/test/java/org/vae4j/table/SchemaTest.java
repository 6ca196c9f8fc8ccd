package org.vae4j.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaTest {

    @TempDir
    Path dir;

    /** id (in order), constant, skewed numeric, plain numeric, 0/1, yes/no, a 3-label category, a column with gaps. */
    static CsvTable sample(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        String[] header = {"id", "const", "income", "age", "flag", "answer", "colour", "gappy"};
        List<String[]> rows = new ArrayList<>();
        String[] colours = {"red", "green", "blue"};
        for (int i = 0; i < n; i++) {
            rows.add(new String[] {Integer.toString(100 + i), "7", Double.toString(Math.exp(3 * rng.nextGaussian())),
                    Double.toString(40 + 10 * rng.nextGaussian()), rng.nextBoolean() ? "1" : "0",
                    rng.nextBoolean() ? "yes" : "no", colours[rng.nextInt(3)],
                    i % 5 == 0 ? "" : i % 7 == 0 ? "NaN" : Double.toString(rng.nextGaussian())});
        }
        return CsvTable.of(header, rows);
    }

    @Test
    void infersTypesDropsIdAndConstantColumns() {
        TableSchema s = SchemaFitter.defaults().fit(sample(200, 1));
        assertArrayEquals(new String[] {"income", "age", "flag", "answer", "colour", "gappy"}, s.names());
        assertEquals(List.of("id", "const"), s.dropped().stream().map(TableSchema.Dropped::name).toList());
        assertTrue(s.dropped().get(0).reason().startsWith("ID-like"));
        assertTrue(s.dropped().get(1).reason().startsWith("constant"));
        assertEquals(Transform.LOG, s.column("income").transform()); // exp(3 N(0,1)): skewness far above 2
        assertEquals(Transform.NONE, s.column("age").transform());
        assertEquals(ColumnType.BINARY, s.column("flag").type());
        assertTrue(s.column("flag").numericLabels());
        assertEquals(List.of("no", "yes"), s.column("answer").labels());
        assertEquals(List.of("blue", "green", "red"), s.column("colour").labels());
        assertEquals(4, s.column("colour").width()); // 3 labels + the unseen bucket
        assertEquals(1 + 1 + 1 + 1 + 4 + 1, s.width());
    }

    @Test
    void numericColumnsStandardisedOnTheTrainingRows() {
        CsvTable t = sample(300, 2);
        TableSchema s = SchemaFitter.defaults().fit(t);
        FMatrixRMaj x = new TableEncoder(s, t.header(), null).encodeAll(t);
        int[] off = s.offsets();
        for (String name : new String[] {"income", "age", "gappy"}) {
            int col = off[List.of(s.names()).indexOf(name)];
            double sum = 0;
            double sq = 0;
            int k = 0;
            for (int r = 0; r < x.numRows; r++) {
                float v = x.get(r, col);
                if (!Float.isNaN(v)) {
                    sum += v;
                    sq += v * v;
                    k++;
                }
            }
            double mean = sum / k;
            double var = (sq - k * mean * mean) / (k - 1);
            assertEquals(0, mean, 1e-5, name);
            assertEquals(1, var, 1e-4, name);
        }
        // the gappy column: every 5th row empty and other 7th rows NaN are missing
        int gap = off[5];
        assertTrue(Float.isNaN(x.get(0, gap)) && Float.isNaN(x.get(7, gap)) && !Float.isNaN(x.get(1, gap)));
    }

    @Test
    void schemaJsonRoundTripsExactly() {
        TableSchema s = SchemaFitter.defaults().fit(sample(100, 3));
        TableSchema back = TableSchema.fromJson(s.toJson());
        assertEquals(s, back);
        assertEquals(s.toJson(), back.toJson());
        assertThrows(IllegalArgumentException.class, () -> TableSchema.fromJson("{\"version\": 9, \"columns\": []}"));
        assertThrows(IllegalArgumentException.class, () -> TableSchema.fromJson("[1]"));
    }

    @Test
    void encoderMatchesColumnsByNameAndRefusesMissingOrExtraColumns() {
        CsvTable t = sample(50, 4);
        TableSchema s = SchemaFitter.defaults().fit(t);
        FMatrixRMaj x = new TableEncoder(s, t.header(), null).encodeAll(t);
        // the same table with its columns reversed encodes to the same matrix
        String[] rev = new String[t.header().length];
        List<String[]> rows = new ArrayList<>();
        for (int c = 0; c < rev.length; c++) {
            rev[c] = t.header()[rev.length - 1 - c];
        }
        for (String[] r : t.rows()) {
            String[] q = new String[r.length];
            for (int c = 0; c < r.length; c++) {
                q[c] = r[r.length - 1 - c];
            }
            rows.add(q);
        }
        CsvTable reversed = CsvTable.of(rev, rows);
        FMatrixRMaj y = new TableEncoder(s, reversed.header(), null).encodeAll(reversed);
        assertArrayEquals(x.data, y.data);
        // dropped columns may be absent; a modelled one may not; an unknown one may not be present
        new TableEncoder(s, new String[] {"income", "age", "flag", "answer", "colour", "gappy"}, null);
        TableFormatException missing = assertThrows(TableFormatException.class,
                () -> new TableEncoder(s, new String[] {"income", "age", "flag", "answer", "colour"}, Path.of("m.csv")));
        assertTrue(missing.getMessage().contains("lacks the model's column \"gappy\""), missing.getMessage());
        TableFormatException extra = assertThrows(TableFormatException.class,
                () -> new TableEncoder(s, new String[] {"income", "age", "flag", "answer", "colour", "gappy", "zip"}, null));
        assertTrue(extra.getMessage().contains("\"zip\""), extra.getMessage());
    }

    @Test
    void unseenCategoryGoesToItsBucketAndIsCounted() {
        TableSchema s = SchemaFitter.defaults().fit(sample(60, 5));
        String[] h = {"income", "age", "flag", "answer", "colour", "gappy"};
        TableEncoder enc = new TableEncoder(s, h, Path.of("s.csv"));
        FMatrixRMaj x = new FMatrixRMaj(2, s.width());
        enc.encode(new String[] {"5", "40", "1", "maybe", "purple", "0.5"}, 2, x, 0);
        enc.encode(new String[] {"5", "40", "1.0", "yes", "red", ""}, 3, x, 1);
        int[] off = s.offsets();
        assertEquals(1f, x.get(0, off[4] + 3)); // purple -> the unseen bucket, observed
        assertEquals(0f, x.get(0, off[4]));
        assertTrue(Float.isNaN(x.get(0, off[3]))); // an unseen binary label is missing
        assertEquals(1f, x.get(1, off[2]));        // 1.0 is the label 1
        assertEquals(1f, x.get(1, off[4] + 2));    // red
        assertEquals(1, enc.unseenCounts()[4]);
        assertEquals(1, enc.unseenCounts()[3]);
        assertEquals(1, enc.missingCounts()[5]);
        assertTrue(enc.unseenSummary().get(1).contains("\"purple\" at line 2"), enc.unseenSummary().toString());
        TableFormatException bad = assertThrows(TableFormatException.class,
                () -> enc.encode(new String[] {"5", "forty", "1", "yes", "red", ""}, 9, x, 0));
        assertTrue(bad.getMessage().equals("s.csv, line 9: column 2 (\"age\") is numeric, but \"forty\" is not a number"
                + " (a missing value is an empty cell or NaN)"), bad.getMessage());
    }

    @Test
    void tooManyCategoriesAndSchemaFileOverrides() throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            rows.add(new String[] {"c" + (i % 12), Integer.toString(i % 4), Double.toString(i * 1.5)});
        }
        CsvTable t = CsvTable.of(new String[] {"code", "level", "v"}, rows);
        TableFormatException e = assertThrows(TableFormatException.class, () -> new SchemaFitter(Map.of(), 10).fit(t));
        assertTrue(e.getMessage().contains("column 1 (\"code\") has more than 10 distinct labels")
                && e.getMessage().contains("line 12"), e.getMessage());
        Path schema = dir.resolve("schema.json");
        Files.writeString(schema, "{\"max_categories\": 20, \"columns\": {\"level\": {\"type\": \"categorical\"},"
                + " \"v\": {\"transform\": \"robust\"}}}");
        TableSchema s = SchemaFitter.fromFile(schema).fit(t);
        assertEquals(ColumnType.CATEGORICAL, s.column("code").type());
        assertEquals(List.of("0", "1", "2", "3"), s.column("level").labels());
        assertEquals(Transform.ROBUST, s.column("v").transform());
        Files.writeString(schema, "{\"columns\": {\"code\": {\"drop\": true}, \"v\": {\"type\": \"numbr\"}}}");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> SchemaFitter.fromFile(schema));
        assertTrue(bad.getMessage().contains("unknown column type \"numbr\""), bad.getMessage());
        Files.writeString(schema, "{\"columns\": {\"code\": {\"type\": \"numeric\"}}}");
        TableFormatException notNumber = assertThrows(TableFormatException.class, () -> SchemaFitter.fromFile(schema).fit(t));
        assertTrue(notNumber.getMessage().contains("\"c0\" is not a number") && notNumber.getMessage().contains("line 2"),
                notNumber.getMessage());
    }

    @Test
    void aSchemaFilesSyntaxAndValuesAreCheckedWithFileKeyAndValue() throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            rows.add(new String[] {"c" + (i % 12), Double.toString(i * 1.5)});
        }
        CsvTable t = CsvTable.of(new String[] {"code", "v"}, rows);
        Path schema = dir.resolve("bad-schema.json");
        Files.writeString(schema, "{\"max_categories\": 20,\n  \"columns\": {\"code\" {}}}");
        TableFormatException syntax = assertThrows(TableFormatException.class, () -> SchemaFitter.fromFile(schema));
        // the '{' after "code" where a colon belongs: line 2, column 22
        assertTrue(syntax.getMessage().startsWith(schema + ", line 2: not valid JSON at column 22: "),
                syntax.getMessage());
        assertEquals(2, syntax.line());
        for (String[] bad : new String[][] {{"2.5", "2.5"}, {"1e10", "10000000000"}, {"-3", "-3"}, {"1", "1"},
            {"\"20\"", "20"}}) {
            Files.writeString(schema, "{\"max_categories\": " + bad[0] + "}");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SchemaFitter.fromFile(schema));
            assertTrue(e.getMessage().startsWith(schema.toString()) && e.getMessage().contains("max_categories")
                    && e.getMessage().contains(bad[1]), e.getMessage());
        }
        Files.writeString(schema, "{\"max_categories\": 11}"); // an integer-valued float is an integer
        assertThrows(TableFormatException.class, () -> SchemaFitter.fromFile(schema).fit(t)); // 12 labels > 11
        Files.writeString(schema, "{\"max_categories\": 12.0}");
        assertEquals(ColumnType.CATEGORICAL, SchemaFitter.fromFile(schema).fit(t).column("code").type());
        for (String bad : new String[] {"\"yes\"", "1", "null", "\"true\""}) {
            Files.writeString(schema, "{\"columns\": {\"code\": {\"drop\": " + bad + "}}}");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SchemaFitter.fromFile(schema));
            assertTrue(e.getMessage().startsWith(schema.toString()) && e.getMessage().contains("\"code\"")
                    && e.getMessage().contains("drop") && e.getMessage().contains(bad.replace("\"", "")),
                    e.getMessage());
        }
        Files.writeString(schema, "{\"columns\": {\"code\": {\"drop\": true}}}");
        assertEquals(List.of("v"), SchemaFitter.fromFile(schema).fit(t).columns().stream().map(c -> c.name()).toList());
        Files.writeString(schema, "{\"columns\": {\"code\": {\"drop\": false}}}");
        assertEquals(List.of("code", "v"),
                SchemaFitter.fromFile(schema).fit(t).columns().stream().map(c -> c.name()).toList());
    }

    @Test
    void aStrayLabelInANumericColumnIsAnErrorWithItsLine() {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            rows.add(new String[] {i == 31 ? "n/a" : Double.toString(i * 0.37 % 5)});
        }
        TableFormatException e = assertThrows(TableFormatException.class,
                () -> SchemaFitter.defaults().fit(CsvTable.of(new String[] {"w"}, rows)));
        assertTrue(e.getMessage().startsWith("table, line 33: column 1 (\"w\") looks numeric (49 of 50 cells are numbers),"
                + " but \"n/a\" is not a number"), e.getMessage());
    }

    @Test
    void logTransformInvertsAndIsFiniteBelowTheTrainingMinimum() {
        Column c = SchemaFitter.fitNumeric("x", new double[] {1, 2, 3, 50, 1000}, Transform.LOG);
        for (double v : new double[] {-5, 0.5, 1, 7, 2000}) {
            float y = c.standardise(v);
            assertTrue(Float.isFinite(y));
            assertEquals(v, c.raw(y), 1e-4 * Math.max(1, Math.abs(v)));
        }
    }
}

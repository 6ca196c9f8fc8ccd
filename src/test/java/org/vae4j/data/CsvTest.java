package org.vae4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Csv}: exact round trips, NumPy's savetxt output, headers, comments and malformed rows. */
class CsvTest {

    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void roundTripIsExact() throws IOException {
        FMatrixRMaj m = new FMatrixRMaj(20, 7);
        SplittableRandom rng = new SplittableRandom(2);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(-40, 38)));
        }
        m.data[0] = Float.NaN;
        m.data[1] = Float.POSITIVE_INFINITY;
        m.data[2] = -0f;
        m.data[3] = Float.MIN_VALUE;
        m.data[4] = Float.MAX_VALUE;
        Path p = dir.resolve("m.csv");
        Csv.write(m, p);
        FMatrixRMaj r = Csv.read(p);
        assertEquals(20, r.numRows);
        assertEquals(7, r.numCols);
        for (int i = 0; i < m.getNumElements(); i++) {
            assertEquals(Float.floatToRawIntBits(m.data[i]), Float.floatToRawIntBits(r.data[i]), "element " + i);
        }
    }

    @Test
    void readsNumpySavetxtOutput() throws IOException {
        FMatrixRMaj a = Csv.read(Path.of("src", "test", "resources", "data", "float32_3x4.csv"));
        assertEquals(3, a.numRows);
        assertEquals(4, a.numCols);
        assertArrayEquals(Npy.read(Path.of("src", "test", "resources", "data", "float32_3x4.npy")).data, a.data, 0f);
    }

    @Test
    void skipsCommentsBlankLinesBomAndAnOptionalHeader() throws IOException {
        Path p = file("h.csv", "\uFEFF# written by hand\nx,y , z\n\n1, 2,3\r\n 4,5e-1,-6\n# end\nnan,-inf,inf\n");
        FMatrixRMaj m = Csv.read(p, true);
        assertEquals(3, m.numRows);
        assertEquals(3, m.numCols);
        assertArrayEquals(new float[] {1, 2, 3, 4, 0.5f, -6, Float.NaN, Float.NEGATIVE_INFINITY,
            Float.POSITIVE_INFINITY}, m.data, 0f);
    }

    @Test
    void javaOnlyNumberSyntaxAndOutOfRangeValuesAreRefusedNamingTheCell() throws IOException {
        // Float.parseFloat takes all of these; NumPy's and pandas' readers take none of them
        String[] bad = {"1.5f", "2d", "0x1p3", "1_000", "\u0661", "1e39", "-1e39", "1e500"};
        for (String cell : bad) {
            Path p = file("n.csv", "1,2\n3," + cell + "\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csv.read(p), cell);
            assertTrue(e.getMessage().contains("n.csv: line 2, field 2: '" + cell + "'"), e.getMessage());
            assertTrue(e.getMessage().contains(cell.contains("e") && !cell.startsWith("0x") ? "out of the float32 range"
                    : "is not a number"), e.getMessage());
        }
        Path good = file("g.csv", "+1.,.5,-3e+2,1e-50,-INF,NaN,Infinity\n");
        assertArrayEquals(new float[] {1f, 0.5f, -300f, 0f, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.POSITIVE_INFINITY}, Csv.read(good).data, 0f);
    }

    @Test
    void invalidUtf8IsAnErrorNamingTheFileAndLine() throws IOException {
        Path p = dir.resolve("u.csv");
        Files.write(p, new byte[] {'1', ',', '2', '\n', '3', ',', (byte) 0xC3, '\n'});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csv.read(p));
        assertTrue(e.getMessage().contains("u.csv: line 2: not valid UTF-8: byte 6 (0xc3)"), e.getMessage());
    }

    @Test
    void malformedRowsNameTheLine() throws IOException {
        Path ragged = file("r.csv", "1,2,3\n4,5\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csv.read(ragged));
        assertTrue(e.getMessage().contains("r.csv: line 2 has 2 values, but line 1 has 3"), e.getMessage());

        Path header = file("h.csv", "a,b\n1,2\n");
        e = assertThrows(IllegalArgumentException.class, () -> Csv.read(header));
        assertTrue(e.getMessage().contains("line 1, field 1: 'a' is not a number")
                && e.getMessage().contains("header = true"), e.getMessage());

        Path empty = file("e.csv", "1,,3\n");
        e = assertThrows(IllegalArgumentException.class, () -> Csv.read(empty));
        assertTrue(e.getMessage().contains("line 1, field 2 is empty"), e.getMessage());

        Path word = file("w.csv", "1,2\n3,four\n");
        e = assertThrows(IllegalArgumentException.class, () -> Csv.read(word));
        assertTrue(e.getMessage().contains("line 2, field 2: 'four'") && !e.getMessage().contains("header"),
                e.getMessage());
    }

    @Test
    void emptyFileGivesAnEmptyMatrix() throws IOException {
        FMatrixRMaj m = Csv.read(file("empty.csv", "# nothing\n\n"));
        assertEquals(0, m.getNumElements());
    }

    @Test
    void writeCreatesParentFoldersAndReplacesAtomically() throws IOException {
        Path target = dir.resolve("a").resolve("b").resolve("m.csv");
        Csv.write(new FMatrixRMaj(1, 2, true, 1, 2), target);
        Csv.write(new FMatrixRMaj(1, 2, true, 3, 4), target);
        assertEquals("3.0,4.0\n", Files.readString(target));
        try (java.util.stream.Stream<Path> s = Files.list(target.getParent())) {
            assertEquals(1, s.count(), "no temporary file left");
        }
    }
}

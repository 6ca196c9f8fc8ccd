package org.vae4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.internal.ChildJvm;

/** {@link Csv} reads rows through FastCSV within limits on a row's values and characters. */
class BoundedCsvTest {

    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void aRowWithMoreValuesThanTheLimitNamesTheFileLineAndLimit() throws IOException {
        Path p = file("wide.csv", "1,2,3\n# comment\n1,2,3,4,5,6,7,8,9,10,11\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csv.read(p, false, 10, 1000));
        assertEquals(p + ": line 3: the row has more than 10 values (the limit of a row; "
                + "Csv.read(file, header, maxColumns, maxRowChars) sets another)", e.getMessage());
        // 11 values fit a limit of 11, and then the row is ragged
        IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class,
                () -> Csv.read(p, false, 11, 1000));
        assertTrue(ragged.getMessage().contains("line 3 has 11 values, but line 1 has 3"), ragged.getMessage());
    }

    @Test
    void aRowLongerThanTheLimitNamesTheFileLineAndLimit() throws IOException {
        Path p = file("long.csv", "1,2\n3,4\n5.000000000000000001,6\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csv.read(p, false, 100, 20));
        assertTrue(e.getMessage().startsWith(p + ": line 3: the row is longer than 20 characters"), e.getMessage());
        // one field far longer than the limit: stopped by the parser's buffer, still named by line
        Path q = file("field.csv", "1\n" + "7".repeat(5000) + "\n");
        e = assertThrows(IllegalArgumentException.class, () -> Csv.read(q, false, 100, 64));
        assertTrue(e.getMessage().startsWith(q + ": line 2: the row is longer than 64 characters"), e.getMessage());
    }

    @Test
    void quotedNumbersAndCommentsAfterSpacesAreReadAsNumPyAndPandasDo() throws IOException {
        Path p = file("q.csv", "\"1.5\",2\n   # indented comment, with a comma\n  \n3,\"-4e2\"\n");
        FMatrixRMaj m = Csv.read(p);
        assertEquals(2, m.numRows);
        assertArrayEquals(new float[] {1.5f, 2, 3, -400}, m.data, 0f);
    }

    @Test
    void valuesBeyondTheHeapBudgetNameTheFile() throws IOException {
        StringBuilder s = new StringBuilder();
        for (int r = 0; r < 300; r++) {
            s.append(r).append(',').append(r + 1).append(",2,3\n");
        }
        Path p = file("many.csv", s.toString());
        assertEquals(300, Csv.read(p, false, 10, 100, () -> 8192).numRows); // 1200 values: one growth, to 2048
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Csv.read(p, false, 10, 100, () -> 8191));
        assertTrue(e.getMessage().startsWith(p + ": 256 rows of 4 values so far (line 257) needs 0.0 MB of heap"),
                e.getMessage());
    }

    @Test
    void aTenMegabyteLineOfFiveMillionColumnsFailsCleanlyAt256MbOfHeap() throws Exception {
        Path p = dir.resolve("wide.csv");
        try (BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
            for (int i = 0; i < 5_000_000; i++) {
                w.write(i == 0 ? "0" : ",0");
            }
            w.write('\n');
        }
        assertTrue(Files.size(p) > 9_999_000, "about 10 MB: " + Files.size(p));
        ChildJvm.Result r = ChildJvm.run("256m", LoadCsvMain.class, p.toString());
        assertEquals(1, r.status(), r.output());
        assertTrue(r.output().contains("failed: java.lang.IllegalArgumentException: " + p
                + ": line 1: the row has more than 1000000 values"), r.output());
        assertFalse(r.output().contains("OutOfMemoryError"), r.output());

        // one 40 MB field: stopped at the default row length
        Path q = dir.resolve("long.csv");
        try (BufferedWriter w = Files.newBufferedWriter(q, StandardCharsets.UTF_8)) {
            w.write("1\n");
            String chunk = "9".repeat(1 << 20);
            for (int i = 0; i < 40; i++) {
                w.write(chunk);
            }
            w.write('\n');
        }
        r = ChildJvm.run("256m", LoadCsvMain.class, q.toString());
        assertEquals(1, r.status(), r.output());
        assertTrue(r.output().contains(q + ": line 2: the row is longer than 16777216 characters"), r.output());
    }
}

package org.vae4j.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSourceTest {

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private Path write(String name, String text) throws IOException {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsHeaderQuotedFieldsBomAndSkipsBlankLines() throws IOException {
        byte[] body = "\uFEFFa, b ,c\n1,\"x, \"\"y\"\"\",\"two\nlines\"\n\n3,z,\n".getBytes(StandardCharsets.UTF_8);
        Path f = write("t.csv", body);
        try (CsvSource s = CsvSource.open(f)) {
            assertArrayEquals(new String[] {"a", "b", "c"}, s.header());
            assertArrayEquals(new String[] {"1", "x, \"y\"", "two\nlines"}, s.next());
            assertEquals(2, s.line());
            assertArrayEquals(new String[] {"3", "z", ""}, s.next());
            assertEquals(5, s.line());
            assertNull(s.next());
            assertEquals(2, s.rows());
        }
    }

    @Test
    void raggedRowNamesFileLineAndColumn() throws IOException {
        Path f = write("r.csv", "a,b,c\n1,2,3\n4,5\n");
        try (CsvSource s = CsvSource.open(f)) {
            s.next();
            TableFormatException e = assertThrows(TableFormatException.class, s::next);
            assertEquals(3, e.line());
            assertTrue(e.getMessage().startsWith(f + ", line 3: the row has 2 fields but the header has 3 columns"), e.getMessage());
            assertTrue(e.getMessage().contains("column 3 (\"c\")"), e.getMessage());
        }
        Path g = write("r2.csv", "a,b\n1,2,extra\n");
        try (CsvSource s = CsvSource.open(g)) {
            TableFormatException e = assertThrows(TableFormatException.class, s::next);
            assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("\"extra\""), e.getMessage());
        }
    }

    @Test
    void invalidUtf8IsAnErrorWithTheLine() throws IOException {
        byte[] head = "a,b\n1,2\n3,".getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[head.length + 2];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) 0xC3; // a lead byte followed by a non-continuation byte
        bytes[head.length + 1] = (byte) '\n';
        Path f = write("u.csv", bytes);
        TableFormatException e = assertThrows(TableFormatException.class, () -> {
            try (CsvSource s = CsvSource.open(f)) {
                while (s.next() != null) {
                    // read on
                }
            }
        });
        assertTrue(e.getMessage().contains("not valid UTF-8") && e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void emptyFileDuplicateAndMissingNames() throws IOException {
        assertThrows(NoSuchFileException.class, () -> CsvSource.open(dir.resolve("none.csv")));
        TableFormatException empty = assertThrows(TableFormatException.class, () -> CsvSource.open(write("e.csv", "")));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        TableFormatException dup = assertThrows(TableFormatException.class, () -> CsvSource.open(write("d.csv", "a,b,a\n")));
        assertTrue(dup.getMessage().contains("\"a\" twice"), dup.getMessage());
        TableFormatException blank = assertThrows(TableFormatException.class, () -> CsvSource.open(write("b.csv", "a,,c\n")));
        assertTrue(blank.getMessage().contains("column 2"), blank.getMessage());
    }

    /** The descriptors of this process open on {@code file} (Linux: /proc/self/fd). */
    private static long openDescriptors(Path file) throws IOException {
        Path target = file.toRealPath();
        long n = 0;
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).equals(target)) {
                        n++;
                    }
                } catch (IOException | UnsupportedOperationException gone) {
                    // the listing's own descriptor, closed by now
                }
            }
        }
        return n;
    }

    @Test
    void aBadHeaderClosesTheFile() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd");
        byte[] head = "name,ag".getBytes(StandardCharsets.US_ASCII);
        byte[] utf8 = java.util.Arrays.copyOf(head, head.length + 3);
        utf8[head.length] = (byte) 0xFF; // never valid UTF-8, after the first character
        utf8[head.length + 1] = (byte) '\n';
        utf8[head.length + 2] = (byte) '1';
        // past the reader's first 64K characters, found by the CSV parser rather than by the first read
        byte[] far = java.util.Arrays.copyOf(utf8, 70_000 + utf8.length);
        java.util.Arrays.fill(far, 0, 70_000, (byte) 'x');
        System.arraycopy(utf8, 0, far, 70_000, utf8.length);
        Path[] files = {write("utf8.csv", utf8), write("utf8-far.csv", far), write("quote.csv", "\"a\"x,b\n1,2\n"),
            write("empty-name.csv", "a,,c\n1,2,3\n"), write("empty.csv", "")};
        for (Path f : files) {
            assertEquals(0, openDescriptors(f), f.toString());
            for (int i = 0; i < 3; i++) {
                TableFormatException e = assertThrows(TableFormatException.class, () -> CsvSource.open(f), f.toString());
                assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            }
            assertEquals(0, openDescriptors(f), "descriptors left open on " + f.getFileName());
        }
        // the check sees an open file
        try (CsvSource open = CsvSource.open(write("ok.csv", "a,b\n1,2\n"))) {
            assertEquals(1, openDescriptors(open.file()));
        }
    }
}

package org.vae4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write that fails midway leaves the previous file intact and no temporary file behind. */
class AtomicFilesTest {

    @TempDir
    Path dir;

    private long filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void failedWriteKeepsThePreviousFile() throws IOException {
        Path target = dir.resolve("out.npy");
        FMatrixRMaj m = new FMatrixRMaj(2, 2, true, 1, 2, 3, 4);
        Npy.write(m, target);
        byte[] before = Files.readAllBytes(target);
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(1, filesIn(dir), "no temporary file left");
    }

    @Test
    void createsParentFoldersAndReplaces() throws IOException {
        Path target = dir.resolve("a").resolve("b").resolve("m.csv");
        Csv.write(new FMatrixRMaj(1, 2, true, 1, 2), target);
        Csv.write(new FMatrixRMaj(1, 2, true, 3, 4), target);
        assertEquals("3.0,4.0\n", Files.readString(target));
        assertEquals(1, filesIn(target.getParent()));
    }
}

package org.vae4j.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.data.Csv;
import org.vae4j.data.IdxReader;
import org.vae4j.data.Npy;
import org.vae4j.io.SafeTensorsFile;
import org.vae4j.table.CsvSource;

/**
 * Every loader refuses a directory and a FIFO before opening it, with an error that names the
 * path, instead of an {@code IOException} without a path (a directory) or blocking forever on a
 * read (a FIFO with no writer). The timeout only guards against that hang; it is not a speed goal.
 */
class InputFilesTest {

    interface Loader {
        void load(Path file) throws IOException;
    }

    private static final List<Loader> LOADERS = List.of(
            f -> IdxReader.read(f, null),
            f -> IdxReader.sha256Uncompressed(f),
            f -> Npy.read(f),
            f -> Csv.read(f),
            f -> SafeTensorsFile.open(f).close(),
            f -> CsvSource.open(f).close());

    static Path fifo(Path dir) throws Exception {
        Path f = dir.resolve("pipe");
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", f.toString()).start();
        } catch (IOException e) {
            Assumptions.abort("mkfifo is not available: " + e.getMessage());
            return null;
        }
        Assumptions.assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo failed");
        return f;
    }

    @Test
    void aRegularFilePasses(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("a.csv"), "1,2\n");
        InputFiles.requireRegularFile(f, "CSV file");
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        Path f = dir.resolve("missing.npy");
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> InputFiles.requireRegularFile(f, ".npy file"));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains(".npy file not found"),
                e.getMessage());
    }

    @Test
    void everyLoaderRefusesADirectoryNamingIt(@TempDir Path dir) {
        for (Loader loader : LOADERS) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> loader.load(dir));
            assertFalse(e instanceof NoSuchFileException, e.toString());
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("is a directory"),
                    e.getMessage());
        }
    }

    @Test
    void everyLoaderRefusesAFifoInsteadOfBlocking(@TempDir Path dir) throws Exception {
        Path pipe = fifo(dir);
        for (Loader loader : LOADERS) {
            FileSystemException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> assertThrows(FileSystemException.class, () -> loader.load(pipe)));
            assertTrue(e.getMessage().contains(pipe.toString()) && e.getMessage().contains("not a regular file"),
                    e.getMessage());
        }
    }
}

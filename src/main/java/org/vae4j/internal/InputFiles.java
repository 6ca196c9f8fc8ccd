package org.vae4j.internal;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one check every loader makes before opening a file: it exists and is a regular file
 * (following symbolic links). A directory would fail later with an {@code IOException} that names
 * no path; a FIFO, device or socket would block the reader forever or never end. Stateless,
 * thread-safe.
 */
public final class InputFiles {

    private InputFiles() {
    }

    /**
     * Checks that {@code file} can be read as a file.
     *
     * @param what names the file in the error, e.g. {@code "IDX file"}
     * @throws NoSuchFileException when it does not exist (the message names the path)
     * @throws FileSystemException when it is a directory or not a regular file (names the path)
     */
    public static void requireRegularFile(Path file, String what) throws IOException {
        if (Files.isRegularFile(file)) {
            return;
        }
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, what + " not found");
        }
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, what + " is a directory, not a file");
        }
        throw new FileSystemException(file.toString(), null, what + " is not a regular file (a FIFO, device "
                + "or socket is refused: reading it could block forever)");
    }
}

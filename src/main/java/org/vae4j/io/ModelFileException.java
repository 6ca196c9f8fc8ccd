package org.vae4j.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that could be read but whose contents are not acceptable: not a safetensors file, a
 * corrupt or hostile header, data that does not match the header, or tensors that do not match
 * the model's architecture. The message starts with the file's path (when one is known) and says
 * what is wrong. Immutable.
 */
public final class ModelFileException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * A problem without an underlying cause.
     *
     * @param file    the offending file, or null when none is at hand (metadata without its file)
     * @param problem what is wrong with it; the message is {@code file + ": " + problem}, or
     *                {@code problem} alone for a null file
     */
    public ModelFileException(Path file, String problem) {
        super(message(file, problem));
        this.file = file;
    }

    /**
     * As {@link #ModelFileException(Path, String)}, keeping the underlying cause.
     *
     * @param file    the offending file, or null when none is at hand
     * @param problem what is wrong with it; the message is {@code file + ": " + problem}, or
     *                {@code problem} alone for a null file
     * @param cause   the exception that revealed the problem, or null
     */
    public ModelFileException(Path file, String problem, Throwable cause) {
        super(message(file, problem), cause);
        this.file = file;
    }

    private static String message(Path file, String problem) {
        return file == null ? problem : file + ": " + problem;
    }

    /** {@return the offending file, or null when none was at hand} */
    public Path file() {
        return file;
    }
}

package org.vae4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the loaders' fuzz tests share: one scratch file per target that each input overwrites,
 * and the check that an error names the file. A fuzz test lets every exception its loader does
 * not document escape, so Jazzer reports it as a finding (docs/TESTING.md, "Fuzzing").
 * Not thread-safe (Jazzer runs one input at a time).
 */
public final class FuzzFiles {

    /** How long {@code JAZZER_FUZZ=1} fuzzes one target; the regression run ignores it. */
    public static final String DURATION = "10m";

    private static Path dir;

    private FuzzFiles() {
    }

    /** Writes {@code bytes} to the scratch file {@code name} (replacing the previous input) and returns it. */
    public static Path write(String name, byte[] bytes) {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("vae4j-fuzz");
                dir.toFile().deleteOnExit();
            }
            Path file = dir.resolve(name);
            Files.write(file, bytes);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Accepts a documented exception only if its message names the file; otherwise rethrows it
     * wrapped in an {@link AssertionError} (a finding).
     */
    public static void requireNamesFile(Exception e, Path file) {
        String m = e.getMessage();
        if (m == null || !m.contains(file.toString())) {
            throw new AssertionError("the error does not name the file " + file + ": " + e, e);
        }
    }
}

package org.vae4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.vae4j.LatentModel;
import org.vae4j.io.ModelFiles;
import org.vae4j.io.TrainingState;

/**
 * A model as the bytes of its ordinary vae4j model file (safetensors, {@link ModelFiles}): what
 * the driver broadcasts once per run so that each executor builds its own copies, and what ML
 * persistence stores. The architecture, the likelihood and (when given) the trainer settings
 * travel in the file's metadata, so the executors make the same objective as the driver.
 *
 * <p>Stateless; thread-safe.
 */
final class ModelBytes {

    /** A model file read back: the model and its metadata. */
    record Loaded(LatentModel model, Map<String, String> metadata, TrainingState training) {
    }

    private ModelBytes() {
    }

    /** The model file of {@code model} (with {@code training} and {@code extra} in its metadata), as bytes. */
    static byte[] of(LatentModel model, TrainingState training, Map<String, String> extra) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("vae4j-spark");
            Path file = dir.resolve("model.safetensors");
            ModelFiles.save(model, file, training, extra == null ? Map.of() : extra);
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model file to broadcast", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /** A new model (and its metadata) from the bytes of a model file; {@code what} names it in errors. */
    static Loaded load(byte[] bytes, String what) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("vae4j-spark");
            Path file = dir.resolve("model.safetensors");
            Files.write(file, bytes);
            LatentModel model = ModelFiles.load(file);
            Map<String, String> meta = ModelFiles.readMetadata(file);
            TrainingState training = ModelFiles.trainingState(meta, file).orElse(null);
            return new Loaded(model, meta, training);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + what + " (" + e.getMessage() + ")", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}

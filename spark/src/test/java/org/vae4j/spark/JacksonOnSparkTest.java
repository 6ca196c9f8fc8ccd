package org.vae4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.io.Checkpoint;
import org.vae4j.io.ModelFileException;
import org.vae4j.io.ModelFiles;
import org.vae4j.io.TrainingState;
import org.vae4j.optim.Adam;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;

/**
 * The core's file code (safetensors header parser with its stream limits, JSON metadata, the
 * checkpoint's history) on the Jackson that Spark 4.0.1 puts on the classpath: no clash, no shading.
 */
class JacksonOnSparkTest {

    @TempDir
    Path dir;

    @Test
    void theTestClasspathHasSparksJacksonCoreAndDatabind() {
        assertEquals("2.18.2", com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString());
        assertEquals("2.18.2", com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString());
        // Spark itself works on it
        assertEquals(3, SparkTestSession.get().range(3).count());
    }

    @Test
    void modelFilesAndCheckpointsRoundTrip() throws IOException {
        Vae v = Vae.builder(6).hidden(5).latent(2).seed(1).build();
        Adam adam = new Adam(1e-3);
        Trainer.builder().epochs(1).batchSize(4).build().train(v, new org.ejml.data.FMatrixRMaj(new float[][]{
            {0, 1, 0, 1, 0, 1}, {1, 1, 0, 0, 1, 1}, {0, 0, 0, 1, 1, 1}, {1, 0, 1, 0, 1, 0}, {0.5f, 0.5f, 0, 0, 1, 0}}), adam);
        TrainingState state = TrainingState.of(Trainer.builder().epochs(1).batchSize(4).build(),
                List.of(new EpochStats(1, 4.5, 4.0, 0.5, 1.0, 2, 5, 0.1)));
        Path model = dir.resolve("m.safetensors");
        ModelFiles.save(v, model, state, Map.of("note", "{\"json\": [1, 2]}"));
        LatentModel back = ModelFiles.load(model);
        assertArrayEquals(v.parameterStore().values(), back.parameterStore().values());
        assertEquals("{\"json\": [1, 2]}", ModelFiles.readMetadata(model).get("note"));
        Path ck = dir.resolve("c.safetensors");
        ModelFiles.saveCheckpoint(v, adam, state, ck);
        Checkpoint c = ModelFiles.loadCheckpoint(ck);
        assertEquals(adam.steps(), c.optimizer().steps());
        assertEquals(state.history(), c.training().history());
    }

    @Test
    void theHeadersStreamLimitsAndDuplicateKeysAreEnforced() throws IOException {
        String longKey = "{\"__metadata__\":{\"" + "k".repeat(70_000) + "\":\"v\"}}";
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(raw(longKey, 0)));
        assertTrue(e.getMessage().contains("not valid JSON") && e.getMessage().contains("header byte"), e.getMessage());
        String longNumber = "{\"w\":{\"dtype\":\"F32\",\"shape\":[" + "9".repeat(100) + "],\"data_offsets\":[0,4]}}";
        e = assertThrows(ModelFileException.class, () -> ModelFiles.load(raw(longNumber, 4)));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        String duplicate = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        e = assertThrows(ModelFileException.class, () -> ModelFiles.load(raw(duplicate, 4)));
        assertTrue(e.getMessage().contains("Duplicate field 'w'"), e.getMessage());
    }

    private Path raw(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = dir.resolve("raw.safetensors");
        Files.write(p, b.array());
        return p;
    }
}

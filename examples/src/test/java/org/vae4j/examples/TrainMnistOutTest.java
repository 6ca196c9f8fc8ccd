package org.vae4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vae4j.examples.TrainMnistRunTest.json;
import static org.vae4j.examples.TrainMnistRunTest.programLines;
import static org.vae4j.examples.TrainMnistRunTest.tiny;
import static org.vae4j.examples.TrainMnistRunTest.trainMnist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.data.ImageDataset;
import org.vae4j.io.ModelFiles;

/**
 * A finished run is never replaced without --force (issue 13): a second run into its folder is
 * refused, a bad input is still reported as such first, an empty folder or one whose run did not
 * finish is fine, --force replaces, and --resume continues the run in its own folder.
 */
class TrainMnistOutTest {

    @TempDir
    static Path shared;

    /** A finished one-epoch run, copied by each test that needs one. */
    static Path finished;

    @TempDir
    Path dir;

    @BeforeAll
    static void finishOneRun() {
        finished = shared.resolve("finished");
        TrainMnistRunTest.Result r = trainMnist(tiny(finished, "--epochs", "1"));
        assertEquals(0, r.status(), r.out() + r.err());
    }

    private Path copyOfFinished() throws IOException {
        Path copy = dir.resolve("run");
        Files.createDirectories(copy);
        try (var files = Files.list(finished)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        return copy;
    }

    @Test
    void aSecondRunIntoAFinishedRunsFolderIsRefusedAndChangesNothing() throws IOException {
        Path out = copyOfFinished();
        byte[] model = Files.readAllBytes(out.resolve("model.safetensors"));
        byte[] metrics = Files.readAllBytes(out.resolve("metrics.json"));
        TrainMnistRunTest.Result r = trainMnist(tiny(out, "--epochs", "1", "--seed", "7"));
        assertEquals(TrainMnist.EXIT_USAGE, r.status(), r.out() + r.err());
        List<String> lines = programLines(r.err());
        assertEquals(1, lines.size(), r.err());
        assertEquals("train-mnist: --out " + out + " holds a finished run (1 epoch of vae on mnist) that this run "
                + "would replace: give another --out, add --force to replace it, or continue it with --resume "
                + out.resolve("checkpoint.safetensors") + " (see --help)", lines.get(0));
        assertArrayEquals(model, Files.readAllBytes(out.resolve("model.safetensors")));
        assertArrayEquals(metrics, Files.readAllBytes(out.resolve("metrics.json")));
    }

    @Test
    void theDefaultOutIsNamedAsSuch() throws IOException {
        Path out = copyOfFinished();
        TrainMnist.UsageException e = assertThrows(TrainMnist.UsageException.class,
                () -> RunFolder.checkReplaceable(out, false, false, null));
        assertTrue(e.getMessage().startsWith(out + " (the default --out) holds a finished run"), e.getMessage());
    }

    @Test
    void withForceTheFinishedRunIsReplaced() throws IOException {
        Path out = copyOfFinished();
        byte[] model = Files.readAllBytes(out.resolve("model.safetensors"));
        TrainMnistRunTest.Result r = trainMnist(tiny(out, "--epochs", "1", "--seed", "7", "--force"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(java.util.Arrays.equals(model, Files.readAllBytes(out.resolve("model.safetensors"))));
        assertEquals(7, ((Map<?, ?>) json(out.resolve("metrics.json")).get("settings")).get("seed"));
    }

    @Test
    void aBadInputIsReportedAsSuchEvenWhenTheFolderHoldsAFinishedRun() throws IOException {
        Path out = copyOfFinished();
        Path data = dir.resolve("half-data");
        Files.createDirectories(data);
        Files.copy(TrainMnistRunTest.SUBSET.resolve(ImageDataset.TRAIN_FILES[0]), data.resolve(ImageDataset.TRAIN_FILES[0]));
        List<String> args = new java.util.ArrayList<>(List.of(tiny(out, "--epochs", "1")));
        args.set(args.indexOf("--data") + 1, data.toString());
        TrainMnistRunTest.Result r = trainMnist(args.toArray(new String[0]));
        assertEquals(TrainMnist.EXIT_FAILURE, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("train-mnist: --data " + data + " does not hold the mnist files (missing ["
                + ImageDataset.TRAIN_FILES[1]), r.err());
        assertFalse(r.err().contains("finished run"), r.err());
        // a checkpoint that is not one names the file too
        Path notACheckpoint = dir.resolve("not-a-checkpoint.safetensors");
        Files.writeString(notACheckpoint, "not a checkpoint");
        r = trainMnist(tiny(out, "--resume", notACheckpoint.toString()));
        assertEquals(TrainMnist.EXIT_FAILURE, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("train-mnist: " + notACheckpoint), r.err());
        assertFalse(r.err().contains("finished run"), r.err());
    }

    @Test
    void anEmptyFolderOrOneWhoseRunDidNotFinishIsFine() throws IOException {
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        assertEquals(0, trainMnist(tiny(empty, "--epochs", "1")).status());
        Path stopped = copyOfFinished();
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (Map.Entry<?, ?> e : json(stopped.resolve("metrics.json")).entrySet()) {
            m.put((String) e.getKey(), e.getValue());
        }
        m.put("status", "stopped in epoch 1: the loss is not finite");
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(stopped.resolve("metrics.json").toFile(), m);
        assertNull(RunFolder.finishedRun(stopped));
        TrainMnistRunTest.Result r = trainMnist(tiny(stopped, "--epochs", "1"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("note: " + stopped + " holds an earlier run"), r.out());
        Path garbled = dir.resolve("garbled");
        Files.createDirectories(garbled);
        Files.writeString(garbled.resolve("metrics.json"), "{\"status\": \"fini"); // half a file of a killed run
        assertNull(RunFolder.finishedRun(garbled));
        assertEquals("1 epoch of vae on mnist", RunFolder.finishedRun(finished));
    }

    @Test
    void resumeContinuesTheFinishedRunInItsOwnFolder() throws IOException {
        Path out = copyOfFinished();
        TrainMnistRunTest.Result r = trainMnist("--data", TrainMnistRunTest.SUBSET.toString(), "--resume",
                out.resolve("checkpoint.safetensors").toString(), "--epochs", "2", "--iw-samples", "2");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("training: epochs 2..2"), r.out());
        Map<?, ?> m = json(out.resolve("metrics.json"));
        assertEquals("finished", m.get("status"));
        assertEquals(2, ((List<?>) m.get("epochs")).size());
        assertEquals(2, ModelFiles.loadCheckpoint(out.resolve("checkpoint.safetensors")).training().history().size());
        // resumed into another folder that holds a finished run: refused like any other run
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.copy(finished.resolve("metrics.json"), other.resolve("metrics.json"));
        r = trainMnist("--data", TrainMnistRunTest.SUBSET.toString(), "--resume",
                out.resolve("checkpoint.safetensors").toString(), "--epochs", "3", "--out", other.toString());
        assertEquals(TrainMnist.EXIT_USAGE, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("--out " + other + " holds a finished run"), r.err());
    }
}

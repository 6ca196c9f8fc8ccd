package org.vae4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.internal.AtomicFiles;
import org.vae4j.io.ModelFiles;
import picocli.CommandLine;

/**
 * The MNIST trainer's run files on the bundled subset with a tiny model: one consistent set per
 * epoch, stale temporary files removed, an earlier run's files never replaced by a run that fails
 * before its first epoch, a failure while drawing the pictures recorded in one line and in
 * metrics.json, and an {@link Error} ending in one line.
 */
class TrainMnistRunTest {

    @TempDir
    Path dir;

    static final Path SUBSET = Path.of("data", "mnist-subset");

    /** Exit status, stdout and stderr of one in-process run. */
    record Result(int status, String out, String err) {
    }

    static Result trainMnist(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int status = TrainMnist.execute(args);
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** A tiny VAE on the subset: quick, and a 2-D latent space draws every picture. */
    static String[] tiny(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("--data", SUBSET.toString(), "--hidden", "8", "--latent", "2",
                "--iw-samples", "2", "--threads", "1", "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    /** The program's own lines of stderr: without the library's log lines and the JVM's incubator warning. */
    static List<String> programLines(String err) {
        return err.lines().filter(l -> !l.isBlank() && !l.matches("\\d\\d:\\d\\d:\\d\\d(\\.\\d+)? (INFO|WARN|DEBUG) .*")
                && !l.startsWith("WARNING: Using incubator modules")).toList();
    }

    static Map<?, ?> json(Path file) throws IOException {
        return new ObjectMapper().readValue(file.toFile(), Map.class);
    }

    @Test
    void eachEpochWritesOneConsistentSetAndStaleTemporaryFilesAreRemoved() throws IOException {
        Path out = dir.resolve("run");
        Path staleCheckpoint = AtomicFiles.createTempSibling(out.resolve("checkpoint.safetensors"));
        Files.writeString(staleCheckpoint, "half a checkpoint of a killed run");
        Path stalePicture = AtomicFiles.createTempSibling(out.resolve("traversal.png"));
        Result r = trainMnist(tiny(out, "--epochs", "2"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("note: removed 2 temporary file(s) a killed run left in " + out), r.out());
        assertFalse(Files.exists(staleCheckpoint));
        assertFalse(Files.exists(stalePicture));
        try (var files = Files.list(out)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
        Map<?, ?> m = json(out.resolve("metrics.json"));
        assertEquals("finished", m.get("status"));
        Map<?, ?> saved = (Map<?, ?>) m.get("saved");
        int checkpointEpochs = ModelFiles.loadCheckpoint(out.resolve("checkpoint.safetensors")).training().history()
                .size();
        assertEquals(2, checkpointEpochs);
        assertEquals(checkpointEpochs, saved.get("checkpoint_epoch"));
        assertEquals(2, saved.get("model_epoch"));
        assertEquals(2, ((List<?>) m.get("epochs")).size());
    }

    @Test
    void aRunThatDivergesBeforeItsFirstEpochLeavesTheEarlierRunsFilesAsTheyWere() throws IOException {
        Path out = dir.resolve("earlier");
        Files.createDirectories(out);
        String earlierMetrics = "{\"status\": \"finished\", \"note\": \"the earlier run\"}";
        Files.writeString(out.resolve("metrics.json"), earlierMetrics);
        Files.writeString(out.resolve("model.safetensors"), "the earlier run's model");
        Result r = trainMnist(tiny(out, "--epochs", "1", "--lr", "1e30", "--force")); // the earlier run finished
        assertEquals(TrainMnist.EXIT_DIVERGED, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("training stopped"), r.err());
        assertTrue(r.err().contains("nothing of this run was saved; " + out + " keeps the earlier run's files as they "
                + "were"), r.err());
        assertFalse(r.err().contains("epoch 0"), r.err());
        assertEquals(earlierMetrics, Files.readString(out.resolve("metrics.json")));
        assertEquals("the earlier run's model", Files.readString(out.resolve("model.safetensors")));
        assertFalse(Files.exists(out.resolve("checkpoint.safetensors")));
    }

    @Test
    void aFailureWhileDrawingThePicturesIsOneLineNamingTheFileAndMetricsSayFailed() throws IOException {
        Path out = dir.resolve("pictures");
        Files.createDirectories(out.resolve("traversal.png")); // a folder in the way: the write fails
        Result r = trainMnist(tiny(out, "--epochs", "1"));
        assertEquals(TrainMnist.EXIT_FAILURE, r.status(), r.out() + r.err());
        List<String> errLines = programLines(r.err());
        assertEquals(1, errLines.size(), r.err());
        assertTrue(errLines.get(0).startsWith("train-mnist: " + out.resolve("traversal.png")), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        Map<?, ?> m = json(out.resolve("metrics.json"));
        assertEquals("failed", m.get("status"));
        assertTrue(String.valueOf(m.get("error")).startsWith(out.resolve("traversal.png").toString()), m.toString());
        assertEquals(1, ((Map<?, ?>) m.get("saved")).get("checkpoint_epoch"));
    }

    @Test
    void aPngEncoderFailureNamesTheFileAndTheCause() {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(200, 200,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 200 * 200; i++) {
            img.setRGB(i % 200, i / 200, i * 7919);
        }
        OutputStream full = new OutputStream() { // what a full disk does to a write
            private int written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                written += len;
                if (written > 500) {
                    throw new IOException("No space left on device");
                }
            }
        };
        Path file = dir.resolve("reconstructions.png");
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> Pictures.encodePng(img, full, file));
        assertEquals(file + ": could not write the picture (No space left on device)", e.getMessage());
        assertFalse(javax.imageio.ImageIO.getUseCache(), "no cache file in java.io.tmpdir");
    }

    /** A command whose work ends in an {@link Error}. */
    @CommandLine.Command(name = "failing")
    static final class Failing implements Callable<Integer> {
        private final Error error;

        Failing(Error error) {
            this.error = error;
        }

        @Override
        public Integer call() {
            throw error;
        }
    }

    @Test
    void anErrorEndsInOneLineAndExitStatusOne() {
        for (Error e : new Error[] {new StackOverflowError(), new OutOfMemoryError("Java heap space")}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CommandLine cl = TrainMnist.commandLine(new Failing(e));
            cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
            assertEquals(1, ProgramErrors.execute(cl, "train-mnist"));
            List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith(e instanceof OutOfMemoryError
                    ? "train-mnist: out of memory (Java heap space): give the JVM a larger heap"
                    : "train-mnist: internal error: stack overflow (java.lang.StackOverflowError)"), lines.get(0));
        }
    }

    @Test
    void aRealOutOfMemoryErrorEndsInOneLineInAChildJvm() throws Exception {
        // a 784-100000-2 VAE has 157 million parameters: 630 MB for their values alone, more than 160 MB of heap
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-Xmx160m",
                "-XX:+UseSerialGC", "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), TrainMnist.class.getName()));
        cmd.addAll(List.of(tiny(dir.resolve("oom"), "--hidden", "100000", "--epochs", "1")));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(errBytes);
            } catch (IOException ignored) {
                // the child ended
            }
        });
        drain.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES), "the child ends");
        drain.join();
        String err = errBytes.toString(StandardCharsets.UTF_8);
        List<String> lines = programLines(err);
        assertEquals(1, p.exitValue(), out + err);
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("train-mnist: out of memory (Java heap space)"), err);
        assertFalse(err.contains("\tat "), err);
    }
}

package org.vae4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.internal.AtomicFiles;
import org.vae4j.io.ModelFiles;

/**
 * train-spark writes train-mnist's run files: stale temporary files removed, one set per epoch
 * with metrics.json's {@code saved} section, the model bit-identical to train-mnist
 * {@code --micro-batches 2 --threads 1}; a failure after the first epoch is one line and
 * {@code status: failed}; an {@link Error} is one line and exit status 1; {@code --binarise}
 * bit-identical to train-mnist's.
 */
class TrainSparkRunTest {

    @TempDir
    Path dir;

    static final Path SUBSET = Path.of("..", "data", "mnist-subset");

    record Result(int status, String out, String err) {
    }

    private static Result run(boolean spark, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int status = spark ? TrainSpark.run(args) : TrainMnist.execute(args);
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** A tiny VAE on the subset, one epoch (unless {@code more} gives --epochs). */
    private static String[] tiny(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("--data", SUBSET.toString(), "--hidden", "8", "--latent", "2",
                "--iw-samples", "2", "--batch-size", "500", "--out", out.toString()));
        if (!List.of(more).contains("--epochs")) {
            a.addAll(List.of("--epochs", "1"));
        }
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    private static String[] onSpark(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("--master", "local[2]", "--partitions", "2"));
        a.addAll(List.of(tiny(out, more)));
        return a.toArray(new String[0]);
    }

    /** The lines train-spark itself wrote on stderr (Spark's and the library's log lines have other prefixes). */
    private static List<String> programLines(String err) {
        return err.lines().filter(l -> l.startsWith(TrainSpark.PROGRAM + ":")).toList();
    }

    private static Map<?, ?> json(Path file) throws IOException {
        return new ObjectMapper().readValue(file.toFile(), Map.class);
    }

    @Test
    void writesTrainMnistsRunFilesAndTheModelOfTheLocalRun() throws IOException {
        Path out = dir.resolve("spark");
        Path staleCheckpoint = AtomicFiles.createTempSibling(out.resolve("checkpoint.safetensors"));
        Files.writeString(staleCheckpoint, "half a checkpoint of a killed run");
        Path staleMetrics = AtomicFiles.createTempSibling(out.resolve("metrics.json"));
        Result r = run(true, onSpark(out));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("note: removed 2 temporary file(s) a killed run left in " + out), r.out());
        assertFalse(Files.exists(staleCheckpoint));
        assertFalse(Files.exists(staleMetrics));
        try (var files = Files.list(out)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
        Map<?, ?> m = json(out.resolve("metrics.json"));
        assertEquals("finished", m.get("status"));
        Map<?, ?> saved = (Map<?, ?>) m.get("saved");
        assertEquals("checkpoint.safetensors", saved.get("checkpoint"));
        assertEquals("model.safetensors", saved.get("model"));
        assertEquals(ModelFiles.loadCheckpoint(out.resolve("checkpoint.safetensors")).training().history().size(),
                saved.get("checkpoint_epoch"));
        assertEquals(1, saved.get("checkpoint_epoch"));
        assertEquals(1, saved.get("model_epoch"));
        assertEquals(1, ((List<?>) m.get("epochs")).size());

        Path local = dir.resolve("local");
        Result l = run(false, tiny(local, "--micro-batches", "2", "--threads", "1"));
        assertEquals(0, l.status(), l.out() + l.err());
        float[] a = ModelFiles.load(local.resolve("model.safetensors")).parameterStore().values();
        float[] b = ModelFiles.load(out.resolve("model.safetensors")).parameterStore().values();
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "parameter scalar " + i);
        }
        assertEquals(json(local.resolve("metrics.json")).get("saved"), saved);
    }

    @Test
    void aFailureWhileDrawingThePicturesIsOneLineAndMetricsSayFailed() throws IOException {
        Path out = dir.resolve("pictures");
        Files.createDirectories(out.resolve("traversal.png")); // a folder in the way: the write fails
        Result r = run(true, onSpark(out));
        assertEquals(TrainMnist.EXIT_FAILURE, r.status(), r.out() + r.err());
        List<String> lines = programLines(r.err());
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("train-spark: " + out.resolve("traversal.png")), r.err());
        assertFalse(r.err().contains("\tat org.vae4j"), r.err());
        Map<?, ?> m = json(out.resolve("metrics.json"));
        assertEquals("failed", m.get("status"));
        assertTrue(String.valueOf(m.get("error")).startsWith(out.resolve("traversal.png").toString()), m.toString());
        assertEquals(1, ((Map<?, ?>) m.get("saved")).get("checkpoint_epoch"));
        assertTrue(Files.exists(out.resolve("model.safetensors")));
    }

    @Test
    void anErrorEndsInOneLineAndExitStatusOneInAChildJvm() throws Exception {
        // a 784-100000-2 VAE has 157 million parameters: 630 MB for their values alone, more than 160 MB of
        // heap; built on the driver before Spark starts (an executor's OutOfMemoryError makes Spark exit the JVM)
        Path out = dir.resolve("oom");
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-Xmx160m",
                "-XX:+UseSerialGC", "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), TrainSpark.class.getName()));
        cmd.addAll(List.of("--master", "local[2]", "--partitions", "2", "--data", SUBSET.toString(), "--hidden",
                "100000", "--latent", "2", "--epochs", "1", "--out", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
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
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES), "the child ends");
        drain.join();
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, p.exitValue(), stdout + err);
        List<String> lines = programLines(err);
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("train-spark: out of memory (Java heap space)"), err);
        assertFalse(err.contains("\tat "), err);
        assertFalse(Files.exists(out.resolve("metrics.json")));
    }

    /** --binarise: each task binarises its own rows by row id; the model of train-mnist --binarise. */
    @Test
    void binarisedTrainingIsBitIdenticalToTheLocalRun() throws IOException {
        Path out = dir.resolve("binarise");
        Result r = run(true, onSpark(out, "--binarise", "--micro-batches", "3")); // 3 micro-batches on 2 partitions
        assertEquals(0, r.status(), r.out() + r.err());
        Path local = dir.resolve("binarise-local");
        Result l = run(false, tiny(local, "--binarise", "--micro-batches", "3", "--threads", "1"));
        assertEquals(0, l.status(), l.out() + l.err());
        assertBitIdentical(local.resolve("model.safetensors"), out.resolve("model.safetensors"));
        Map<?, ?> sm = json(out.resolve("metrics.json"));
        Map<?, ?> lm = json(local.resolve("metrics.json"));
        assertEquals(Boolean.TRUE, ((Map<?, ?>) sm.get("data")).get("test_binarised"));
        Map<?, ?> se = (Map<?, ?>) ((List<?>) sm.get("epochs")).get(0);
        Map<?, ?> le = (Map<?, ?>) ((List<?>) lm.get("epochs")).get(0);
        assertEquals(le.get("test_neg_elbo"), se.get("test_neg_elbo"), "the same binarised test set, the same model");
        // and the binarisation matters: without it the model differs
        Path grey = dir.resolve("grey-local");
        assertEquals(0, run(false, tiny(grey, "--micro-batches", "3", "--threads", "1")).status());
        assertFalse(java.util.Arrays.equals(ModelFiles.load(grey.resolve("model.safetensors")).parameterStore().values(),
                ModelFiles.load(out.resolve("model.safetensors")).parameterStore().values()));
    }

    /** --model cvae: each image travels with its one-hot label; the model of train-mnist --model cvae. */
    @Test
    void aConditionalVaeIsBitIdenticalToTheLocalRun() throws IOException {
        Path out = dir.resolve("cvae");
        Result r = run(true, onSpark(out, "--model", "cvae"));
        assertEquals(0, r.status(), r.out() + r.err());
        Path local = dir.resolve("cvae-local");
        Result l = run(false, tiny(local, "--model", "cvae", "--micro-batches", "2", "--threads", "1"));
        assertEquals(0, l.status(), l.out() + l.err());
        assertEquals(10, ModelFiles.load(out.resolve("model.safetensors")).conditionSize());
        assertBitIdentical(local.resolve("model.safetensors"), out.resolve("model.safetensors"));
        Map<?, ?> sm = json(out.resolve("metrics.json"));
        Map<?, ?> lm = json(local.resolve("metrics.json"));
        assertEquals(((Map<?, ?>) ((List<?>) lm.get("epochs")).get(0)).get("test_neg_elbo"),
                ((Map<?, ?>) ((List<?>) sm.get("epochs")).get(0)).get("test_neg_elbo"));
        assertEquals(lm.get("test_log_px_iw"), sm.get("test_log_px_iw"));
        assertEquals("label", sm.get("test_log_px_iw_given"));
    }

    /**
     * --validation with --patience: the images train-mnist holds out, the same validation -ELBO
     * each epoch (to double rounding), the same early stop, the best epoch's model bit for bit.
     */
    @Test
    void validationAndEarlyStoppingAreTheLocalRunsAndTheModelIsTheBestEpochs() throws IOException {
        String[] flags = {"--validation", "1000", "--patience", "1", "--min-delta", "1000", "--epochs", "3"};
        Path out = dir.resolve("validation");
        Result r = run(true, onSpark(out, flags));
        assertEquals(0, r.status(), r.out() + r.err());
        List<String> more = new ArrayList<>(List.of(flags));
        more.addAll(List.of("--micro-batches", "2", "--threads", "1"));
        Path local = dir.resolve("validation-local");
        Result l = run(false, tiny(local, more.toArray(new String[0])));
        assertEquals(0, l.status(), l.out() + l.err());
        assertBitIdentical(local.resolve("model.safetensors"), out.resolve("model.safetensors"));
        var lc = ModelFiles.loadCheckpoint(local.resolve("checkpoint.safetensors"));
        var sc = ModelFiles.loadCheckpoint(out.resolve("checkpoint.safetensors"));
        assertTrue(java.util.Arrays.equals(lc.model().parameterStore().values(), sc.model().parameterStore().values()));
        assertEquals(lc.training().progress().bestEpoch(), sc.training().progress().bestEpoch(),
                "the checkpoint's validation progress, for a local --resume");
        Map<?, ?> sm = json(out.resolve("metrics.json"));
        Map<?, ?> lm = json(local.resolve("metrics.json"));
        assertEquals(2, sm.get("stopped_early_after_epoch"), sm.toString());
        assertEquals(lm.get("stopped_early_after_epoch"), sm.get("stopped_early_after_epoch"));
        assertEquals(lm.get("best_epoch"), sm.get("best_epoch"));
        assertEquals(lm.get("saved"), sm.get("saved"));
        assertEquals(4000, ((Map<?, ?>) sm.get("data")).get("train_images"));
        assertEquals(1000, ((Map<?, ?>) sm.get("data")).get("validation_images"));
        List<?> se = (List<?>) sm.get("epochs");
        List<?> le = (List<?>) lm.get("epochs");
        assertEquals(le.size(), se.size());
        for (int e = 0; e < le.size(); e++) {
            double a = ((Number) ((Map<?, ?>) le.get(e)).get("validation_neg_elbo")).doubleValue();
            double b = ((Number) ((Map<?, ?>) se.get(e)).get("validation_neg_elbo")).doubleValue();
            assertEquals(a, b, 1e-12 * a, "validation -ELBO of epoch " + (e + 1));
        }
        assertEquals(lm.get("test_log_px_iw"), sm.get("test_log_px_iw"));
    }

    @Test
    void aFinishedRunIsNotReplacedWithoutForce() throws IOException {
        Path out = dir.resolve("finished");
        Files.createDirectories(out);
        String finished = "{\"status\": \"finished\", \"epochs\": [{}], \"settings\": {\"model\": \"vae\"}}";
        Files.writeString(out.resolve("metrics.json"), finished);
        Files.writeString(out.resolve("model.safetensors"), "the earlier run's model");
        Result r = run(true, onSpark(out));
        assertEquals(TrainMnist.EXIT_USAGE, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("--out " + out + " holds a finished run (1 epoch of vae)"), r.err());
        assertTrue(r.err().contains("--force"), r.err());
        assertEquals("the earlier run's model", Files.readString(out.resolve("model.safetensors")));
        assertEquals(finished, Files.readString(out.resolve("metrics.json")));
    }

    @Test
    void aTrainingFileThatIsNoPublishedFileIsRefusedNamingIt() throws IOException {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        for (String f : org.vae4j.data.ImageDataset.ALL_FILES) {
            Files.copy(SUBSET.resolve(f), data.resolve(f));
        }
        // one label changed, the file still a valid IDX file: only its checksum tells
        String labels = org.vae4j.data.ImageDataset.TRAIN_FILES[1];
        byte[] content;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(data.resolve(labels)))) {
            content = in.readAllBytes();
        }
        content[8] = (byte) ((content[8] + 1) % 10);
        Files.delete(data.resolve(labels));
        Path plain = data.resolve(labels.substring(0, labels.length() - 3));
        Files.write(plain, content);
        List<String> a = new ArrayList<>(List.of(onSpark(dir.resolve("out"))));
        a.set(a.indexOf(SUBSET.toString()), data.toString());
        Result r = run(true, a.toArray(new String[0]));
        assertEquals(TrainMnist.EXIT_FAILURE, r.status(), r.out() + r.err());
        List<String> lines = programLines(r.err());
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).contains(plain.getFileName() + ": SHA-256 of its content is "), r.err());
        assertTrue(lines.get(0).contains("no published mnist file's"), r.err());
        assertFalse(Files.exists(dir.resolve("out").resolve("model.safetensors")));
    }

    private static void assertBitIdentical(Path expected, Path actual) throws IOException {
        float[] a = ModelFiles.load(expected).parameterStore().values();
        float[] b = ModelFiles.load(actual).parameterStore().values();
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "parameter scalar " + i);
        }
    }
}

package org.vae4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train-mnist's output when it is not on a terminal (issue 13), in a child JVM whose stdout and
 * stderr are pipes: no escape code and no carriage return (the progress bar is for terminals
 * only), each warning and note once (the slow-backend hint too, though the program makes a
 * second GEMM backend for --threads), and metrics.json naming the data used for the titles.
 */
class TrainMnistOutputTest {

    @TempDir
    Path dir;

    record Child(int status, String out, String err) {
    }

    /** Runs train-mnist in a child JVM without the Vector API module, the library's log at INFO. */
    static Child child(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-Xmx512m",
                "-XX:+UseSerialGC", "-Djava.awt.headless=true", "-Dvae4j.log=INFO",
                "-cp", System.getProperty("java.class.path"), TrainMnist.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // the child ended
            }
        });
        drain.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the child ends");
        drain.join();
        return new Child(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void outputToPipesHasNoEscapeCodesAndEachWarningOnce() throws Exception {
        Path out = dir.resolve("run");
        Child c = child(TrainMnistRunTest.tiny(out, "--epochs", "2"));
        assertEquals(0, c.status(), c.out() + c.err());
        for (String stream : List.of(c.out(), c.err())) {
            assertFalse(stream.contains("\u001b"), "an escape code in: " + stream);
            assertFalse(stream.contains("\r"), "a carriage return (a progress bar) in: " + stream);
        }
        assertEquals(1, count(c.err(), "a training step is about 6 times slower"), c.err());
        assertEquals(1, count(c.out(), "WARNING: training on the bundled 5,000-image MNIST subset"), c.out());
        assertEquals(1, count(c.err(), "holds the bundled 5,000-image MNIST subset, not full MNIST"), c.err());
        Set<String> seen = new HashSet<>();
        List<String> warnings = new ArrayList<>(c.err().lines().map(l -> l.replaceFirst("^\\d\\d:\\d\\d:\\d\\d ", ""))
                .filter(l -> l.startsWith("WARN")).toList());
        warnings.addAll(c.out().lines().filter(l -> l.startsWith("WARNING") || l.startsWith("note:")).toList());
        assertFalse(warnings.isEmpty());
        for (String line : warnings) {
            assertTrue(seen.add(line), "said twice: " + line + "\n" + c.out() + c.err());
        }
        assertEquals(2, c.out().lines().filter(l -> l.startsWith("epoch ")).count(), c.out());
        Map<?, ?> data = (Map<?, ?>) TrainMnistRunTest.json(out.resolve("metrics.json")).get("data");
        assertEquals("the bundled 5,000-image MNIST subset", data.get("label"));
    }

    private static long count(String text, String fragment) {
        return text.lines().filter(l -> l.contains(fragment)).count();
    }
}

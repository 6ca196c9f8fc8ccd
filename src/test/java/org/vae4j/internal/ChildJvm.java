package org.vae4j.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test classpath in a JVM of its own, with a small heap: how the tests
 * show that a hostile file ends in a clear error rather than an {@link OutOfMemoryError}.
 */
public final class ChildJvm {

    /** Exit status and the merged stdout and stderr of a child. */
    public record Result(int status, String output) {
    }

    private ChildJvm() {
    }

    /**
     * @param maxHeap e.g. {@code "256m"}
     * @throws IllegalStateException when the child has not ended after 5 minutes (it is killed)
     */
    public static Result run(String maxHeap, Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                System.getProperty("java.home") + "/bin/java", "-Xmx" + maxHeap, "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes(); // until the child closes its output
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(main.getName() + " did not end: " + new String(out, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}

package org.vae4j.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test classpath in a JVM of its own, with a small heap: how the tests
 * show that a hostile file ends in a clear error rather than an {@link OutOfMemoryError}.
 */
public final class ChildJvm {

    /** Exit status and the merged stdout and stderr of a child. */
    public record Result(int status, String output) {
    }

    /** Exit status, stdout and stderr of a child, apart. */
    public record Streams(int status, String stdout, String stderr) {
    }

    private ChildJvm() {
    }

    /** This JVM's class path less the entries whose path contains any of {@code fragments}. */
    public static String classPathWithout(String... fragments) {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> Arrays.stream(fragments).noneMatch(e::contains))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * Runs {@code main} with the given JVM options and class path; stdout and stderr kept apart.
     *
     * @throws IllegalStateException when the child has not ended after 5 minutes (it is killed)
     */
    public static Streams runWith(List<String> jvmOptions, String classPath, Class<?> main, String... args)
            throws IOException, InterruptedException {
        List<String> javaArgs = new ArrayList<>(jvmOptions);
        javaArgs.addAll(List.of("-cp", classPath, main.getName()));
        javaArgs.addAll(List.of(args));
        return java(javaArgs);
    }

    /**
     * Runs {@code java} of this JVM's home with the given arguments; stdout and stderr kept apart.
     *
     * @throws IllegalStateException when the child has not ended after 5 minutes (it is killed)
     */
    public static Streams java(List<String> javaArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java"));
        cmd.addAll(javaArgs);
        Path stdout = Files.createTempFile("child-jvm", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).start();
            p.getOutputStream().close();
            byte[] err = p.getErrorStream().readAllBytes(); // until the child closes its stderr
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd + " did not end: " + new String(err, StandardCharsets.UTF_8));
            }
            return new Streams(p.exitValue(), Files.readString(stdout), new String(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(stdout);
        }
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

package org.vae4j.testing;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * The checks of the hostile-case harness ({@code HostileCasesTest}): run a load and judge its
 * outcome, make a FIFO, run a load in a child JVM with a small heap ({@link HostileChild}), write
 * a safetensors file with a header of a given size without holding it in memory. Stateless.
 */
public final class Hostile {

    /** What a case found: a description and whether it is the wanted outcome. */
    public record Outcome(String text, boolean pass) {
    }

    /** A load, or any step of a case, that may throw. */
    public interface Body {
        Outcome run() throws Exception;
    }

    private Hostile() {
    }

    /** Runs {@code load}; wanted: an exception of {@code type} whose message contains every {@code needle}. */
    public static Outcome expect(Class<? extends Exception> type, Body load, String... needles) throws Exception {
        try {
            Outcome ok = load.run();
            return new Outcome("accepted: " + ok.text(), false);
        } catch (Exception e) {
            String m = String.valueOf(e.getMessage());
            boolean named = true;
            for (String n : needles) {
                named &= m.contains(n);
            }
            return new Outcome(e.getClass().getSimpleName() + ": " + abbreviate(m), type.isInstance(e) && named);
        }
    }

    /** A successful load, described. */
    public static Outcome loaded(Object what) {
        return new Outcome(String.valueOf(what), true);
    }

    /** A named pipe (skips the case where mkfifo is missing). */
    public static Path fifo(Path dir, String name) throws Exception {
        Path p = dir.resolve(name);
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        Assumptions.assumeTrue(mk.waitFor(30, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo is needed");
        return p;
    }

    /** The result of {@link org.vae4j.testing.HostileChild} in a JVM with {@code -Xmx<heap>}: [result, bytes read]. */
    public static String[] child(String heap, String op, Path file) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx" + heap, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), HostileChild.class.getName(), op, file.toString())
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor();
        String result = "no result (exit " + p.exitValue() + ")";
        String read = "-1";
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("RESULT ")) {
                result = line.substring(7);
            } else if (line.startsWith("READ ")) {
                read = line.substring(5);
            }
        }
        return new String[] {result, read};
    }

    /** Wanted in a small heap: no OutOfMemoryError, and either success or an exception of one of {@code types} naming the file. */
    public static Outcome boundedMemory(String heap, String op, Path file, String... types) throws Exception {
        String r = child(heap, op, file)[0];
        boolean ok = r.startsWith("ok ");
        for (String t : types) {
            ok |= r.startsWith(t + " ") && r.contains(file.toString());
        }
        return new Outcome("-Xmx" + heap + ": " + abbreviate(r), ok && !r.contains("OutOfMemoryError"));
    }

    public static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }

    /** A safetensors file with a header of exactly {@code headerBytes}: one metadata string padding it, one tensor. */
    public static Path bigHeader(Path dir, String name, int headerBytes) throws IOException {
        String before = "{\"__metadata__\":{\"big\":\"";
        String after = "\"},\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        int pad = headerBytes - before.length() - after.length();
        Path p = dir.resolve(name);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(p), 1 << 16)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes).array());
            out.write(Crafted.utf8(before));
            byte[] xs = new byte[1 << 16];
            java.util.Arrays.fill(xs, (byte) 'x');
            for (int left = pad; left > 0; left -= xs.length) {
                out.write(xs, 0, Math.min(left, xs.length));
            }
            out.write(Crafted.utf8(after));
            out.write(new byte[4]);
        }
        return p;
    }
}

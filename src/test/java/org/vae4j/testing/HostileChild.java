package org.vae4j.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import org.vae4j.data.Csv;
import org.vae4j.data.IdxReader;
import org.vae4j.io.ModelFiles;
import org.vae4j.table.CsvSource;

/**
 * The child JVM of the hostile-case harness, for the cases where memory is the point: runs one
 * loader on one file under the heap it was started with and prints one line,
 * {@code RESULT ok <what>} or {@code RESULT <exception class> <message>}, then {@code READ <bytes>}
 * (the bytes this process read from files during the call, from {@code /proc/self/io}, or -1).
 * An {@link OutOfMemoryError} is caught and reported like any other outcome.
 */
public final class HostileChild {

    private HostileChild() {
    }

    public static void main(String[] args) throws Exception {
        String op = args[0];
        Path file = Path.of(args[1]);
        long before = readBytes();
        String result;
        try {
            result = "ok " + run(op, file);
        } catch (Throwable t) {
            String m = String.valueOf(t.getMessage()).replace('\n', ' ');
            result = t.getClass().getName() + " " + (m.length() > 400 ? m.substring(0, 400) + "..." : m);
        }
        long after = readBytes();
        System.out.println("RESULT " + result);
        System.out.println("READ " + (before < 0 || after < 0 ? -1 : after - before));
    }

    private static String run(String op, Path file) throws Exception {
        switch (op) {
            case "model":
                return ModelFiles.load(file).describe();
            case "csv": {
                var m = Csv.read(file);
                return m.numRows + " x " + m.numCols;
            }
            case "table": {
                try (CsvSource s = CsvSource.open(file)) {
                    long n = 0;
                    while (s.next() != null) {
                        n++;
                    }
                    return n + " rows of " + s.header().length + " columns";
                }
            }
            case "idx": {
                IdxReader.IdxArray a = IdxReader.read(file);
                return java.util.Arrays.toString(a.dims());
            }
            default:
                throw new IllegalArgumentException("unknown operation " + op);
        }
    }

    /** rchar of /proc/self/io: bytes this process has read through read(2) and similar. */
    private static long readBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("rchar:")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}

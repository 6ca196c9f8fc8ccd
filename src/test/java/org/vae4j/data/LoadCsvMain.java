package org.vae4j.data;

import java.nio.file.Path;

/**
 * The child JVM of {@link BoundedCsvTest}: reads a CSV file and prints one line, {@code read R x C}
 * or {@code failed: EXCEPTION}; exit status 0, 1 (an exception) or 2 (an Error).
 */
final class LoadCsvMain {

    private LoadCsvMain() {
    }

    public static void main(String[] args) {
        try {
            var m = Csv.read(Path.of(args[0]));
            System.out.println("read " + m.numRows + " x " + m.numCols);
        } catch (Exception e) {
            System.out.println("failed: " + e);
            System.exit(1);
        } catch (Error e) {
            System.out.println("failed: " + e);
            System.exit(2);
        }
    }
}

package org.vae4j;

import static org.vae4j.testing.Crafted.concat;
import static org.vae4j.testing.Crafted.f4;
import static org.vae4j.testing.Crafted.gzip;
import static org.vae4j.testing.Crafted.idx;
import static org.vae4j.testing.Crafted.idxHeader;
import static org.vae4j.testing.Crafted.npy;
import static org.vae4j.testing.Crafted.oneTensor;
import static org.vae4j.testing.Crafted.utf8;
import static org.vae4j.testing.Hostile.abbreviate;
import static org.vae4j.testing.Hostile.bigHeader;
import static org.vae4j.testing.Hostile.boundedMemory;
import static org.vae4j.testing.Hostile.child;
import static org.vae4j.testing.Hostile.expect;
import static org.vae4j.testing.Hostile.fifo;
import static org.vae4j.testing.Hostile.loaded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.data.Csv;
import org.vae4j.data.IdxReader;
import org.vae4j.data.Npy;
import org.vae4j.io.ModelFiles;
import org.vae4j.table.CsvSource;
import org.vae4j.testing.Crafted;
import org.vae4j.testing.Hostile.Body;
import org.vae4j.testing.Hostile.Outcome;

/**
 * The hostile cases of issue 12, built on the fly: each runs a loader on a crafted file (in a
 * child JVM with a small heap where memory is the point) and checks the wanted outcome — a
 * documented exception whose message names the file (and the line or value where there is one),
 * no {@link OutOfMemoryError}, no hang (a generous timeout, a hang guard only). Cases that only
 * the example programs reach are listed as "n/a". Writes the table of cases and outcomes to
 * {@code target/hostile-cases.md}. Tag {@code hostile}: runs in the surefire execution {@code hostile} of every
 * build, in a JVM of its own (docs/TESTING.md, "Hostile cases").
 */
@Tag("hostile")
class HostileCasesTest {

    private static final Duration HANG_GUARD = Duration.ofMinutes(10);
    private static final List<String[]> ROWS = new ArrayList<>();

    @TempDir
    static Path dir;

    record Case(String id, String title, String action, String wanted, Body body) {
    }

    @TestFactory
    Stream<DynamicTest> hostileCases() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.id() + " " + c.title(), () -> run(c)));
    }

    private static void run(Case c) {
        if (c.body() == null) {
            record(c, "not reachable from the library API", "n/a");
            Assumptions.abort(c.wanted());
        }
        Outcome o;
        try {
            o = Assertions.assertTimeoutPreemptively(HANG_GUARD, () -> c.body().run());
        } catch (org.opentest4j.AssertionFailedError e) {
            record(c, "no result within " + HANG_GUARD.toMinutes() + " min (hang guard)", "FAIL");
            throw e;
        } catch (Throwable t) {
            o = new Outcome("the harness failed: " + t, false);
        }
        record(c, o.text(), o.pass() ? "pass" : "FAIL");
        Assertions.assertTrue(o.pass(), c.id() + " " + c.title() + ": wanted " + c.wanted() + "; got " + o.text());
    }

    private static synchronized void record(Case c, String outcome, String result) {
        ROWS.add(new String[] {c.id(), c.title(), c.action(), c.wanted(), outcome, result});
    }

    private static Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @AfterAll
    static void writeTable() throws IOException {
        StringBuilder s = new StringBuilder("# Hostile cases (issue 12)\n\n");
        long pass = ROWS.stream().filter(r -> r[5].equals("pass")).count();
        long fail = ROWS.stream().filter(r -> r[5].equals("FAIL")).count();
        s.append(pass).append(" pass, ").append(fail).append(" fail, ").append(ROWS.size() - pass - fail)
                .append(" n/a (only the example programs reach them), of ").append(ROWS.size())
                .append(" cases; written by HostileCasesTest (docs/TESTING.md).\n\n");
        s.append("| case | what | what is done | wanted | outcome | result |\n|---|---|---|---|---|---|\n");
        ROWS.sort((a, b) -> a[0].compareTo(b[0]));
        for (String[] r : ROWS) {
            s.append('|');
            for (String cell : r) {
                s.append(' ').append(cell.replace("|", "\\|").replace("\n", " ")).append(" |");
            }
            s.append('\n');
        }
        Path target = Path.of(System.getProperty("vae4j.build.dir", "target")); // set by the hostile execution
        Files.createDirectories(target);
        Files.writeString(target.resolve("hostile-cases.md"), s.toString(), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ the cases

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.addAll(modelFiles());
        c.addAll(arraysAndTables());
        c.addAll(idxAndPrograms());
        return c;
    }

    private static List<Case> modelFiles() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("M01", "metadata key of 65,537 characters", "ModelFiles.load", "ModelFileException naming the file",
                () -> {
                    Path f = write("m01.safetensors", oneTensor("\"" + "k".repeat(65_537) + "\":\"v\"", "[1]", 1));
                    return expect(org.vae4j.io.ModelFileException.class, () -> loaded(ModelFiles.load(f)), f.toString());
                }));
        c.add(new Case("M02", "a 65-digit number in a shape", "ModelFiles.load", "ModelFileException naming the file",
                () -> {
                    Path f = write("m02.safetensors", oneTensor("", "[" + "9".repeat(65) + "]", 1));
                    return expect(org.vae4j.io.ModelFileException.class, () -> loaded(ModelFiles.load(f)), f.toString());
                }));
        c.add(new Case("M03", "60 MB metadata string", "ModelFiles.load in a child JVM, -Xmx256m",
                "no OutOfMemoryError: loads or ModelFileException naming the file",
                () -> boundedMemory("256m", "model", bigHeader(dir, "m03.safetensors", 60_000_000),
                        "org.vae4j.io.ModelFileException")));
        c.add(new Case("M04", "100 MB header (the allowed maximum)", "ModelFiles.load in a child JVM, -Xmx320m "
                + "(about 2x the header plus the JVM)", "no OutOfMemoryError: loads or ModelFileException naming the file",
                () -> boundedMemory("320m", "model", bigHeader(dir, "m04.safetensors", 100_000_000),
                        "org.vae4j.io.ModelFileException")));
        c.add(edited("M05", "activation relu edited to tanh", "model", "vae4j.activation", "tanh"));
        c.add(edited("M06", "Gaussian variance edited to 1e-320", "gaussian", "vae4j.likelihood_variance", "1e-320"));
        c.add(edited("M07", "checkpoint optimizer_steps edited", "checkpoint", "vae4j.optimizer_steps", "1000"));
        c.add(edited("M08", "checkpoint learning rate edited", "checkpoint", "vae4j.optimizer_lr", "0.5"));
        c.add(edited("M09", "checkpoint seed 7 to 6 (one bit flip)", "checkpoint", "vae4j.seed", "6"));
        c.add(edited("M10", "checkpoint batch size 2^40", "checkpoint", "vae4j.batch_size", Long.toString(1L << 40)));
        c.add(new Case("M11", "a FIFO as the model file", "ModelFiles.load", "an IOException naming the path, no hang",
                () -> {
                    Path f = fifo(dir, "m11.safetensors");
                    return expect(IOException.class, () -> loaded(ModelFiles.load(f)), f.toString());
                }));
        c.add(new Case("M12", "--resume of the M01 file prints \"internal error: NullPointerException\"",
                "train-mnist --resume", "n/a: the program; its library part is M01", null));
        c.add(new Case("M13", "one flipped bit in the tensor data (kept behaviour)", "ModelFiles.load",
                "ModelFileException naming the file and the checksum", () -> {
                    byte[] b = Crafted.modelFile(Crafted.smallModels().get(0), dir.resolve("m13-src.safetensors"));
                    b[b.length - 3] ^= 0x10;
                    Path f = write("m13.safetensors", b);
                    return expect(org.vae4j.io.ModelFileException.class, () -> loaded(ModelFiles.load(f)), f.toString(),
                            "SHA-256");
                }));
        c.add(new Case("M14", "a file written by main 5b9f97e (kept behaviour)", "ModelFiles.load of "
                + "legacy-5b9f97e/vae-12-8-3-bernoulli.safetensors", "loads", () -> {
                    Path f = dir.resolve("m14.safetensors");
                    try (var in = HostileCasesTest.class.getResourceAsStream(
                            "/legacy-5b9f97e/vae-12-8-3-bernoulli.safetensors")) {
                        Files.write(f, in.readAllBytes());
                    }
                    return loaded(ModelFiles.load(f).describe());
                }));
        return c;
    }

    /** A saved file with one metadata value edited in its header: wanted, a ModelFileException naming the file. */
    private static Case edited(String id, String title, String source, String key, String value) {
        return new Case(id, title, "edit " + key + " in the header, then " + (source.equals("checkpoint")
                ? "ModelFiles.loadCheckpoint" : "ModelFiles.load"),
                "ModelFileException naming the file (the digest covers the metadata)", () -> {
                    Path scratch = dir.resolve(id + "-src.safetensors");
                    byte[] original = switch (source) {
                        case "checkpoint" -> Crafted.checkpoint(scratch);
                        case "gaussian" -> Crafted.modelFile(Crafted.smallModels().get(1), scratch);
                        default -> Crafted.modelFile(Crafted.smallModels().get(0), scratch);
                    };
                    Path f = write(id + ".safetensors", Crafted.withMetadata(original, key, value));
                    return expect(org.vae4j.io.ModelFileException.class, () -> source.equals("checkpoint")
                            ? loaded(ModelFiles.loadCheckpoint(f).training().config())
                            : loaded(ModelFiles.load(f).describe()), f.toString());
                });
    }

    private static List<Case> arraysAndTables() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("A01", "CSV: one 10 MB line (5,000,000 columns)", "data.Csv.read in a child JVM, -Xmx256m",
                "no OutOfMemoryError: read, or IllegalArgumentException naming the file", () -> {
                    Path f = dir.resolve("a01.csv");
                    Files.writeString(f, "0,".repeat(4_999_999) + "0\n");
                    return boundedMemory("256m", "csv", f, "java.lang.IllegalArgumentException");
                }));
        c.add(new Case("A02", "table CSV: one 10 MB line (5,000,000 columns)", "CsvSource in a child JVM, -Xmx256m",
                "no OutOfMemoryError: read, or TableFormatException naming the file", () -> {
                    Path f = dir.resolve("a02.csv");
                    Files.writeString(f, "a\n" + "0,".repeat(4_999_999) + "0\n");
                    return boundedMemory("256m", "table", f, "org.vae4j.table.TableFormatException");
                }));
        c.add(new Case("A03", "CSV: invalid UTF-8", "data.Csv.read", "IllegalArgumentException naming the file and line 2",
                () -> {
                    Path f = write("a03.csv", concat(utf8("1,2\n3,"), new byte[] {(byte) 0xC3, '4', '\n'}));
                    return expect(IllegalArgumentException.class, () -> loaded(Csv.read(f)), f.toString(), "line 2");
                }));
        c.add(new Case("A04", "table CSV: invalid UTF-8", "CsvSource, every record",
                "TableFormatException naming the file and line 3", () -> {
                    Path f = write("a04.csv", concat(utf8("a,b\n1,2\n3,"), new byte[] {(byte) 0xFF, '\n'}));
                    return expect(IllegalArgumentException.class, () -> loaded(readTable(f)), f.toString(), "line 3");
                }));
        c.add(number("A05", "1.5f"));
        c.add(number("A06", "2d"));
        c.add(number("A07", "0x1p3"));
        c.add(number("A08", "1e500"));
        c.add(npyCase("A09", "npy: fortran_order False then True",
                "{'descr': '<f4', 'fortran_order': False, 'fortran_order': True, 'shape': (2, 2), }", 4));
        c.add(npyCase("A10", "npy: descr twice",
                "{'descr': '<f4', 'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", 2));
        c.add(npyCase("A11", "npy: keys only inside a string value",
                "{'descr': '<f4', 'x': \"'fortran_order': False, 'shape': (1,)\"}", 1));
        c.add(new Case("A12", "a directory as the .npy file", "Npy.read", "an IOException naming the path", () -> {
            Path d = Files.createDirectories(dir.resolve("a12.npy"));
            return expect(IOException.class, () -> loaded(Npy.read(d)), d.toString());
        }));
        c.add(new Case("A13", "a directory as the CSV file", "data.Csv.read", "an IOException naming the path", () -> {
            Path d = Files.createDirectories(dir.resolve("a13.csv"));
            return expect(IOException.class, () -> loaded(Csv.read(d)), d.toString());
        }));
        c.add(new Case("A14", "a directory as the IDX file", "IdxReader.read", "an IOException naming the path", () -> {
            Path d = Files.createDirectories(dir.resolve("a14.idx"));
            return expect(IOException.class, () -> loaded(IdxReader.read(d)), d.toString());
        }));
        c.add(new Case("A15", "a FIFO as the .npy file", "Npy.read", "an IOException naming the path, no hang", () -> {
            Path f = fifo(dir, "a15.npy");
            return expect(IOException.class, () -> loaded(Npy.read(f)), f.toString());
        }));
        c.add(new Case("A16", "a FIFO as the CSV file", "data.Csv.read and CsvSource",
                "an IOException naming the path from both, no hang", () -> {
                    Path f = fifo(dir, "a16.csv");
                    Outcome a = expect(IOException.class, () -> loaded(Csv.read(f)), f.toString());
                    Outcome b = expect(IOException.class, () -> loaded(readTable(f)), f.toString());
                    return new Outcome(a.text() + "; " + b.text(), a.pass() && b.pass());
                }));
        return c;
    }

    private static Case number(String id, String text) {
        return new Case(id, "CSV: the number " + text, "data.Csv.read of \"1," + text + "\"",
                "IllegalArgumentException naming the file, line 1 and the value", () -> {
                    Path f = write(id + ".csv", utf8("1," + text + "\n"));
                    return expect(IllegalArgumentException.class, () -> loaded(Csv.read(f)), f.toString(), "line 1",
                            text);
                });
    }

    private static Case npyCase(String id, String title, String dict, int floats) {
        return new Case(id, title, "Npy.read", "IllegalArgumentException naming the file", () -> {
            Path f = write(id + ".npy", npy(dict, f4(new float[floats])));
            return expect(IllegalArgumentException.class, () -> loaded(Npy.read(f)), f.toString());
        });
    }

    private static String readTable(Path f) throws IOException {
        try (CsvSource s = CsvSource.open(f)) {
            long n = 0;
            while (s.next() != null) {
                n++;
            }
            return n + " rows";
        }
    }

    private static List<Case> idxAndPrograms() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("I01", "gzip bomb with a truthful header: 2,739,000 images of 28x28 (2.4 GB of zeros)",
                "IdxReader.read in a child JVM, -Xmx256m",
                "no OutOfMemoryError: IllegalArgumentException or IOException naming the file", () -> {
                    Path f = dir.resolve("i01-images.idx.gz");
                    Crafted.gzipWithZeros(f, idxHeader(2_739_000, 28, 28), 2_739_000L * 28 * 28);
                    Outcome o = boundedMemory("256m", "idx", f, "java.lang.IllegalArgumentException",
                            "java.io.IOException");
                    return new Outcome(o.text() + " (" + Files.size(f) / 1000 + " kB file)",
                            o.pass() && !o.text().contains(": ok "));
                }));
        c.add(new Case("I02", "the trainer prints a 21-line stack trace on an OutOfMemoryError", "train-mnist",
                "n/a: the program (one clear line for any Error)", null));
        c.add(new Case("I03", "a .gz with 10 GiB of trailing zeros after a valid labels file",
                "IdxReader.read in a child JVM; bytes read from disk from /proc/self/io",
                "an error naming the file and the trailing data, after reading well under half of the file", () -> {
                    Path f = dir.resolve("i03-labels.idx.gz");
                    Crafted.gzipWithZeros(f, idx(5), 10L << 30);
                    String[] r = child("256m", "idx", f);
                    long read = Long.parseLong(r[1]);
                    long size = Files.size(f);
                    boolean refused = !r[0].startsWith("ok ") && r[0].contains(f.toString());
                    return new Outcome(abbreviate(r[0]) + "; read " + read + " of " + size + " bytes",
                            refused && read >= 0 && read < size / 2);
                }));
        c.add(new Case("I04", "junk after the gzip stream", "IdxReader.read",
                "an error naming the file and the 26 trailing bytes", () -> {
                    Path f = write("i04.idx.gz", concat(gzip(idx(5)), utf8("junk after the gzip stream")));
                    return expect(Exception.class, () -> loaded(java.util.Arrays.toString(IdxReader.read(f).dims())),
                            f.toString(), "26 bytes");
                }));
        c.add(new Case("I05", "the trainer reads the IDX files twice (subset checksums)", "train-mnist",
                "n/a: the program", null));
        c.add(new Case("I06", "a diverging run overwrites the previous run's metrics.json", "train-mnist",
                "n/a: the program's run files", null));
        c.add(new Case("I07", "disk full while writing the final pictures", "train-mnist",
                "n/a: the program (an error naming the file, metrics not left \"running\")", null));
        c.add(new Case("I08", "a resume with another thread count silently diverges", "train-mnist --resume --threads",
                "n/a here: the thread count is a program setting (the checkpoint should record it)", null));
        c.add(new Case("I09", "after a kill, model, checkpoint and metrics come from three epochs", "train-mnist, kill -9",
                "n/a: the program's run files", null));
        c.add(new Case("I10", "a kill during a checkpoint save leaves a 5 MB temporary file forever",
                "train-mnist, kill -9", "n/a: the program removes stale temporary files at its next start", null));
        return c;
    }
}

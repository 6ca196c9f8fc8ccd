package org.vae4j.testing;

import static org.vae4j.testing.Crafted.concat;
import static org.vae4j.testing.Crafted.f4;
import static org.vae4j.testing.Crafted.gzip;
import static org.vae4j.testing.Crafted.idx;
import static org.vae4j.testing.Crafted.idxHeader;
import static org.vae4j.testing.Crafted.npy;
import static org.vae4j.testing.Crafted.oneTensor;
import static org.vae4j.testing.Crafted.utf8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.vae4j.LatentModel;

/**
 * Writes the committed inputs of the fuzz tests (Jazzer's regression inputs, and the seeds of a
 * fuzzing run): small valid files of each loader and the crafted hostile cases of issue 12 that
 * fit in a few kilobytes. Run from the project root after {@code mvn test-compile}:
 * <pre>java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat target/cp.txt) org.vae4j.testing.FuzzSeeds</pre>
 * with the classpath from {@code mvn dependency:build-classpath -Dmdep.outputFile=target/cp.txt} (docs/TESTING.md). Files are overwritten, so the output is reproducible.
 */
public final class FuzzSeeds {

    private static final Path ROOT = Path.of("src/test/resources/org/vae4j");

    private FuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path scratch = Files.createTempFile("seed", ".safetensors");
        Path st = dir("io/SafeTensorsFuzzTestInputs/load");
        List<LatentModel> models = Crafted.smallModels();
        String[] names = {"vae-bernoulli", "vae-gaussian-deep", "autoencoder", "cvae"};
        byte[] vae = null;
        for (int i = 0; i < models.size(); i++) {
            byte[] file = Crafted.modelFile(models.get(i), scratch);
            put(st, names[i] + ".safetensors", file);
            vae = i == 0 ? file : vae;
        }
        byte[] checkpoint = Crafted.checkpoint(scratch);
        put(st, "checkpoint-adam.safetensors", checkpoint);
        put(st, "table-model.safetensors", Crafted.tableModel(scratch));
        put(st, "minimal-one-tensor.safetensors", oneTensor("", "[2]", 2));
        put(st, "hostile-key-65537-chars.safetensors", oneTensor("\"" + "k".repeat(65_537) + "\":\"v\"", "[1]", 1));
        put(st, "hostile-shape-65-digits.safetensors", oneTensor("", "[" + "9".repeat(65) + "]", 1));
        put(st, "hostile-shape-negative.safetensors", oneTensor("", "[-1]", 1));
        put(st, "hostile-offsets-overlap.safetensors", Crafted.safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
                + "\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]));
        put(st, "hostile-activation-relu-to-tanh.safetensors", Crafted.withMetadata(vae, "vae4j.activation", "tanh"));
        byte[] gaussian = Crafted.modelFile(models.get(1), scratch);
        put(st, "hostile-variance-1e-320.safetensors",
                Crafted.withMetadata(gaussian, "vae4j.likelihood_variance", "1e-320"));
        put(st, "hostile-checkpoint-steps-edited.safetensors",
                Crafted.withMetadata(checkpoint, "vae4j.optimizer_steps", "1000"));
        put(st, "hostile-checkpoint-seed-7-to-6.safetensors", Crafted.withMetadata(checkpoint, "vae4j.seed", "6"));
        put(st, "hostile-checkpoint-batch-2e40.safetensors",
                Crafted.withMetadata(checkpoint, "vae4j.batch_size", Long.toString(1L << 40)));
        put(st, "hostile-hidden-sizes-zero.safetensors", Crafted.withMetadata(vae, "vae4j.hidden_sizes", "0"));
        put(st, "hostile-header-length-huge.safetensors", concat(new byte[] {-1, -1, -1, -1, -1, -1, -1, 127},
                utf8("{}")));

        Path plain = dir("data/IdxFuzzTestInputs/plain");
        put(plain, "images-3x4x4.idx", idx(3, 4, 4));
        put(plain, "labels-5.idx", idx(5));
        put(plain, "images-2x3x3.idx.gz", gzip(idx(2, 3, 3)));
        put(plain, "hostile-truncated.idx", java.util.Arrays.copyOf(idx(3, 4, 4), 30));
        put(plain, "hostile-trailing.idx", concat(idx(5), new byte[] {1, 2, 3}));
        put(plain, "hostile-gz-truthful-huge-header.idx.gz", gzip(concat(idxHeader(2_739_000, 28, 28), new byte[4096])));
        put(plain, "hostile-junk-after-gzip.idx.gz", concat(gzip(idx(5)), utf8("junk after the gzip stream")));
        put(plain, "hostile-gz-cut.idx.gz", java.util.Arrays.copyOf(gzip(idx(3, 4, 4)), 20));
        put(plain, "hostile-html.idx", utf8("<html><body>404</body></html>"));
        Path gz = dir("data/IdxFuzzTestInputs/gzipped");
        put(gz, "images-3x4x4.idx", idx(3, 4, 4));
        put(gz, "labels-5.idx", idx(5));
        put(gz, "hostile-declares-2739000-images.idx", concat(idxHeader(2_739_000, 28, 28), new byte[1024]));
        put(gz, "hostile-trailing.idx", concat(idx(5), new byte[64]));

        Path np = dir("data/NpyFuzzTestInputs/read");
        put(np, "f4-2x3.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f4(1, 2, 3, 4, 5, 6)));
        put(np, "u1-4.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", new byte[] {0, 1, 2, -1}));
        put(np, "hostile-fortran-false-then-true.npy",
                npy("{'descr': '<f4', 'fortran_order': False, 'fortran_order': True, 'shape': (2, 2), }", f4(1, 2, 3, 4)));
        put(np, "hostile-descr-twice.npy",
                npy("{'descr': '<f4', 'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", f4(1, 2)));
        put(np, "hostile-keys-inside-string.npy",
                npy("{'descr': '<f4', 'x': \"'fortran_order': False, 'shape': (1,)\"}", f4(1)));
        put(np, "hostile-big-endian.npy", npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", f4(1)));
        put(np, "hostile-structured.npy",
                npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", f4(1)));
        put(np, "hostile-shape-huge.npy",
                npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 2), }", f4(1)));
        put(np, "hostile-truncated.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 3), }", f4(1)));

        Path csv = dir("data/CsvFuzzTestInputs/read");
        // the last byte is the header flag (FuzzedDataProvider takes booleans from the end)
        put(csv, "matrix-2x3.csv", concat(utf8("1,2,3\n4.5,-6e-3,nan\n"), new byte[] {0}));
        put(csv, "header-comment-bom.csv", concat(utf8("\uFEFFa,b\n# comment\n\n1, 2\r\n3 ,4\n"), new byte[] {1}));
        put(csv, "hostile-invalid-utf8.csv", concat(utf8("1,2\n3,"), new byte[] {(byte) 0xC3, '4', '\n', 0}));
        put(csv, "hostile-java-suffix-1.5f.csv", concat(utf8("1.5f,2\n"), new byte[] {0}));
        put(csv, "hostile-java-2d.csv", concat(utf8("1,2d\n"), new byte[] {0}));
        put(csv, "hostile-hex-float.csv", concat(utf8("0x1p3,1\n"), new byte[] {0}));
        put(csv, "hostile-1e500.csv", concat(utf8("1e500,1\n"), new byte[] {0}));
        put(csv, "hostile-ragged.csv", concat(utf8("1,2\n3\n"), new byte[] {0}));
        put(csv, "hostile-long-line.csv", concat(utf8("0,".repeat(2000) + "0\n"), new byte[] {0}));

        Path table = dir("table/CsvSourceFuzzTestInputs/read");
        put(table, "table.csv", utf8("a,b,c\n1,x,\"q,\"\"uoted\"\"\"\n2,y,\"multi\nline\"\n\n3,z,\n"));
        put(table, "bom-crlf.csv", utf8("\uFEFFa,b\r\n1,2\r\n"));
        put(table, "hostile-invalid-utf8.csv", concat(utf8("a,b\n1,"), new byte[] {(byte) 0xFF, '\n'}));
        put(table, "hostile-unclosed-quote.csv", utf8("a,b\n1,\"never closed\n2,3\n"));
        put(table, "hostile-duplicate-header.csv", utf8("a,a\n1,2\n"));
        put(table, "hostile-empty-name.csv", utf8("a,,b\n1,2,3\n"));
        put(table, "hostile-ragged.csv", utf8("a,b\n1,2,3\n"));
        put(table, "hostile-long-line.csv", utf8("a\n" + "x".repeat(3000) + "\n"));
        put(table, "empty.csv", new byte[0]);
        Files.delete(scratch);
    }

    private static Path dir(String relative) throws IOException {
        return Files.createDirectories(ROOT.resolve(relative));
    }

    private static void put(Path dir, String name, byte[] bytes) throws IOException {
        Files.write(dir.resolve(name), bytes);
    }
}

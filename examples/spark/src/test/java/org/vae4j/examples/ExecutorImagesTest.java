package org.vae4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.data.ImageDataset;
import scala.Tuple2;

/**
 * {@link ExecutorImages}: the tasks' rows are the driver loader's, bit for bit and in file
 * order, from gzipped and from uncompressed IDX files; bad headers are refused naming the file.
 */
class ExecutorImagesTest {

    private static SparkSession spark;
    private static JavaSparkContext sc;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("executor-images-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static String uri(Path p) {
        return p.toAbsolutePath().toUri().toString();
    }

    private static void assertRows(FMatrixRMaj expected, List<float[]> rows) {
        assertEquals(expected.numRows, rows.size());
        int d = expected.numCols;
        for (int r = 0; r < rows.size(); r++) {
            assertArrayEquals(Arrays.copyOfRange(expected.data, r * d, (r + 1) * d), rows.get(r), "image " + r);
        }
    }

    @Test
    void theTasksRowsAreTheLoadersFromGzippedAndPlainFiles() throws IOException {
        ImageDataset all = ImageDataset.loadMnistFormat(TrainSparkRunTest.SUBSET, true);
        String gzImages = uri(TrainSparkRunTest.SUBSET.resolve("train-images-idx3-ubyte.gz"));
        String gzLabels = uri(TrainSparkRunTest.SUBSET.resolve("train-labels-idx1-ubyte.gz"));
        ExecutorImages.Header h = ExecutorImages.header(sc.hadoopConfiguration(), gzImages, gzLabels);
        assertEquals(5000, h.count());
        assertEquals(784, h.pixels());
        assertTrue(h.gzipped());
        assertRows(all.images(), ExecutorImages.images(sc, h, 3).collect());

        // uncompressed copies: read by seeking
        Path images = gunzip(TrainSparkRunTest.SUBSET.resolve("train-images-idx3-ubyte.gz"), dir.resolve("images"));
        Path labels = gunzip(TrainSparkRunTest.SUBSET.resolve("train-labels-idx1-ubyte.gz"), dir.resolve("labels"));
        ExecutorImages.Header plain = ExecutorImages.header(sc.hadoopConfiguration(), uri(images), uri(labels));
        assertTrue(!plain.gzipped());
        List<Tuple2<float[], float[]>> pairs = ExecutorImages.imagesWithLabels(sc, plain, uri(labels), 10, 4).collect();
        assertRows(all.images(), pairs.stream().map(Tuple2::_1).toList());
        for (int r = 0; r < pairs.size(); r++) {
            float[] c = pairs.get(r)._2();
            assertEquals(1f, c[all.labels()[r]], "one-hot label of image " + r);
            assertEquals(1f, sum(c));
        }
    }

    @Test
    void badHeadersAndLengthsAreRefusedNamingTheFile() throws IOException {
        Path images = gunzip(TrainSparkRunTest.SUBSET.resolve("train-images-idx3-ubyte.gz"), dir.resolve("images"));
        byte[] bytes = Files.readAllBytes(images);
        Path cut = dir.resolve("cut");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 100));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExecutorImages.header(new Configuration(), uri(cut), null));
        assertTrue(e.getMessage().contains(uri(cut)) && e.getMessage().contains("5000 images of 28x28 (3920016 bytes "
                + "with the header) but the file has 3919916 bytes"), e.getMessage());
        Path labels = gunzip(TrainSparkRunTest.SUBSET.resolve("train-labels-idx1-ubyte.gz"), dir.resolve("labels"));
        e = assertThrows(IllegalArgumentException.class,
                () -> ExecutorImages.header(new Configuration(), uri(labels), null));
        assertTrue(e.getMessage().contains("not an IDX images file (magic number 0x801"), e.getMessage());
    }

    private static float sum(float[] a) {
        float s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }

    private static Path gunzip(Path gz, Path to) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            Files.write(to, in.readAllBytes());
        }
        return to;
    }
}

package org.vae4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.data.ImageDataset;

/** The tests' one local[2] SparkSession (driver and two executor threads in this JVM, loopback only) and data. */
final class SparkTestSession {

    private static SparkSession session;

    private SparkTestSession() {
    }

    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder().master("local[2]").appName("vae4j-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "4")
                    .getOrCreate();
        }
        return session;
    }

    static JavaSparkContext context() {
        return JavaSparkContext.fromSparkContext(get().sparkContext());
    }

    /** The first {@code rows} training images of the bundled MNIST subset, (rows, 784) in [0, 1]. */
    static FMatrixRMaj mnist(int rows) {
        try {
            FMatrixRMaj all = ImageDataset.loadMnistFormat(Path.of("..", "examples", "data", "mnist-subset"), true)
                    .images();
            FMatrixRMaj x = new FMatrixRMaj(rows, all.numCols);
            System.arraycopy(all.data, 0, x.data, 0, rows * all.numCols);
            return x;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The rows of a matrix as arrays, in order. */
    static java.util.List<float[]> rows(FMatrixRMaj x) {
        java.util.List<float[]> out = new java.util.ArrayList<>();
        for (int r = 0; r < x.numRows; r++) {
            float[] row = new float[x.numCols];
            System.arraycopy(x.data, r * x.numCols, row, 0, x.numCols);
            out.add(row);
        }
        return out;
    }
}

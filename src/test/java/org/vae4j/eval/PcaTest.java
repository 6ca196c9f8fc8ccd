package org.vae4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

class PcaTest {

    private static final double SIGMA = 0.01;
    private static final Path MNIST = Path.of("..", "shared", "data", "mnist");

    /** Points on a 2-D plane through (1, 2, 3, 4, 5) in 5-D (spreads 3 and 1), plus N(0, SIGMA^2) noise. */
    private static FMatrixRMaj plane(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] u1 = {1, 1, 1, 1, 1};
        double[] u2 = {1, -1, 0, 1, -1};
        FMatrixRMaj x = new FMatrixRMaj(n, 5);
        for (int i = 0; i < n; i++) {
            double s1 = 3 * rng.nextGaussian() / Math.sqrt(5);
            double s2 = rng.nextGaussian() / 2;
            for (int j = 0; j < 5; j++) {
                x.set(i, j, (float) (j + 1 + s1 * u1[j] + s2 * u2[j] + SIGMA * rng.nextGaussian()));
            }
        }
        return x;
    }

    @Test
    void twoComponentsOfAPlaneLeaveOnlyTheNoise() {
        FMatrixRMaj train = plane(2000, 1);
        FMatrixRMaj test = plane(1000, 2);
        double noise = 3 * SIGMA * SIGMA; // the noise in the 3 directions off the plane
        double two = Pca.fit(train, 2).squaredErrorPerImage(test);
        double one = Pca.fit(train, 1).squaredErrorPerImage(test);
        double five = Pca.fit(train, 5).squaredErrorPerImage(test);
        assertEquals(noise, two, 0.15 * noise);
        assertEquals(1.0, one, 0.1); // the second direction left out: Var(s2) |u2|^2 = (1/4) 4
        assertTrue(five < 1e-9, "all 5 components reconstruct exactly, error " + five);
    }

    @Test
    void componentsAndVariancesAreThoseOfTheSvdOfTheCentredData() {
        FMatrixRMaj x = plane(300, 3);
        Pca pca = Pca.fit(x, 3);

        DMatrixRMaj centred = new DMatrixRMaj(300, 5);
        double[] mean = pca.mean();
        for (int i = 0; i < 300; i++) {
            for (int j = 0; j < 5; j++) {
                centred.set(i, j, x.get(i, j) - mean[j]);
            }
        }
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(300, 5, false, true, true);
        assertTrue(svd.decompose(centred));
        DMatrixRMaj w = svd.getW(null);
        DMatrixRMaj v = svd.getV(null, false);
        SingularOps_DDRM.descendingOrder(null, false, w, v, false);

        double[] variances = pca.variances();
        DMatrixRMaj components = pca.components();
        for (int c = 0; c < 3; c++) {
            assertEquals(w.get(c, c) * w.get(c, c) / 299, variances[c], 1e-9 * variances[0]);
            double dot = 0;
            for (int j = 0; j < 5; j++) {
                dot += components.get(c, j) * v.get(j, c);
            }
            assertEquals(1.0, Math.abs(dot), 1e-6, "component " + c); // the same direction, up to sign
            for (int e = 0; e < 3; e++) {
                double ce = 0;
                for (int j = 0; j < 5; j++) {
                    ce += components.get(c, j) * components.get(e, j);
                }
                assertEquals(c == e ? 1.0 : 0.0, ce, 1e-9);
            }
        }
        assertArrayEquals(new double[] {1, 2, 3, 4, 5}, mean, 0.2);
        assertTrue(pca.explainedVarianceRatio() > 0.9999 && pca.explainedVarianceRatio() <= 1.0);
    }

    @Test
    void reconstructIsDecodeOfProject() {
        FMatrixRMaj x = plane(2500, 4); // chunks of 1000 rows
        Pca pca = Pca.fit(x, 2);
        FMatrixRMaj codes = pca.project(x);
        assertEquals(2500, codes.numRows);
        assertEquals(2, codes.numCols);
        assertArrayEquals(pca.reconstruct(x).data, pca.decode(codes).data, 1e-5f);
        assertEquals(2, pca.componentCount());
        assertEquals(5, pca.inputSize());
    }

    @Test
    void rejectsBadArguments() {
        FMatrixRMaj x = plane(10, 5);
        assertThrows(IllegalArgumentException.class, () -> Pca.fit(x, 0));
        assertThrows(IllegalArgumentException.class, () -> Pca.fit(x, 6));
        assertThrows(IllegalArgumentException.class, () -> Pca.fit(new FMatrixRMaj(1, 5), 1));
        x.data[7] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> Pca.fit(x, 2));
        assertThrows(IllegalArgumentException.class, () -> Pca.fit(plane(10, 5), 2).project(new FMatrixRMaj(3, 4)));
    }

    static boolean mnistAvailable() {
        return Files.isRegularFile(MNIST.resolve("train-images-idx3-ubyte.gz"))
                && Files.isRegularFile(MNIST.resolve("t10k-images-idx3-ubyte.gz"));
    }

    /**
     * PCA-30 on MNIST (fitted on the 60,000 training images, scored on the 10,000 test images):
     * src/test/python/pca_reference.py (bench/pytorch_ref.py's pca_baseline, a float64 SVD of the
     * centred data in PyTorch) gives 13.866266 per test image.
     */
    @Test
    @EnabledIf("mnistAvailable")
    void thirtyComponentsOnMnistMatchThePyTorchReference() throws IOException {
        FMatrixRMaj train = readImages(MNIST.resolve("train-images-idx3-ubyte.gz"));
        FMatrixRMaj test = readImages(MNIST.resolve("t10k-images-idx3-ubyte.gz"));
        double error = Pca.fit(train, 30).squaredErrorPerImage(test);
        assertTrue(error > 13.5 && error < 14.3, "PCA-30 squared error per test image " + error);
        assertEquals(13.866266, error, 1e-3);
    }

    /** A minimal IDX images reader (gzip, unsigned bytes, pixels / 255), independent of org.vae4j.data. */
    private static FMatrixRMaj readImages(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
            int magic = in.readInt();
            assertEquals(0x00000803, magic, file + ": not an IDX images file");
            int n = in.readInt();
            int d = in.readInt() * in.readInt();
            byte[] bytes = in.readNBytes(n * d);
            assertEquals(n * d, bytes.length, file + " is truncated");
            FMatrixRMaj x = new FMatrixRMaj(n, d);
            for (int i = 0; i < bytes.length; i++) {
                x.data[i] = (bytes[i] & 0xff) / 255f;
            }
            return x;
        }
    }
}

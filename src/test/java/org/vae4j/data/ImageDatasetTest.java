package org.vae4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, subsets, splitting, shuffling and binarisation of {@link ImageDataset}. */
class ImageDatasetTest {

    @TempDir
    Path dir;

    /** n images of 2x3 whose pixels encode the index (so rows can be traced), label = index % 10. */
    static ImageDataset traceable(int n) {
        FMatrixRMaj x = new FMatrixRMaj(n, 6);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 6; j++) {
                x.set(i, j, (float) i / n);
            }
            y[i] = i % 10;
        }
        return new ImageDataset(x, y, 2, 3);
    }

    /** The original index of each row of a dataset made by {@link #traceable}. */
    private static int[] indices(ImageDataset d, int n) {
        int[] idx = new int[d.size()];
        for (int r = 0; r < d.size(); r++) {
            idx[r] = Math.round(d.images().get(r, 0) * n);
            assertEquals(idx[r] % 10, d.labels()[r], "label follows its image");
        }
        return idx;
    }

    @Test
    void fromIdxScalesPixelsAndReadsLabels() throws IOException {
        byte[] pixels = {0, (byte) 255, (byte) 128, 1, 2, 3, 4, 5};
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        Files.write(images, IdxReaderTest.gzip(IdxReaderTest.idx(8, new int[] {2, 2, 2}, pixels)));
        Files.write(labels, IdxReaderTest.gzip(IdxReaderTest.idx(8, new int[] {2}, new byte[] {7, 3})));
        ImageDataset d = ImageDataset.fromIdx(images, labels);
        assertEquals(2, d.size());
        assertEquals(2, d.rows());
        assertEquals(2, d.cols());
        assertEquals(4, d.pixels());
        assertEquals(0f, d.images().get(0, 0));
        assertEquals(1f, d.images().get(0, 1));
        assertEquals(128 / 255f, d.images().get(0, 2));
        assertEquals(5 / 255f, d.images().get(1, 3));
        assertArrayEquals(new int[] {7, 3}, d.labels());
    }

    @Test
    void fromIdxRejectsWrongRankAndCountMismatch() throws IOException {
        Path img = dir.resolve("img");
        Path lab = dir.resolve("lab");
        Files.write(img, IdxReaderTest.idx(8, new int[] {2, 4}, new byte[8]));
        Files.write(lab, IdxReaderTest.idx(8, new int[] {2}, new byte[2]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDataset.fromIdx(img, lab));
        assertTrue(e.getMessage().contains(img + ": images need 3 dimensions"), e.getMessage());

        Files.write(img, IdxReaderTest.idx(8, new int[] {3, 2, 2}, new byte[12]));
        e = assertThrows(IllegalArgumentException.class, () -> ImageDataset.fromIdx(img, lab));
        assertTrue(e.getMessage().contains("3 images") && e.getMessage().contains("2 labels"), e.getMessage());
    }

    @Test
    void loadMnistFormatChecksChecksumsWhenGiven() throws IOException {
        byte[] img = IdxReaderTest.idx(8, new int[] {1, 1, 2}, new byte[] {1, 2});
        byte[] lab = IdxReaderTest.idx(8, new int[] {1}, new byte[] {4});
        Files.write(dir.resolve(ImageDataset.TEST_FILES[0]), IdxReaderTest.gzip(img));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), lab); // raw is accepted too
        Map<String, String> good = Map.of(ImageDataset.TEST_FILES[0], IdxReader.sha256(img),
                ImageDataset.TEST_FILES[1], IdxReader.sha256(lab));
        assertEquals(1, ImageDataset.loadMnistFormat(dir, false, good).size());
        Map<String, String> bad = Map.of(ImageDataset.TEST_FILES[1], IdxReader.sha256(img));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageDataset.loadMnistFormat(dir, false, bad));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte: SHA-256"), e.getMessage());
        assertFalse(ImageDataset.hasMnistFormat(dir));
        assertEquals(java.util.List.copyOf(Arrays.asList(ImageDataset.TRAIN_FILES)),
                ImageDataset.missingMnistFiles(dir));
    }

    @Test
    void constructorRejectsPixelsOutsideTheUnitInterval() {
        FMatrixRMaj x = new FMatrixRMaj(2, 4);
        x.set(1, 2, 1.5f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImageDataset(x, new int[2], 2, 2));
        assertTrue(e.getMessage().contains("pixel 2 of image 1 is 1.5"), e.getMessage());
        x.set(1, 2, Float.NaN);
        assertThrows(IllegalArgumentException.class, () -> new ImageDataset(x, new int[2], 2, 2));
        x.set(1, 2, 0f);
        e = assertThrows(IllegalArgumentException.class, () -> new ImageDataset(x, new int[3], 2, 2));
        assertTrue(e.getMessage().contains("2 images but 3 labels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ImageDataset(x, new int[] {0, -1}, 2, 2));
        assertTrue(e.getMessage().contains("label 1 is negative"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ImageDataset(x, new int[2], 3, 2));
        assertTrue(e.getMessage().contains("4 pixels, not 3x2"), e.getMessage());
    }

    @Test
    void selectCopiesRowsInOrder() {
        ImageDataset d = traceable(20);
        ImageDataset s = d.select(new int[] {5, 0, 5, 19});
        assertArrayEquals(new int[] {5, 0, 5, 19}, indices(s, 20));
        s.images().set(0, 0, 0.99f);
        assertEquals(5 / 20f, d.images().get(5, 0), "a copy, not a view");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.select(new int[] {20}));
        assertTrue(e.getMessage().contains("index 20"), e.getMessage());
        assertArrayEquals(new int[] {0, 1, 2}, indices(d.head(3), 20));
    }

    @Test
    void shuffledIsASeededPermutation() {
        ImageDataset d = traceable(100);
        int[] a = indices(d.shuffled(7), 100);
        int[] b = indices(d.shuffled(7), 100);
        int[] c = indices(d.shuffled(8), 100);
        assertArrayEquals(a, b, "same seed, same order");
        assertFalse(Arrays.equals(a, c), "another seed, another order");
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        int[] identity = new int[100];
        Arrays.setAll(identity, i -> i);
        assertArrayEquals(identity, sorted, "every example exactly once");
    }

    @Test
    void splitIsDisjointCompleteSeededAndKeepsOrder() {
        ImageDataset d = traceable(1000);
        ImageDataset.Split s = d.split(100, 42);
        assertEquals(900, s.train().size());
        assertEquals(100, s.validation().size());
        int[] train = indices(s.train(), 1000);
        int[] val = indices(s.validation(), 1000);
        Set<Integer> all = new HashSet<>();
        for (int i : train) {
            all.add(i);
        }
        for (int i : val) {
            assertTrue(all.add(i), "example " + i + " is in both parts");
        }
        assertEquals(1000, all.size());
        assertTrue(isIncreasing(train) && isIncreasing(val), "both parts keep the original order");
        assertArrayEquals(val, indices(d.split(100, 42).validation(), 1000), "same seed, same split");
        assertFalse(Arrays.equals(val, indices(d.split(100, 43).validation(), 1000)));
        // Not simply the last 100: drawn from the whole range.
        assertTrue(val[0] < 500 && val[99] >= 500, Arrays.toString(val));

        for (int bad : new int[] {0, 1000, -3}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.split(bad, 1));
            assertTrue(e.getMessage().contains("1..999"), e.getMessage());
        }
    }

    private static boolean isIncreasing(int[] a) {
        for (int i = 1; i < a.length; i++) {
            if (a[i] <= a[i - 1]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void binariseDrawsBernoulliWithThePixelAsProbability() {
        int n = 2000;
        FMatrixRMaj src = new FMatrixRMaj(n, 5);
        float[] p = {0f, 0.1f, 0.5f, 0.9f, 1f};
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 5; j++) {
                src.set(i, j, p[j]);
            }
        }
        FMatrixRMaj dst = new FMatrixRMaj(n, 5);
        ImageDataset.binarise(src, dst, new SplittableRandom(3));
        for (int j = 0; j < 5; j++) {
            int ones = 0;
            for (int i = 0; i < n; i++) {
                float v = dst.get(i, j);
                assertTrue(v == 0f || v == 1f);
                ones += (int) v;
            }
            double mean = (double) ones / n;
            double sd = Math.sqrt(p[j] * (1 - p[j]) / n);
            assertEquals(p[j], mean, 4 * sd + 1e-12, "column " + j);
        }
        FMatrixRMaj again = dst.copy();
        ImageDataset.binarise(src, again, new SplittableRandom(3));
        assertArrayEquals(dst.data, again.data, "same generator state, same draw");
        ImageDataset.binarise(src, again, new SplittableRandom(4));
        assertFalse(Arrays.equals(dst.data, again.data), "a fresh draw differs");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageDataset.binarise(src, new FMatrixRMaj(n, 4), new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("dst is (2000, 4) but src is (2000, 5)"), e.getMessage());
    }

    @Test
    void binariseAllocatesNothing() {
        FMatrixRMaj src = traceable(5000).images();
        FMatrixRMaj dst = new FMatrixRMaj(src.numRows, src.numCols);
        SplittableRandom rng = new SplittableRandom(9);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20; i++) {
            ImageDataset.binarise(src, dst, rng); // warm-up
        }
        long thread = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 10; i++) {
            ImageDataset.binarise(src, dst, rng);
        }
        long bytes = mx.getThreadAllocatedBytes(thread) - before;
        assertTrue(bytes < 1024, "10 epochs of binarisation allocated " + bytes + " bytes");
    }

    @Test
    void fixedBinarisationIsDeterministic() {
        ImageDataset d = traceable(200);
        ImageDataset a = d.binarised(5);
        assertArrayEquals(a.images().data, d.binarised(5).images().data);
        assertFalse(Arrays.equals(a.images().data, d.binarised(6).images().data));
        assertArrayEquals(d.labels(), a.labels());

        ImageDataset t = d.thresholded(0.5f);
        for (int i = 0; i < 200; i++) {
            assertEquals(d.images().get(i, 0) > 0.5f ? 1f : 0f, t.images().get(i, 0));
        }
        assertThrows(IllegalArgumentException.class, () -> d.thresholded(1f));
    }
}

package org.vae4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * The real files: the bundled subset in examples/data/mnist-subset, and, when the shared data
 * folder ../shared/data is present, full MNIST and Fashion-MNIST against the published checksums
 * (through {@link DataSets#load} with an explicit folder, so no network is involved).
 */
class MnistFilesTest {

    private static final Path SUBSET = Path.of("examples", "data", "mnist-subset");
    private static final Path SHARED = Path.of("..", "shared", "data");

    @Test
    void bundledSubsetLoadsWithItsChecksums() throws IOException {
        DatasetSplits d = DataSets.loadBundledSubset(SUBSET);
        assertTrue(d.isBundledSubset());
        assertEquals("mnist", d.name());
        assertEquals(5000, d.train().size());
        assertEquals(1000, d.test().size());
        assertEquals(28, d.train().rows());
        assertEquals(28, d.train().cols());
        int[] counts = new int[10];
        for (int y : d.train().labels()) {
            counts[y]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(counts[c] > 350, "digit " + c + " has " + counts[c] + " training images");
        }
        long bytes = 0;
        for (String f : ImageDataset.ALL_FILES) {
            bytes += Files.size(SUBSET.resolve(f));
        }
        assertTrue(bytes < 2_000_000, "the subset is " + bytes + " bytes");
        // The SHA256SUMS file shipped with the subset agrees with the code.
        for (String line : Files.readAllLines(SUBSET.resolve("SHA256SUMS.uncompressed"))) {
            String[] parts = line.trim().split("\\s+");
            assertEquals(parts[0], DatasetSource.MNIST_SUBSET.sha256().get(parts[1] + ".gz"), parts[1]);
        }
    }

    @Test
    void bundledSubsetIsTheHeadOfFullMnist() throws IOException {
        assumeTrue(ImageDataset.hasMnistFormat(SHARED.resolve("mnist")), "no shared MNIST");
        DatasetSplits full = DataSets.load("mnist", SHARED.resolve("mnist"));
        DatasetSplits subset = DataSets.loadBundledSubset(SUBSET);
        assertEquals(DataLocator.Origin.EXPLICIT, full.location().origin());
        assertEquals(60000, full.train().size());
        assertEquals(10000, full.test().size());
        assertArrayEquals(full.train().head(5000).images().data, subset.train().images().data);
        assertArrayEquals(Arrays.copyOf(full.train().labels(), 5000), subset.train().labels());
        assertArrayEquals(full.test().head(1000).images().data, subset.test().images().data);
        assertArrayEquals(Arrays.copyOf(full.test().labels(), 1000), subset.test().labels());
    }

    @Test
    void fashionMnistMatchesItsPublishedChecksums() throws IOException {
        // The shared root holds both sets; the name picks the subfolder.
        assumeTrue(ImageDataset.hasMnistFormat(SHARED.resolve("fashion-mnist")), "no shared Fashion-MNIST");
        DatasetSplits d = DataSets.load("fashion-mnist", SHARED);
        assertEquals(SHARED.resolve("fashion-mnist"), d.dir());
        assertEquals(60000, d.train().size());
        assertEquals(10000, d.test().size());
        assertEquals(SHARED.resolve("fashion-mnist"), DataSets.locate("fashion-mnist", SHARED));
    }
}

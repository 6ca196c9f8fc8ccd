package org.vae4j.data;

import java.io.IOException;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MNIST-format data sets by name ({@code mnist}, {@code fashion-mnist}) with the default search:
 * the explicit folder, {@code $VAE4J_DATA}, the cache {@code ~/.cache/vae4j/<name>}, then a
 * verified download into the cache. For extra folders, other mirrors or the bundled subset as a
 * last resort, use {@link #locator(String)}; {@link DataLocator} documents the order. Stateless.
 */
public final class DataSets {

    private static final Logger LOG = LoggerFactory.getLogger(DataSets.class);

    private DataSets() {
    }

    /**
     * {@return the folder holding a data set's four files, downloading them if needed}
     *
     * @param name        {@code mnist} or {@code fashion-mnist}
     * @param explicitDir a folder that must hold the files (then nothing else is searched), or null
     * @throws DataNotFoundException    when the files are nowhere and cannot be downloaded, or the explicit
     *                                  folder does not hold them
     * @throws IllegalArgumentException for an unknown name
     */
    public static Path locate(String name, Path explicitDir) throws IOException {
        return locator(name).explicitDir(explicitDir).build().locate().dir();
    }

    /**
     * Both splits of a data set, each file checked against its published SHA-256.
     *
     * @param name        {@code mnist} or {@code fashion-mnist}
     * @param explicitDir a folder that must hold the files (then nothing else is searched), or null
     * @return both splits and where they were found
     * @throws DataNotFoundException    when the files are nowhere and cannot be downloaded, or the explicit
     *                                  folder does not hold them
     * @throws IllegalArgumentException for an unknown name, or a corrupt or different file
     * @throws IOException              when a file cannot be read
     */
    public static DatasetSplits load(String name, Path explicitDir) throws IOException {
        return locator(name).explicitDir(explicitDir).build().load();
    }

    /**
     * {@return a locator builder with the default settings, to add candidates, the bundled subset or other options to}
     *
     * @param name {@code mnist} or {@code fashion-mnist}
     * @throws IllegalArgumentException for an unknown name
     */
    public static DataLocator.Builder locator(String name) {
        return DataLocator.builder(name);
    }

    /**
     * Loads the bundled MNIST subset (the first 5,000 training and 1,000 test images), checking
     * its checksums, and logs {@link DataLocator#BUNDLED_SUBSET_WARNING} at WARN.
     *
     * @param dir the subset's folder, {@code examples/data/mnist-subset} in the source tree
     * @return both splits, named {@code mnist}, verified as {@code mnist-subset}
     * @throws DataNotFoundException    when the folder lacks a file
     * @throws IllegalArgumentException when a file is corrupt or is not the subset's
     * @throws IOException              when a file cannot be read
     */
    public static DatasetSplits loadBundledSubset(Path dir) throws IOException {
        if (!ImageDataset.hasMnistFormat(dir)) {
            throw new DataNotFoundException("the bundled MNIST subset is not in " + dir + ": missing "
                    + ImageDataset.missingMnistFiles(dir), null, null);
        }
        LOG.warn("{} (from {})", DataLocator.BUNDLED_SUBSET_WARNING, dir);
        var sums = DatasetSource.MNIST_SUBSET.sha256();
        ImageDataset train = ImageDataset.loadMnistFormat(dir, true, sums);
        ImageDataset test = ImageDataset.loadMnistFormat(dir, false, sums);
        return new DatasetSplits(DatasetSource.MNIST.name(),
                new DataLocator.Location(dir, DataLocator.Origin.BUNDLED_SUBSET), train, test,
                DatasetSource.MNIST_SUBSET.name());
    }
}

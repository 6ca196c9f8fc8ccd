package org.vae4j.data;

import java.nio.file.Path;

/**
 * The training and test splits of an MNIST-format data set, and where they were found. Immutable
 * by convention (see {@link ImageDataset}).
 *
 * @param name     the data set's name, e.g. {@code mnist}
 * @param location the folder and how it was found
 * @param train    the training split (60,000 images for MNIST)
 * @param test     the test split (10,000 images for MNIST)
 */
public record DatasetSplits(String name, DataLocator.Location location, ImageDataset train, ImageDataset test) {

    /** {@return the folder the files were read from} */
    public Path dir() {
        return location.dir();
    }

    /** {@return whether this is the bundled 5,000-image MNIST subset rather than the full set} */
    public boolean isBundledSubset() {
        return location.origin() == DataLocator.Origin.BUNDLED_SUBSET;
    }
}

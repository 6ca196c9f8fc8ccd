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
 * @param verifiedAs the name of the checksum table all four files matched (e.g. {@code mnist},
 *                 {@code mnist-subset}), or null when they were not verified (checksums off, or a
 *                 set no checksum is known for: {@link DataLocator.Builder#acceptUnknownSets(boolean)})
 */
public record DatasetSplits(String name, DataLocator.Location location, ImageDataset train, ImageDataset test,
                            String verifiedAs) {

    /**
     * Splits verified against the table of their own name ({@code verifiedAs = name}).
     *
     * @param name     the data set's name, also the checksum table they matched
     * @param location the folder and how it was found
     * @param train    the training split
     * @param test     the test split
     */
    public DatasetSplits(String name, DataLocator.Location location, ImageDataset train, ImageDataset test) {
        this(name, location, train, test, name);
    }

    /** {@return the folder the files were read from} */
    public Path dir() {
        return location.dir();
    }

    /**
     * {@return whether this is the bundled 5,000-image MNIST subset rather than the full set: found as
     * the last resort, or a folder given by hand whose files are the subset's}
     */
    public boolean isBundledSubset() {
        return location.origin() == DataLocator.Origin.BUNDLED_SUBSET
                || DatasetSource.MNIST_SUBSET.name().equals(verifiedAs);
    }

    /** {@return whether the four files matched a published checksum table ({@link #verifiedAs()} is not null)} */
    public boolean isVerified() {
        return verifiedAs != null;
    }
}

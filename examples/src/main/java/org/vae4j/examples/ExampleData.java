package org.vae4j.examples;

import java.io.IOException;
import java.nio.file.Path;

import org.vae4j.data.DataLocator;
import org.vae4j.data.DatasetSource;
import org.vae4j.data.DatasetSplits;

/**
 * Finds MNIST or Fashion-MNIST for the example programs, in the order docs/DATA.md gives:
 * {@code --data DIR}, {@code $VAE4J_DATA}, then {@code ../shared/data/<name>} next to the project
 * (for developers of vae4j), the cache {@code ~/.cache/vae4j/<name>}, a download into the cache,
 * and for MNIST, as a loud last resort, the 5,000-image subset in {@code examples/data/mnist-subset}.
 *
 * <p>The project root comes from the system property {@code vae4j.root}, which the launcher
 * {@code examples/run} sets; without it (e.g. in an IDE), the working directory is taken as the root.
 */
final class ExampleData {

    /** System property naming the project root (set by {@code examples/run}). */
    static final String ROOT_PROPERTY = "vae4j.root";

    private ExampleData() {
    }

    /** The project root: {@code -Dvae4j.root}, else the working directory. */
    static Path projectRoot() {
        String root = System.getProperty(ROOT_PROPERTY);
        return (root == null || root.isBlank() ? Path.of("") : Path.of(root)).toAbsolutePath().normalize();
    }

    /** The locator of a data set by name, with the examples' extra folder and the bundled subset. */
    static DataLocator locator(String name, Path explicitDir) {
        return builder(name, explicitDir).build();
    }

    private static DataLocator.Builder builder(String name, Path explicitDir) {
        Path root = projectRoot();
        Path shared = root.getParent() == null ? root.resolve("shared") : root.getParent().resolve("shared");
        return DataLocator.builder(name)
                .explicitDir(explicitDir)
                .extraCandidate(shared.resolve("data").resolve(name))
                .bundledSubset(root.resolve("examples").resolve("data").resolve("mnist-subset"));
    }

    /**
     * Both splits, each file checked against its published SHA-256.
     *
     * @throws org.vae4j.data.DataNotFoundException when the files are nowhere and cannot be downloaded
     * @throws IllegalArgumentException             for an unknown name or a corrupt file
     */
    static DatasetSplits load(String name, Path explicitDir) throws IOException {
        return locator(name, explicitDir).load();
    }

    /**
     * Both splits of whatever known set the files found for {@code name} hold (by their SHA-256;
     * {@link DatasetSplits#name()} says which), or of a folder of IDX files no checksum is known
     * for ({@link DatasetSplits#isVerified()} false). A name the library does not know (a resumed
     * run on such files) searches as mnist.
     */
    static DatasetSplits loadRecognised(String name, Path explicitDir) throws IOException {
        String known = DatasetSource.names().contains(name) ? name : DatasetSource.MNIST.name();
        return builder(known, explicitDir)
                .recogniseKnownSets(true)
                .acceptUnknownSets(true)
                .build().load();
    }
}

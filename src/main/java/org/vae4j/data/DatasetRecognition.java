package org.vae4j.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which known data set four MNIST-format files hold, by the SHA-256 of their uncompressed
 * content ({@link DataLocator#load()}): MNIST, Fashion-MNIST or the bundled MNIST subset, or
 * none. Stateless.
 */
final class DatasetRecognition {

    /** The sets whose checksums the library knows, in the order they are tried. */
    static final List<DatasetSource> KNOWN = List.of(DatasetSource.MNIST, DatasetSource.FASHION_MNIST,
            DatasetSource.MNIST_SUBSET);

    private static final Logger LOG = LoggerFactory.getLogger(DataLocator.class);

    private DatasetRecognition() {
    }

    /**
     * What four loaded files are.
     *
     * @param name       the name to load them under
     * @param verifiedAs the checksum table they matched, null for none
     */
    record Verdict(String name, String verifiedAs) {
    }

    /**
     * Checks the four checksums {@code actual} of the files in {@code loc} against the table of
     * {@code sums} (the requested set's, or the subset's when it was the last resort), then the
     * known sets', as {@link DataLocator#load()} documents.
     *
     * @param where the end of every message: the requested set, the folder and how it was found
     * @throws IllegalArgumentException naming the file whose checksum differs, or the set the files hold
     */
    static Verdict verify(DatasetSource requested, DatasetSource sums, DataLocator.Location loc, String[] actual,
                          boolean recogniseKnownSets, boolean acceptUnknownSets, String where) {
        if (matches(sums.sha256(), actual) == actual.length) {
            return new Verdict(requested.name(), sums.name());
        }
        DatasetSource known = allMatch(actual);
        String mnist = DatasetSource.MNIST.name();
        if (known == DatasetSource.MNIST_SUBSET && requested.name().equals(mnist)) {
            // e.g. --data examples/data/mnist-subset: accepted by the subset's own checksums
            LOG.warn("{} holds the bundled 5,000-image MNIST subset, not full MNIST", loc.dir());
            return new Verdict(mnist, known.name());
        }
        if (known != null) {
            String holds = loc.dir() + " holds " + displayName(known) + " (the SHA-256 of all four files match it)";
            String asName = known == DatasetSource.MNIST_SUBSET ? mnist : known.name();
            if (!recogniseKnownSets) {
                throw new IllegalArgumentException(holds + ", not " + displayName(requested) + ": ask for "
                        + asName + where);
            }
            LOG.info("{}, loaded as such", holds);
            return new Verdict(asName, known.name());
        }
        DataLocator.Origin o = loc.origin();
        if (acceptUnknownSets && (o == DataLocator.Origin.EXPLICIT || o == DataLocator.Origin.ENVIRONMENT
                || o == DataLocator.Origin.EXTRA) && !anyKnown(actual)) {
            String name = unknownName(loc.dir());
            LOG.info("no checksum is known for the files in {}: loaded unverified as '{}'", loc.dir(), name);
            return new Verdict(name, null);
        }
        DatasetSource closest = closest(actual, sums);
        throw new IllegalArgumentException(mismatch(loc.dir(), actual, closest.sha256())
                + (closest != sums ? "; the other files are those of " + displayName(closest) : "") + where);
    }

    /** The error for the first of the four files whose SHA-256 differs from the table's. */
    static String mismatch(Path dir, String[] actual, Map<String, String> sha256) {
        for (int i = 0; i < actual.length; i++) {
            String file = ImageDataset.ALL_FILES.get(i);
            String expected = sha256.get(file);
            if (expected != null && !expected.equalsIgnoreCase(actual[i])) {
                return ImageDataset.fileIn(dir, file) + ": SHA-256 of the uncompressed data is " + actual[i]
                        + ", expected " + expected + " (corrupt or a different file)";
            }
        }
        return dir + ": the checksums differ from the table's";
    }

    /**
     * The known set all four of whose checksums equal {@code actual}, or null.
     *
     * @param actual the SHA-256 of the files of {@link ImageDataset#ALL_FILES}, in that order
     */
    static DatasetSource allMatch(String[] actual) {
        for (DatasetSource s : KNOWN) {
            if (matches(s.sha256(), actual) == actual.length) {
                return s;
            }
        }
        return null;
    }

    /** Whether any one of the four files has the checksum of a file of a known set (a corrupt known set). */
    static boolean anyKnown(String[] actual) {
        for (DatasetSource s : KNOWN) {
            if (matches(s.sha256(), actual) > 0) {
                return true;
            }
        }
        return false;
    }

    /** How many of the four files match the table. */
    static int matches(Map<String, String> sha256, String[] actual) {
        int n = 0;
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] != null && actual[i].equalsIgnoreCase(sha256.get(ImageDataset.ALL_FILES.get(i)))) {
                n++;
            }
        }
        return n;
    }

    /** The known set whose table matches most of the four files (at least one), else {@code fallback}. */
    static DatasetSource closest(String[] actual, DatasetSource fallback) {
        DatasetSource best = fallback;
        int most = matches(fallback.sha256(), actual);
        for (DatasetSource s : KNOWN) {
            int n = matches(s.sha256(), actual);
            if (n > most) {
                best = s;
                most = n;
            }
        }
        return best;
    }

    /** A set's name for people: {@code MNIST}, {@code Fashion-MNIST}, {@code the bundled MNIST subset}, else its name. */
    static String displayName(DatasetSource s) {
        return displayName(s.name());
    }

    /** {@link #displayName(DatasetSource)} of a name. */
    static String displayName(String name) {
        return switch (name) {
            case "mnist" -> "MNIST";
            case "fashion-mnist" -> "Fashion-MNIST";
            case "mnist-subset" -> "the bundled MNIST subset";
            default -> name;
        };
    }

    /**
     * The name of a set of files no checksum is known for: the folder's name in lower case, other
     * characters than letters, digits, '-' and '_' replaced by '-' (e.g. {@code emnist-letters}).
     */
    static String unknownName(Path dir) {
        Path f = dir.toAbsolutePath().normalize().getFileName();
        String s = f == null ? "" : f.toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
        s = s.replaceAll("^[-_]+", "");
        return s.isEmpty() ? "idx" : s;
    }
}

package org.vae4j.data;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where an MNIST-format data set comes from: its name (also its cache folder), the mirrors that
 * serve its four IDX {@code .gz} files, and the SHA-256 of each file's uncompressed content. The
 * public mirrors and published checksums live here and nowhere else.
 *
 * <p>The mirrors of a named set can be replaced with the system property
 * {@code vae4j.data.mirrors.<name>} (comma-separated base URLs, e.g. an internal mirror), or in
 * code with {@link #withMirrors(List)}. Immutable and thread-safe.
 *
 * @param name    lower-case name, e.g. {@code mnist}; letters, digits, '-' and '_' only
 * @param mirrors base URLs tried in order; each file is fetched from {@code base + fileName}. May be empty
 * @param sha256  hex SHA-256 of the gunzipped content, by {@code .gz} file name, for all four
 *                files of {@link ImageDataset#ALL_FILES}
 */
public record DatasetSource(String name, List<URI> mirrors, Map<String, String> sha256) {

    /** System property prefix that overrides a named set's mirrors. */
    public static final String MIRRORS_PROPERTY = "vae4j.data.mirrors.";

    /**
     * MNIST (LeCun, Cortes, Burges; CC BY-SA 3.0). The original site yann.lecun.com no longer
     * serves the files reliably; these are the mirrors torchvision uses.
     */
    public static final DatasetSource MNIST = new DatasetSource("mnist",
            uris("https://ossci-datasets.s3.amazonaws.com/mnist/",
                 "https://storage.googleapis.com/cvdf-datasets/mnist/"),
            sums(
                    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte",
                    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte",
                    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte",
                    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte"));

    /** Fashion-MNIST (Xiao, Rasul, Vollgraf 2017; MIT), from Zalando Research's S3 website. */
    public static final DatasetSource FASHION_MNIST = new DatasetSource("fashion-mnist",
            uris("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
            sums(
                    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888  train-images-idx3-ubyte",
                    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9  train-labels-idx1-ubyte",
                    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b  t10k-images-idx3-ubyte",
                    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34  t10k-labels-idx1-ubyte"));

    /**
     * The MNIST subset shipped in {@code examples/data/mnist-subset/}: the first 5,000 training and
     * the first 1,000 test images of MNIST with their labels. Not downloadable.
     */
    public static final DatasetSource MNIST_SUBSET = new DatasetSource("mnist-subset", List.of(),
            sums(
                    "1e3ffdb2f57e22d9e5363dde25c2d057542c2e72baa312f0f3b03948bb3802b7  train-images-idx3-ubyte",
                    "685aeb7baef68233efa643639a5e9c15bb48be09a628f96fb7f606ca2a1ea7bc  train-labels-idx1-ubyte",
                    "de7c252b04f05e1f8309634180ccdf286dc6dbac8c579b74e76e02ae0331ca52  t10k-images-idx3-ubyte",
                    "832c0d20f0dc42e575488c75a83a970787d4c8d4d05831b2ef03701b4a478a90  t10k-labels-idx1-ubyte"));

    /**
     * Checks the name, copies the lists, and normalises each mirror to end with '/'.
     *
     * @param name    lower-case name: letters, digits, '-' and '_', starting with a letter or digit
     * @param mirrors http(s) base URLs tried in order, possibly none
     * @param sha256  64 hex digits (either case, stored lower-case) for each of the four {@code .gz} names of
     *                {@link ImageDataset#ALL_FILES}, and nothing else
     * @throws IllegalArgumentException for a bad name, a mirror that is not http(s), or a missing, malformed or
     *                                  extra checksum
     */
    public DatasetSource {
        if (name == null || !name.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException("data set name must be lower-case letters, digits, '-' or '_', got '"
                    + name + "'");
        }
        List<URI> normalised = new ArrayList<>();
        for (URI m : mirrors) {
            String s = m.toString();
            if (!"http".equals(m.getScheme()) && !"https".equals(m.getScheme())) {
                throw new IllegalArgumentException(name + ": mirror " + s + " is not an http(s) URL");
            }
            normalised.add(s.endsWith("/") ? m : URI.create(s + "/"));
        }
        mirrors = List.copyOf(normalised);
        Map<String, String> sums = new LinkedHashMap<>();
        for (String file : ImageDataset.ALL_FILES) {
            String sum = sha256.get(file);
            if (sum == null || !sum.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException(name + ": SHA-256 of " + file + " must be 64 hex digits, got "
                        + sum);
            }
            sums.put(file, sum.toLowerCase(Locale.ROOT));
        }
        if (sha256.size() != sums.size()) {
            throw new IllegalArgumentException(name + ": checksums given for files other than " + ImageDataset.ALL_FILES
                    + ": " + sha256.keySet());
        }
        sha256 = Map.copyOf(sums);
    }

    /** {@return the names {@link #named(String)} knows: {@code mnist}, {@code fashion-mnist}} */
    public static List<String> names() {
        return List.of(MNIST.name, FASHION_MNIST.name);
    }

    /**
     * {@return a known data set by name, with its mirrors replaced by the system property
     * {@code vae4j.data.mirrors.<name>} when that is set}
     *
     * @param name {@code mnist} or {@code fashion-mnist} (case-insensitive; also {@code fashion_mnist} and
     *             {@code fashionmnist})
     * @throws IllegalArgumentException for an unknown name, or a mirror in the property that is not http(s)
     */
    public static DatasetSource named(String name) {
        DatasetSource base;
        switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
            case "mnist": base = MNIST; break;
            case "fashion-mnist": case "fashion_mnist": case "fashionmnist": base = FASHION_MNIST; break;
            default: throw new IllegalArgumentException("unknown data set '" + name + "'; known: " + names());
        }
        String override = System.getProperty(MIRRORS_PROPERTY + base.name);
        if (override == null || override.isBlank()) {
            return base;
        }
        List<URI> list = new ArrayList<>();
        for (String s : override.split(",")) {
            if (!s.isBlank()) {
                list.add(URI.create(s.trim()));
            }
        }
        return base.withMirrors(list);
    }

    /**
     * {@return the same set served from other mirrors (tests, internal mirrors)}
     *
     * @param newMirrors http(s) base URLs tried in order, possibly none
     * @throws IllegalArgumentException for a mirror that is not http(s)
     */
    public DatasetSource withMirrors(List<URI> newMirrors) {
        return new DatasetSource(name, newMirrors, sha256);
    }

    /**
     * {@return the URL of one file on one mirror: {@code file} resolved against {@code mirror}}
     *
     * @param mirror a base URL ending in '/', e.g. one of {@link #mirrors()}
     * @param file   a file name, e.g. {@code train-images-idx3-ubyte.gz}
     */
    public URI url(URI mirror, String file) {
        return mirror.resolve(file);
    }

    private static List<URI> uris(String... s) {
        return java.util.Arrays.stream(s).map(URI::create).toList();
    }

    /**
     * A checksum table from lines in the format of {@code sha256sum} / SHA256SUMS files:
     * {@code <hex>  <uncompressed file name>}; keyed by the {@code .gz} name.
     */
    private static Map<String, String> sums(String... lines) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : lines) {
            String[] parts = line.trim().split("\\s+");
            m.put(parts[1] + ".gz", parts[0]);
        }
        return m;
    }
}

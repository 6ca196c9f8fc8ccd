package org.vae4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the four IDX files of an MNIST-format data set on this machine, downloading them into a
 * cache when they are nowhere, and loads them.
 *
 * <p>Resolution order, first folder holding all four files wins (each file {@code .gz} or raw):
 * <ol>
 *   <li>the explicit folder ({@code --data DIR}), then {@code DIR/<name>}; when given and neither
 *       holds the files, that is an error: nothing else is tried;</li>
 *   <li>{@code $VAE4J_DATA/<name>}, then {@code $VAE4J_DATA};</li>
 *   <li>extra candidate folders, in the order added (e.g. a developer's {@code ../shared/data/<name>});</li>
 *   <li>the cache, {@code ~/.cache/vae4j/<name>};</li>
 *   <li>a download of the missing files from the source's mirrors into the cache: each file is
 *       streamed into a temporary file, its SHA-256 (of the gunzipped content) checked against the
 *       published value, and only then renamed into place;</li>
 *   <li>the bundled MNIST subset, if one was configured and the set is {@code mnist}, with a WARN
 *       log line ({@link #BUNDLED_SUBSET_WARNING});</li>
 *   <li>otherwise a {@link DataNotFoundException} saying where the files were looked for and
 *       exactly where to put them.</li>
 * </ol>
 *
 * <p>{@link #load()} checks each file against the source's SHA-256 unless
 * {@link Builder#verifyChecksums(boolean) verifyChecksums(false)}, so a corrupt cache or the wrong
 * data set in a folder is caught. Immutable and thread-safe once built; concurrent downloads of
 * the same file are safe (each writes its own temporary file and renames it atomically).
 *
 * <pre>{@code
 * DatasetSplits mnist = DataLocator.builder("mnist")
 *         .explicitDir(dataDirOrNull)
 *         .extraCandidate(Path.of("..", "shared", "data", "mnist"))
 *         .bundledSubset(Path.of("examples", "data", "mnist-subset"))
 *         .build()
 *         .load();
 * }</pre>
 */
public final class DataLocator {

    private static final Logger LOG = LoggerFactory.getLogger(DataLocator.class);

    /** Environment variable naming a data root: {@code $VAE4J_DATA/<name>}, then {@code $VAE4J_DATA}. */
    public static final String ENV_VAR = "VAE4J_DATA";
    /** Default time to open a connection to a mirror. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default longest wait for the next bytes of a download. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(20);
    /** Largest file a download accepts (Fashion-MNIST's largest is 26 MB). */
    public static final long MAX_DOWNLOAD_BYTES = 256L << 20;
    /** The WARN line logged when the bundled subset is used. */
    public static final String BUNDLED_SUBSET_WARNING =
            "using the bundled 5,000-image MNIST subset; results will not match full MNIST";

    /** Where the data was found. */
    public enum Origin {
        /** The explicit folder ({@link Builder#explicitDir}, a program's {@code --data}). */
        EXPLICIT("the folder given"),
        /** Under {@code $VAE4J_DATA}. */
        ENVIRONMENT("under $" + ENV_VAR),
        /** An extra candidate folder. */
        EXTRA("an extra candidate folder"),
        /** The cache, from an earlier download or put there by hand. */
        CACHE("the cache"),
        /** The cache, downloaded by this call. */
        DOWNLOADED("downloaded into the cache"),
        /** The bundled MNIST subset (5,000 train, 1,000 test). */
        BUNDLED_SUBSET("the bundled subset");

        private final String description;

        Origin(String description) {
            this.description = description;
        }

        /** {@return how messages name it, e.g. {@code the folder given}} */
        public String description() {
            return description;
        }
    }

    /**
     * A folder holding the four files.
     *
     * @param dir    the folder
     * @param origin how it was found
     */
    public record Location(Path dir, Origin origin) {
    }

    private final DatasetSource source;
    private final Path explicitDir;
    private final List<Path> extraCandidates;
    private final Map<String, String> environment;
    private final Path cacheRoot;
    private final boolean download;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Path bundledSubset;
    private final boolean verifyChecksums;
    private final boolean recogniseKnownSets;
    private final boolean acceptUnknownSets;

    private DataLocator(Builder b) {
        this.source = b.source;
        this.explicitDir = b.explicitDir;
        this.extraCandidates = List.copyOf(b.extraCandidates);
        this.environment = Map.copyOf(b.environment);
        this.cacheRoot = b.cacheRoot;
        this.download = b.download;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.bundledSubset = b.bundledSubset;
        this.verifyChecksums = b.verifyChecksums;
        this.recogniseKnownSets = b.recogniseKnownSets;
        this.acceptUnknownSets = b.acceptUnknownSets;
    }

    /**
     * {@return a builder of a locator for a known data set, with the default settings}
     *
     * @param name {@code mnist} or {@code fashion-mnist} (case-insensitive; see {@link DatasetSource#named})
     * @throws IllegalArgumentException for an unknown name
     */
    public static Builder builder(String name) {
        return new Builder(DatasetSource.named(name));
    }

    /**
     * {@return a builder of a locator for any MNIST-format source (other mirrors or checksums, e.g. in tests)}
     *
     * @param source the set's name, mirrors and checksums
     * @throws NullPointerException for a null source
     */
    public static Builder builder(DatasetSource source) {
        return new Builder(Objects.requireNonNull(source, "source"));
    }

    /** {@return the default cache root: {@code ~/.cache/vae4j}} */
    public static Path defaultCacheRoot() {
        return Path.of(System.getProperty("user.home"), ".cache", "vae4j");
    }

    /** Settings of a {@link DataLocator}. Not thread-safe. */
    public static final class Builder {
        private final DatasetSource source;
        private Path explicitDir;
        private final List<Path> extraCandidates = new ArrayList<>();
        private Map<String, String> environment = System.getenv();
        private Path cacheRoot = defaultCacheRoot();
        private boolean download = true;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private Path bundledSubset;
        private boolean verifyChecksums = true;
        private boolean recogniseKnownSets;
        private boolean acceptUnknownSets;

        private Builder(DatasetSource source) {
            this.source = source;
        }

        /**
         * A folder that must hold the files (a program's {@code --data DIR}), or null for none: when
         * given, nothing else is searched.
         *
         * @param dir the folder (or its {@code <name>} subfolder) that must hold the files; null (the default)
         *            for none
         * @return this builder
         */
        public Builder explicitDir(Path dir) {
            this.explicitDir = dir;
            return this;
        }

        /**
         * A folder tried after {@code $VAE4J_DATA} and before the cache; may be added several times.
         *
         * @param dir the folder, not null
         * @return this builder
         */
        public Builder extraCandidate(Path dir) {
            this.extraCandidates.add(Objects.requireNonNull(dir, "dir"));
            return this;
        }

        /**
         * The environment read for {@link #ENV_VAR} (default {@link System#getenv()}; tests pass their own).
         *
         * @param env variable names to values, not null
         * @return this builder
         */
        public Builder environment(Map<String, String> env) {
            this.environment = Objects.requireNonNull(env, "env");
            return this;
        }

        /**
         * The cache root; the data lives in {@code <root>/<name>} (default {@code ~/.cache/vae4j}).
         *
         * @param root the cache root, not null
         * @return this builder
         */
        public Builder cacheRoot(Path root) {
            this.cacheRoot = Objects.requireNonNull(root, "root");
            return this;
        }

        /**
         * Whether to download missing files (default true).
         *
         * @param enabled true to download the files no folder holds into the cache, false to fail instead
         * @return this builder
         */
        public Builder download(boolean enabled) {
            this.download = enabled;
            return this;
        }

        /**
         * Download timeouts: to open a connection, and the longest wait for the next bytes (defaults
         * {@link #DEFAULT_CONNECT_TIMEOUT} and {@link #DEFAULT_READ_TIMEOUT}).
         *
         * @param connect the longest wait to open a connection to a mirror, positive
         * @param read    the longest wait for the next bytes of a download, positive
         * @return this builder
         * @throws IllegalArgumentException unless both are non-null and positive
         */
        public Builder timeouts(Duration connect, Duration read) {
            if (connect == null || read == null || connect.isNegative() || connect.isZero() || read.isNegative()
                    || read.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive, got " + connect + ", " + read);
            }
            this.connectTimeout = connect;
            this.readTimeout = read;
            return this;
        }

        /**
         * The folder of the bundled MNIST subset, used as the last resort (with a WARN) when the
         * set is {@code mnist} and nothing else is available; ignored for other sets. Null for none.
         *
         * @param dir the subset's folder (e.g. {@code examples/data/mnist-subset}), or null (the default) for none
         * @return this builder
         */
        public Builder bundledSubset(Path dir) {
            this.bundledSubset = dir;
            return this;
        }

        /**
         * Whether {@link #load()} checks each file's SHA-256 (default true).
         *
         * @param verify true to check, false to load any valid IDX files unchecked
         *               ({@link DatasetSplits#verifiedAs()} is then null)
         * @return this builder
         */
        public Builder verifyChecksums(boolean verify) {
            this.verifyChecksums = verify;
            return this;
        }

        /**
         * Whether {@link #load()} loads files whose checksums are all those of another known set
         * (MNIST, Fashion-MNIST, the bundled subset) as that set, named so in
         * {@link DatasetSplits#name()} (default false: an error naming the set they hold).
         *
         * @param recognise true to load such files as the set they are
         * @return this builder
         */
        public Builder recogniseKnownSets(boolean recognise) {
            this.recogniseKnownSets = recognise;
            return this;
        }

        /**
         * Whether {@link #load()} accepts a folder (the explicit one, under {@code $VAE4J_DATA} or
         * an extra candidate; never the cache) of valid IDX files none of which has a known
         * checksum, e.g. EMNIST or KMNIST, unverified: {@link DatasetSplits#verifiedAs()} is then
         * null and the name is the folder's (default false: a checksum error).
         *
         * @param accept true to load such files unverified
         * @return this builder
         */
        public Builder acceptUnknownSets(boolean accept) {
            this.acceptUnknownSets = accept;
            return this;
        }

        /** {@return a locator with these settings; the builder may be used again} */
        public DataLocator build() {
            return new DataLocator(this);
        }
    }

    /** {@return the data set this locator looks for} */
    public DatasetSource source() {
        return source;
    }

    /** {@return where downloads go: {@code <cacheRoot>/<name>}} */
    public Path cacheDir() {
        return cacheRoot.resolve(source.name());
    }

    /**
     * Finds the folder holding the four files, downloading them into the cache if needed. Does not
     * read or verify the files ({@link #load()} does).
     *
     * @return the folder and how it was found
     * @throws DataNotFoundException when the files are nowhere and cannot be downloaded (no
     *                               network, bad checksums, cache not writable), or the explicit
     *                               folder does not hold them
     */
    public Location locate() throws IOException {
        if (explicitDir != null) {
            for (Path p : List.of(explicitDir, explicitDir.resolve(source.name()))) {
                if (ImageDataset.hasMnistFormat(p)) {
                    return found(p, Origin.EXPLICIT);
                }
            }
            String what = Files.isDirectory(explicitDir) ? "missing " + ImageDataset.missingMnistFiles(explicitDir)
                    : "no such folder";
            throw new DataNotFoundException("the explicit data folder " + explicitDir + " does not hold the "
                    + source.name() + " files (" + what + "; also looked in " + explicitDir.resolve(source.name())
                    + ")." + System.lineSeparator() + "Put the four files " + String.join(", ", ImageDataset.ALL_FILES)
                    + " there, or give no explicit folder (explicitDir null) to search $" + ENV_VAR
                    + " and the cache " + cacheDir() + " (downloaded there when online).", cacheDir(), null);
        }
        List<String> looked = new ArrayList<>();
        for (Candidate c : candidates()) {
            List<String> missing = ImageDataset.missingMnistFiles(c.dir);
            if (missing.isEmpty()) {
                return found(c.dir, c.origin);
            }
            looked.add(c.dir + " (" + c.label + ": " + (missing.size() == 4 ? "missing"
                    : "missing " + String.join(", ", missing)) + ")");
        }
        String why;
        IOException cause = null;
        if (!download) {
            why = "downloading is off";
        } else if (source.mirrors().isEmpty()) {
            why = "no mirror is known for it";
        } else {
            try {
                downloadMissing();
                return found(cacheDir(), Origin.DOWNLOADED);
            } catch (IOException e) { // every mirror failed, or the cache cannot be written
                why = "the download failed: " + e.getMessage();
                cause = e;
            }
        }
        String message = notFoundMessage(why, looked);
        if (bundledSubset != null && source.name().equals(DatasetSource.MNIST.name())
                && ImageDataset.hasMnistFormat(bundledSubset)) {
            LOG.warn("{}", message);
            LOG.warn("{} (from {})", BUNDLED_SUBSET_WARNING, bundledSubset);
            return new Location(bundledSubset, Origin.BUNDLED_SUBSET);
        }
        throw new DataNotFoundException(message, cacheDir(), cause);
    }

    /**
     * Locates and reads both splits, checking each file's SHA-256 (unless turned off). Files
     * whose four checksums are those of another known set (e.g. Fashion-MNIST asked for as MNIST)
     * are an error naming the set they hold, unless {@link Builder#recogniseKnownSets(boolean)};
     * files of no known set, an error unless {@link Builder#acceptUnknownSets(boolean)}.
     *
     * @return both splits, the name of the set they hold, where they were found and which checksum table they
     *         matched
     * @throws DataNotFoundException    see {@link #locate()}
     * @throws IllegalArgumentException when a file is corrupt or differs from the published one;
     *                                  the message names the file, the folder and how it was found
     * @throws IOException              when a file cannot be read
     */
    public DatasetSplits load() throws IOException {
        Location loc = locate();
        DatasetSource sums = loc.origin() == Origin.BUNDLED_SUBSET ? DatasetSource.MNIST_SUBSET : source;
        String where = " [" + source.name() + " data read from " + loc.dir() + ", "
                + loc.origin().description() + "]";
        // each file is read once, its SHA-256 computed on the way and then compared with the tables
        ImageDataset.Hashed train;
        ImageDataset.Hashed test;
        try {
            train = ImageDataset.loadHashed(loc.dir(), true);
            test = ImageDataset.loadHashed(loc.dir(), false);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + where, e);
        }
        String name = source.name();
        String verifiedAs = null;
        if (verifyChecksums) {
            String[] actual = {train.imagesSha256(), train.labelsSha256(), test.imagesSha256(), test.labelsSha256()};
            DatasetRecognition.Verdict v = DatasetRecognition.verify(source, sums, loc, actual, recogniseKnownSets,
                    acceptUnknownSets, where);
            name = v.name();
            verifiedAs = v.verifiedAs();
        }
        LOG.info("{}: {} train and {} test images of {}x{} from {} ({})", name, train.data().size(),
                test.data().size(), train.data().rows(), train.data().cols(), loc.dir(),
                loc.origin().description());
        return new DatasetSplits(name, loc, train.data(), test.data(), verifiedAs);
    }

    /** A folder to look in, and how to name it in messages. */
    private record Candidate(Path dir, Origin origin, String label) {
    }

    /** The folders tried after the explicit one, in order. */
    private List<Candidate> candidates() {
        List<Candidate> list = new ArrayList<>();
        String env = environment.get(ENV_VAR);
        if (env != null && !env.isBlank()) {
            list.add(new Candidate(Path.of(env, source.name()), Origin.ENVIRONMENT,
                    "$" + ENV_VAR + "/" + source.name()));
            list.add(new Candidate(Path.of(env), Origin.ENVIRONMENT, "$" + ENV_VAR));
        }
        for (Path p : extraCandidates) {
            list.add(new Candidate(p, Origin.EXTRA, "extra"));
        }
        list.add(new Candidate(cacheDir(), Origin.CACHE, "cache"));
        return list;
    }

    private static Location found(Path dir, Origin origin) {
        LOG.debug("data found in {} ({})", dir, origin);
        return new Location(dir, origin);
    }

    /**
     * Downloads each file the cache lacks; stops at the first file no mirror could serve, since
     * the set would be incomplete (and with no network, the others would fail the same way).
     */
    private void downloadMissing() throws IOException {
        Path dir = cacheDir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create the data cache " + dir + ": " + e.getMessage(), e);
        }
        Downloader downloader = new Downloader(connectTimeout, readTimeout, MAX_DOWNLOAD_BYTES);
        for (String file : ImageDataset.ALL_FILES) {
            if (!Files.isRegularFile(ImageDataset.fileIn(dir, file))) {
                downloader.fetch(source, file, dir);
            }
        }
    }

    /** Says what failed, then exactly where to put the files. */
    private String notFoundMessage(String why, List<String> looked) {
        String files = String.join(", ", ImageDataset.ALL_FILES);
        StringBuilder m = new StringBuilder();
        m.append(source.name()).append(" data not found and ").append(why).append('.').append(System.lineSeparator());
        m.append("Put the four files ").append(files).append(" into ").append(cacheDir());
        if (!source.mirrors().isEmpty()) {
            m.append(" (from ").append(source.mirrors().get(0)).append(" on a machine with network)");
        }
        m.append(',').append(System.lineSeparator());
        m.append("or into any folder DIR given as the explicit folder (DataSets.load(\"").append(source.name())
                .append("\", DIR), DataLocator.Builder.explicitDir), or set ").append(ENV_VAR)
                .append("=DIR (searched as DIR/").append(source.name()).append(", then DIR).")
                .append(System.lineSeparator());
        m.append("Looked in: ").append(String.join("; ", looked)).append('.');
        return m.toString();
    }
}

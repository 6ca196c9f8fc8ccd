package org.vae4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The search order, the download path and the failure messages of {@link DataLocator}, against a
 * small HTTP server on the loopback interface serving tiny MNIST-format fixtures. Never touches
 * the network, the real cache or the real environment.
 */
class DataLocatorTest {

    @TempDir
    Path tmp;

    private Path cache;
    private HttpServer server;
    /** Paths requested from the server, in order. */
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    /** Bytes the server answers with, by path; a missing path gets 404. */
    private final Map<String, byte[]> served = new HashMap<>();

    /** The four fixture files (gzip), by file name: 3 training and 2 test images of 2x2. */
    private static final Map<String, byte[]> FILES = new LinkedHashMap<>();
    /** SHA-256 of each fixture's uncompressed content. */
    private static final Map<String, String> SUMS = new HashMap<>();

    static {
        try {
            byte[][] raw = {
                IdxReaderTest.idx(8, new int[] {3, 2, 2}, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255}),
                IdxReaderTest.idx(8, new int[] {3}, new byte[] {1, 2, 3}),
                IdxReaderTest.idx(8, new int[] {2, 2, 2}, new byte[] {9, 8, 7, 6, 5, 4, 3, 2}),
                IdxReaderTest.idx(8, new int[] {2}, new byte[] {0, 9}),
            };
            for (int i = 0; i < 4; i++) {
                String name = ImageDataset.ALL_FILES.get(i);
                FILES.put(name, IdxReaderTest.gzip(raw[i]));
                SUMS.put(name, IdxReader.sha256(raw[i]));
            }
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @BeforeEach
    void startServer() throws IOException {
        cache = tmp.resolve("cache");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requests.add(path);
            byte[] body;
            synchronized (served) {
                body = served.get(path);
            }
            if (path.startsWith("/moved/")) {
                exchange.getResponseHeaders().add("Location", "/good/" + path.substring("/moved/".length()));
                exchange.sendResponseHeaders(302, -1);
            } else if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
        serve("/good/", FILES);
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void serve(String prefix, Map<String, byte[]> files) {
        synchronized (served) {
            files.forEach((name, bytes) -> served.put(prefix + name, bytes));
        }
    }

    private URI mirror(String prefix) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + prefix);
    }

    /** The fixture set named "mnist" (so the bundled-subset fallback applies) served from the given mirrors. */
    private static DatasetSource source(URI... mirrors) {
        return new DatasetSource("mnist", List.of(mirrors), SUMS);
    }

    /**
     * A locator that sees no real environment and uses the temporary cache. The timeouts are
     * generous (a loaded CI machine can take seconds to answer on loopback); only the stalled-server
     * test shortens them.
     */
    private DataLocator.Builder locator(DatasetSource source) {
        return DataLocator.builder(source).environment(Map.of()).cacheRoot(cache)
                .timeouts(Duration.ofSeconds(20), Duration.ofSeconds(20));
    }

    private static void putFiles(Path dir, Map<String, byte[]> files) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
    }

    /** A port nothing listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static List<Path> leftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }

    private static void assertContains(String message, String... fragments) {
        for (String f : fragments) {
            assertTrue(message.contains(f), "message '" + message + "' lacks '" + f + "'");
        }
    }

    @Test
    void downloadsVerifiesCachesAndThenUsesTheCache() throws IOException {
        DataLocator loc = locator(source(mirror("/good/"))).build();
        DatasetSplits d = loc.load();
        assertEquals(DataLocator.Origin.DOWNLOADED, d.location().origin());
        assertEquals(cache.resolve("mnist"), d.dir());
        assertEquals(4, requests.size());
        for (String f : ImageDataset.ALL_FILES) {
            assertArrayEquals(FILES.get(f), Files.readAllBytes(cache.resolve("mnist").resolve(f)));
        }
        assertEquals(List.of(), leftovers(cache.resolve("mnist")), "no temporary files left");
        assertEquals(3, d.train().size());
        assertEquals(2, d.test().size());
        assertArrayEquals(new int[] {1, 2, 3}, d.train().labels());
        assertEquals(1f, d.train().images().get(2, 3));
        assertFalse(d.isBundledSubset());

        DatasetSplits again = loc.load();
        assertEquals(DataLocator.Origin.CACHE, again.location().origin());
        assertEquals(4, requests.size(), "the cache is used without a request");
    }

    @Test
    void existingCacheIsUsedWithoutNetwork() throws IOException {
        putFiles(cache.resolve("mnist"), FILES);
        URI dead = URI.create("http://127.0.0.1:" + closedPort() + "/");
        DataLocator.Location l = locator(source(dead)).build().locate();
        assertEquals(new DataLocator.Location(cache.resolve("mnist"), DataLocator.Origin.CACHE), l);
    }

    @Test
    void partialCacheDownloadsOnlyTheMissingFiles() throws IOException {
        Map<String, byte[]> two = new LinkedHashMap<>(FILES);
        two.remove(ImageDataset.TEST_FILES[0]);
        two.remove(ImageDataset.TEST_FILES[1]);
        putFiles(cache.resolve("mnist"), two);
        assertEquals(DataLocator.Origin.DOWNLOADED, locator(source(mirror("/good/"))).build().locate().origin());
        assertEquals(List.of("/good/" + ImageDataset.TEST_FILES[0], "/good/" + ImageDataset.TEST_FILES[1]), requests);
    }

    @Test
    void corruptDownloadIsRejectedAndNotCached() throws IOException {
        Map<String, byte[]> corrupt = new LinkedHashMap<>(FILES);
        byte[] flipped = IdxReaderTest.gzip(IdxReaderTest.idx(8, new int[] {3, 2, 2}, new byte[12]));
        corrupt.put(ImageDataset.TRAIN_FILES[0], flipped);
        serve("/bad/", corrupt);
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> locator(source(mirror("/bad/"))).build().locate());
        assertContains(e.getMessage(), mirror("/bad/") + ImageDataset.TRAIN_FILES[0], "SHA-256", "expected "
                + SUMS.get(ImageDataset.TRAIN_FILES[0]), "not cached");
        assertFalse(Files.exists(cache.resolve("mnist").resolve(ImageDataset.TRAIN_FILES[0])));
        assertEquals(List.of(), leftovers(cache.resolve("mnist")), "no temporary files left");
        assertEquals(cache.resolve("mnist"), e.cacheDir());
    }

    @Test
    void aDownloadWithJunkAfterItsGzipStreamIsRejectedAndTheNextMirrorTried() throws IOException {
        Map<String, byte[]> junk = new LinkedHashMap<>(FILES);
        byte[] good = FILES.get(ImageDataset.TRAIN_FILES[0]);
        byte[] appended = java.util.Arrays.copyOf(good, good.length + 5); // five zero bytes after the stream
        junk.put(ImageDataset.TRAIN_FILES[0], appended);
        serve("/junk/", junk);
        DataLocator loc = locator(source(mirror("/junk/"), mirror("/good/"))).build();
        assertEquals(DataLocator.Origin.DOWNLOADED, loc.locate().origin());
        assertTrue(requests.contains("/good/" + ImageDataset.TRAIN_FILES[0]), requests.toString());
        assertEquals(3, loc.load().train().size());
    }

    @Test
    void nextMirrorIsTriedAfterACorruptOrMissingFile() throws IOException {
        Map<String, byte[]> corrupt = new LinkedHashMap<>(FILES);
        corrupt.put(ImageDataset.TRAIN_FILES[1], "<html>rate limited</html>".getBytes());
        serve("/bad/", corrupt);
        DataLocator loc = locator(source(mirror("/empty/"), mirror("/bad/"), mirror("/good/"))).build();
        assertEquals(DataLocator.Origin.DOWNLOADED, loc.locate().origin());
        assertTrue(requests.contains("/good/" + ImageDataset.TRAIN_FILES[1]), requests.toString());
        assertFalse(requests.contains("/good/" + ImageDataset.TRAIN_FILES[0]), "first good mirror wins");
        assertEquals(3, loc.load().train().size());
    }

    @Test
    void redirectsAreFollowed() throws IOException {
        assertEquals(DataLocator.Origin.DOWNLOADED, locator(source(mirror("/moved/"))).build().locate().origin());
        assertTrue(requests.contains("/good/" + ImageDataset.TEST_FILES[1]), requests.toString());
    }

    @Test
    void httpErrorIsReported() {
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> locator(source(mirror("/empty/"))).build().locate());
        assertContains(e.getMessage(), mirror("/empty/") + ImageDataset.TRAIN_FILES[0] + ": HTTP 404");
    }

    @Test
    void serverDownSaysExactlyWhereToPutTheFiles() throws IOException {
        URI dead = URI.create("http://127.0.0.1:" + closedPort() + "/mnist/");
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> locator(source(dead)).build().locate());
        String m = e.getMessage();
        assertContains(m, "mnist data not found", "download failed", "connection refused", dead.toString(),
                cache.resolve("mnist").toString(), "DataSets.load(\"mnist\", DIR)", "VAE4J_DATA=DIR", "DIR/mnist");
        assertFalse(m.contains("--"), "a library message speaks of the API, not of a program's flags: " + m);
        for (String f : ImageDataset.ALL_FILES) {
            assertContains(m, f);
        }
        // No network: the first file's failure stops the attempt; the other three are not tried.
        assertFalse(m.contains(dead + ImageDataset.TRAIN_FILES[1]), m);
        assertEquals(List.of(), leftovers(cache.resolve("mnist")));
    }

    @Test
    void stalledServerTimesOut() throws IOException {
        // The kernel completes the connection, but nobody ever answers.
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            URI stalled = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/");
            long t0 = System.nanoTime();
            DataNotFoundException e = assertThrows(DataNotFoundException.class,
                    () -> locator(source(stalled)).timeouts(Duration.ofMillis(500), Duration.ofMillis(500))
                            .build().locate());
            assertContains(e.getMessage(), "timed out", "read 500 ms");
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "gave up quickly");
        }
    }

    @Test
    void downloadCanBeTurnedOff() {
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> locator(source(mirror("/good/"))).download(false).build().locate());
        assertContains(e.getMessage(), "downloading is off", cache.resolve("mnist").toString());
        assertEquals(List.of(), requests);
    }

    @Test
    void searchOrderIsExplicitThenEnvironmentThenExtraThenCache() throws IOException {
        Path explicit = tmp.resolve("explicit");
        Path envRoot = tmp.resolve("env");
        Path extra = tmp.resolve("extra");
        putFiles(explicit, FILES);
        putFiles(envRoot.resolve("mnist"), FILES);
        putFiles(envRoot, FILES);
        putFiles(extra, FILES);
        putFiles(cache.resolve("mnist"), FILES);
        Map<String, String> env = Map.of(DataLocator.ENV_VAR, envRoot.toString());
        DatasetSource src = source(mirror("/good/"));

        assertEquals(new DataLocator.Location(explicit, DataLocator.Origin.EXPLICIT),
                locator(src).environment(env).extraCandidate(extra).explicitDir(explicit).build().locate());
        assertEquals(new DataLocator.Location(envRoot.resolve("mnist"), DataLocator.Origin.ENVIRONMENT),
                locator(src).environment(env).extraCandidate(extra).build().locate());
        deleteFiles(envRoot.resolve("mnist"));
        assertEquals(new DataLocator.Location(envRoot, DataLocator.Origin.ENVIRONMENT),
                locator(src).environment(env).extraCandidate(extra).build().locate());
        deleteFiles(envRoot);
        assertEquals(new DataLocator.Location(extra, DataLocator.Origin.EXTRA),
                locator(src).environment(env).extraCandidate(extra).build().locate());
        deleteFiles(extra);
        assertEquals(new DataLocator.Location(cache.resolve("mnist"), DataLocator.Origin.CACHE),
                locator(src).environment(env).extraCandidate(extra).build().locate());
        assertEquals(List.of(), requests);
    }

    private static void deleteFiles(Path dir) throws IOException {
        for (String f : ImageDataset.ALL_FILES) {
            Files.delete(dir.resolve(f));
        }
    }

    @Test
    void explicitFolderMayHoldTheSetInASubfolder() throws IOException {
        Path root = tmp.resolve("data");
        putFiles(root.resolve("mnist"), FILES);
        assertEquals(new DataLocator.Location(root.resolve("mnist"), DataLocator.Origin.EXPLICIT),
                locator(source(mirror("/good/"))).explicitDir(root).build().locate());
    }

    @Test
    void explicitFolderWithoutTheFilesIsAnErrorEvenWithACache() throws IOException {
        putFiles(cache.resolve("mnist"), FILES);
        Path explicit = tmp.resolve("empty");
        Files.createDirectories(explicit);
        Files.write(explicit.resolve(ImageDataset.TRAIN_FILES[0]), FILES.get(ImageDataset.TRAIN_FILES[0]));
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> locator(source(mirror("/good/"))).explicitDir(explicit)
                        .bundledSubset(Path.of("examples", "data", "mnist-subset")).build().locate());
        assertContains(e.getMessage(), "the explicit data folder " + explicit, "missing [" + ImageDataset.TRAIN_FILES[1],
                explicit.resolve("mnist").toString(), "explicitDir null");
        assertFalse(e.getMessage().contains("--"), "a library message speaks of the API, not of a program's flags: "
                + e.getMessage());
        assertEquals(List.of(), requests);
    }

    @Test
    void partialFolderIsReportedWithWhatItLacks() throws IOException {
        Path extra = tmp.resolve("half");
        putFiles(extra, Map.of(ImageDataset.TRAIN_FILES[0], FILES.get(ImageDataset.TRAIN_FILES[0])));
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> locator(source()).extraCandidate(extra).build().locate());
        assertContains(e.getMessage(), "no mirror is known", extra + " (extra: missing " + ImageDataset.TRAIN_FILES[1],
                cache.resolve("mnist") + " (cache: missing)");
    }

    @Test
    void loadRejectsACorruptCacheNamingWhereItWasFound() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>(FILES);
        byte[] otherLabels = IdxReaderTest.idx(8, new int[] {2}, new byte[] {1, 1});
        files.put(ImageDataset.TEST_FILES[1], IdxReaderTest.gzip(otherLabels));
        putFiles(cache.resolve("mnist"), files);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> locator(source(mirror("/good/"))).build().load());
        assertContains(e.getMessage(), ImageDataset.TEST_FILES[1], "SHA-256", "the cache]");
        // With verification off the (structurally valid) files load.
        assertEquals(2, locator(source(mirror("/good/"))).verifyChecksums(false).build().load().test().size());
    }

    @Test
    void explicitFolderHoldingTheBundledSubsetIsAcceptedByItsOwnChecksums() throws IOException {
        Path subset = Path.of("examples", "data", "mnist-subset");
        DatasetSplits d = DataLocator.builder("mnist").explicitDir(subset).build().load();
        assertEquals(5000, d.train().size());
        assertEquals(1000, d.test().size());
    }

    @Test
    void filesOfAnotherKnownSetAreNamedAndLoadedAsThatSetWhenAsked() throws IOException {
        Path subset = Path.of("examples", "data", "mnist-subset");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataLocator.builder("fashion-mnist").explicitDir(subset).build().load());
        assertContains(e.getMessage(), subset + " holds the bundled MNIST subset (the SHA-256 of all four files match it)",
                "not Fashion-MNIST: ask for mnist", "the folder given]");
        assertFalse(e.getMessage().contains("EXPLICIT"), e.getMessage());
        DatasetSplits d = DataLocator.builder("fashion-mnist").explicitDir(subset).recogniseKnownSets(true).build()
                .load();
        assertEquals("mnist", d.name());
        assertEquals("mnist-subset", d.verifiedAs());
        assertTrue(d.isBundledSubset());
        assertEquals(5000, d.train().size());
    }

    @Test
    void aFolderOfFilesWithNoKnownChecksumLoadsUnverifiedOnlyWhenAcceptedAndNotFromTheCache() throws IOException {
        Path emnist = tmp.resolve("EMNIST letters");
        putFiles(emnist, FILES); // valid IDX files whose checksums no table knows
        DatasetSource mnist = DatasetSource.MNIST;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> locator(mnist).explicitDir(emnist).build().load());
        assertContains(e.getMessage(), emnist.resolve(ImageDataset.TRAIN_FILES[0]) + ": SHA-256");
        DatasetSplits d = locator(mnist).explicitDir(emnist).acceptUnknownSets(true).build().load();
        assertEquals("emnist-letters", d.name());
        assertNull(d.verifiedAs());
        assertFalse(d.isVerified());
        assertEquals(3, d.train().size());
        // the cache only ever holds checked files: an unknown set there is an error even when accepted elsewhere
        putFiles(cache.resolve("mnist"), FILES);
        assertThrows(IllegalArgumentException.class, () -> locator(mnist).acceptUnknownSets(true).build().load());
    }

    @Test
    void aCorruptFileOfAKnownSetIsNamedEvenWhenUnknownSetsAreAccepted() throws IOException {
        Path subset = Path.of("examples", "data", "mnist-subset");
        Path copy = tmp.resolve("subset");
        Files.createDirectories(copy);
        for (String f : ImageDataset.ALL_FILES) {
            Files.copy(subset.resolve(f), copy.resolve(f));
        }
        byte[] otherLabels = IdxReaderTest.idx(8, new int[] {1000}, new byte[1000]);
        Files.write(copy.resolve(ImageDataset.TEST_FILES[1]), IdxReaderTest.gzip(otherLabels));
        for (boolean accept : new boolean[] {false, true}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DataLocator.builder("mnist").explicitDir(copy).acceptUnknownSets(accept)
                            .recogniseKnownSets(true).build().load());
            assertContains(e.getMessage(), copy.resolve(ImageDataset.TEST_FILES[1]) + ": SHA-256 of the uncompressed "
                    + "data is " + IdxReader.sha256(otherLabels), "expected "
                    + DatasetSource.MNIST_SUBSET.sha256().get(ImageDataset.TEST_FILES[1]),
                    "the other files are those of the bundled MNIST subset");
        }
    }

    @Test
    void bundledSubsetIsTheLoudLastResortForMnistOnly() throws IOException {
        Path subset = Path.of("examples", "data", "mnist-subset");
        Logger logger = (Logger) LoggerFactory.getLogger(DataLocator.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            DatasetSplits d = locator(source()).bundledSubset(subset).build().load();
            assertTrue(d.isBundledSubset());
            assertEquals(5000, d.train().size());
            assertEquals(1000, d.test().size());
            assertTrue(appender.list.stream().anyMatch(ev -> ev.getLevel() == ch.qos.logback.classic.Level.WARN
                    && ev.getFormattedMessage().contains(DataLocator.BUNDLED_SUBSET_WARNING)), "WARN logged");
            assertTrue(appender.list.stream().anyMatch(ev -> ev.getFormattedMessage().contains("Put the four files")),
                    "the instructions for the full set are logged too");
        } finally {
            logger.detachAppender(appender);
        }
        DatasetSource fashion = new DatasetSource("fashion-mnist", List.of(), SUMS);
        assertThrows(DataNotFoundException.class, () -> locator(fashion).bundledSubset(subset).build().locate());
    }

    @Test
    void mirrorsCanBeReplacedByASystemProperty() {
        String key = DatasetSource.MIRRORS_PROPERTY + "fashion-mnist";
        System.setProperty(key, "http://127.0.0.1:1/a, http://127.0.0.1:1/b/");
        try {
            assertEquals(List.of(URI.create("http://127.0.0.1:1/a/"), URI.create("http://127.0.0.1:1/b/")),
                    DatasetSource.named("fashion-mnist").mirrors());
            assertEquals(DatasetSource.FASHION_MNIST.sha256(), DatasetSource.named("Fashion-MNIST").sha256());
        } finally {
            System.clearProperty(key);
        }
        assertEquals(DatasetSource.FASHION_MNIST.mirrors(), DatasetSource.named("fashion-mnist").mirrors());
    }

    @Test
    void knownSourcesCarryThePublishedChecksums() throws IOException {
        assertEquals(List.of("mnist", "fashion-mnist"), DatasetSource.names());
        assertEquals(2, DatasetSource.MNIST.mirrors().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetSource.named("cifar"));
        assertContains(e.getMessage(), "unknown data set 'cifar'", "mnist", "fashion-mnist");
        // The checksums in the code are those of the shared data folder's SHA256SUMS files.
        for (DatasetSource s : List.of(DatasetSource.MNIST, DatasetSource.FASHION_MNIST)) {
            Path sums = Path.of("..", "shared", "data", s.name(), "SHA256SUMS.uncompressed");
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(sums), "no " + sums);
            for (String line : Files.readAllLines(sums)) {
                String[] parts = line.trim().split("\\s+");
                assertEquals(parts[0], s.sha256().get(parts[1] + ".gz"), s.name() + " " + parts[1]);
            }
        }
    }

    @Test
    void sourceRejectsIncompleteChecksumTables() {
        Map<String, String> three = new HashMap<>(SUMS);
        three.remove(ImageDataset.TEST_FILES[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DatasetSource("x", List.of(), three));
        assertContains(e.getMessage(), ImageDataset.TEST_FILES[1], "64 hex digits");
        assertThrows(IllegalArgumentException.class, () -> new DatasetSource("../etc", List.of(), SUMS));
        assertThrows(IllegalArgumentException.class,
                () -> new DatasetSource("x", List.of(URI.create("ftp://h/")), SUMS));
    }
}

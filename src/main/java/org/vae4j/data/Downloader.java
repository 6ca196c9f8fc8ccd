package org.vae4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLConnection;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vae4j.internal.AtomicFiles;

/**
 * Fetches one file of a {@link DatasetSource} from its mirrors into a folder: try each mirror in
 * turn, stream the response into a temporary file beside the target, check the SHA-256 of its
 * gunzipped content, and only then rename it to its final name. A file that fails the check is
 * deleted and never reaches the cache. Uses {@link HttpURLConnection}, so the standard proxy
 * properties ({@code https.proxyHost}, ...) apply. Immutable and thread-safe.
 */
final class Downloader {

    private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);

    /** Redirects followed per request (a mirror may move http to https). */
    private static final int MAX_REDIRECTS = 5;

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final long maxBytes;

    /**
     * @param connectTimeout time to open a connection
     * @param readTimeout    longest wait for the next bytes of a response
     * @param maxBytes       largest file accepted (a runaway or hostile server is cut off)
     */
    Downloader(Duration connectTimeout, Duration readTimeout, long maxBytes) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.maxBytes = maxBytes;
    }

    /**
     * Downloads {@code file} into {@code dir}, verified, from the first mirror that serves it.
     *
     * @throws IOException when every mirror failed; the message names each URL and why
     */
    void fetch(DatasetSource source, String file, Path dir) throws IOException {
        Path target = dir.resolve(file);
        String expected = source.sha256().get(file);
        List<String> failures = new ArrayList<>();
        IOException last = null;
        for (URI mirror : source.mirrors()) {
            URI url = source.url(mirror, file);
            Path tmp = AtomicFiles.createTempSibling(target);
            try {
                LOG.info("downloading {}", url);
                long bytes = get(url, tmp);
                String actual;
                try {
                    actual = IdxReader.sha256Uncompressed(tmp);
                } catch (IOException | IllegalArgumentException e) { // IllegalArgument: junk after the gzip stream
                    throw new ContentException(url + ": not a valid gzip file (" + e.getMessage() + "); not cached");
                }
                if (!actual.equals(expected)) {
                    throw new ContentException(url + ": SHA-256 of the gunzipped content is " + actual + ", expected "
                            + expected + " (corrupt or a different file); not cached");
                }
                AtomicFiles.moveIntoPlace(tmp, target);
                LOG.info("saved {} ({} bytes, SHA-256 verified)", target, bytes);
                return;
            } catch (ContentException e) {
                failures.add(e.getMessage());
                last = e;
                LOG.warn("{}", e.getMessage());
            } catch (IOException e) {
                failures.add(url + ": " + describe(e));
                last = e;
                LOG.warn("download of {} failed: {}", url, describe(e));
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        if (failures.isEmpty()) {
            throw new IOException(source.name() + ": no mirror is known for " + file);
        }
        throw new IOException(String.join("; ", failures), last);
    }

    /** GETs {@code url} into {@code tmp}, following redirects; returns the byte count. */
    private long get(URI url, Path tmp) throws IOException {
        URI current = url;
        for (int hop = 0; ; hop++) {
            URLConnection conn = current.toURL().openConnection();
            if (!(conn instanceof HttpURLConnection)) {
                throw new ContentException(current + ": not an http(s) URL");
            }
            HttpURLConnection c = (HttpURLConnection) conn;
            c.setConnectTimeout(millis(connectTimeout));
            c.setReadTimeout(millis(readTimeout));
            c.setInstanceFollowRedirects(false);
            c.setRequestProperty("User-Agent", "vae4j");
            try {
                int code = c.getResponseCode();
                if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
                    String location = c.getHeaderField("Location");
                    if (location == null || hop >= MAX_REDIRECTS) {
                        throw new ContentException(current + ": HTTP " + code
                                + (location == null ? " without a Location header" : ", too many redirects"));
                    }
                    current = current.resolve(location);
                    continue;
                }
                if (code != HttpURLConnection.HTTP_OK) {
                    throw new ContentException(current + ": HTTP " + code
                            + (c.getResponseMessage() == null ? "" : " " + c.getResponseMessage()));
                }
                long declared = c.getContentLengthLong();
                if (declared > maxBytes) {
                    throw new ContentException(current + ": server announces " + declared + " bytes, more than the "
                            + maxBytes + " accepted; not cached");
                }
                try (InputStream in = c.getInputStream();
                     OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE,
                             StandardOpenOption.TRUNCATE_EXISTING)) {
                    return copy(in, out, current);
                }
            } finally {
                c.disconnect();
            }
        }
    }

    private long copy(InputStream in, OutputStream out, URI url) throws IOException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            total += n;
            if (total > maxBytes) {
                throw new ContentException(url + ": more than " + maxBytes + " bytes; not cached");
            }
            out.write(buf, 0, n);
        }
        return total;
    }

    /** A mirror answered, but not with the right file: try the next one. */
    private static final class ContentException extends IOException {
        private static final long serialVersionUID = 1L;

        ContentException(String message) {
            super(message);
        }
    }

    /** A short reason for a failed request. */
    private String describe(IOException e) {
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage() + " (no network or DNS?)";
        }
        if (e instanceof ConnectException) {
            return "connection refused or unreachable (" + e.getMessage() + ")";
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host (" + e.getMessage() + ")";
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out (connect " + connectTimeout.toMillis() + " ms, read " + readTimeout.toMillis() + " ms)";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }
}

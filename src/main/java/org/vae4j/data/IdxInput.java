package org.vae4j.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import org.vae4j.internal.InputFiles;

/**
 * One IDX file opened with its header read and checked, its values not yet: what lets
 * {@link ImageDataset} cross-check an images and a labels header and the heap budget before it
 * reads any body, and hash the uncompressed bytes while reading them, once. Not thread-safe.
 *
 * <p>Bounds: a raw file's length must equal header + declared values; a gzip file's declared
 * values must fit what its compressed size can hold (deflate expands at most
 * {@link #MAX_DEFLATE_RATIO}:1); the values are read exactly, then at most
 * {@link GzipInput#MAX_COUNTED_JUNK} more bytes to count trailing data, so no more than a little
 * over the declared size is ever decompressed.
 */
final class IdxInput implements Closeable {

    /** Deflate's largest expansion: 258 bytes from one 2-bit code, i.e. about 1032:1. */
    static final long MAX_DEFLATE_RATIO = 1032;

    private final String name;
    private final InputStream in;      // uncompressed, through the digest when hashing
    private final MessageDigest digest;
    private final int[] dims;
    private final long values;
    private final boolean gzip;
    private long read;                 // values read so far

    private IdxInput(String name, InputStream in, MessageDigest digest, long fileSize, boolean gzip)
            throws IOException {
        this.name = name;
        this.in = in;
        this.digest = digest;
        this.gzip = gzip;
        byte[] magic = in.readNBytes(4);
        IdxReader.checkMagic(magic, name);
        int ndims = magic[3] & 0xFF;
        int headerSize = 4 + 4 * ndims;
        byte[] dimBytes = in.readNBytes(4 * ndims);
        if (dimBytes.length < 4 * ndims) {
            throw new IllegalArgumentException(name + ": truncated header: " + ndims + " dimensions need "
                    + headerSize + " bytes, the data has " + (4 + dimBytes.length));
        }
        dims = new int[ndims];
        long v = 1;
        for (int i = 0; i < ndims; i++) {
            dims[i] = bigEndianInt(dimBytes, 4 * i);
        }
        for (int i = 0; i < ndims; i++) {
            if (dims[i] <= 0) {
                throw new IllegalArgumentException(name + ": dimension " + i + " is " + dims[i]
                        + " (must be positive) in " + Arrays.toString(dims));
            }
            v *= dims[i]; // < 2^31 * 2^31: no overflow before the check below
            if (v > IdxReader.MAX_VALUES) {
                throw new IllegalArgumentException(name + ": dimensions " + Arrays.toString(dims)
                        + " declare more than " + IdxReader.MAX_VALUES
                        + " values (the header is corrupt or not MNIST-like)");
            }
        }
        values = v;
        if (!gzip) {
            long actual = fileSize - headerSize;
            if (actual < values) {
                throw new IllegalArgumentException(name + ": truncated: dimensions " + Arrays.toString(dims)
                        + " declare " + values + " bytes of data, the file has " + actual);
            }
            if (actual > values) {
                throw trailing(actual - values, false);
            }
        } else if (fileSize >= 0 && values + headerSize > MAX_DEFLATE_RATIO * fileSize) {
            throw new IllegalArgumentException(name + ": truncated: dimensions " + Arrays.toString(dims)
                    + " declare " + values + " bytes of data, but a gzip file of " + fileSize
                    + " bytes decompresses to at most " + MAX_DEFLATE_RATIO * fileSize);
        }
    }

    /**
     * Opens a file, gzip-compressed (detected by its magic 1f 8b) or raw, and reads its header.
     *
     * @param hash whether to compute the SHA-256 of the uncompressed bytes ({@link #finish()})
     */
    static IdxInput open(Path file, boolean hash) throws IOException {
        InputFiles.requireRegularFile(file, "IDX file");
        long fileSize = Files.size(file);
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            return of(gzip ? new GzipInput(raw, file.toString()) : raw, file.toString(), fileSize, gzip, hash);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** Reads uncompressed IDX bytes held in memory. */
    static IdxInput of(byte[] bytes, String name) throws IOException {
        return of(new ByteArrayInputStream(bytes), name, bytes.length, false, false);
    }

    /** @param uncompressed the IDX bytes (a {@link GzipInput} for a gzip file) */
    static IdxInput of(InputStream uncompressed, String name, long fileSize, boolean gzip, boolean hash)
            throws IOException {
        MessageDigest digest = hash ? IdxReader.newSha256() : null;
        InputStream in = digest == null ? uncompressed : new DigestInputStream(uncompressed, digest);
        try {
            return new IdxInput(name, in, digest, fileSize, gzip);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    String name() {
        return name;
    }

    /** The dimensions (a copy), first = number of items. */
    int[] dims() {
        return dims.clone();
    }

    /** The number of values the dimensions declare. */
    long values() {
        return values;
    }

    boolean isGzip() {
        return gzip;
    }

    /**
     * Reads exactly {@code len} more values into {@code dst}.
     *
     * @throws IllegalArgumentException when the file ends first ("truncated"), or more values
     *                                  than declared are asked for
     */
    void readFully(byte[] dst, int off, int len) throws IOException {
        if (read + len > values) {
            throw new IllegalStateException("reading " + (read + len) + " of " + values + " values");
        }
        int done = 0;
        while (done < len) {
            int n = in.read(dst, off + done, len - done);
            if (n < 0) {
                throw new IllegalArgumentException(name + ": truncated: dimensions " + Arrays.toString(dims)
                        + " declare " + values + " bytes of data, the file has " + (read + done));
            }
            done += n;
        }
        read += len;
    }

    /**
     * After all values: checks that nothing follows (reading at most
     * {@link GzipInput#MAX_COUNTED_JUNK} bytes to count what does), then that a gzip stream ends
     * properly (its CRC-32, no junk after it).
     *
     * @return the SHA-256 of the uncompressed bytes in hex, or {@code null} when not hashing
     * @throws IllegalArgumentException for trailing data
     */
    String finish() throws IOException {
        if (read != values) {
            throw new IllegalStateException(read + " of " + values + " values read");
        }
        byte[] probe = new byte[GzipInput.MAX_COUNTED_JUNK];
        int extra = in.readNBytes(probe, 0, probe.length);
        if (extra > 0) {
            throw trailing(extra, extra == probe.length);
        }
        return digest == null ? null : HexFormat.of().formatHex(digest.digest());
    }

    private IllegalArgumentException trailing(long bytes, boolean atLeast) {
        return new IllegalArgumentException(name + ": " + (atLeast ? "at least " : "") + bytes
                + " bytes of trailing data after the " + values + " values that dimensions " + Arrays.toString(dims)
                + " declare");
    }

    private static int bigEndianInt(byte[] b, int o) {
        return ((b[o] & 0xFF) << 24) | ((b[o + 1] & 0xFF) << 16) | ((b[o + 2] & 0xFF) << 8) | (b[o + 3] & 0xFF);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

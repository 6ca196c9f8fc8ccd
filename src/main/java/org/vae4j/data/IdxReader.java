package org.vae4j.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST format), gzip-compressed or raw, with the checks a corrupt or wrong
 * file needs: magic, type byte, dimensions, declared size against actual length (truncated or
 * trailing data), and an optional SHA-256 of the uncompressed bytes. Every error is an
 * {@link IllegalArgumentException} (bad content) or {@link IOException} (unreadable file) whose
 * message names the file and what is wrong. Stateless.
 *
 * <p>Format (big-endian): two zero bytes, a type byte (0x08 = unsigned byte), the number of
 * dimensions, then each dimension as a 32-bit int, then the values.
 */
public final class IdxReader {

    /** Type byte of unsigned 8-bit data, the only type MNIST uses. */
    public static final int TYPE_UNSIGNED_BYTE = 0x08;

    /** Upper bound on the values one file may declare (2 GiB - 1: one Java array). */
    private static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    private IdxReader() {
    }

    /** An IDX array of unsigned bytes: its dimensions and its values in row-major order. */
    public record IdxArray(int[] dims, byte[] data) {

        /** Number of items (the first dimension). */
        public int count() {
            return dims[0];
        }

        /** Values per item: the product of the dimensions after the first. */
        public int itemSize() {
            int s = 1;
            for (int i = 1; i < dims.length; i++) {
                s *= dims[i];
            }
            return s;
        }

        /** The value at flat index i, 0..255. */
        public int unsigned(int i) {
            return data[i] & 0xFF;
        }
    }

    /** Reads a file without a checksum check. */
    public static IdxArray read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * Reads a file.
     *
     * @param file           an IDX file, gzip-compressed (detected by its magic) or raw
     * @param expectedSha256 hex SHA-256 of the uncompressed bytes, or {@code null} to skip the check
     */
    public static IdxArray read(Path file, String expectedSha256) throws IOException {
        byte[] bytes;
        try {
            bytes = readAll(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "IDX file not found");
        }
        if (expectedSha256 != null) {
            String actual = sha256(bytes);
            if (!actual.equalsIgnoreCase(expectedSha256.trim())) {
                throw new IllegalArgumentException(file + ": SHA-256 of the uncompressed data is " + actual
                        + ", expected " + expectedSha256.trim() + " (corrupt or a different file)");
            }
        }
        return parse(bytes, file.toString());
    }

    /** Parses the uncompressed bytes of an IDX file; {@code name} is used in errors. */
    public static IdxArray parse(byte[] bytes, String name) {
        if (bytes.length < 4) {
            throw new IllegalArgumentException(name + ": too short for an IDX header (" + bytes.length + " bytes)");
        }
        if (bytes[0] != 0 || bytes[1] != 0) {
            throw new IllegalArgumentException(String.format(
                    "%s: not an IDX file (magic starts with 0x%02x%02x, expected 0x0000)", name, bytes[0], bytes[1]));
        }
        int type = bytes[2] & 0xFF;
        if (type != TYPE_UNSIGNED_BYTE) {
            throw new IllegalArgumentException(String.format(
                    "%s: IDX type byte 0x%02x is not supported (only 0x08, unsigned byte)", name, type));
        }
        int ndims = bytes[3] & 0xFF;
        if (ndims < 1 || ndims > 4) {
            throw new IllegalArgumentException(name + ": IDX declares " + ndims + " dimensions, expected 1 to 4");
        }
        int header = 4 + 4 * ndims;
        if (bytes.length < header) {
            throw new IllegalArgumentException(name + ": truncated header: " + ndims + " dimensions need "
                    + header + " bytes, file has " + bytes.length);
        }
        int[] dims = new int[ndims];
        long values = 1;
        for (int i = 0; i < ndims; i++) {
            int o = 4 + 4 * i;
            dims[i] = ((bytes[o] & 0xFF) << 24) | ((bytes[o + 1] & 0xFF) << 16) | ((bytes[o + 2] & 0xFF) << 8)
                    | (bytes[o + 3] & 0xFF);
            if (dims[i] <= 0) {
                throw new IllegalArgumentException(name + ": dimension " + i + " is " + dims[i]
                        + " (must be positive) in " + Arrays.toString(dims));
            }
            values *= dims[i];
            if (values > MAX_VALUES) {
                throw new IllegalArgumentException(name + ": dimensions declare more than " + MAX_VALUES + " values");
            }
        }
        long actual = bytes.length - header;
        if (actual < values) {
            throw new IllegalArgumentException(name + ": truncated: dimensions " + Arrays.toString(dims) + " declare "
                    + values + " bytes of data, the file has " + actual);
        }
        if (actual > values) {
            throw new IllegalArgumentException(name + ": " + (actual - values) + " bytes of trailing data after the "
                    + values + " values that dimensions " + Arrays.toString(dims) + " declare");
        }
        return new IdxArray(dims, Arrays.copyOfRange(bytes, header, bytes.length));
    }

    /** The file's bytes, gunzipped when it starts with the gzip magic 1f 8b. */
    static byte[] readAll(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
                in.transferTo(out);
                return out.toByteArray();
            } catch (java.io.EOFException e) {
                throw new IOException(file + ": gzip stream ends early (truncated download?)", e);
            } catch (java.util.zip.ZipException e) {
                throw new IOException(file + ": corrupt gzip data: " + e.getMessage(), e);
            }
        }
    }

    /** Hex SHA-256 of some bytes. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

package org.vae4j.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import org.vae4j.internal.InputFiles;

/**
 * Reads IDX files (the MNIST format), gzip-compressed or raw, with the checks a corrupt or wrong
 * file needs: magic, type byte, dimensions, declared size against actual length (truncated or
 * trailing data), and an optional SHA-256 of the uncompressed bytes. Stateless and thread-safe.
 *
 * <p>Format (big-endian): two zero bytes, a type byte (0x08 = unsigned byte), the number of
 * dimensions, then each dimension as a 32-bit int, then the values in row-major order.
 *
 * <p>The header is checked before any buffer is allocated for the values. A raw file's declared
 * size is compared with its length on disk first; a gzip file is read into a buffer that grows
 * with the data actually decompressed, so a header claiming gigabytes in a small file fails with
 * "truncated" after allocating about as much as the file holds, never an {@link OutOfMemoryError}.
 *
 * <p>Errors: {@link IllegalArgumentException} when the content is wrong (bad magic or type,
 * dimensions, truncated or trailing data, checksum), {@link IOException} when the file cannot be
 * read or its gzip stream is corrupt or cut short. Every message starts with the file name.
 */
public final class IdxReader {

    /** Type byte of unsigned 8-bit data, the only type MNIST uses. */
    public static final int TYPE_UNSIGNED_BYTE = 0x08;

    /** Upper bound on the values one file may declare (one Java array). */
    static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    /** Most dimensions accepted; MNIST uses 1 (labels) and 3 (images). */
    static final int MAX_DIMS = 4;

    /** First allocation for a gzip file's values; the buffer doubles up to the declared size. */
    private static final int INITIAL_CHUNK = 1 << 20;

    private IdxReader() {
    }

    /**
     * An IDX array of unsigned bytes: its dimensions and its values in row-major order. The
     * arrays are shared, not copied.
     *
     * @param dims the dimensions, first = number of items
     * @param data the values, product(dims) bytes
     */
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

    /**
     * Reads a file without a checksum check.
     *
     * @see #read(Path, String)
     */
    public static IdxArray read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * Reads a file.
     *
     * @param file           an IDX file, gzip-compressed (detected by its magic 1f 8b) or raw
     * @param expectedSha256 hex SHA-256 of the uncompressed bytes, or {@code null} to skip the check
     * @return the array
     * @throws NoSuchFileException      when the file does not exist
     * @throws IOException              when it cannot be read, or its gzip stream is corrupt or truncated
     * @throws IllegalArgumentException when its content is not a valid unsigned-byte IDX array, or
     *                                  its SHA-256 differs from {@code expectedSha256}
     */
    public static IdxArray read(Path file, String expectedSha256) throws IOException {
        String name = file.toString();
        InputFiles.requireRegularFile(file, "IDX file");
        long fileSize = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
                return read(in, name, gzip ? -1 : fileSize, expectedSha256);
            } catch (EOFException e) {
                throw new IOException(name + ": gzip stream ends early (truncated file or download?)", e);
            } catch (ZipException e) {
                throw new IOException(name + ": corrupt gzip data: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Parses the uncompressed bytes of an IDX file.
     *
     * @param bytes the whole file, uncompressed; not modified
     * @param name  used in error messages
     * @throws IllegalArgumentException as {@link #read(Path, String)}
     */
    public static IdxArray parse(byte[] bytes, String name) {
        try {
            return read(new ByteArrayInputStream(bytes), name, bytes.length, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayInputStream does not fail
        }
    }

    /**
     * Reads an uncompressed IDX stream to its end.
     *
     * @param length the stream's length when known (a raw file), else -1
     */
    private static IdxArray read(InputStream stream, String name, long length, String expectedSha256)
            throws IOException {
        MessageDigest digest = expectedSha256 == null ? null : newSha256();
        InputStream in = digest == null ? stream : new DigestInputStream(stream, digest);

        byte[] magic = in.readNBytes(4);
        checkMagic(magic, name);
        int ndims = magic[3] & 0xFF;
        int headerSize = 4 + 4 * ndims;
        byte[] dimBytes = in.readNBytes(4 * ndims);
        if (dimBytes.length < 4 * ndims) {
            throw new IllegalArgumentException(name + ": truncated header: " + ndims + " dimensions need "
                    + headerSize + " bytes, the data has " + (4 + dimBytes.length));
        }
        int[] dims = new int[ndims];
        long values = 1;
        for (int i = 0; i < ndims; i++) {
            dims[i] = bigEndianInt(dimBytes, 4 * i);
        }
        for (int i = 0; i < ndims; i++) {
            if (dims[i] <= 0) {
                throw new IllegalArgumentException(name + ": dimension " + i + " is " + dims[i]
                        + " (must be positive) in " + Arrays.toString(dims));
            }
            values *= dims[i]; // < 2^31 * 2^31: no overflow before the check below
            if (values > MAX_VALUES) {
                throw new IllegalArgumentException(name + ": dimensions " + Arrays.toString(dims)
                        + " declare more than " + MAX_VALUES + " values (the header is corrupt or not MNIST-like)");
            }
        }
        if (length >= 0) {
            checkLength(name, dims, headerSize, values, length);
        }
        byte[] data = readValues(in, name, dims, (int) values, length >= 0);
        long trailing = drain(in);
        if (trailing > 0) {
            throw new IllegalArgumentException(name + ": " + trailing + " bytes of trailing data after the "
                    + values + " values that dimensions " + Arrays.toString(dims) + " declare");
        }
        if (digest != null) {
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equalsIgnoreCase(expectedSha256.trim())) {
                throw new IllegalArgumentException(name + ": SHA-256 of the uncompressed data is " + actual
                        + ", expected " + expectedSha256.trim() + " (corrupt or a different file)");
            }
        }
        return new IdxArray(dims, data);
    }

    private static void checkMagic(byte[] magic, String name) {
        if (magic.length < 4) {
            throw new IllegalArgumentException(name + ": too short for an IDX header (" + magic.length + " bytes)");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            String hint = magic[0] == '<' ? " (it looks like an HTML or XML page, e.g. a mirror's error page)" : "";
            throw new IllegalArgumentException(String.format(
                    "%s: not an IDX file: magic number 0x%02x%02x%02x%02x does not start with two zero bytes "
                            + "(expected 0x00000803 for images, 0x00000801 for labels)%s",
                    name, magic[0], magic[1], magic[2], magic[3], hint));
        }
        int type = magic[2] & 0xFF;
        if (type != TYPE_UNSIGNED_BYTE) {
            throw new IllegalArgumentException(String.format(
                    "%s: IDX type byte 0x%02x (%s) is not supported; only 0x08 (unsigned byte) is",
                    name, type, typeName(type)));
        }
        int ndims = magic[3] & 0xFF;
        if (ndims < 1 || ndims > MAX_DIMS) {
            throw new IllegalArgumentException(name + ": IDX header declares " + ndims + " dimensions, expected 1 to "
                    + MAX_DIMS);
        }
    }

    /** Compares a raw file's length with its header before anything is allocated. */
    private static void checkLength(String name, int[] dims, int headerSize, long values, long length) {
        long actual = length - headerSize;
        if (actual < values) {
            throw new IllegalArgumentException(name + ": truncated: dimensions " + Arrays.toString(dims)
                    + " declare " + values + " bytes of data, the file has " + actual);
        }
        if (actual > values) {
            throw new IllegalArgumentException(name + ": " + (actual - values) + " bytes of trailing data after the "
                    + values + " values that dimensions " + Arrays.toString(dims) + " declare");
        }
    }

    /**
     * Reads exactly {@code values} bytes. Unless the length was already checked ({@code checked}),
     * the buffer grows only as data arrives.
     */
    private static byte[] readValues(InputStream in, String name, int[] dims, int values, boolean checked)
            throws IOException {
        byte[] data = new byte[checked ? values : Math.min(values, INITIAL_CHUNK)];
        int filled = 0;
        while (filled < values) {
            if (filled == data.length) {
                data = Arrays.copyOf(data, (int) Math.min(values, 2L * data.length));
            }
            int n = in.read(data, filled, data.length - filled);
            if (n < 0) {
                throw new IllegalArgumentException(name + ": truncated: dimensions " + Arrays.toString(dims)
                        + " declare " + values + " bytes of data, the file has " + filled);
            }
            filled += n;
        }
        return data;
    }

    /** Reads the rest of a stream, returning how many bytes it had. */
    private static long drain(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            total += n;
        }
        return total;
    }

    private static int bigEndianInt(byte[] b, int o) {
        return ((b[o] & 0xFF) << 24) | ((b[o + 1] & 0xFF) << 16) | ((b[o + 2] & 0xFF) << 8) | (b[o + 3] & 0xFF);
    }

    private static String typeName(int type) {
        switch (type) {
            case 0x09: return "signed byte";
            case 0x0B: return "16-bit int";
            case 0x0C: return "32-bit int";
            case 0x0D: return "32-bit float";
            case 0x0E: return "64-bit float";
            default: return "not an IDX type";
        }
    }

    /** Hex SHA-256 of some bytes. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    /**
     * Hex SHA-256 of a file's content after gunzip (of the raw bytes when it is not gzip), the
     * checksum {@link DatasetSource} publishes.
     *
     * @throws IOException when the file cannot be read or its gzip stream is corrupt
     */
    public static String sha256Uncompressed(Path file) throws IOException {
        InputFiles.requireRegularFile(file, "IDX file");
        MessageDigest digest = newSha256();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try (InputStream in = new DigestInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw, digest)) {
                drain(in);
            } catch (EOFException e) {
                throw new IOException(file + ": gzip stream ends early (truncated file or download?)", e);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

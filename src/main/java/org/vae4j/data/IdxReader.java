package org.vae4j.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.LongSupplier;

import org.vae4j.internal.HeapBudget;
import org.vae4j.internal.InputFiles;

/**
 * Reads IDX files (the MNIST format), gzip-compressed or raw, with the checks a corrupt or wrong
 * file needs: magic, type byte, dimensions, declared size against actual length (truncated or
 * trailing data), and an optional SHA-256 of the uncompressed bytes. Stateless and thread-safe.
 *
 * <p>Format (big-endian): two zero bytes, a type byte (0x08 = unsigned byte), the number of
 * dimensions, then each dimension as a 32-bit int, then the values in row-major order.
 *
 * <p>Reading is bounded by the header. Before any buffer is allocated for the values, a raw
 * file's declared size is compared with its length on disk, a gzip file's with the most its
 * compressed size can decompress to, and the declared size with the heap that is actually
 * available ({@link HeapBudget}): a gzip bomb with a truthful header ends in an error naming the
 * file and the sizes, never an {@link OutOfMemoryError}. A gzip file's buffer grows with the data
 * actually decompressed; decompression stops after the declared values plus at most 64 KiB (to
 * count trailing data), so a file with gigabytes of trailing zeros fails after reading little more
 * than its declared size. The gzip stream is read strictly ({@link GzipInput}): each member's
 * CRC-32 and length are checked, and junk after the stream is an error.
 *
 * <p>Errors: {@link IllegalArgumentException} when the content is wrong (bad magic or type,
 * dimensions, truncated or trailing data, junk after the gzip stream, more than the heap holds,
 * checksum), {@link IOException} when the file cannot be read or its gzip stream is corrupt or cut
 * short. Every message starts with the file name.
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

        /** {@return number of items (the first dimension)} */
        public int count() {
            return dims[0];
        }

        /** {@return values per item: the product of the dimensions after the first (1 for labels)} */
        public int itemSize() {
            int s = 1;
            for (int i = 1; i < dims.length; i++) {
                s *= dims[i];
            }
            return s;
        }

        /**
         * {@return the value at flat index i, 0..255}
         *
         * @param i the row-major index, 0 &lt;= i &lt; {@code data.length}
         * @throws ArrayIndexOutOfBoundsException for i outside that range
         */
        public int unsigned(int i) {
            return data[i] & 0xFF;
        }
    }

    /**
     * Reads a file without a checksum check: {@link #read(Path, String)} with {@code null}.
     *
     * @param file an IDX file, gzip-compressed (detected by its magic 1f 8b) or raw
     * @return the dimensions and values
     * @throws IOException              when the file is missing or cannot be read, or its gzip stream is corrupt
     *                                  or truncated
     * @throws IllegalArgumentException when its content is not a valid unsigned-byte IDX array or its values do
     *                                  not fit the heap
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
     * @throws IllegalArgumentException when its content is not a valid unsigned-byte IDX array, its
     *                                  values do not fit the heap, or its SHA-256 differs from
     *                                  {@code expectedSha256}
     */
    public static IdxArray read(Path file, String expectedSha256) throws IOException {
        return read(file, expectedSha256, HeapBudget.SYSTEM);
    }

    /** {@link #read(Path, String)} against a given heap budget (tests). */
    static IdxArray read(Path file, String expectedSha256, LongSupplier budget) throws IOException {
        try (IdxInput in = IdxInput.open(file, expectedSha256 != null)) {
            return read(in, expectedSha256, budget);
        }
    }

    /**
     * Parses the uncompressed bytes of an IDX file.
     *
     * @param bytes the whole file, uncompressed; not modified
     * @param name  used in error messages
     * @return the dimensions and values (a copy of the values)
     * @throws IllegalArgumentException as {@link #read(Path, String)}
     */
    public static IdxArray parse(byte[] bytes, String name) {
        try (IdxInput in = IdxInput.of(bytes, name)) {
            return read(in, null, HeapBudget.SYSTEM);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayInputStream does not fail
        }
    }

    /** Reads the values of an opened file, checks what follows them and the checksum. */
    static IdxArray read(IdxInput in, String expectedSha256, LongSupplier budget) throws IOException {
        int[] dims = in.dims();
        int values = (int) in.values();
        HeapBudget.require(budget, values, in.name() + ": " + values + " values of dimensions " + Arrays.toString(dims));
        // a gzip file's buffer grows with the data that actually arrives
        byte[] data = new byte[in.isGzip() ? Math.min(values, INITIAL_CHUNK) : values];
        int filled = 0;
        while (filled < values) {
            if (filled == data.length) {
                data = Arrays.copyOf(data, (int) Math.min(values, 2L * data.length));
            }
            int n = data.length - filled;
            in.readFully(data, filled, n);
            filled += n;
        }
        checkSha256(in.name(), in.finish(), expectedSha256);
        return new IdxArray(dims, data);
    }

    /** Compares a computed checksum with the expected one (none: no check). */
    static void checkSha256(String name, String actual, String expected) {
        if (expected != null && !actual.equalsIgnoreCase(expected.trim())) {
            throw new IllegalArgumentException(name + ": SHA-256 of the uncompressed data is " + actual
                    + ", expected " + expected.trim() + " (corrupt or a different file)");
        }
    }

    static void checkMagic(byte[] magic, String name) {
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

    /**
     * {@return the lower-case hex SHA-256 of some bytes, 64 digits}
     *
     * @param bytes the bytes, not modified
     */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    /**
     * Hex SHA-256 of a file's content after gunzip (of the raw bytes when it is not gzip), the
     * checksum {@link DatasetSource} publishes.
     *
     * @param file a file, gzip-compressed (detected by its magic 1f 8b) or raw
     * @return the lower-case hex SHA-256, 64 digits
     * @throws IOException              when the file is missing, not a regular file or cannot be read, or its
     *                                  gzip stream is corrupt
     * @throws IllegalArgumentException when junk follows the gzip stream
     */
    public static String sha256Uncompressed(Path file) throws IOException {
        InputFiles.requireRegularFile(file, "IDX file");
        MessageDigest digest = newSha256();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try (InputStream in = new DigestInputStream(gzip ? new GzipInput(raw, file.toString()) : raw, digest)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

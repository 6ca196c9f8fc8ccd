package org.vae4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of corrupt IDX file fails with a message naming the file and what is wrong. */
class IdxReaderTest {

    @TempDir
    Path dir;

    /** An IDX file: magic 00 00 type ndims, big-endian dimensions, then the values. */
    static byte[] idx(int type, int[] dims, byte[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + values.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(values).array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    private static byte[] values(int n) {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) {
            v[i] = (byte) (i * 37);
        }
        return v;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** Asserts {@code call} throws {@code type} whose message contains every fragment. */
    private static <T extends Throwable> void assertFails(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f),
                    "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void readsRawAndGzipFilesAlike() throws IOException {
        byte[] raw = idx(0x08, new int[] {3, 2, 4}, values(24));
        IdxReader.IdxArray a = IdxReader.read(write("a-idx3-ubyte", raw));
        IdxReader.IdxArray b = IdxReader.read(write("a-idx3-ubyte.gz", gzip(raw)));
        assertArrayEquals(new int[] {3, 2, 4}, a.dims());
        assertArrayEquals(values(24), a.data());
        assertArrayEquals(a.dims(), b.dims());
        assertArrayEquals(a.data(), b.data());
        assertEquals(3, a.count());
        assertEquals(8, a.itemSize());
        assertEquals(37 * 5 & 0xFF, a.unsigned(5));
    }

    @Test
    void wrongMagicIsRejected() throws IOException {
        byte[] raw = idx(0x08, new int[] {4}, values(4));
        raw[0] = 0x12;
        Path p = write("labels", raw);
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(p), p.toString(), "not an IDX file",
                "magic number 0x1200", "0x00000801");
    }

    @Test
    void htmlErrorPageIsRecognised() throws IOException {
        Path p = write("train-images-idx3-ubyte.gz", "<html><body>403 Forbidden</body></html>".getBytes());
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(p), p.toString(), "magic", "HTML");
    }

    @Test
    void wrongTypeByteIsRejected() throws IOException {
        Path p = write("floats", idx(0x0D, new int[] {2}, values(8)));
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(p), p.toString(), "type byte 0x0d",
                "32-bit float", "only 0x08");
        Path q = write("junk-type", idx(0x42, new int[] {2}, values(2)));
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(q), "type byte 0x42", "not an IDX type");
    }

    @Test
    void dimensionCountOutsideOneToFourIsRejected() throws IOException {
        Path zero = write("zero-dims", idx(0x08, new int[0], values(0)));
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(zero), "declares 0 dimensions", "1 to 4");
        Path five = write("five-dims", idx(0x08, new int[] {1, 1, 1, 1, 1}, values(1)));
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(five), "declares 5 dimensions");
    }

    @Test
    void truncatedHeaderIsRejected() throws IOException {
        byte[] raw = Arrays.copyOf(idx(0x08, new int[] {3, 2, 4}, values(24)), 10);
        Path p = write("short-header", raw);
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(p), p.toString(), "truncated header",
                "3 dimensions need 16 bytes");
        Path tiny = write("tiny", new byte[] {0, 0});
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(tiny), "too short for an IDX header");
    }

    @Test
    void truncatedDataIsRejected() throws IOException {
        byte[] raw = idx(0x08, new int[] {3, 2, 4}, values(24));
        byte[] cut = Arrays.copyOf(raw, raw.length - 5);
        Path p = write("cut", cut);
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(p), p.toString(), "truncated",
                "[3, 2, 4]", "declare 24 bytes", "has 19");
        Path gz = write("cut.gz", gzip(cut));
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(gz), gz.toString(), "truncated",
                "declare 24 bytes", "has 19");
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        byte[] raw = idx(0x08, new int[] {4}, values(7));
        Path p = write("long", raw);
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(p), p.toString(),
                "3 bytes of trailing data", "4 values");
        Path gz = write("long.gz", gzip(raw));
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(gz), gz.toString(),
                "3 bytes of trailing data");
    }

    @Test
    void truncatedGzipIsRejected() throws IOException {
        byte[] gz = gzip(idx(0x08, new int[] {50, 10}, values(500)));
        for (int keep : new int[] {gz.length - 4, gz.length / 2, 12}) {
            Path p = write("cut-" + keep + ".gz", Arrays.copyOf(gz, keep));
            assertFails(IOException.class, () -> IdxReader.read(p), p.toString(), "gzip stream ends early");
        }
    }

    @Test
    void corruptGzipIsRejected() throws IOException {
        byte[] gz = gzip(idx(0x08, new int[] {50, 10}, values(500)));
        gz[gz.length - 6] ^= 0x55; // inside the CRC-32 of the trailer
        Path p = write("flipped.gz", gz);
        assertFails(IOException.class, () -> IdxReader.read(p), p.toString(), "corrupt gzip data");
    }

    @Test
    void zeroAndNegativeDimensionsAreRejected() throws IOException {
        Path zero = write("zero", idx(0x08, new int[] {3, 0, 4}, values(0)));
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(zero), zero.toString(),
                "dimension 1 is 0", "must be positive");
        Path negative = write("negative", idx(0x08, new int[] {-5}, values(0)));
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(negative), "dimension 0 is -5");
    }

    @Test
    void hugeDimensionsFailBeforeAllocating() throws IOException {
        // More values than one array holds: rejected from the header alone.
        Path huge = write("huge", idx(0x08, new int[] {60000, 100000, 100000}, values(16)));
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(huge), huge.toString(),
                "[60000, 100000, 100000]", "declare more than");
        // 2e9 values claimed by a tiny raw file: rejected by its length before allocating.
        byte[] claim = idx(0x08, new int[] {2_000_000_000}, values(16));
        Path raw = write("claims-2gb", claim);
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(raw), "truncated",
                "declare 2000000000 bytes", "has 16");
        // The same inside gzip: more than deflate can expand the file's bytes to, from the header alone.
        Path gz = write("claims-2gb.gz", gzip(claim));
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(gz), "truncated",
                "declare 2000000000 bytes", "decompresses to at most");
        // A claim that the compressed size allows: the buffer grows with the data, so this fails
        // as truncated after a small allocation instead of a 200 MB one.
        byte[] noise = new byte[500_000];
        new java.util.SplittableRandom(5).nextBytes(noise);
        Path gz2 = write("claims-200mb.gz", gzip(idx(0x08, new int[] {200_000_000}, noise)));
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(gz2), "truncated",
                "declare 200000000 bytes", "has 500000");
    }

    @Test
    void checksumIsCheckedOnTheUncompressedBytes() throws IOException {
        byte[] raw = idx(0x08, new int[] {2, 3}, values(6));
        String sum = IdxReader.sha256(raw);
        Path gz = write("x.gz", gzip(raw));
        assertArrayEquals(values(6), IdxReader.read(gz, sum).data());
        assertArrayEquals(values(6), IdxReader.read(gz, sum.toUpperCase()).data());
        assertEquals(sum, IdxReader.sha256Uncompressed(gz));

        String wrong = sum.substring(0, 63) + (sum.charAt(63) == '0' ? '1' : '0');
        assertFails(IllegalArgumentException.class, () -> IdxReader.read(gz, wrong), gz.toString(), "SHA-256",
                sum, "expected " + wrong);
    }

    @Test
    void missingFileIsNamed() {
        Path p = dir.resolve("nope-idx1-ubyte.gz");
        assertFails(NoSuchFileException.class, () -> IdxReader.read(p), p.toString());
    }

    @Test
    void parseChecksBytesInMemory() {
        byte[] raw = idx(0x08, new int[] {4}, values(4));
        assertArrayEquals(values(4), IdxReader.parse(raw, "mem").data());
        assertFails(IllegalArgumentException.class, () -> IdxReader.parse(Arrays.copyOf(raw, 9), "mem"),
                "mem: truncated");
    }
}

package org.vae4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Npy}: round trips, files written by NumPy (src/test/python/make_npy_fixtures.py), and
 * rejection of unsupported or corrupt files before allocating.
 */
class NpyTest {

    @TempDir
    Path dir;

    private static final Path FIXTURES = Path.of("src", "test", "resources", "data");

    private static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    /** A .npy file with the given header dict and data bytes (version 1.0, padded like NumPy). */
    static byte[] npy(String dict, byte[] data) {
        return npy(1, dict, data);
    }

    static byte[] npy(int major, String dict, byte[] data) {
        int pre = major == 1 ? 10 : 12;
        int total = pre + dict.length() + 1;
        int padded = (total + 63) / 64 * 64;
        String text = dict + " ".repeat(padded - total) + "\n";
        ByteBuffer b = ByteBuffer.allocate(padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) text.length());
        } else {
            b.putInt(text.length());
        }
        return b.put(text.getBytes(StandardCharsets.ISO_8859_1)).put(data).array();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void float32RoundTripIsExact() throws IOException {
        FMatrixRMaj m = new FMatrixRMaj(37, 11);
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(-30, 30)));
        }
        m.data[0] = Float.NaN;
        m.data[1] = Float.NEGATIVE_INFINITY;
        m.data[2] = -0f;
        m.data[3] = Float.MIN_VALUE;
        Path p = dir.resolve("m.npy");
        Npy.write(m, p);
        int headerLen = ByteBuffer.wrap(Files.readAllBytes(p), 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        assertEquals(0, (10 + headerLen) % 64, "header aligned to 64 bytes");
        FMatrixRMaj r = Npy.read(p);
        assertEquals(37, r.numRows);
        assertEquals(11, r.numCols);
        for (int i = 0; i < m.getNumElements(); i++) {
            assertEquals(Float.floatToRawIntBits(m.data[i]), Float.floatToRawIntBits(r.data[i]), "element " + i);
        }
    }

    @Test
    void largeMatrixCrossesTheChunkSize() throws IOException {
        FMatrixRMaj m = new FMatrixRMaj(300, 784); // 940 KB, many 64 KB chunks
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = i * 0.5f;
        }
        Path p = dir.resolve("big.npy");
        Npy.write(m, p);
        assertArrayEquals(m.data, Npy.read(p).data);
        Npy.write(m, p, Npy.Dtype.FLOAT32); // replaces
        assertEquals(128 + 4L * 300 * 784, Files.size(p));
    }

    @Test
    void uint8RoundTripAndRangeCheck() throws IOException {
        FMatrixRMaj m = new FMatrixRMaj(2, 3, true, 0, 1, 255, 128, 7, 200);
        Path p = dir.resolve("u8.npy");
        Npy.write(m, p, Npy.Dtype.UINT8);
        assertEquals(128 + 6, Files.size(p));
        assertArrayEquals(m.data, Npy.read(p).data);

        FMatrixRMaj half = new FMatrixRMaj(1, 2, true, 3, 0.5f);
        assertRejected(() -> Npy.write(half, p, Npy.Dtype.UINT8), "value 0.5 at (0, 1)", "0..255");
        FMatrixRMaj big = new FMatrixRMaj(1, 1, true, 256);
        assertRejected(() -> Npy.write(big, p, Npy.Dtype.UINT8), "256.0");
        assertArrayEquals(m.data, Npy.read(p).data, "the rejected writes left the file intact");
    }

    @Test
    void writesOnlyTheMatrixElementsAfterAReshape() throws IOException {
        FMatrixRMaj m = new FMatrixRMaj(4, 4);
        Arrays.fill(m.data, 9f);
        m.reshape(2, 3); // capacity stays 16
        Arrays.fill(m.data, 0, 6, 1f);
        Path p = dir.resolve("r.npy");
        Npy.write(m, p);
        FMatrixRMaj r = Npy.read(p);
        assertEquals(6, r.getNumElements());
        assertEquals(128 + 24, Files.size(p));
    }

    @Test
    void readsArraysWrittenByNumpy() throws IOException {
        FMatrixRMaj a = Npy.read(FIXTURES.resolve("float32_3x4.npy"));
        assertEquals(3, a.numRows);
        assertEquals(4, a.numCols);
        for (int i = 0; i < 12; i++) {
            assertEquals(((float) i - 5.5f) / 3f, a.data[i], 0f, "element " + i);
        }
        FMatrixRMaj v = Npy.read(FIXTURES.resolve("float32_1d.npy"));
        assertEquals(4, v.numRows);
        assertEquals(1, v.numCols);
        assertArrayEquals(new float[] {1.5f, -2.25f, 3e38f, -0f}, v.data, 0f);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(v.data[3]));
        FMatrixRMaj u = Npy.read(FIXTURES.resolve("uint8_2x5.npy"));
        assertEquals(2, u.numRows);
        assertArrayEquals(new float[] {0, 1, 2, 127, 128, 200, 254, 255, 3, 4}, u.data, 0f);
    }

    @Test
    void rejectsUnsupportedArraysWrittenByNumpy() {
        assertRejected(() -> Npy.read(FIXTURES.resolve("reject_bigendian.npy")), "reject_bigendian.npy",
                "big-endian", "'>f4'", "astype('<f4')");
        assertRejected(() -> Npy.read(FIXTURES.resolve("reject_fortran.npy")), "Fortran", "np.ascontiguousarray");
        assertRejected(() -> Npy.read(FIXTURES.resolve("reject_object.npy")), "object array", "'|O'");
        assertRejected(() -> Npy.read(FIXTURES.resolve("reject_float64.npy")), "'<f8'", "float64",
                "astype(np.float32)");
        assertRejected(() -> Npy.read(FIXTURES.resolve("reject_3d.npy")), "3-D", "(2, 2, 2)");
    }

    @Test
    void acceptsVersionTwoHeaders() throws IOException {
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.25f).putFloat(-3f).array();
        Path p = file("v2.npy", npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", data));
        assertArrayEquals(new float[] {1.25f, -3f}, Npy.read(p).data, 0f);
    }

    @Test
    void rejectsCorruptFilesBeforeAllocating() throws IOException {
        String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        Path truncated = file("t.npy", npy(ok, new byte[20]));
        assertRejected(() -> Npy.read(truncated), "t.npy", "truncated", "(2, 3)", "needs 24 bytes", "has 20");
        Path trailing = file("x.npy", npy(ok, new byte[30]));
        assertRejected(() -> Npy.read(trailing), "6 bytes of trailing data");
        // A header claiming a 60000x784 float matrix in a tiny file: rejected from the sizes alone.
        Path claim = file("claim.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (60000, 784), }",
                new byte[8]));
        assertRejected(() -> Npy.read(claim), "truncated", "needs 188160000 bytes");
        Path huge = file("huge.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (100000, 100000), }",
                new byte[8]));
        assertRejected(() -> Npy.read(huge), "more than one matrix holds");
        Path hugeDim = file("dim.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999,), }",
                new byte[8]));
        assertRejected(() -> Npy.read(hugeDim), "99999999999");
        // Header length beyond the file, and beyond any sane header.
        byte[] b = npy(ok, new byte[24]);
        b[8] = (byte) 0xF0;
        b[9] = 0x7F;
        Path longHeader = file("h.npy", b);
        assertRejected(() -> Npy.read(longHeader), "truncated", "header declares");
        byte[] v2 = npy(2, ok, new byte[24]);
        ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2_000_000_000);
        Path hugeHeader = file("hh.npy", v2);
        assertRejected(() -> Npy.read(hugeHeader), "header declares 2000000000 bytes", "more than");
    }

    @Test
    void rejectsWhatIsNotANpyArray() throws IOException {
        Path text = file("a.npy", "hello, this is text".getBytes(StandardCharsets.US_ASCII));
        assertRejected(() -> Npy.read(text), "a.npy", "not a .npy file");
        Path zip = file("b.npy", new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0});
        assertRejected(() -> Npy.read(zip), ".npz");
        Path shortFile = file("c.npy", new byte[] {(byte) 0x93, 'N', 'U'});
        assertRejected(() -> Npy.read(shortFile), "truncated header");
        Path v9 = file("d.npy", npy(ok(), new byte[0]));
        byte[] bytes = Files.readAllBytes(v9);
        bytes[6] = 9;
        Files.write(v9, bytes);
        assertRejected(() -> Npy.read(v9), "version 9.0");
        Path scalar = file("e.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", new byte[4]));
        assertRejected(() -> Npy.read(scalar), "0-D");
        Path structured = file("f.npy", npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
                new byte[4]));
        assertRejected(() -> Npy.read(structured), "structured");
        Path int32 = file("g.npy", npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", new byte[4]));
        assertRejected(() -> Npy.read(int32), "'<i4'", "int32");
        Path noDict = file("i.npy", npy("garbage", new byte[0]));
        assertRejected(() -> Npy.read(noDict), "not a Python dict");
        assertThrows(NoSuchFileException.class, () -> Npy.read(dir.resolve("none.npy")));
    }

    @Test
    void theHeaderIsReadAsADictLiteralNotSearchedWithPatterns() throws IOException {
        byte[] data = new byte[8];
        // first match would win with patterns: False then True reads as C order, NumPy's literal_eval keeps True
        Path twiceOrder = file("o.npy", npy("{'descr': '<f4', 'fortran_order': False, 'fortran_order': True, "
                + "'shape': (2,), }", data));
        assertRejected(() -> Npy.read(twiceOrder), "o.npy", "duplicate key 'fortran_order'");
        Path twiceDescr = file("d.npy", npy("{'descr': '<f4', 'descr': '|u1', 'fortran_order': False, "
                + "'shape': (2,), }", data));
        assertRejected(() -> Npy.read(twiceDescr), "duplicate key 'descr'");
        // 'shape' appears only inside another key's string: not a key
        Path inString = file("s.npy", npy("{'descr': '<f4', 'fortran_order': False, 'note': \"'shape': (2,)\"}", data));
        assertRejected(() -> Npy.read(inString), "missing [shape]", "unexpected [note]");
        Path extra = file("x.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", data));
        assertRejected(() -> Npy.read(extra), "unexpected [x]");
        Path notBool = file("b.npy", npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", data));
        assertRejected(() -> Npy.read(notBool), "'fortran_order' is 0, not True or False");
        Path unclosed = file("u.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,}", data));
        assertRejected(() -> Npy.read(unclosed), "not a Python dict literal");
        // double quotes and no trailing comma are the same dict
        Path doubleQuoted = file("q.npy", npy("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}", data));
        assertEquals(2, Npy.read(doubleQuoted).getNumElements());
    }

    private static String ok() {
        return "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }";
    }

    @Test
    void emptyMatrixRoundTrips() throws IOException {
        Path p = dir.resolve("empty.npy");
        Npy.write(new FMatrixRMaj(0, 3), p);
        FMatrixRMaj r = Npy.read(p);
        assertEquals(0, r.numRows);
        assertEquals(3, r.numCols);
    }
}

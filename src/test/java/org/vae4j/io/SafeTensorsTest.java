package org.vae4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.Fixture;

/** The safetensors reader and writer: round trips, PyTorch's dtypes, hostile headers, atomic writes. */
class SafeTensorsTest {

    @TempDir
    Path dir;

    /** A file of an 8-byte length, the header text as given, then {@code dataBytes} zero bytes. */
    static Path raw(Path dir, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = dir.resolve("raw.safetensors");
        Files.write(p, b.array());
        return p;
    }

    /** Opening {@code file} fails with a {@link ModelFileException} naming the file and containing {@code words}. */
    static ModelFileException assertRejected(Path file, String words) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.open(file).close());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(words), "expected '" + words + "' in: " + e.getMessage());
        return e;
    }

    private static List<FloatTensor> sample() {
        return List.of(
                new FloatTensor("a.weight", new long[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f}),
                new FloatTensor("a.bias", new long[] {2}, new float[] {0.25f, -7}),
                new FloatTensor("scalar", new long[] {}, new float[] {42}),
                new FloatTensor("empty", new long[] {0, 5}, new float[0]));
    }

    @Test
    void roundTripKeepsNamesShapesValuesAndMetadata() throws IOException {
        Path p = dir.resolve("t.safetensors");
        Map<String, String> meta = Map.of("k", "v", "unicode", "µ-β ✓", "json", "{\"a\": [1, 2]}");
        SafeTensors.write(p, meta, sample());
        try (SafeTensorsFile f = SafeTensors.open(p)) {
            assertEquals(meta, f.metadata());
            assertEquals(List.of("a.weight", "a.bias", "scalar", "empty"), List.copyOf(f.tensors().keySet()));
            for (FloatTensor t : sample()) {
                TensorInfo info = f.tensors().get(t.name());
                assertEquals(DType.F32, info.dtype());
                assertArrayEquals(t.shape(), info.shape());
                assertArrayEquals(t.data(), f.readFloats(t.name()));
            }
            assertEquals(SafeTensors.dataSha256(sample()), f.dataSha256());
        }
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header padded to a multiple of 8");
    }

    @Test
    void writeReplacesAnExistingFile() throws IOException {
        Path p = dir.resolve("t.safetensors");
        SafeTensors.write(p, Map.of("v", "1"), sample());
        SafeTensors.write(p, Map.of("v", "2"), List.of());
        try (SafeTensorsFile f = SafeTensors.open(p)) {
            assertEquals(Map.of("v", "2"), f.metadata());
            assertTrue(f.tensors().isEmpty());
        }
        assertEquals(List.of(p), listDir());
    }

    @Test
    void pytorchDtypesConvertExactly() throws IOException {
        Fixture expected = Fixture.load("/io/dtypes.txt");
        Path p = ModelFilesPyTorchTest.resources().resolve("dtypes.safetensors");
        try (SafeTensorsFile f = SafeTensors.open(p)) {
            assertEquals(DType.F16, f.tensors().get("f16").dtype());
            assertEquals(DType.BF16, f.tensors().get("bf16").dtype());
            assertEquals(DType.F64, f.tensors().get("f64").dtype());
            for (String name : List.of("f16", "bf16", "f64")) {
                assertArrayEquals(new long[] {2, 3}, f.tensors().get(name).shape());
                assertArrayEquals(expected.tensor(name).data, f.readFloats(name), 0f, name);
            }
        }
    }

    @Test
    void halfPrecisionSpecialValues() {
        assertEquals(1f, SafeTensorsFile.halfToFloat((short) 0x3c00));
        assertEquals(-2f, SafeTensorsFile.halfToFloat((short) 0xc000));
        assertEquals(65504f, SafeTensorsFile.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, SafeTensorsFile.halfToFloat((short) 0x0001)); // smallest subnormal
        assertEquals(-0f, SafeTensorsFile.halfToFloat((short) 0x8000));
        assertEquals(Float.POSITIVE_INFINITY, SafeTensorsFile.halfToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(SafeTensorsFile.halfToFloat((short) 0x7e00)));
    }

    @Test
    void readingAnIntegerTensorAsFloatsIsRefused() throws IOException {
        Path p = raw(dir, "{\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        try (SafeTensorsFile f = SafeTensors.open(p)) {
            ModelFileException e = assertThrows(ModelFileException.class, () -> f.readFloats("i"));
            assertTrue(e.getMessage().contains("dtype I32"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> f.readFloats("nope"));
        }
    }

    // ------------------------------------------------------------------ corrupt and hostile files

    @Test
    void tooShortFileIsRejected() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertRejected(p, "too short");
    }

    @Test
    void headerClaimingTerabytesIsRejectedWithoutAllocating() throws IOException {
        Path p = dir.resolve("huge.safetensors");
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
        Files.write(p, b.array());
        assertRejected(p, "claims 1099511627776 bytes, more than the 100000000 allowed");
    }

    @Test
    void negativeHeaderLengthIsReportedAsUnsigned() throws IOException {
        Path p = dir.resolve("neg.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array());
        assertRejected(p, "claims 18446744073709551615 bytes");
    }

    @Test
    void headerLongerThanTheFileIsRejected() throws IOException {
        Path p = dir.resolve("t.safetensors");
        SafeTensors.write(p, Map.of(), sample());
        byte[] bytes = Files.readAllBytes(p);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bytes.length);
        Files.write(p, bytes);
        assertRejected(p, "only " + (bytes.length - 8) + " bytes follow it");
    }

    @Test
    void everyBitFlipOfTheHeaderLengthIsRejected() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(good, Map.of("k", "v"), sample());
        byte[] original = Files.readAllBytes(good);
        for (int bit = 0; bit < 64; bit++) {
            byte[] bytes = original.clone();
            bytes[bit / 8] ^= (byte) (1 << (bit % 8));
            Path p = dir.resolve("flip" + bit + ".safetensors");
            Files.write(p, bytes);
            ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.open(p).close(),
                    "bit " + bit);
            assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        }
    }

    @Test
    void everyTruncationIsRejected() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(good, Map.of("k", "v"), sample());
        byte[] original = Files.readAllBytes(good);
        Path p = dir.resolve("cut.safetensors");
        for (int n = 0; n < original.length; n++) {
            Files.write(p, java.util.Arrays.copyOf(original, n));
            assertThrows(ModelFileException.class, () -> SafeTensors.open(p).close(), "cut at " + n);
        }
    }

    @Test
    void invalidJsonIsRejected() throws IOException {
        assertRejected(raw(dir, "{\"a\": {\"dtype\": \"F32\",", 0), "not valid JSON");
        assertRejected(raw(dir, "[1, 2, 3]   ", 0), "not a JSON object");
        assertRejected(raw(dir, "{} {}", 0), "content after its JSON object");
        assertRejected(raw(dir, "{} x", 0), "not valid JSON");
        assertRejected(raw(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,8]}}", 8), "Duplicate field 'a'");
        // invalid UTF-8 in the header
        byte[] h = {'{', '"', (byte) 0xff, '"', ':', '1', '}', ' '};
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8).put(h);
        Path p = dir.resolve("utf8.safetensors");
        Files.write(p, b.array());
        assertRejected(p, "not valid JSON");
    }

    @Test
    void metadataMustMapStringsToStrings() throws IOException {
        assertRejected(raw(dir, "{\"__metadata__\": {\"k\": 1}}", 0), "value of 'k' must be a string");
        assertRejected(raw(dir, "{\"__metadata__\": [\"k\"]}", 0), "must be a JSON object");
    }

    @Test
    void unknownDtypeIsRejected() throws IOException {
        assertRejected(raw(dir, "{\"w\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}}", 16),
                "unknown dtype 'F128'");
    }

    @Test
    void malformedTensorEntriesAreRejected() throws IOException {
        assertRejected(raw(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "negative");
        assertRejected(raw(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4),
                "must hold integers");
        assertRejected(raw(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4),
                "must be [begin, end]");
        assertRejected(raw(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "lacks data_offsets");
        assertRejected(raw(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4),
                "unknown field 'x'");
        assertRejected(raw(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4),
                "end before they begin");
        assertRejected(raw(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],"
                + "\"data_offsets\":[0,4]}}", 4), "too large");
    }

    @Test
    void shapeNotMatchingOffsetsIsRejected() throws IOException {
        assertRejected(raw(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20),
                "shape [2, 3] of F32 needs 24 bytes but data_offsets [0, 20] hold 20");
    }

    @Test
    void shapeWhoseByteCountOverflowsIsRejected() throws IOException {
        assertRejected(raw(dir, "{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}}", 8), "needs more than 2^63 bytes");
        assertRejected(raw(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2305843009213693952],"
                + "\"data_offsets\":[0,8]}}", 8), "needs more than 2^63 bytes");
    }

    @Test
    void offsetsOutsideTheDataSectionAreRejected() throws IOException {
        assertRejected(raw(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1099511627776],"
                + "\"data_offsets\":[0,4398046511104]}}", 16), "lie outside the data section of 16 bytes");
    }

    @Test
    void overlapsGapsAndTrailingDataAreRejected() throws IOException {
        assertRejected(raw(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap");
        assertRejected(raw(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12), "gap after byte 4");
        assertRejected(raw(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12),
                "the data section has 12 bytes but the tensors cover 4");
    }

    @Test
    void deeplyNestedJsonIsRejected() throws IOException {
        String nested = "{\"__metadata__\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertRejected(raw(dir, nested, 0), "must be a JSON object");
        String inShape = "{\"w\":{\"dtype\":\"F32\",\"shape\":" + "[".repeat(5000) + "]".repeat(5000) + "}}";
        assertRejected(raw(dir, inShape, 0), "must hold integers");
    }

    @Test
    void streamLimitViolationsAreModelFileErrorsWithALocation() throws IOException {
        // Jackson's stream-limit exceptions carry no location of their own: once a NullPointerException
        String longKey = "{\"__metadata__\":{\"" + "k".repeat(70_000) + "\":\"v\"}}";
        assertTrue(assertRejected(raw(dir, longKey, 0), "not valid JSON").getMessage().contains("header byte"));
        String longNumber = "{\"w\":{\"dtype\":\"F32\",\"shape\":[" + "9".repeat(100)
                + "],\"data_offsets\":[0,4]}}";
        assertTrue(assertRejected(raw(dir, longNumber, 4), "not valid JSON").getMessage().contains("header byte"));
    }

    @Test
    void aHeaderThatLooksLikeUtf16Or32IsRefusedNamingTheFile() throws IOException {
        // found by the fuzzer: zero bytes at the start made jackson-core read the header as UTF-32
        // and fail with a CharConversionException that named no file
        String m = assertRejected(raw(dir, "\u0000\u0000\u0000{\"w\":{}}", 0), "not UTF-8 JSON").getMessage();
        assertTrue(m.contains("00 00 00 7b"), m);
        assertRejected(raw(dir, "{\u0000\"\u0000}\u0000", 0), "not UTF-8 JSON");
        byte[] utf16 = "{}".getBytes(StandardCharsets.UTF_16LE);
        ByteBuffer b = ByteBuffer.allocate(8 + 2 + utf16.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(2 + utf16.length).put((byte) 0xFF).put((byte) 0xFE).put(utf16);
        Path bom = dir.resolve("utf16.safetensors");
        Files.write(bom, b.array());
        m = assertRejected(bom, "not UTF-8 JSON").getMessage();
        assertTrue(m.contains("ff fe 7b 00"), m);
    }

    // ------------------------------------------------------------------ atomic writes

    /** A channel that passes {@code limit} bytes through, then fails. */
    static final class FailingChannel implements WritableByteChannel {
        private final WritableByteChannel out;
        private long left;

        FailingChannel(WritableByteChannel out, long limit) {
            this.out = out;
            this.left = limit;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (left <= 0) {
                throw new IOException("injected failure (disk full)");
            }
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + (int) Math.min(part.remaining(), left));
            int n = out.write(part);
            src.position(src.position() + n);
            left -= n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void failedWriteLeavesThePreviousFileAndNoTemporaryFile() throws IOException {
        Path p = dir.resolve("model.safetensors");
        SafeTensors.write(p, Map.of("version", "old"), sample());
        byte[] before = Files.readAllBytes(p);
        for (long limit : new long[] {0, 5, 100, before.length - 1}) {
            IOException e = assertThrows(IOException.class, () -> SafeTensors.write(p, Map.of("version", "new"),
                    sample(), c -> new FailingChannel(c, limit)));
            assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("injected failure")
                    && e.getMessage().contains("previous file is unchanged"), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(p), "after a failure at byte " + limit);
            assertEquals(List.of(p), listDir(), "no temporary file left");
        }
    }

    @Test
    void failedFirstWriteLeavesNoFile() {
        Path p = dir.resolve("new.safetensors");
        assertThrows(IOException.class, () -> SafeTensors.write(p, Map.of(), sample(), c -> new FailingChannel(c, 10)));
        assertTrue(Files.notExists(p));
    }

    @Test
    void writeCreatesMissingFolders() throws IOException {
        Path p = dir.resolve("new/folder/m.safetensors");
        SafeTensors.write(p, Map.of(), sample());
        try (SafeTensorsFile f = SafeTensors.open(p)) {
            assertEquals(4, f.tensors().size());
        }
    }

    @Test
    void writeBelowAFileNamesTheTarget() throws IOException {
        Path file = Files.writeString(dir.resolve("plain.txt"), "not a folder");
        Path p = file.resolve("m.safetensors");
        IOException e = assertThrows(IOException.class, () -> SafeTensors.write(p, Map.of(), sample()));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertEquals("not a folder", Files.readString(file));
    }

    @Test
    void writeOverAFolderIsRefused() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("folder"));
        IOException e = assertThrows(IOException.class, () -> SafeTensors.write(folder, Map.of(), sample()));
        assertTrue(e.getMessage().contains("is a folder"), e.getMessage());
        assertTrue(Files.isDirectory(folder));
    }

    @Test
    void writerRejectsBadArguments() {
        Path p = dir.resolve("x.safetensors");
        assertThrows(IllegalArgumentException.class, () -> new FloatTensor("w", new long[] {2, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new FloatTensor("__metadata__", new long[] {1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> new FloatTensor("w", new long[] {-1}, new float[0]));
        FloatTensor w = new FloatTensor("w", new long[] {1}, new float[1]);
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, Map.of(), List.of(w, w)));
        assertTrue(Files.notExists(p));
    }
}

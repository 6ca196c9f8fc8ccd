package org.vae4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vae4j.internal.ChildJvm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The safetensors header is parsed in bounded memory: each case opens a crafted file in a child
 * JVM with a small heap ({@code -Xmx}), so an {@link OutOfMemoryError} would fail the child, and
 * asserts what the child reports. No timing is measured.
 */
class HeaderMemoryTest {

    @TempDir
    Path dir;

    /** A 60 MB metadata string (the case: it needed over 256 MB) is refused cleanly at 64 MB of heap. */
    @Test
    void aHugeMetadataStringIsAnErrorNamingTheFileAndOffsetInA64MbHeap() throws Exception {
        Path file = dir.resolve("huge-string.safetensors");
        writeHeader(file, List.of(60_000_000), 'a');
        String out = probe(file, 64);
        assertTrue(out.startsWith("ModelFileException: " + file), out);
        assertTrue(out.contains("not valid JSON") && out.contains("String value length")
                && out.contains("header byte") && out.contains("file byte"), out);
    }

    /**
     * A header near the largest allowed, 96 MB of metadata strings of at most the string limit
     * each, parses in a heap of 1.8 times its size (Latin-1 text: the strings themselves take 1
     * byte per character; it passes at 1.56 times; before the streaming parser this failed at 2.1 times).
     */
    @Test
    void aNinetySixMegabyteHeaderParsesInAHeapOfOnePointEightTimesItsSize() throws Exception {
        Path file = dir.resolve("big-header.safetensors");
        int each = 16_000_000; // just under the string limit, 2^24
        int[] lengths = new int[6];
        Arrays.fill(lengths, each);
        long size = writeHeader(file, Arrays.stream(lengths).boxed().toList(), 'b');
        assertTrue(size > 96_000_000 && size <= SafeTensors.MAX_HEADER_BYTES, "header of " + size);
        int heapMb = (int) (1.8 * size / (1 << 20));
        String out = probe(file, heapMb);
        assertEquals("OK 6 entries, " + 6L * each + " characters", out);
    }

    /** A header of many tiny metadata entries (where per-entry objects outweigh the bytes) is refused past the cap. */
    @Test
    void tooManyMetadataEntriesAreRefusedInA64MbHeap() throws Exception {
        Path file = dir.resolve("many-entries.safetensors");
        StringBuilder h = new StringBuilder("{\"__metadata__\":{");
        for (int i = 0; i < SafeTensorsHeader.MAX_ENTRIES + 5; i++) {
            h.append(i == 0 ? "" : ",").append('"').append(Integer.toString(i, 36)).append("\":\"\"");
        }
        h.append("}}");
        Files.write(file, framed(h.toString().getBytes(StandardCharsets.US_ASCII)));
        String out = probe(file, 64);
        assertTrue(out.startsWith("ModelFileException: " + file) && out.contains("more than "
                + SafeTensorsHeader.MAX_ENTRIES + " entries") && out.contains("header byte"), out);
    }

    /** 8-byte length, then the header. */
    private static byte[] framed(byte[] header) {
        return ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length)
                .put(header).array();
    }

    /** A header {"__metadata__": {"k0": "ccc...", ...}} with strings of the given lengths, no tensors; its size. */
    private static long writeHeader(Path file, List<Integer> lengths, char c) throws IOException {
        List<byte[]> parts = new ArrayList<>();
        parts.add("{\"__metadata__\":{".getBytes(StandardCharsets.US_ASCII));
        long size = parts.get(0).length + 2;
        for (int i = 0; i < lengths.size(); i++) {
            byte[] key = ((i == 0 ? "" : ",") + "\"k" + i + "\":\"").getBytes(StandardCharsets.US_ASCII);
            parts.add(key);
            size += key.length + lengths.get(i) + 1;
        }
        byte[] chunk = new byte[1 << 20];
        Arrays.fill(chunk, (byte) c);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(size).array());
            out.write(parts.get(0));
            for (int i = 0; i < lengths.size(); i++) {
                out.write(parts.get(i + 1));
                for (long left = lengths.get(i); left > 0; left -= chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
                out.write('"');
            }
            out.write("}}".getBytes(StandardCharsets.US_ASCII));
        }
        return size;
    }

    /** Runs {@link Probe} on {@code file} in a JVM with {@code heapMb} MB of heap; its one line of output. */
    private static String probe(Path file, int heapMb) throws Exception {
        ChildJvm.Result r = ChildJvm.run(heapMb + "m", Probe.class, file.toString());
        String out = r.output().trim();
        assertEquals(0, r.status(), "the child failed (out of memory?): " + out);
        String[] lines = out.split("\n");
        return lines[lines.length - 1].trim();
    }

    /** The child: opens the file and prints what happened in one line. */
    public static final class Probe {
        public static void main(String[] args) {
            Path file = Path.of(args[0]);
            try (SafeTensorsFile f = SafeTensors.open(file)) {
                long chars = 0;
                for (Map.Entry<String, String> e : f.metadata().entrySet()) {
                    chars += e.getValue().length();
                }
                System.out.println("OK " + f.metadata().size() + " entries, " + chars + " characters");
            } catch (IOException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}

package org.vae4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.internal.ChildJvm;

/**
 * IDX reading bounded by the header: gzip bombs with truthful headers, gigabytes of trailing
 * zeros, junk after the gzip stream, the heap budget, and headers cross-checked before any body.
 */
class BoundedIdxTest {

    @TempDir
    Path dir;

    private static byte[] pattern(int n) {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) {
            v[i] = (byte) (i * 37 + i / 1000);
        }
        return v;
    }

    /** Counts the bytes read through it. */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count += Math.max(n, 0);
            return n;
        }
    }

    @Test
    void tenGibibytesOfTrailingZerosFailAfterReadingLittleMoreThanTheDeclaredSize() throws IOException {
        byte[] body = IdxReaderTest.idx(0x08, new int[] {1000, 28, 28}, pattern(784_000));
        Path file = dir.resolve("zeros-idx3-ubyte.gz");
        // the trailer's CRC-32 is wrong: a reader that decompressed to the end would report that instead
        GzipFiles.write(file, body, 10L << 30, false);
        long fileSize = Files.size(file);
        assertTrue(fileSize > 9_000_000, "the file holds 10 GiB of deflated zeros: " + fileSize);

        Counting counted = new Counting(Files.newInputStream(file));
        IllegalArgumentException e;
        try (IdxInput in = IdxInput.of(new GzipInput(new BufferedInputStream(counted, 1 << 16), file.toString()),
                file.toString(), fileSize, true, false)) {
            e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(in, null, () -> Long.MAX_VALUE));
        }
        assertTrue(e.getMessage().startsWith(file + ": at least 65536 bytes of trailing data after the 784000 values"),
                e.getMessage());
        long bodyCompressed = IdxReaderTest.gzip(body).length;
        assertTrue(counted.count < bodyCompressed + (1 << 18), "read " + counted.count + " of " + fileSize
                + " compressed bytes; the declared body takes " + bodyCompressed);
        // the same through the public reader
        IllegalArgumentException viaPath = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(file));
        assertEquals(e.getMessage(), viaPath.getMessage());
    }

    @Test
    void junkAfterTheGzipStreamIsRejectedAndConcatenatedMembersAreRead() throws IOException {
        byte[] raw = IdxReaderTest.idx(0x08, new int[] {6, 2}, pattern(12));
        byte[] gz = IdxReaderTest.gzip(raw);
        ByteArrayOutputStream junk = new ByteArrayOutputStream();
        junk.write(gz);
        junk.write(new byte[] {0, 0, 0, 0, 0, 0, 0});
        Path p = dir.resolve("junk.gz");
        Files.write(p, junk.toByteArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains(p + ": 7 bytes after the end of the gzip stream (at byte " + gz.length),
                e.getMessage());

        // gzip a b > ab.gz: two members, which gunzip reads as the concatenation
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.write(IdxReaderTest.gzip(java.util.Arrays.copyOf(raw, 10)));
        two.write(IdxReaderTest.gzip(java.util.Arrays.copyOfRange(raw, 10, raw.length)));
        Path q = dir.resolve("two-members.gz");
        Files.write(q, two.toByteArray());
        assertArrayEquals(pattern(12), IdxReader.read(q).data());
        assertEquals(IdxReader.sha256(raw), IdxReader.sha256Uncompressed(q));
    }

    @Test
    void aGzipHeaderClaimingMoreThanDeflateCanHoldFailsFromTheHeader() throws IOException {
        Path p = dir.resolve("claims.gz");
        Files.write(p, IdxReaderTest.gzip(IdxReaderTest.idx(0x08, new int[] {100_000, 100, 100}, pattern(64))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains(p + ": truncated: dimensions [100000, 100, 100] declare 1000000000 bytes of "
                + "data, but a gzip file of " + Files.size(p) + " bytes decompresses to at most"), e.getMessage());
    }

    @Test
    void theHeapBudgetIsCheckedBeforeTheValuesAreRead() throws IOException {
        Path p = dir.resolve("small-idx3-ubyte");
        Files.write(p, IdxReaderTest.idx(0x08, new int[] {10, 4, 5}, pattern(200)));
        assertArrayEquals(pattern(200), IdxReader.read(p, null, () -> 200).data());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IdxReader.read(p, null, () -> 199));
        assertTrue(e.getMessage().startsWith(p + ": 200 values of dimensions [10, 4, 5] needs 0.0 MB of heap, but only "
                + "0.0 MB are available"), e.getMessage());

        // a dataset needs 4 bytes a pixel (floats) and 5 a label
        Path labels = dir.resolve("small-idx1-ubyte");
        Files.write(labels, IdxReaderTest.idx(0x08, new int[] {10}, new byte[10]));
        assertEquals(10, ImageDataset.readIdx(p, labels, false, () -> 850).data().size());
        e = assertThrows(IllegalArgumentException.class, () -> ImageDataset.readIdx(p, labels, false, () -> 849));
        assertTrue(e.getMessage().startsWith(p + ": 10 images of 4x5"), e.getMessage());
    }

    @Test
    void imagesAndLabelsHeadersAreCrossCheckedBeforeEitherBody() throws IOException {
        // the images file (gzip: its length is not known up front) is truncated after its header;
        // the count mismatch is found first
        Path images = dir.resolve("img-idx3-ubyte.gz");
        Files.write(images, IdxReaderTest.gzip(java.util.Arrays.copyOf(
                IdxReaderTest.idx(0x08, new int[] {5, 2, 2}, pattern(20)), 16)));
        Path labels = dir.resolve("lab-idx1-ubyte");
        Files.write(labels, IdxReaderTest.idx(0x08, new int[] {4}, new byte[4]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageDataset.readIdx(images, labels, false, () -> Long.MAX_VALUE));
        assertEquals(images + " has 5 images but " + labels + " has 4 labels", e.getMessage());
    }

    @Test
    void eachFileIsReadOnceWithItsChecksum() throws IOException {
        Path images = dir.resolve("i-idx3-ubyte.gz");
        byte[] rawImages = IdxReaderTest.idx(0x08, new int[] {3, 2, 2}, pattern(12));
        Files.write(images, IdxReaderTest.gzip(rawImages));
        Path labels = dir.resolve("l-idx1-ubyte");
        byte[] rawLabels = IdxReaderTest.idx(0x08, new int[] {3}, new byte[] {7, 8, 9});
        Files.write(labels, rawLabels);
        ImageDataset.Hashed h = ImageDataset.readIdx(images, labels, true, () -> Long.MAX_VALUE);
        assertEquals(IdxReader.sha256(rawImages), h.imagesSha256());
        assertEquals(IdxReader.sha256(rawLabels), h.labelsSha256());
        assertArrayEquals(new int[] {7, 8, 9}, h.data().labels());
        assertEquals((pattern(12)[5] & 0xFF) / 255f, h.data().images().data[5]);
    }

    @Test
    void aGzipBombWithATruthfulHeaderEndsInAClearErrorAt256MbOfHeap() throws Exception {
        // 2,739,000 images of 28x28 (2.1 GB of zeros) in a few MB, with a correct CRC-32 and length
        Path images = dir.resolve("bomb-images-idx3-ubyte.gz");
        byte[] header = IdxReaderTest.idx(0x08, new int[] {2_739_000, 28, 28}, new byte[0]);
        long pixels = 2_739_000L * 784;
        byte[] head = new byte[header.length + (int) (pixels % (1 << 20))];
        System.arraycopy(header, 0, head, 0, header.length);
        GzipFiles.write(images, head, pixels - pixels % (1 << 20), true);
        assertTrue(Files.size(images) < 4_000_000, "a few MB: " + Files.size(images));
        Path labels = dir.resolve("bomb-labels-idx1-ubyte.gz");
        Files.write(labels, IdxReaderTest.gzip(IdxReaderTest.idx(0x08, new int[] {2_739_000}, new byte[2_739_000])));

        ChildJvm.Result r = ChildJvm.run("256m", LoadImagesMain.class, images.toString(), labels.toString());
        assertEquals(1, r.status(), r.output());
        assertTrue(r.output().contains("failed: java.lang.IllegalArgumentException: " + images
                + ": 2739000 images of 28x28 (2147.4 MB of pixels, 4 bytes each as floats) with their labels needs "
                + "8603.2 MB of heap, but only "), r.output());
        assertFalse(r.output().contains("OutOfMemoryError"), r.output());
    }
}

package org.vae4j.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Builds hostile gzip files on the fly: a prefix followed by gigabytes of zeros in a few MB. The
 * deflate data of 1 MiB of zeros, ended by a full flush (byte-aligned, no reference to what came
 * before), is written once and repeated, so a 10 GiB body costs 10,240 copies of ~1 KB.
 */
final class GzipFiles {

    private static final int BLOCK = 1 << 20;

    private GzipFiles() {
    }

    /**
     * Writes {@code prefix} then {@code zeros} zero bytes (a multiple of 1 MiB) as one gzip member.
     *
     * @param truthfulTrailer whether the trailer's CRC-32 is computed over all the content (else a
     *                        wrong CRC-32: a reader that reports it read to the end)
     */
    static void write(Path file, byte[] prefix, long zeros, boolean truthfulTrailer) throws IOException {
        if (zeros % BLOCK != 0) {
            throw new IllegalArgumentException("zeros must be a multiple of 1 MiB");
        }
        byte[] zeroBlock = new byte[BLOCK];
        byte[] deflatedZeros = deflate(zeroBlock, Deflater.FULL_FLUSH);
        CRC32 crc = new CRC32();
        crc.update(prefix);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
            out.write(deflate(prefix, Deflater.FULL_FLUSH));
            for (long i = 0; i < zeros / BLOCK; i++) {
                out.write(deflatedZeros);
                if (truthfulTrailer) {
                    crc.update(zeroBlock);
                }
            }
            out.write(deflate(new byte[0], -1)); // the final, empty block
            ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            trailer.putInt((int) (truthfulTrailer ? crc.getValue() : ~crc.getValue()));
            trailer.putInt((int) (prefix.length + zeros));
            out.write(trailer.array());
        }
    }

    /** Raw deflate of {@code data}, ended by {@code flush}, or finished when flush is -1. */
    private static byte[] deflate(byte[] data, int flush) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(data);
        if (flush < 0) {
            d.finish();
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (true) {
            int n = flush < 0 ? d.deflate(buf) : d.deflate(buf, 0, buf.length, flush);
            out.write(buf, 0, n);
            if (flush < 0 ? d.finished() : n < buf.length && d.needsInput()) {
                break;
            }
        }
        d.end();
        return out.toByteArray();
    }
}

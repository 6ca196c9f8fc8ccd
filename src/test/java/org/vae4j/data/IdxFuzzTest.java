package org.vae4j.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.vae4j.testing.FuzzFiles;

/**
 * Fuzzes {@link IdxReader#read}: any bytes give an array whose dimensions account for every value,
 * or the documented errors naming the file — an {@link IllegalArgumentException} for bad content,
 * an {@link IOException} for a corrupt or cut gzip stream. {@code plain} reads the bytes as the
 * file (so a leading 1f 8b is a corrupt gzip stream); {@code gzipped} compresses them first, so the
 * fuzzer explores the IDX content behind a valid gzip stream. Committed inputs:
 * {@code IdxFuzzTestInputs/<method>/} (docs/TESTING.md).
 */
class IdxFuzzTest {

    @FuzzTest(maxDuration = FuzzFiles.DURATION)
    void plain(byte[] data) {
        read(FuzzFiles.write("input.idx", data));
    }

    @FuzzTest(maxDuration = FuzzFiles.DURATION)
    void gzipped(byte[] data) {
        read(FuzzFiles.write("input.idx.gz", gzip(data)));
    }

    private static void read(Path file) {
        try {
            IdxReader.IdxArray a = IdxReader.read(file);
            long n = 1;
            for (int d : a.dims()) {
                n *= d;
            }
            if (n != a.data().length) {
                throw new AssertionError("dimensions declare " + n + " values, the array has " + a.data().length);
            }
        } catch (IllegalArgumentException | IOException e) {
            FuzzFiles.requireNamesFile(e, file);
        }
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

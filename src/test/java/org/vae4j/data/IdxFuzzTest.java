package org.vae4j.data;

import java.io.IOException;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.vae4j.testing.Crafted;
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
        read(FuzzFiles.write("input.idx.gz", Crafted.gzip(data)));
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
}

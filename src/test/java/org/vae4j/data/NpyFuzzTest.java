package org.vae4j.data;

import java.io.IOException;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.testing.FuzzFiles;

/**
 * Fuzzes {@link Npy#read}: any bytes give a matrix of the declared shape or an
 * {@link IllegalArgumentException} naming the file (its documented contract), never another
 * exception. Committed inputs: {@code NpyFuzzTestInputs/read/} (docs/TESTING.md).
 */
class NpyFuzzTest {

    @FuzzTest(maxDuration = FuzzFiles.DURATION)
    @DictionaryFile(resourcePath = "/org/vae4j/data/NpyFuzzTest.dict")
    void read(byte[] data) throws IOException {
        Path file = FuzzFiles.write("input.npy", data);
        try {
            FMatrixRMaj m = Npy.read(file);
            if (m.getNumElements() != (long) m.numRows * m.numCols || m.data.length < m.getNumElements()) {
                throw new AssertionError("inconsistent matrix " + m.numRows + " x " + m.numCols);
            }
        } catch (IllegalArgumentException e) {
            FuzzFiles.requireNamesFile(e, file);
        }
    }
}

package org.vae4j.data;

import java.io.IOException;
import java.nio.file.Path;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.testing.FuzzFiles;

/**
 * Fuzzes the numeric CSV reader {@link Csv#read(Path, boolean)}: any bytes give a matrix of
 * finite-or-declared values and consistent shape, or an {@link IllegalArgumentException} naming
 * the file (its documented contract). The first byte chooses whether a header line is skipped.
 * Committed inputs: {@code CsvFuzzTestInputs/read/} (docs/TESTING.md).
 */
class CsvFuzzTest {

    @FuzzTest(maxDuration = FuzzFiles.DURATION)
    @DictionaryFile(resourcePath = "/org/vae4j/data/CsvFuzzTest.dict")
    void read(FuzzedDataProvider in) throws IOException {
        boolean header = in.consumeBoolean();
        Path file = FuzzFiles.write("input.csv", in.consumeRemainingAsBytes());
        try {
            FMatrixRMaj m = Csv.read(file, header);
            if (m.getNumElements() != (long) m.numRows * m.numCols) {
                throw new AssertionError("inconsistent matrix " + m.numRows + " x " + m.numCols);
            }
        } catch (IllegalArgumentException e) {
            FuzzFiles.requireNamesFile(e, file);
        }
    }
}

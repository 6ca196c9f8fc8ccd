package org.vae4j.table;

import java.io.IOException;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.vae4j.testing.FuzzFiles;

/**
 * Fuzzes the table CSV reader: {@link CsvSource#open} and {@link CsvSource#next} to the end. Any
 * bytes give records as long as the header, or a {@link TableFormatException} naming the file
 * (its documented contract); any other exception is a finding. Committed inputs:
 * {@code CsvSourceFuzzTestInputs/read/} (docs/TESTING.md).
 */
class CsvSourceFuzzTest {

    @FuzzTest(maxDuration = FuzzFiles.DURATION)
    @DictionaryFile(resourcePath = "/org/vae4j/table/CsvSourceFuzzTest.dict")
    void read(byte[] data) throws IOException {
        Path file = FuzzFiles.write("input.csv", data);
        try (CsvSource src = CsvSource.open(file)) {
            int columns = src.header().length;
            String[] row;
            long rows = 0;
            while ((row = src.next()) != null) {
                rows++;
                if (row.length != columns) {
                    throw new AssertionError("a row of " + row.length + " fields under " + columns + " columns");
                }
            }
            if (rows != src.rows()) {
                throw new AssertionError(rows + " rows read, the source counts " + src.rows());
            }
        } catch (TableFormatException e) {
            FuzzFiles.requireNamesFile(e, file);
        }
    }
}

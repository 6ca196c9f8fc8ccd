package org.vae4j.io;

import java.io.IOException;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.vae4j.table.TableModel;
import org.vae4j.testing.FuzzFiles;

/**
 * Fuzzes the safetensors read path: {@link SafeTensorsFile#open} and {@link SafeTensorsFile#readFloats}
 * of every floating-point tensor, {@link ModelFiles#load}, {@link ModelFiles#loadCheckpoint} and
 * {@link TableModel#load}. Their documented contract for a readable file is a result or a
 * {@link ModelFileException} naming it; any other exception (an NPE, an
 * {@link IllegalArgumentException} from a codec, an {@link OutOfMemoryError}) is a finding.
 * Committed inputs: {@code SafeTensorsFuzzTestInputs/load/} (docs/TESTING.md).
 */
class SafeTensorsFuzzTest {

    @FuzzTest(maxDuration = FuzzFiles.DURATION)
    @DictionaryFile(resourcePath = "/org/vae4j/io/SafeTensorsFuzzTest.dict")
    void load(byte[] data) throws IOException {
        Path file = FuzzFiles.write("input.safetensors", data);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            for (java.util.Map.Entry<String, TensorInfo> t : f.tensors().entrySet()) {
                if (t.getValue().dtype().isFloatingPoint()) {
                    float[] v = f.readFloats(t.getKey());
                    if (v.length != t.getValue().numel()) {
                        throw new AssertionError(t.getKey() + ": read " + v.length + " of " + t.getValue().numel());
                    }
                }
            }
        } catch (ModelFileException e) {
            FuzzFiles.requireNamesFile(e, file);
            return; // every later step opens the file the same way
        }
        loadAs(file, () -> ModelFiles.load(file));
        loadAs(file, () -> ModelFiles.loadCheckpoint(file));
        loadAs(file, () -> TableModel.load(file));
    }

    private interface Load {
        Object run() throws IOException;
    }

    private static void loadAs(Path file, Load load) throws IOException {
        try {
            load.run();
        } catch (ModelFileException e) {
            FuzzFiles.requireNamesFile(e, file);
        }
    }
}

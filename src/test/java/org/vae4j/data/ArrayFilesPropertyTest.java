package org.vae4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.ejml.data.FMatrixRMaj;

/**
 * Properties of the array files: {@code .npy} (float32 and uint8) and CSV written then read give
 * the same matrix — float32 bit for bit, every value including signed zeros, subnormals, the
 * extremes, infinities and NaN (CSV canonicalises a NaN's payload, as NumPy's text writer does).
 */
class ArrayFilesPropertyTest {

    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("vae4j-arrays");
    }

    @AfterContainer
    static void removeDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Provide
    Arbitrary<FMatrixRMaj> matrices() {
        Arbitrary<Float> value = Arbitraries.oneOf(Arbitraries.floats(),
                Arbitraries.integers().map(Float::intBitsToFloat),
                Arbitraries.of(0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
                        -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0.1f, 1e-7f));
        return Arbitraries.integers().between(1, 6).flatMap(rows -> Arbitraries.integers().between(1, 6)
                .flatMap(cols -> value.list().ofSize(rows * cols).map(v -> {
                    FMatrixRMaj m = new FMatrixRMaj(rows, cols);
                    for (int i = 0; i < v.size(); i++) {
                        m.data[i] = v.get(i);
                    }
                    return m;
                })));
    }

    @Property(tries = 60)
    void npyFloat32RoundTripIsBitIdentical(@ForAll("matrices") FMatrixRMaj m) throws IOException {
        Path file = dir.resolve("m.npy");
        Npy.write(m, file);
        FMatrixRMaj back = Npy.read(file);
        assertShape(m, back);
        for (int i = 0; i < m.getNumElements(); i++) {
            assertEquals(Float.floatToRawIntBits(m.data[i]), Float.floatToRawIntBits(back.data[i]), "element " + i);
        }
    }

    @Property(tries = 30)
    void npyUint8RoundTripKeepsEveryByteValue(@ForAll("matrices") FMatrixRMaj shape) throws IOException {
        FMatrixRMaj m = new FMatrixRMaj(shape.numRows, shape.numCols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = Math.floorMod(Float.floatToRawIntBits(shape.data[i]), 256);
        }
        Path file = dir.resolve("u8.npy");
        Npy.write(m, file, Npy.Dtype.UINT8);
        assertEquals(Npy.header(Npy.Dtype.UINT8, m.numRows, m.numCols).length + m.getNumElements(), Files.size(file));
        FMatrixRMaj back = Npy.read(file);
        assertShape(m, back);
        for (int i = 0; i < m.getNumElements(); i++) {
            assertEquals(m.data[i], back.data[i], 0f, "element " + i);
        }
    }

    @Property(tries = 60)
    void csvRoundTripIsBitIdenticalUpToNanPayloads(@ForAll("matrices") FMatrixRMaj m) throws IOException {
        Path file = dir.resolve("m.csv");
        Csv.write(m, file);
        FMatrixRMaj back = Csv.read(file);
        assertShape(m, back);
        for (int i = 0; i < m.getNumElements(); i++) {
            int expected = Float.isNaN(m.data[i]) ? Float.floatToIntBits(Float.NaN) : Float.floatToRawIntBits(m.data[i]);
            assertEquals(expected, Float.floatToRawIntBits(back.data[i]), "element " + i + " (" + m.data[i] + ")");
        }
    }

    private static void assertShape(FMatrixRMaj expected, FMatrixRMaj actual) {
        assertEquals(expected.numRows, actual.numRows, "rows");
        assertEquals(expected.numCols, actual.numCols, "cols");
    }
}

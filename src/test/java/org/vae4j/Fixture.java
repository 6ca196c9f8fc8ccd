package org.vae4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.ejml.data.FMatrixRMaj;

/**
 * A reference fixture written by src/test/python/make_parity_fixtures.py: named scalars and
 * row-major tensors in a plain text format ("scalar NAME VALUE" or "tensor NAME ROWS COLS"
 * followed by one line of values).
 */
public final class Fixture {

    private final String resource;
    private final Map<String, Double> scalars = new HashMap<>();
    private final Map<String, FMatrixRMaj> tensors = new HashMap<>();

    private Fixture(String resource) {
        this.resource = resource;
    }

    /** Loads a classpath resource such as {@code /parity/vae_bernoulli.txt}. */
    public static Fixture load(String resource) {
        Fixture f = new Fixture(resource);
        try (InputStream in = Fixture.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("fixture not found on the classpath: " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] head = line.trim().split("\\s+");
                if (head[0].equals("scalar")) {
                    f.scalars.put(head[1], Double.parseDouble(head[2]));
                } else if (head[0].equals("tensor")) {
                    int rows = Integer.parseInt(head[2]);
                    int cols = Integer.parseInt(head[3]);
                    String[] values = r.readLine().trim().split("\\s+");
                    if (values.length != rows * cols) {
                        throw new IllegalStateException(resource + ": tensor " + head[1] + " declares "
                                + rows + "x" + cols + " but has " + values.length + " values");
                    }
                    FMatrixRMaj m = new FMatrixRMaj(rows, cols);
                    for (int i = 0; i < values.length; i++) {
                        m.data[i] = Float.parseFloat(values[i]);
                    }
                    f.tensors.put(head[1], m);
                } else {
                    throw new IllegalStateException(resource + ": unexpected line " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    public double scalar(String name) {
        Double v = scalars.get(name);
        if (v == null) {
            throw new IllegalArgumentException(resource + " has no scalar " + name);
        }
        return v;
    }

    public FMatrixRMaj tensor(String name) {
        FMatrixRMaj m = tensors.get(name);
        if (m == null) {
            throw new IllegalArgumentException(resource + " has no tensor " + name);
        }
        return m;
    }

    public boolean has(String name) {
        return tensors.containsKey(name) || scalars.containsKey(name);
    }

    /** The tolerances of every PyTorch fixture comparison: relative and absolute. */
    public static final double RTOL = 1e-5;
    public static final double ATOL = 2e-6;

    /** |expected - actual| within RTOL relative plus ATOL absolute (the PyTorch value first). */
    public static void assertClose(double expected, double actual, String what) {
        double tol = RTOL * Math.abs(expected) + ATOL;
        assertTrue(Math.abs(expected - actual) <= tol,
                () -> what + ": expected " + expected + " (PyTorch), got " + actual);
    }

    /**
     * Elementwise {@link #assertClose} with the absolute part scaled by the largest |expected|;
     * the error names the first element out of tolerance.
     */
    public static void assertTensor(FMatrixRMaj expected, FMatrixRMaj actual, String what) {
        assertEquals(expected.numRows, actual.numRows, what + " rows");
        assertEquals(expected.numCols, actual.numCols, what + " cols");
        double scale = 0;
        for (int i = 0; i < expected.getNumElements(); i++) {
            scale = Math.max(scale, Math.abs(expected.data[i]));
        }
        for (int i = 0; i < expected.getNumElements(); i++) {
            double e = expected.data[i];
            double a = actual.data[i];
            double tol = RTOL * Math.abs(e) + ATOL * Math.max(1.0, scale);
            final int idx = i;
            assertTrue(Math.abs(e - a) <= tol, () -> what + "[" + idx + "]: expected " + e + " (PyTorch), got " + a
                    + ", difference " + Math.abs(e - a));
        }
    }
}

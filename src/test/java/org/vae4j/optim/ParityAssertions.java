package org.vae4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.Fixture;
import org.vae4j.nn.Parameter;

/**
 * The tolerance of {@code org.vae4j.PyTorchParityTest} (copied: its helpers are package-private
 * there): 1e-5 relative plus an absolute floor of 2e-6 scaled by the tensor's largest value.
 */
final class ParityAssertions {

    static final double RTOL = 1e-5;
    static final double ATOL = 2e-6;

    /** The autoencoder of ae_squared_error.txt / adamw_clip.txt, in named_parameters() order. */
    static final List<String> AE_PARAMETERS = List.of(
            "encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias",
            "encoder.4.weight", "encoder.4.bias", "decoder.0.weight", "decoder.0.bias",
            "decoder.2.weight", "decoder.2.bias", "decoder.4.weight", "decoder.4.bias");

    private ParityAssertions() {
    }

    static void assertClose(double expected, double actual, String what) {
        double tol = RTOL * Math.abs(expected) + ATOL;
        assertTrue(Math.abs(expected - actual) <= tol,
                () -> what + ": expected " + expected + " (PyTorch), got " + actual);
    }

    static void assertTensor(FMatrixRMaj expected, FMatrixRMaj actual, String what) {
        assertTrue(tensorClose(expected, actual, what), () -> firstDifference(expected, actual, what));
    }

    /** Whether every value is within the tolerance (shapes must agree). */
    static boolean tensorClose(FMatrixRMaj expected, FMatrixRMaj actual, String what) {
        assertEquals(expected.numRows, actual.numRows, what + " rows");
        assertEquals(expected.numCols, actual.numCols, what + " cols");
        return firstDifference(expected, actual, what) == null;
    }

    private static String firstDifference(FMatrixRMaj expected, FMatrixRMaj actual, String what) {
        double scale = 0;
        for (int i = 0; i < expected.getNumElements(); i++) {
            scale = Math.max(scale, Math.abs(expected.data[i]));
        }
        for (int i = 0; i < expected.getNumElements(); i++) {
            double e = expected.data[i];
            double a = actual.data[i];
            double tol = RTOL * Math.abs(e) + ATOL * Math.max(1.0, scale);
            if (!(Math.abs(e - a) <= tol)) {
                return what + "[" + i + "]: expected " + e + " (PyTorch), got " + a + ", difference " + Math.abs(e - a);
            }
        }
        return null;
    }

    /** Parameters named and shaped as {@code prefix + name} in the fixture, holding those values. */
    static List<Parameter> parameters(Fixture f, String prefix) {
        List<Parameter> ps = new ArrayList<>();
        for (String name : AE_PARAMETERS) {
            FMatrixRMaj t = f.tensor(prefix + name);
            Parameter p = new Parameter(name, t.numRows, t.numCols);
            p.set(t.data);
            ps.add(p);
        }
        return ps;
    }

    /** Copies the fixture's tensors {@code prefix + name} into the gradients. */
    static void setGradients(List<Parameter> ps, Fixture f, String prefix) {
        for (Parameter p : ps) {
            FMatrixRMaj t = f.tensor(prefix + p.name());
            assertEquals(p.size(), t.getNumElements(), prefix + p.name());
            System.arraycopy(t.data, 0, p.gradArray(), p.offset(), p.size());
        }
    }
}

package org.vae4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vae4j.GradientCheck;

class ActivationTest {

    private static FMatrixRMaj row(float... values) {
        return new FMatrixRMaj(1, values.length, true, values);
    }

    private static float[] apply(Activation f, float... pre) {
        FMatrixRMaj out = new FMatrixRMaj(1, pre.length);
        f.forward(row(pre), out);
        return out.data;
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void backwardMatchesFiniteDifferences(Activation f) {
        SplittableRandom rng = new SplittableRandom(7);
        // Pre-activations in +-[0.1, 3]: far from the ReLU kink compared with the step 1e-2.
        FMatrixRMaj pre = GradientCheck.awayFromZero(3, 5, 0.1, 3.0, rng);
        FMatrixRMaj r = GradientCheck.uniform(3, 5, -1, 1, rng);
        FMatrixRMaj out = new FMatrixRMaj(3, 5);
        FMatrixRMaj dpre = new FMatrixRMaj(3, 5);

        f.forward(pre, out);
        f.backward(pre, out, r, dpre);

        FMatrixRMaj scratch = new FMatrixRMaj(3, 5);
        GradientCheck.assertGradient(f.name(), pre, dpre, () -> {
            f.forward(pre, scratch);
            return GradientCheck.dot(r, scratch);
        });
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void backwardInPlaceEqualsBackwardIntoSeparateBuffer(Activation f) {
        SplittableRandom rng = new SplittableRandom(8);
        FMatrixRMaj pre = GradientCheck.awayFromZero(2, 4, 0.1, 3.0, rng);
        FMatrixRMaj out = new FMatrixRMaj(2, 4);
        f.forward(pre, out);
        FMatrixRMaj dout = GradientCheck.uniform(2, 4, -1, 1, rng);
        FMatrixRMaj dpre = new FMatrixRMaj(2, 4);

        f.backward(pre, out, dout, dpre);
        f.backward(pre, out, dout, dout);

        assertArrayEquals(dpre.data, dout.data);
    }

    @Test
    void forwardValuesMatchHandComputedValues() {
        float[] pre = {-2f, -0.5f, 0f, 0.5f, 2f};
        assertArrayClose(new float[] {-2f, -0.5f, 0f, 0.5f, 2f}, apply(Activation.IDENTITY, pre));
        assertArrayClose(new float[] {0f, 0f, 0f, 0.5f, 2f}, apply(Activation.RELU, pre));
        assertArrayClose(new float[] {-0.02f, -0.005f, 0f, 0.5f, 2f}, apply(Activation.LEAKY_RELU, pre));
        assertArrayClose(new float[] {-0.9640276f, -0.46211716f, 0f, 0.46211716f, 0.9640276f},
                apply(Activation.TANH, pre));
        assertArrayClose(new float[] {0.11920292f, 0.37754067f, 0.5f, 0.62245933f, 0.8807971f},
                apply(Activation.SIGMOID, pre));
        assertArrayClose(new float[] {0.12692801f, 0.47407698f, (float) Math.log(2), 0.97407698f, 2.126928f},
                apply(Activation.SOFTPLUS, pre));
    }

    @Test
    void softplusAndSigmoidAreFiniteAndAccurateForLargeInputs() {
        assertEquals(100f, Activation.softplus(100f), 0f);
        float tiny = Activation.softplus(-100f);
        assertTrue(tiny > 0f, "softplus(-100) underflowed to " + tiny);
        assertEquals(Math.exp(-100), tiny, 2e-45); // 3.7e-44, a float subnormal
        assertEquals(1e4f, Activation.softplus(1e4f), 0f);
        assertEquals(0f, Activation.softplus(-1e4f), 0f);

        assertEquals(1f, Activation.sigmoid(100f), 0f);
        assertEquals(Math.exp(-100), Activation.sigmoid(-100f), 2e-45);
        assertEquals(1f, Activation.sigmoid(1e4f), 0f);
        assertEquals(0f, Activation.sigmoid(-1e4f), 0f);
        assertEquals(0.5f, Activation.sigmoid(0f), 0f);
    }

    @Test
    void saturatedDerivativesAreFinite() {
        for (Activation f : new Activation[] {Activation.TANH, Activation.SIGMOID, Activation.SOFTPLUS}) {
            FMatrixRMaj pre = row(-1e4f, -100f, 100f, 1e4f);
            FMatrixRMaj out = new FMatrixRMaj(1, 4);
            FMatrixRMaj dpre = new FMatrixRMaj(1, 4);
            f.forward(pre, out);
            f.backward(pre, out, row(1f, 1f, 1f, 1f), dpre);
            for (int i = 0; i < 4; i++) {
                assertTrue(Float.isFinite(out.data[i]) && Float.isFinite(dpre.data[i]),
                        f + " at " + pre.data[i] + ": out " + out.data[i] + ", dpre " + dpre.data[i]);
            }
        }
    }

    @Test
    void reluDerivativeAtZeroIsZeroAsInPyTorch() {
        FMatrixRMaj pre = row(0f);
        FMatrixRMaj dpre = new FMatrixRMaj(1, 1);
        Activation.RELU.backward(pre, row(0f), row(1f), dpre);
        assertEquals(0f, dpre.data[0], 0f);
    }

    @Test
    void shapeMismatchAndInPlaceNonLinearForwardAreRejected() {
        FMatrixRMaj a = new FMatrixRMaj(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Activation.TANH.forward(a, new FMatrixRMaj(3, 2)));
        assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("(3, 2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Activation.SIGMOID.forward(a, a));
        assertTrue(e.getMessage().contains("in place"), e.getMessage());
    }

    private static void assertArrayClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6f, "element " + i);
        }
    }
}

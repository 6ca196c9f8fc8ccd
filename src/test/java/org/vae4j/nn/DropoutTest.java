package org.vae4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.GradientCheck;
import org.vae4j.kernel.Kernels;
import org.vae4j.random.CounterRandom;
import org.vae4j.random.Noise;

class DropoutTest {

    private static final Kernels K = Kernels.reference();

    @Test
    void evaluationModeIsTheIdentityAndReturnsTheSameObjects() {
        Dropout d = new Dropout(5, 0.5, 1);
        d.setTraining(false);
        FMatrixRMaj x = GradientCheck.uniform(3, 5, -1, 1, new SplittableRandom(1));
        FMatrixRMaj dy = GradientCheck.uniform(3, 5, -1, 1, new SplittableRandom(2));
        assertSame(x, d.forward(K, x));
        assertSame(dy, d.backward(K, dy, true));
        assertNull(d.backward(K, dy, false));
        assertEquals(0, d.calls(), "evaluation draws no masks");

        // through a Sequential's setTraining
        Sequential net = Sequential.of(new Dropout(5, 0.5, 1));
        net.setTraining(false);
        assertSame(x, net.forward(K, x));
        net.setTraining(true);
        assertFalse(Arrays.equals(x.data, net.forward(K, x).data));
    }

    @Test
    void pZeroIsTheIdentityInTraining() {
        Dropout d = new Dropout(4, 0.0, 3);
        FMatrixRMaj x = GradientCheck.uniform(6, 4, -1, 1, new SplittableRandom(3));
        FMatrixRMaj dy = GradientCheck.uniform(6, 4, -1, 1, new SplittableRandom(4));
        assertTrue(d.isTraining());
        assertSame(x, d.forward(K, x));
        assertSame(dy, d.backward(K, dy, true));
    }

    /** p = 0.3 on 20000 elements: the kept count is Binomial(20000, 0.7), checked to 5 sigma. */
    @Test
    void trainingKeepsAFractionOneMinusPScaledByOneOverOneMinusP() {
        double p = 0.3;
        int rows = 400;
        int width = 50;
        Dropout d = new Dropout(width, p, 42);
        FMatrixRMaj x = GradientCheck.awayFromZero(rows, width, 0.5, 1.5, new SplittableRandom(5));
        FMatrixRMaj y = d.forward(K, x);
        float scale = (float) (1 / (1 - p));
        int kept = 0;
        for (int i = 0; i < rows * width; i++) {
            if (y.data[i] != 0) {
                kept++;
                assertEquals(x.data[i] * scale, y.data[i], 0f, "a kept element is x / (1 - p)");
            }
        }
        int n = rows * width;
        double mean = n * (1 - p);
        double sd = Math.sqrt(n * p * (1 - p));
        assertTrue(Math.abs(kept - mean) < 5 * sd, kept + " kept of " + n + ", expected " + mean + " +- " + 5 * sd);
        // every row has its own mask: no two of the first rows agree
        FMatrixRMaj m = d.mask();
        for (int r = 1; r < 10; r++) {
            assertFalse(Arrays.equals(Arrays.copyOfRange(m.data, 0, width),
                    Arrays.copyOfRange(m.data, r * width, (r + 1) * width)), "rows 0 and " + r);
        }
    }

    /** The mean of y over 4000 calls is x, per element, within 5 standard errors. */
    @Test
    void theExpectationOfTheOutputIsTheInput() {
        double p = 0.5;
        int calls = 4000;
        Dropout d = new Dropout(8, p, 7);
        FMatrixRMaj x = GradientCheck.awayFromZero(1, 8, 0.5, 2, new SplittableRandom(6));
        double[] sum = new double[8];
        for (int t = 0; t < calls; t++) {
            FMatrixRMaj y = d.forward(K, x);
            for (int j = 0; j < 8; j++) {
                sum[j] += y.data[j];
            }
        }
        for (int j = 0; j < 8; j++) {
            double se = Math.abs(x.data[j]) * Math.sqrt(p / (1 - p) / calls);
            assertEquals(x.data[j], sum[j] / calls, 5 * se, "E[y_" + j + "]");
        }
    }

    @Test
    void theBackwardAppliesTheForwardsMask() {
        Dropout d = new Dropout(6, 0.4, 9);
        SplittableRandom rng = new SplittableRandom(8);
        FMatrixRMaj x = GradientCheck.uniform(5, 6, -1, 1, rng);
        FMatrixRMaj dy = GradientCheck.uniform(5, 6, -1, 1, rng);
        FMatrixRMaj y = d.forward(K, x).copy();
        FMatrixRMaj dx = d.backward(K, dy, true);
        for (int i = 0; i < 30; i++) {
            float k = y.data[i] == 0 ? 0f : y.data[i] / x.data[i];
            assertEquals(d.mask().data[i], k, 1e-6f);
            assertEquals(dy.data[i] * d.mask().data[i], dx.data[i], 0f);
        }
        assertNull(d.backward(K, dy, false));
    }

    /**
     * Finite differences through Sequential(Dense, tanh, Dropout, Dense) with the mask held: one
     * forward and backward draws call 0's mask and its gradients; every loss evaluation rewinds
     * the count to 0 ({@link Dropout#setCalls}), so it sees that same mask.
     */
    @Test
    void gradientsWithTheMaskHeldMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(10);
        Dropout drop = new Dropout(8, 0.5, 11);
        Sequential net = Sequential.of(new Dense(4, 8, Init.TORCH_DEFAULT, rng),
                new ActivationLayer(Activation.TANH, 8), drop, new Dense(8, 3, Init.TORCH_DEFAULT, rng));
        FMatrixRMaj x = GradientCheck.uniform(3, 4, -1, 1, rng);
        FMatrixRMaj r = GradientCheck.uniform(3, 3, -1, 1, rng);
        net.forward(K, x);
        FMatrixRMaj dx = net.backward(K, r, true).copy();
        float[] mask = drop.mask().data.clone();
        int dropped = 0;
        for (float m : mask) {
            dropped += m == 0 ? 1 : 0;
        }
        assertTrue(dropped > 0 && dropped < mask.length, dropped + " of " + mask.length + " dropped");

        DoubleSupplier loss = () -> {
            drop.setCalls(0);
            return GradientCheck.dot(r, net.forward(K, x));
        };
        for (Parameter p : net.parameters()) {
            GradientCheck.assertGradient(p.name(), p, p.gradCopy(), loss);
        }
        GradientCheck.assertGradient("dx", x, dx, loss);
        assertArrayEquals(mask, Arrays.copyOf(drop.mask().data, mask.length), "the mask was held");
    }

    @Test
    void invalidProbabilitiesAreRejectedWithAClearMessage() {
        for (double p : new double[] {1.0, -0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dropout(4, p, 1));
            assertTrue(e.getMessage().contains("[0, 1)") && e.getMessage().contains(Double.toString(p)),
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new Dropout(0, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(4, 0.5, 1).setCalls(-1));
        assertThrows(IllegalStateException.class, () -> new Dropout(4, 0.5, 1).backward(K, new FMatrixRMaj(1, 4), true));
    }

    /**
     * The masks are a function of (seed, call count, row position): the same seed gives the same
     * masks, another seed others; rewinding the count replays them; each call draws new ones; and
     * row r of a batch of 4 has the mask of row r of a batch of 2 at the same call (the position
     * in the batch, not the example, keys the mask).
     */
    @Test
    void masksAreDeterministicForASeedAndKeyedByCallAndRowPosition() {
        FMatrixRMaj x4 = GradientCheck.awayFromZero(4, 16, 0.5, 1, new SplittableRandom(12));
        Dropout a = new Dropout(16, 0.5, 2024);
        Dropout b = new Dropout(16, 0.5, 2024);
        Dropout other = new Dropout(16, 0.5, 2025);
        float[][] masks = new float[3][];
        for (int t = 0; t < 3; t++) {
            a.forward(K, x4);
            b.forward(K, x4);
            other.forward(K, x4);
            masks[t] = a.mask().data.clone();
            assertArrayEquals(masks[t], b.mask().data, "call " + t);
            assertFalse(Arrays.equals(masks[t], other.mask().data), "another seed, call " + t);
        }
        assertFalse(Arrays.equals(masks[0], masks[1]), "a new mask each call");
        assertEquals(3, a.calls());

        a.setCalls(1);
        a.forward(K, x4);
        assertArrayEquals(masks[1], a.mask().data, "rewinding replays");

        a.setCalls(1);
        FMatrixRMaj x2 = new FMatrixRMaj(2, 16);
        System.arraycopy(x4.data, 0, x2.data, 0, 32);
        a.forward(K, x2);
        assertArrayEquals(Arrays.copyOf(masks[1], 32), Arrays.copyOf(a.mask().data, 32), "rows by position");

        // the documented draw: element j of row r at call t is dropped when draw j of
        // stream (PURPOSE, t, r, 0) is below p
        CounterRandom rng = new Noise(2024).stream(new CounterRandom(), Dropout.PURPOSE, 2, 3, 0);
        for (int j = 0; j < 16; j++) {
            assertEquals(rng.nextDouble() < 0.5 ? 0f : 2f, masks[2][3 * 16 + j], 0f, "row 3, col " + j);
        }
    }

    @Test
    void aSteadyForwardAndBackwardAllocatesNothing() {
        SplittableRandom rng = new SplittableRandom(13);
        Dropout d = new Dropout(32, 0.2, 5);
        FMatrixRMaj big = GradientCheck.uniform(16, 32, -1, 1, rng);
        FMatrixRMaj small = GradientCheck.uniform(8, 32, -1, 1, rng);
        FMatrixRMaj dyBig = GradientCheck.uniform(16, 32, -1, 1, rng);
        FMatrixRMaj dySmall = GradientCheck.uniform(8, 32, -1, 1, rng);
        LayerNormTest.assertAllocatesNothing(() -> {
            d.forward(K, big);
            d.backward(K, dyBig, true);
            d.forward(K, small);
            d.backward(K, dySmall, true);
        });
    }
}

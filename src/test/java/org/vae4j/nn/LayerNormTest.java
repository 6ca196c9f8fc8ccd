package org.vae4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Fixture;
import org.vae4j.GradientCheck;
import org.vae4j.kernel.Kernels;

class LayerNormTest {

    private static final Kernels K = Kernels.reference();
    /** Parity tolerances, as PyTorchParityTest's. */
    private static final double RTOL = 1e-5;
    private static final double ATOL = 2e-6;

    /** A layer norm with gamma in [0.5, 1.5) and beta in [-0.5, 0.5), so neither is trivial. */
    private static LayerNorm randomised(int width, SplittableRandom rng) {
        LayerNorm ln = new LayerNorm(width);
        ln.weight().set(GradientCheck.uniform(1, width, 0.5, 1.5, rng).data);
        ln.bias().set(GradientCheck.uniform(1, width, -0.5, 0.5, rng).data);
        return ln;
    }

    @Test
    void forwardNormalisesEachRowThenScalesAndShifts() {
        SplittableRandom rng = new SplittableRandom(3);
        LayerNorm ln = randomised(6, rng);
        FMatrixRMaj x = GradientCheck.uniform(3, 6, -2, 5, rng);
        FMatrixRMaj y = ln.forward(K, x);
        float[] g = ln.weight().valueCopy().data;
        float[] b = ln.bias().valueCopy().data;
        for (int r = 0; r < 3; r++) {
            double mean = 0;
            for (int j = 0; j < 6; j++) {
                mean += x.get(r, j) / 6.0;
            }
            double var = 0;
            for (int j = 0; j < 6; j++) {
                var += (x.get(r, j) - mean) * (x.get(r, j) - mean) / 6.0;
            }
            for (int j = 0; j < 6; j++) {
                double expected = (x.get(r, j) - mean) / Math.sqrt(var + 1e-5) * g[j] + b[j];
                assertEquals(expected, y.get(r, j), 1e-5, "y[" + r + ", " + j + "]");
            }
        }
    }

    @Test
    void parametersAreNamedShapedAndInitialisedAsPyTorch() {
        LayerNorm ln = new LayerNorm(4);
        assertEquals(List.of("weight", "bias"), ln.parameters().stream().map(Parameter::name).toList());
        assertEquals(1, ln.weight().rows());
        assertEquals(4, ln.weight().cols());
        assertArrayEquals(new float[] {1, 1, 1, 1}, ln.weight().valueCopy().data);
        assertArrayEquals(new float[4], ln.bias().valueCopy().data);
        assertEquals(1e-5, ln.eps());
        // with gamma 1 and beta 0 each output row has mean 0 and (biased) variance ~1
        FMatrixRMaj y = ln.forward(K, new FMatrixRMaj(1, 4, true, 1, 2, 3, 10));
        double mean = 0;
        double sq = 0;
        for (int j = 0; j < 4; j++) {
            mean += y.data[j] / 4;
            sq += y.data[j] * y.data[j] / 4;
        }
        assertEquals(0, mean, 1e-6);
        assertEquals(1, sq, 1e-5);
    }

    @Test
    void gradientOfEveryParameterAndTheInputMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(7);
        LayerNorm ln = randomised(5, rng);
        FMatrixRMaj x = GradientCheck.uniform(4, 5, -1, 1, rng);
        FMatrixRMaj r = GradientCheck.uniform(4, 5, -1, 1, rng);

        ln.forward(K, x);
        FMatrixRMaj dx = ln.backward(K, r, true).copy();

        DoubleSupplier loss = () -> GradientCheck.dot(r, ln.forward(K, x));
        GradientCheck.assertGradient("dgamma", ln.weight(), ln.weight().gradCopy(), loss);
        GradientCheck.assertGradient("dbeta", ln.bias(), ln.bias().gradCopy(), loss);
        GradientCheck.assertGradient("dx", x, dx, loss);
    }

    @Test
    void gradientThroughASequentialMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(11);
        LayerNorm ln = randomised(6, rng);
        Sequential net = Sequential.of(new Dense(4, 6, Init.TORCH_DEFAULT, rng), ln,
                new ActivationLayer(Activation.TANH, 6), new Dense(6, 3, Init.TORCH_DEFAULT, rng));
        new ParameterStore(net.parameters()); // the tensors at offsets in one flat array, as in a model
        assertEquals(4 * 6 + 6, ln.weight().offset());
        FMatrixRMaj x = GradientCheck.uniform(3, 4, -1, 1, rng);
        FMatrixRMaj r = GradientCheck.uniform(3, 3, -1, 1, rng);
        net.forward(K, x);
        FMatrixRMaj dx = net.backward(K, r, true).copy();

        DoubleSupplier loss = () -> GradientCheck.dot(r, net.forward(K, x));
        for (Parameter p : net.parameters()) {
            GradientCheck.assertGradient(p.name(), p, p.gradCopy(), loss);
        }
        GradientCheck.assertGradient("dx", x, dx, loss);
    }

    @Test
    void matchesPyTorchsLayerNormOutputEveryGradientAndDx() {
        Fixture f = Fixture.load("/parity/modules.txt");
        LayerNorm ln = new LayerNorm(6, f.scalar("ln.eps"));
        ln.weight().set(f.tensor("ln.weight").data);
        ln.bias().set(f.tensor("ln.bias").data);
        FMatrixRMaj y = ln.forward(K, f.tensor("ln.x"));
        assertTensor(f.tensor("ln.y"), y, "ln.y");
        FMatrixRMaj dx = ln.backward(K, f.tensor("ln.r"), true);
        assertTensor(f.tensor("ln.grad.weight"), ln.weight().gradCopy(), "ln.grad.weight");
        assertTensor(f.tensor("ln.grad.bias"), ln.bias().gradCopy(), "ln.grad.bias");
        assertTensor(f.tensor("ln.dx"), dx, "ln.dx");
    }

    /** Sequential(Dense, LayerNorm, ReLU, Dense): the names are PyTorch's state_dict keys. */
    @Test
    void matchesPyTorchInASequentialWithStateDictNames() {
        Fixture f = Fixture.load("/parity/modules.txt");
        SplittableRandom rng = new SplittableRandom(1);
        Sequential net = Sequential.of(new Dense(5, 7, Init.TORCH_DEFAULT, rng), new LayerNorm(7),
                new ActivationLayer(Activation.RELU, 7), new Dense(7, 3, Init.TORCH_DEFAULT, rng));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"),
                net.parameters().stream().map(Parameter::name).toList());
        new ParameterStore(net.parameters()); // at offsets in one flat array, as in a model
        for (Parameter p : net.parameters()) {
            p.set(f.tensor("seq." + p.name()).data);
        }
        assertTensor(f.tensor("seq.y"), net.forward(K, f.tensor("seq.x")), "seq.y");
        FMatrixRMaj dx = net.backward(K, f.tensor("seq.r"), true);
        for (Parameter p : net.parameters()) {
            assertTensor(f.tensor("seq.grad." + p.name()), p.gradCopy(), "seq.grad." + p.name());
        }
        assertTensor(f.tensor("seq.dx"), dx, "seq.dx");
    }

    @Test
    void backwardAccumulatesParameterGradientsAndSkipsDxWhenNotAsked() {
        SplittableRandom rng = new SplittableRandom(5);
        LayerNorm ln = randomised(4, rng);
        FMatrixRMaj x = GradientCheck.uniform(3, 4, -1, 1, rng);
        FMatrixRMaj dy = GradientCheck.uniform(3, 4, -1, 1, rng);
        ln.forward(K, x);
        assertNull(ln.backward(K, dy, false));
        float[] dg1 = ln.weight().gradCopy().data;
        float[] db1 = ln.bias().gradCopy().data;
        ln.backward(K, dy, true);
        for (int j = 0; j < 4; j++) {
            assertEquals(2 * dg1[j], ln.weight().grad(j), 1e-6f);
            assertEquals(2 * db1[j], ln.bias().grad(j), 1e-6f);
        }
    }

    /**
     * A constant row has var = 0: y = beta, and as the variance is quadratic in x around it,
     * dx = (g - mean(g)) / sqrt(eps) with g = dy * gamma (eps keeps it finite; large, not 0).
     */
    @Test
    void aConstantRowGivesBetaAndTheEpsLimitedInputGradient() {
        LayerNorm ln = randomised(3, new SplittableRandom(2));
        FMatrixRMaj y = ln.forward(K, new FMatrixRMaj(1, 3, true, 7, 7, 7));
        assertArrayEquals(ln.bias().valueCopy().data, y.data, 0f);
        float[] dy = {1, -2, 3};
        FMatrixRMaj dx = ln.backward(K, new FMatrixRMaj(1, 3, true, dy), true);
        float[] gamma = ln.weight().valueCopy().data;
        double meanG = (dy[0] * gamma[0] + dy[1] * gamma[1] + dy[2] * gamma[2]) / 3.0;
        for (int j = 0; j < 3; j++) {
            double expected = (dy[j] * gamma[j] - meanG) / Math.sqrt(1e-5);
            assertEquals(expected, dx.data[j], 1e-5 * Math.abs(expected), "dx[" + j + "]");
        }
    }

    /**
     * x = 40 + 0.1 N(0, 1): the mean is large against the spread. The double statistics keep
     * y, the gradients and dx within 1e-5 of float64 PyTorch; float32 PyTorch itself is further off.
     */
    @Test
    void anIllConditionedBatchMatchesFloat64PyTorchCloserThanFloat32PyTorchDoes() {
        Fixture f = Fixture.load("/parity/modules.txt");
        LayerNorm ln = new LayerNorm(6, f.scalar("ln.eps"));
        ln.weight().set(f.tensor("ln.weight").data);
        ln.bias().set(f.tensor("ln.bias").data);
        FMatrixRMaj y = ln.forward(K, f.tensor("lnshift.x")).copy();
        FMatrixRMaj dx = ln.backward(K, f.tensor("lnshift.r"), true);
        FMatrixRMaj[] ours = {y, ln.weight().gradCopy(), ln.bias().gradCopy(), dx};
        String[] names = {"y", "grad.weight", "grad.bias", "dx"};
        for (int i = 0; i < names.length; i++) {
            FMatrixRMaj exact = f.tensor("lnshift." + names[i] + "64");
            assertTensor(exact, ours[i], "lnshift." + names[i]);
            double oursErr = maxRelativeError(exact, ours[i]);
            double torchErr = maxRelativeError(exact, f.tensor("lnshift." + names[i]));
            assertTrue(oursErr <= torchErr, names[i] + ": ours " + oursErr + ", float32 PyTorch " + torchErr);
        }
    }

    /** max |a - e| / max |e|. */
    private static double maxRelativeError(FMatrixRMaj expected, FMatrixRMaj actual) {
        double scale = 0;
        double err = 0;
        for (int i = 0; i < expected.getNumElements(); i++) {
            scale = Math.max(scale, Math.abs(expected.data[i]));
            err = Math.max(err, Math.abs(expected.data[i] - actual.data[i]));
        }
        return err / scale;
    }

    @Test
    void aSteadyForwardAndBackwardAllocatesNothing() {
        SplittableRandom rng = new SplittableRandom(13);
        LayerNorm ln = randomised(32, rng);
        FMatrixRMaj big = GradientCheck.uniform(16, 32, -1, 1, rng);
        FMatrixRMaj small = GradientCheck.uniform(8, 32, -1, 1, rng);
        FMatrixRMaj dyBig = GradientCheck.uniform(16, 32, -1, 1, rng);
        FMatrixRMaj dySmall = GradientCheck.uniform(8, 32, -1, 1, rng);
        assertAllocatesNothing(() -> {
            ln.forward(K, big);
            ln.backward(K, dyBig, true);
            ln.forward(K, small); // a smaller batch reuses the buffers
            ln.backward(K, dySmall, true);
        });
    }

    @Test
    void badWidthEpsAndShapesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LayerNorm(0));
        assertTrue(e.getMessage().contains("width") && e.getMessage().contains("0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LayerNorm(3, 0));
        assertTrue(e.getMessage().contains("eps"), e.getMessage());
        LayerNorm ln = new LayerNorm(3);
        assertThrows(IllegalStateException.class, () -> ln.backward(K, new FMatrixRMaj(1, 3), true));
        e = assertThrows(IllegalArgumentException.class, () -> ln.forward(K, new FMatrixRMaj(2, 4)));
        assertTrue(e.getMessage().contains("LayerNorm(3)") && e.getMessage().contains("(2, 4)"), e.getMessage());
        ln.forward(K, new FMatrixRMaj(2, 3));
        assertThrows(IllegalArgumentException.class, () -> ln.backward(K, new FMatrixRMaj(3, 3), true));
    }

    /** Runs {@code step} to warm up, then asserts 2000 runs allocate (almost) nothing, best of 5 rounds. */
    static void assertAllocatesNothing(Runnable step) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < 200; i++) {
            step.run();
        }
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = mx.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 2000; i++) {
                step.run();
            }
            least = Math.min(least, mx.getThreadAllocatedBytes(thread) - before);
        }
        assertTrue(least < 2000, "2000 steps allocated " + least + " bytes");
    }

    static void assertTensor(FMatrixRMaj expected, FMatrixRMaj actual, String what) {
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

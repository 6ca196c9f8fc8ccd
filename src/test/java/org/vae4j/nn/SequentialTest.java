package org.vae4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vae4j.GradientCheck;
import org.vae4j.kernel.Kernels;

class SequentialTest {

    private static final Kernels K = Kernels.reference();
    private static final int[] SIZES = {5, 6, 4, 3};

    private static Sequential mlp(long seed, Activation... activations) {
        return Sequential.mlp(null, SIZES, activations, Init.BY_ACTIVATION, new SplittableRandom(seed));
    }

    /** Smooth activation mixes; IDENTITY in the middle and at the end exercises the aliased buffers. */
    static Stream<Arguments> activationMixes() {
        return Stream.of(
                Arguments.of((Object) new Activation[] {Activation.TANH, Activation.SOFTPLUS, Activation.SIGMOID}),
                Arguments.of((Object) new Activation[] {Activation.SOFTPLUS, Activation.IDENTITY, Activation.TANH}),
                Arguments.of((Object) new Activation[] {Activation.TANH, Activation.SIGMOID, Activation.IDENTITY}));
    }

    @ParameterizedTest
    @MethodSource("activationMixes")
    void gradientOfEveryParameterAndTheInputMatchesFiniteDifferences(Activation[] activations) {
        SplittableRandom rng = new SplittableRandom(7);
        Sequential net = mlp(3, activations);
        FMatrixRMaj x = GradientCheck.uniform(4, 5, -1, 1, rng);
        FMatrixRMaj r = GradientCheck.uniform(4, 3, -1, 1, rng);
        FMatrixRMaj dx = new FMatrixRMaj(4, 5);

        net.forward(K, x);
        dx = net.backward(K, r, true).copy();

        DoubleSupplier loss = () -> GradientCheck.dot(r, net.forward(K, x));
        for (Parameter p : net.parameters()) {
            GradientCheck.assertGradient(p.name(), p, p.gradCopy(), loss);
        }
        GradientCheck.assertGradient("dx", x, dx, loss);
    }

    /**
     * A Dense followed by an activation runs fused inside a Sequential (bias and activation in one
     * pass, the activation's backward with the bias gradient): output, input gradient and every
     * parameter gradient are bit-identical to running the same modules one by one, for every
     * activation, on the reference and the default (vector) kernels, at widths that are not
     * multiples of the vector width.
     */
    @Test
    void fusedDenseAndActivationGiveTheBitsOfTheModulesRunOneByOne() {
        int[] sizes = {13, 37, 17, 9, 5};
        Activation[] all = Activation.values();
        for (Kernels k : new Kernels[] {K, Kernels.defaults()}) {
            for (int a = 0; a < all.length; a++) {
                Activation[] acts = {all[a], all[(a + 1) % all.length], all[(a + 2) % all.length], Activation.IDENTITY};
                Sequential fused = Sequential.mlp(null, sizes, acts, Init.BY_ACTIVATION, new SplittableRandom(21));
                Sequential apart = Sequential.mlp(null, sizes, acts, Init.BY_ACTIVATION, new SplittableRandom(21));
                SplittableRandom rng = new SplittableRandom(22);
                FMatrixRMaj x = GradientCheck.uniform(6, 13, -2, 2, rng);
                FMatrixRMaj dy = GradientCheck.uniform(6, 5, -1, 1, rng);
                FMatrixRMaj y1 = fused.forward(k, x);
                FMatrixRMaj dx1 = fused.backward(k, dy, true);
                FMatrixRMaj h = x;
                List<Module> ms = apart.modules();
                for (Module m : ms) {
                    h = m.forward(k, h);
                }
                FMatrixRMaj g = dy;
                for (int i = ms.size() - 1; i >= 0; i--) {
                    g = ms.get(i).backward(k, g, true);
                }
                String what = Arrays.toString(acts) + " on " + k.describe();
                assertArrayEquals(h.data, y1.data, "output, " + what);
                assertArrayEquals(g.data, dx1.data, "dx, " + what);
                for (int p = 0; p < fused.parameters().size(); p++) {
                    assertArrayEquals(apart.parameters().get(p).gradCopy().data,
                            fused.parameters().get(p).gradCopy().data, fused.parameters().get(p).name() + ", " + what);
                }
            }
        }
    }

    @Test
    void reluGradientMatchesFiniteDifferencesAwayFromKinks() {
        SplittableRandom rng = new SplittableRandom(9);
        Sequential net = mlp(4, Activation.RELU, Activation.LEAKY_RELU, Activation.IDENTITY);
        FMatrixRMaj x = GradientCheck.uniform(4, 5, -1, 1, rng);
        FMatrixRMaj r = GradientCheck.uniform(4, 3, -1, 1, rng);
        FMatrixRMaj dx = new FMatrixRMaj(4, 5);
        net.forward(K, x);
        dx = net.backward(K, r, true).copy();

        DoubleSupplier loss = () -> GradientCheck.dot(r, net.forward(K, x));
        int skipped = 0;
        for (Parameter p : net.parameters()) {
            skipped += GradientCheck.assertGradientSkippingKinks(p.name(), p, p.gradCopy(), loss, 1e-3f);
        }
        skipped += GradientCheck.assertGradientSkippingKinks("dx", x, dx, loss, 1e-3f);
        assertTrue(skipped <= 3, skipped + " elements skipped as kinks");
    }

    @Test
    void backwardAccumulatesParameterGradientsAndOverwritesDx() {
        SplittableRandom rng = new SplittableRandom(5);
        Sequential net = mlp(3, Activation.TANH, Activation.SOFTPLUS, Activation.IDENTITY);
        FMatrixRMaj x = GradientCheck.uniform(2, 5, -1, 1, rng);
        FMatrixRMaj dout = GradientCheck.uniform(2, 3, -1, 1, rng);
        FMatrixRMaj dx = new FMatrixRMaj(2, 5);

        net.forward(K, x);
        dx = net.backward(K, dout, true).copy();
        float[] dx1 = dx.data.clone();
        float[] dw1 = net.parameters().get(0).gradCopy().data;
        dx = net.backward(K, dout, true).copy();

        assertArrayEquals(dx1, dx.data);
        float[] dw2 = net.parameters().get(0).gradCopy().data;
        for (int i = 0; i < dw1.length; i++) {
            assertEquals(2 * dw1[i], dw2[i], 1e-6f);
        }
    }

    /** Forward and backward at batch 4, then 2, then 4 again, each compared with a fresh MLP. */
    @Test
    void changingBatchSizeGivesTheSameResultsAsFreshNetworks() {
        Activation[] acts = {Activation.TANH, Activation.IDENTITY, Activation.SIGMOID};
        SplittableRandom rng = new SplittableRandom(21);
        Sequential reused = mlp(3, acts);
        for (int batch : new int[] {4, 2, 4}) {
            FMatrixRMaj x = GradientCheck.uniform(batch, 5, -1, 1, rng);
            FMatrixRMaj dout = GradientCheck.uniform(batch, 3, -1, 1, rng);
            Sequential fresh = mlp(3, acts);

            float[][] a = forwardBackward(reused, x, dout);
            float[][] b = forwardBackward(fresh, x, dout);

            for (int i = 0; i < a.length; i++) {
                assertArrayEquals(b[i], a[i], "batch " + batch + ", result " + i);
            }
        }
    }

    /** Output, dx and every parameter gradient (zeroed first) of one forward and backward. */
    private static float[][] forwardBackward(Sequential net, FMatrixRMaj x, FMatrixRMaj dout) {
        List<Parameter> ps = net.parameters();
        ps.forEach(Parameter::zeroGrad);
        FMatrixRMaj dx = new FMatrixRMaj(x.numRows, x.numCols);
        FMatrixRMaj out = net.forward(K, x);
        float[][] results = new float[ps.size() + 2][];
        results[0] = Arrays.copyOf(out.data, out.getNumElements());
        dx = net.backward(K, dout, true).copy();
        results[1] = dx.data.clone();
        for (int i = 0; i < ps.size(); i++) {
            results[i + 2] = ps.get(i).gradCopy().data;
        }
        return results;
    }

    @Test
    void parametersFollowSequentialNaming() {
        Sequential net = mlp(1, Activation.RELU, Activation.RELU, Activation.IDENTITY);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"),
                net.parameters().stream().map(Parameter::name).toList());
    }

    @Test
    void wrongInputWidthAndMismatchedGradientAreRejected() {
        Sequential net = mlp(1, Activation.TANH, Activation.TANH, Activation.IDENTITY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.forward(K, new FMatrixRMaj(2, 4)));
        assertTrue(e.getMessage().contains("(2, 4)") && e.getMessage().contains("5)"), e.getMessage());

        net.forward(K, new FMatrixRMaj(2, 5));
        e = assertThrows(IllegalArgumentException.class, () -> net.backward(K, new FMatrixRMaj(3, 3), false));
        assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("(3, 3)"), e.getMessage());
    }
}

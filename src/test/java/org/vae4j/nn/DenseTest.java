package org.vae4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.GradientCheck;
import org.vae4j.kernel.EjmlGemm;
import org.vae4j.kernel.Gemm;

class DenseTest {

    private static final Gemm GEMM = EjmlGemm.INSTANCE;
    private static final int BATCH = 3;
    private static final int IN = 5;
    private static final int OUT = 4;

    /** A (5 -> 4) layer with random non-zero biases. */
    private static Dense layer(SplittableRandom rng) {
        return new Dense(IN, OUT, Init.TORCH_DEFAULT, rng);
    }

    @Test
    void forwardMatchesNaiveLoop() {
        SplittableRandom rng = new SplittableRandom(7);
        Dense d = layer(rng);
        FMatrixRMaj x = GradientCheck.uniform(BATCH, IN, -1, 1, rng);
        FMatrixRMaj y = new FMatrixRMaj(BATCH, OUT);

        d.forward(GEMM, x, y);

        float[] w = d.weight().valueCopy().data;
        float[] b = d.bias().valueCopy().data;
        for (int r = 0; r < BATCH; r++) {
            for (int j = 0; j < OUT; j++) {
                double s = b[j];
                for (int k = 0; k < IN; k++) {
                    s += (double) x.get(r, k) * w[j * IN + k];
                }
                assertEquals(s, y.get(r, j), 1e-5, "y[" + r + ", " + j + "]");
            }
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(7);
        Dense d = layer(rng);
        FMatrixRMaj x = GradientCheck.uniform(BATCH, IN, -1, 1, rng);
        FMatrixRMaj r = GradientCheck.uniform(BATCH, OUT, -1, 1, rng);
        FMatrixRMaj y = new FMatrixRMaj(BATCH, OUT);
        FMatrixRMaj dx = new FMatrixRMaj(BATCH, IN);

        d.forward(GEMM, x, y);
        d.backward(GEMM, x, r, dx, false);

        DoubleSupplier loss = () -> {
            d.forward(GEMM, x, y);
            return GradientCheck.dot(r, y);
        };
        GradientCheck.assertGradient("dW", d.weight(), d.weight().gradCopy(), loss);
        GradientCheck.assertGradient("db", d.bias(), d.bias().gradCopy(), loss);
        GradientCheck.assertGradient("dx", x, dx, loss);
    }

    /**
     * The layer's tensors inside a flat store behind another tensor (at offsets, as in a model),
     * on both backends (EJML copies operands at offsets through scratch): forward, dW, db and dx
     * against finite differences that perturb the flat storage, and the tensor before them untouched.
     */
    @Test
    void atOffsetsInAFlatStoreBackwardMatchesFiniteDifferences() {
        for (Gemm gemm : new Gemm[] {GEMM, org.vae4j.kernel.Kernels.defaults().gemm()}) {
            SplittableRandom rng = new SplittableRandom(13);
            Dense d = layer(rng);
            Parameter before = new Parameter("before", 1, 3);
            before.set(new float[] {7, 8, 9});
            ParameterStore store = new ParameterStore(java.util.List.of(before, d.weight(), d.bias()));
            assertEquals(3, d.weight().offset());
            assertEquals(3 + OUT * IN, d.bias().offset());
            FMatrixRMaj x = GradientCheck.uniform(BATCH, IN, -1, 1, rng);
            FMatrixRMaj r = GradientCheck.uniform(BATCH, OUT, -1, 1, rng);
            FMatrixRMaj y = new FMatrixRMaj(BATCH, OUT);
            FMatrixRMaj dx = new FMatrixRMaj(BATCH, IN);
            d.forward(gemm, x, y);
            store.zeroGradients();
            d.backward(gemm, x, r, dx, false);
            assertArrayEquals(new float[3], before.gradCopy().data, gemm.name() + ": the tensor before is untouched");
            assertArrayEquals(new float[] {7, 8, 9}, before.valueCopy().data);
            DoubleSupplier loss = () -> {
                d.forward(gemm, x, y);
                return GradientCheck.dot(r, y);
            };
            GradientCheck.assertGradient(gemm.name() + " dW", d.weight(), d.weight().gradCopy(), loss);
            GradientCheck.assertGradient(gemm.name() + " db", d.bias(), d.bias().gradCopy(), loss);
            GradientCheck.assertGradient(gemm.name() + " dx", x, dx, loss);
        }
    }

    @Test
    void backwardAccumulatesParameterGradients() {
        SplittableRandom rng = new SplittableRandom(11);
        Dense d = layer(rng);
        FMatrixRMaj x = GradientCheck.uniform(BATCH, IN, -1, 1, rng);
        FMatrixRMaj dy = GradientCheck.uniform(BATCH, OUT, -1, 1, rng);

        d.backward(GEMM, x, dy, null, false);
        float[] dw1 = d.weight().gradCopy().data;
        float[] db1 = d.bias().gradCopy().data;
        d.backward(GEMM, x, dy, null, false);

        assertArrayEquals(times2(dw1), d.weight().gradCopy().data, 1e-6f);
        assertArrayEquals(times2(db1), d.bias().gradCopy().data, 1e-6f);

        d.weight().zeroGrad();
        d.bias().zeroGrad();
        assertArrayEquals(new float[OUT * IN], d.weight().gradCopy().data);
        assertArrayEquals(new float[OUT], d.bias().gradCopy().data);
    }

    @Test
    void dxIsOverwrittenOrAccumulatedAsAsked() {
        SplittableRandom rng = new SplittableRandom(13);
        Dense d = layer(rng);
        FMatrixRMaj x = GradientCheck.uniform(BATCH, IN, -1, 1, rng);
        FMatrixRMaj dy = GradientCheck.uniform(BATCH, OUT, -1, 1, rng);
        FMatrixRMaj prior = GradientCheck.uniform(BATCH, IN, -1, 1, rng);

        FMatrixRMaj overwritten = prior.copy();
        d.backward(GEMM, x, dy, overwritten, false);
        FMatrixRMaj accumulated = prior.copy();
        d.backward(GEMM, x, dy, accumulated, true);

        for (int i = 0; i < BATCH * IN; i++) {
            double expected = 0;
            int r = i / IN;
            int k = i % IN;
            for (int j = 0; j < OUT; j++) {
                expected += (double) dy.get(r, j) * d.weight().value(j * IN + k);
            }
            assertEquals(expected, overwritten.data[i], 1e-5, "dx[" + i + "]");
            assertEquals(prior.data[i] + expected, accumulated.data[i], 1e-5, "dx[" + i + "] accumulated");
        }
    }

    @Test
    void nullDxSkipsTheInputGradientButKeepsParameterGradients() {
        SplittableRandom rng = new SplittableRandom(17);
        Dense withDx = layer(new SplittableRandom(1));
        Dense withoutDx = layer(new SplittableRandom(1));
        FMatrixRMaj x = GradientCheck.uniform(BATCH, IN, -1, 1, rng);
        FMatrixRMaj dy = GradientCheck.uniform(BATCH, OUT, -1, 1, rng);

        withDx.backward(GEMM, x, dy, new FMatrixRMaj(BATCH, IN), false);
        withoutDx.backward(GEMM, x, dy, null, false);

        assertArrayEquals(withDx.weight().gradCopy().data, withoutDx.weight().gradCopy().data);
        assertArrayEquals(withDx.bias().gradCopy().data, withoutDx.bias().gradCopy().data);
    }

    @Test
    void parametersAreNamedAndShapedAsPyTorch() {
        Dense d = layer(new SplittableRandom(1));
        assertEquals("weight", d.weight().name());
        assertEquals("bias", d.bias().name());
        assertEquals(OUT, d.weight().rows());
        assertEquals(IN, d.weight().cols());
        assertEquals(1, d.bias().rows());
        assertEquals(OUT, d.bias().cols());
    }

    @Test
    void nonPositiveSizesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dense(0, 3, Init.XAVIER_UNIFORM, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("dense") && e.getMessage().contains("in=0"), e.getMessage());
    }

    private static float[] times2(float[] a) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = 2 * a[i];
        }
        return r;
    }

    @Test
    void anUnresolvedOrMissingInitIsTheCallersArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dense(IN, OUT, Init.BY_ACTIVATION, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("init") && e.getMessage().contains("BY_ACTIVATION")
                && e.getMessage().contains("Init.resolve"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new Dense(IN, OUT, null, new SplittableRandom(1)));
        assertTrue(none.getMessage().contains("init"), none.getMessage());
        // resolved, it builds the scheme it resolves to: Xavier with no activation after the layer
        Dense xavier = new Dense(IN, OUT, Init.BY_ACTIVATION.resolve(null), new SplittableRandom(1));
        Dense same = new Dense(IN, OUT, Init.XAVIER_UNIFORM, new SplittableRandom(1));
        assertArrayEquals(same.weight().valueCopy().data, xavier.weight().valueCopy().data);
    }
}

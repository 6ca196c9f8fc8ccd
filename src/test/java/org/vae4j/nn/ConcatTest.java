package org.vae4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Fixture;
import org.vae4j.GradientCheck;
import org.vae4j.kernel.Kernels;

class ConcatTest {

    private static final Kernels K = Kernels.reference();

    @Test
    void forwardPutsTheConditionAfterTheInputInEachRow() {
        SplittableRandom rng = new SplittableRandom(1);
        Concat cat = new Concat(3, 2);
        FMatrixRMaj x = GradientCheck.uniform(4, 3, -1, 1, rng);
        FMatrixRMaj c = GradientCheck.uniform(4, 2, -1, 1, rng);
        FMatrixRMaj y = cat.forward(K, x, c);
        assertSame(c, cat.condition(), "kept by reference");
        assertEquals(4, y.numRows);
        assertEquals(5, y.numCols);
        assertEquals(3, cat.inputSize());
        assertEquals(5, cat.outputSize());
        assertEquals(2, cat.conditionSize());
        for (int r = 0; r < 4; r++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(x.get(r, j), y.get(r, j), 0f, "x part, row " + r);
            }
            for (int j = 0; j < 2; j++) {
                assertEquals(c.get(r, j), y.get(r, 3 + j), 0f, "c part, row " + r);
            }
        }
    }

    @Test
    void backwardSplitsTheGradientIntoDxAndDcAsAsked() {
        SplittableRandom rng = new SplittableRandom(2);
        Concat cat = new Concat(3, 2);
        cat.forward(K, GradientCheck.uniform(4, 3, -1, 1, rng), GradientCheck.uniform(4, 2, -1, 1, rng));
        FMatrixRMaj dy = GradientCheck.uniform(4, 5, -1, 1, rng);

        FMatrixRMaj dx = cat.backward(K, dy, true);
        assertThrows(IllegalStateException.class, cat::conditionGradient, "dC is off by default");
        cat.setConditionGradient(true);
        assertNull(cat.backward(K, dy, false), "no dX when not asked, but dC still");
        FMatrixRMaj dc = cat.conditionGradient();
        assertEquals(4, dx.numRows);
        assertEquals(3, dx.numCols);
        assertEquals(2, dc.numCols);
        for (int r = 0; r < 4; r++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(dy.get(r, j), dx.get(r, j), 0f);
            }
            for (int j = 0; j < 2; j++) {
                assertEquals(dy.get(r, 3 + j), dc.get(r, j), 0f);
            }
        }
    }

    /** y = [x | s c] and dC = s dy[:, dx:], entry by entry, for a scale s = 2.5. */
    @Test
    void aScaleMultipliesTheConditionForwardAndItsGradientBackward() {
        SplittableRandom rng = new SplittableRandom(4);
        Concat cat = new Concat(3, 2, 2.5f);
        assertEquals(2.5f, cat.conditionScale());
        assertEquals(1f, new Concat(3, 2).conditionScale());
        assertEquals(2.5f, cat.replicate(TensorMap.shared()).conditionScale(), "a replica keeps the scale");
        FMatrixRMaj x = GradientCheck.uniform(4, 3, -1, 1, rng);
        FMatrixRMaj c = GradientCheck.uniform(4, 2, -1, 1, rng);
        FMatrixRMaj y = cat.forward(K, x, c);
        cat.setConditionGradient(true);
        FMatrixRMaj dy = GradientCheck.uniform(4, 5, -1, 1, rng);
        FMatrixRMaj dx = cat.backward(K, dy, true);
        FMatrixRMaj dc = cat.conditionGradient();
        for (int r = 0; r < 4; r++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(x.get(r, j), y.get(r, j), 0f, "x part, row " + r);
                assertEquals(dy.get(r, j), dx.get(r, j), 0f, "dx, row " + r);
            }
            for (int j = 0; j < 2; j++) {
                assertEquals(2.5f * c.get(r, j), y.get(r, 3 + j), 0f, "s c part, row " + r);
                assertEquals(2.5f * dy.get(r, 3 + j), dc.get(r, j), 0f, "dc, row " + r);
            }
        }
        for (float bad : new float[] {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Concat(3, 2, bad));
            assertTrue(e.getMessage().contains("scale") && e.getMessage().contains(Float.toString(bad)), e.getMessage());
        }
    }

    /**
     * Finite differences of every parameter, x and c through Sequential(Concat, Dense, LayerNorm,
     * tanh, Dense), with a condition scale of 1.7 (so dc carries the scale).
     */
    @Test
    void gradientsThroughASequentialThatStartsWithItMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(3);
        Concat cat = new Concat(4, 3, 1.7f);
        cat.setConditionGradient(true);
        LayerNorm ln = new LayerNorm(6);
        ln.weight().set(GradientCheck.uniform(1, 6, 0.5, 1.5, rng).data);
        ln.bias().set(GradientCheck.uniform(1, 6, -0.5, 0.5, rng).data);
        Sequential net = Sequential.of(cat, new Dense(7, 6, Init.TORCH_DEFAULT, rng), ln,
                new ActivationLayer(Activation.TANH, 6), new Dense(6, 2, Init.TORCH_DEFAULT, rng));
        FMatrixRMaj x = GradientCheck.uniform(3, 4, -1, 1, rng);
        FMatrixRMaj c = GradientCheck.uniform(3, 3, -1, 1, rng);
        FMatrixRMaj r = GradientCheck.uniform(3, 2, -1, 1, rng);
        cat.setCondition(c);
        net.forward(K, x);
        FMatrixRMaj dx = net.backward(K, r, true).copy();
        FMatrixRMaj dc = cat.conditionGradient().copy();

        DoubleSupplier loss = () -> GradientCheck.dot(r, net.forward(K, x));
        for (Parameter p : net.parameters()) {
            GradientCheck.assertGradient(p.name(), p, p.gradCopy(), loss);
        }
        GradientCheck.assertGradient("dx", x, dx, loss);
        GradientCheck.assertGradient("dc", c, dc, loss);
    }

    /**
     * PyTorch's nn.Sequential(Linear, LayerNorm, ReLU, Linear) over torch.cat([x, c], 1): a Concat
     * named "" first keeps the state_dict names; y, every gradient, dx and dc match.
     */
    @Test
    void aConditionalEncoderMatchesPyTorchWithItsStateDictNames() {
        Fixture f = Fixture.load("/parity/modules.txt");
        SplittableRandom rng = new SplittableRandom(1);
        Concat cat = new Concat(5, 2);
        cat.setConditionGradient(true);
        Sequential encoder = new Sequential(List.of("", "0", "1", "2", "3"), List.of(cat,
                new Dense(7, 6, Init.TORCH_DEFAULT, rng), new LayerNorm(6),
                new ActivationLayer(Activation.RELU, 6), new Dense(6, 3, Init.TORCH_DEFAULT, rng)));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"),
                encoder.parameters().stream().map(Parameter::name).toList());
        for (Parameter p : encoder.parameters()) {
            p.set(f.tensor("cat." + p.name()).data);
        }
        cat.setCondition(f.tensor("cat.c"));
        LayerNormTest.assertTensor(f.tensor("cat.y"), encoder.forward(K, f.tensor("cat.x")), "cat.y");
        FMatrixRMaj dx = encoder.backward(K, f.tensor("cat.r"), true);
        for (Parameter p : encoder.parameters()) {
            LayerNormTest.assertTensor(f.tensor("cat.grad." + p.name()), p.gradCopy(), "cat.grad." + p.name());
        }
        LayerNormTest.assertTensor(f.tensor("cat.dx"), dx, "cat.dx");
        LayerNormTest.assertTensor(f.tensor("cat.dc"), cat.conditionGradient(), "cat.dc");
    }

    @Test
    void missingOrMismatchedConditionsAndBadShapesAreRejected() {
        Concat cat = new Concat(3, 2);
        IllegalStateException s = assertThrows(IllegalStateException.class,
                () -> cat.forward(K, new FMatrixRMaj(2, 3)));
        assertTrue(s.getMessage().contains("setCondition"), s.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cat.setCondition(new FMatrixRMaj(2, 3)));
        assertTrue(e.getMessage().contains("(batch, 2)") && e.getMessage().contains("(2, 3)"), e.getMessage());
        cat.setCondition(new FMatrixRMaj(4, 2));
        e = assertThrows(IllegalArgumentException.class, () -> cat.forward(K, new FMatrixRMaj(2, 3)));
        assertTrue(e.getMessage().contains("4 rows") && e.getMessage().contains("input 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cat.forward(K, new FMatrixRMaj(4, 4)));
        assertThrows(IllegalStateException.class, () -> cat.backward(K, new FMatrixRMaj(4, 5), true));
        cat.forward(K, new FMatrixRMaj(4, 3));
        assertThrows(IllegalArgumentException.class, () -> cat.backward(K, new FMatrixRMaj(4, 3), true));
        assertThrows(IllegalArgumentException.class, () -> new Concat(3, 0));
    }

    @Test
    void aSteadyForwardAndBackwardAllocatesNothing() {
        SplittableRandom rng = new SplittableRandom(13);
        Concat cat = new Concat(24, 8);
        cat.setConditionGradient(true);
        FMatrixRMaj xBig = GradientCheck.uniform(16, 24, -1, 1, rng);
        FMatrixRMaj cBig = GradientCheck.uniform(16, 8, -1, 1, rng);
        FMatrixRMaj xSmall = GradientCheck.uniform(8, 24, -1, 1, rng);
        FMatrixRMaj cSmall = GradientCheck.uniform(8, 8, -1, 1, rng);
        FMatrixRMaj dyBig = GradientCheck.uniform(16, 32, -1, 1, rng);
        FMatrixRMaj dySmall = GradientCheck.uniform(8, 32, -1, 1, rng);
        LayerNormTest.assertAllocatesNothing(() -> {
            cat.forward(K, xBig, cBig);
            cat.backward(K, dyBig, true);
            cat.forward(K, xSmall, cSmall);
            cat.backward(K, dySmall, true);
        });
    }
}

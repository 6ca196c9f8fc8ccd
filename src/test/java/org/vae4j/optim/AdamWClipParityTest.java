package org.vae4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vae4j.optim.ParityAssertions.assertClose;
import static org.vae4j.optim.ParityAssertions.assertTensor;
import static org.vae4j.optim.ParityAssertions.parameters;
import static org.vae4j.optim.ParityAssertions.setGradients;
import static org.vae4j.optim.ParityAssertions.tensorClose;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.vae4j.Fixture;
import org.vae4j.nn.Parameter;

/**
 * Parity with {@code torch.nn.utils.clip_grad_norm_} followed by {@code torch.optim.AdamW} over
 * three steps (adamw_clip.txt: the autoencoder of ae_squared_error.txt, lr 1e-2, weight decay
 * 0.1, max norm 0.05, which clips on every step). Each step is fed PyTorch's own gradients of
 * that step (grad&lt;k&gt;), so the comparison covers the clipping and the optimiser alone and does
 * not depend on the model code; {@code AdamWClipAutoencoderParityTest} runs the same steps with
 * the Java autoencoder's gradients.
 */
class AdamWClipParityTest {

    private static final Fixture F = Fixture.load("/parity/adamw_clip.txt");

    /** Runs the fixture's 3 steps; returns the parameters after them. */
    private static List<Parameter> run(Optimizer opt, boolean clip, boolean check) {
        List<Parameter> ps = parameters(F, "");
        for (int k = 0; k < 3; k++) {
            setGradients(ps, F, "grad" + k + ".");
            if (clip) {
                double norm = GradientClipping.clipGradNorm(ps, F.scalar("max_norm"));
                if (check) {
                    assertClose(F.scalar("norm" + k), norm, "norm" + k);
                    for (Parameter p : ps) {
                        assertTensor(F.tensor("clipped" + k + "." + p.name()), p.gradCopy(), "clipped" + k + "." + p.name());
                    }
                }
            }
            opt.step(ps);
        }
        return ps;
    }

    private static AdamW fixtureAdamW() {
        return new AdamW(F.scalar("lr"), F.scalar("weight_decay"));
    }

    @Test
    void threeAdamWStepsWithClippingMatchPyTorch() {
        List<Parameter> ps = run(fixtureAdamW(), true, true);
        for (Parameter p : ps) {
            assertTensor(F.tensor("adamw." + p.name()), p.valueCopy(), "adamw." + p.name());
        }
    }

    /**
     * Given PyTorch's clipped gradients (clipped&lt;k&gt;), AdamW gives PyTorch's parameters bit for
     * bit after 3 steps: the float32 operations, their order and the fused moment updates are
     * PyTorch's. (Java's float arithmetic is the same on every machine, so this holds everywhere.)
     */
    @Test
    void givenPyTorchsClippedGradientsAdamWIsBitIdenticalToPyTorch() {
        List<Parameter> ps = parameters(F, "");
        AdamW opt = fixtureAdamW();
        for (int k = 0; k < 3; k++) {
            setGradients(ps, F, "clipped" + k + ".");
            opt.step(ps);
        }
        for (Parameter p : ps) {
            float[] expected = F.tensor("adamw." + p.name()).data;
            for (int i = 0; i < p.size(); i++) {
                final int idx = i;
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(p.value(i)),
                        () -> p.name() + "[" + idx + "]: expected " + expected[idx] + ", got " + p.value(idx));
            }
        }
    }

    @Test
    void totalNormOfTheFirstGradientsMatchesPyTorchAndClippingTriggers() {
        List<Parameter> ps = parameters(F, "");
        setGradients(ps, F, "grad0.");
        double norm = GradientClipping.totalNorm(ps);
        assertClose(F.scalar("norm0"), norm, "norm0");
        assertTrue(norm > F.scalar("max_norm"), "the fixture's max norm clips");
    }

    /** Negative control: the weight decay is visible at this tolerance. */
    @Test
    void withoutWeightDecayTheParametersDifferFromPyTorch() {
        List<Parameter> ps = run(new AdamW(F.scalar("lr"), 0.0), true, false);
        assertTrue(anyDiffers(ps), "AdamW without weight decay must not match the fixture");
    }

    /** Negative control: the clipping is visible at this tolerance (Adam is nearly scale-free, but
     * the coefficient changes from step to step). */
    @Test
    void withoutClippingTheParametersDifferFromPyTorch() {
        List<Parameter> ps = run(fixtureAdamW(), false, false);
        assertTrue(anyDiffers(ps), "AdamW without clipping must not match the fixture");
    }

    /** Negative control: coupled (L2) decay is not AdamW. Adam with the decay folded into the
     * gradient, g + wd p, as torch.optim.Adam(weight_decay) does. */
    @Test
    void adamWithL2DecayInTheGradientDiffersFromPyTorchsAdamW() {
        List<Parameter> ps = parameters(F, "");
        Adam adam = new Adam(F.scalar("lr"));
        float wd = (float) F.scalar("weight_decay");
        for (int k = 0; k < 3; k++) {
            setGradients(ps, F, "grad" + k + ".");
            GradientClipping.clipGradNorm(ps, F.scalar("max_norm"));
            for (Parameter p : ps) {
                for (int i = 0; i < p.size(); i++) {
                    p.gradArray()[p.offset() + i] += wd * p.value(i);
                }
            }
            adam.step(ps);
        }
        assertTrue(anyDiffers(ps), "Adam with L2 decay must not match AdamW");
    }

    private static boolean anyDiffers(List<Parameter> ps) {
        boolean differs = false;
        for (Parameter p : ps) {
            differs |= !tensorClose(F.tensor("adamw." + p.name()), p.valueCopy(), p.name());
        }
        return differs;
    }

    @Test
    void theFixtureIsNotTrivial() {
        // the parameters moved, so matching them is not matching the initial values
        List<Parameter> initial = parameters(F, "");
        boolean moved = false;
        for (Parameter p : initial) {
            moved |= !tensorClose(F.tensor("adamw." + p.name()), p.valueCopy(), p.name());
        }
        assertTrue(moved);
        assertFalse(F.scalar("norm2") <= F.scalar("max_norm"), "clipping triggers on the last step too");
    }
}

package org.vae4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vae4j.nn.Parameter;

/** {@link AdamW} on hand-computed cases, its state and its settings. */
class AdamWTest {

    private static Parameter param(String name, float value, float grad) {
        Parameter p = new Parameter(name, 1, 1);
        p.set(new float[] {value});
        p.setGrad(new float[] {grad});
        return p;
    }

    @Test
    void firstStepDecaysThenMovesByTheLearningRate() {
        // p = 1, g = 0.5, lr 0.1, wd 0.1: p <- 1 * (1 - 0.01) = 0.99; m = 0.05, v = 0.00025;
        // step = 0.1 / 0.1 = 1; denom = sqrt(0.00025) / sqrt(0.001) + 1e-8 = 0.5; p <- 0.99 - 0.05 / 0.5 = 0.89
        Parameter p = param("w", 1f, 0.5f);
        AdamW opt = new AdamW(0.1, 0.1);
        opt.step(List.of(p));
        assertEquals(0.89f, p.value(0), 1e-6f);
        assertEquals(0.05f, opt.state().get("exp_avg").get(0)[0], 1e-9f);
        assertEquals(0.00025f, opt.state().get("exp_avg_sq").get(0)[0], 1e-10f);
        assertEquals(1, opt.steps());
    }

    @Test
    void weightDecayAppliesToEveryParameterWithTheCurrentLearningRate() {
        // zero gradient: m = v = 0, so the Adam part is 0 / eps = 0 and only the decay acts
        Parameter bias = param("fc.bias", 2f, 0f);
        AdamW opt = new AdamW(0.1, 0.5);
        opt.step(List.of(bias));
        assertEquals(2f * (float) (1 - 0.1 * 0.5), bias.value(0), 0f);
        opt.setLearningRate(0.02); // e.g. from a schedule
        opt.step(List.of(bias));
        assertEquals(2f * (float) (1 - 0.1 * 0.5) * (float) (1 - 0.02 * 0.5), bias.value(0), 0f);
    }

    @Test
    void withoutWeightDecayItAgreesWithAdamToRounding() {
        List<Parameter> a = new ArrayList<>();
        List<Parameter> b = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            a.add(param("p" + i, 0.3f * i - 2f, 0.1f * (i - 7)));
            b.add(param("p" + i, 0.3f * i - 2f, 0.1f * (i - 7)));
        }
        AdamW w = new AdamW(1e-2, 0.0);
        Adam adam = new Adam(1e-2);
        for (int k = 0; k < 5; k++) {
            w.step(a);
            adam.step(b);
        }
        for (int i = 0; i < a.size(); i++) {
            assertEquals(b.get(i).value(0), a.get(i).value(0), 1e-6f);
        }
    }

    @Test
    void defaultsArePyTorchsAdamWDefaults() {
        AdamW opt = new AdamW();
        assertEquals(1e-3, opt.learningRate());
        assertEquals(0.9, opt.beta1());
        assertEquals(0.999, opt.beta2());
        assertEquals(1e-8, opt.eps());
        assertEquals(0.01, opt.weightDecay());
        assertEquals(AdamW.DEFAULT_WEIGHT_DECAY, new AdamW(5e-4).weightDecay());
        assertEquals("adamw(lr=0.001, betas=(0.9, 0.999), eps=1.0E-8, weight_decay=0.01)", opt.describe());
    }

    @Test
    void restoredStateContinuesBitIdentically() {
        List<Parameter> straight = twoParams();
        List<Parameter> resumed = twoParams();
        AdamW a = new AdamW(1e-2, 0.1);
        for (int k = 0; k < 4; k++) {
            a.step(straight);
        }
        AdamW first = new AdamW(1e-2, 0.1);
        first.step(resumed);
        first.step(resumed);
        AdamW second = new AdamW(1e-2, 0.1);
        second.restoreState(first.steps(), first.state().get("exp_avg"), first.state().get("exp_avg_sq"));
        assertEquals(2, second.steps());
        second.step(resumed);
        second.step(resumed);
        for (int i = 0; i < straight.size(); i++) {
            assertArrayEquals(straight.get(i).valueCopy().data, resumed.get(i).valueCopy().data);
        }
        second.setSteps(0);
        assertEquals(0, second.steps());
        second.reset();
        assertTrue(second.state().get("exp_avg").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> second.setSteps(-1));
        assertThrows(IllegalArgumentException.class,
                () -> second.restoreState(1, List.of(new float[2]), List.of(new float[3])));
        assertThrows(IllegalArgumentException.class,
                () -> second.restoreState(1, List.of(new float[2]), List.of()));
    }

    private static List<Parameter> twoParams() {
        Parameter w = new Parameter("w", 2, 3);
        Parameter b = new Parameter("b", 1, 2);
        float[] wv = new float[6];
        float[] wg = new float[6];
        for (int i = 0; i < 6; i++) {
            wv[i] = 0.1f * i - 0.2f;
            wg[i] = 0.05f * (3 - i);
        }
        w.set(wv);
        w.setGrad(wg);
        b.set(new float[] {0.5f, 0f});
        b.setGrad(new float[] {0f, -0.3f});
        return List.of(w, b);
    }

    @Test
    void theParameterListIsCheckedOnEveryStep() {
        AdamW opt = new AdamW();
        opt.step(twoParams());
        assertThrows(IllegalArgumentException.class, () -> opt.step(List.of(param("x", 1f, 1f))));
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new AdamW(0.0, 0.01));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(1e-3, -0.1));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(1e-3, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(1e-3, 1.0, 0.999, 1e-8, 0.01));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(1e-3, 0.9, 0.999, 0.0, 0.01));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdamW(2.0, 0.5));
        assertTrue(e.getMessage().contains("lr * weight decay < 1"), e.getMessage());
        AdamW ok = new AdamW(0.1, 5.0);
        assertThrows(IllegalArgumentException.class, () -> ok.setLearningRate(0.2));
        assertEquals(0.1, ok.learningRate());
    }

    @Test
    void aStepAllocatesNothing() {
        List<Parameter> ps = List.of(new Parameter("w", 64, 48), new Parameter("b", 1, 48));
        AdamW opt = new AdamW(1e-3, 0.01);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        opt.step(ps); // binds the state
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = mx.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 2000; i++) {
                opt.step(ps);
            }
            least = Math.min(least, mx.getThreadAllocatedBytes(thread) - before);
        }
        assertTrue(least < 2000, "2000 steps allocated " + least + " bytes");
    }
}

package org.vae4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.vae4j.kernel.Elementwise;
import org.vae4j.kernel.Kernels;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.ParameterStore;

/**
 * The optimisers and clipping over a store's parameters (one pass over the flat arrays) against
 * the same tensors on their own (one pass per tensor): the same bits, step after step, with
 * tensor sizes that are not multiples of the vector width (so the vector/scalar split falls in
 * other places on the two paths).
 */
class FlatStepTest {

    private static final int[][] SHAPES = {{3, 7}, {1, 5}, {13, 3}, {1, 1}, {4, 17}};

    /** Tensors with values from {@code seed}; adopted into a store when {@code flat}. */
    private static List<Parameter> tensors(boolean flat) {
        SplittableRandom rng = new SplittableRandom(5);
        List<Parameter> ps = new ArrayList<>();
        for (int k = 0; k < SHAPES.length; k++) {
            Parameter p = new Parameter("t" + k, SHAPES[k][0], SHAPES[k][1]);
            float[] v = new float[p.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rng.nextDouble(-1, 1);
            }
            p.set(v);
            ps.add(p);
        }
        if (flat) {
            ParameterStore store = new ParameterStore(ps);
            assertNotNull(ParameterStore.spanning(ps));
            assertEquals(ps.get(1).offset(), store.offset(1));
        } else {
            assertNull(ParameterStore.spanning(ps));
        }
        return ps;
    }

    private static void gradients(List<Parameter> ps, int step) {
        SplittableRandom rng = new SplittableRandom(100 + step);
        for (Parameter p : ps) {
            float[] g = new float[p.size()];
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) rng.nextDouble(-2, 2);
            }
            p.setGrad(g);
        }
    }

    private static void assertSameBits(List<Parameter> a, List<Parameter> b, String what) {
        for (int k = 0; k < a.size(); k++) {
            assertArrayEquals(a.get(k).valueCopy().data, b.get(k).valueCopy().data, what + " " + a.get(k).name());
            assertArrayEquals(a.get(k).gradCopy().data, b.get(k).gradCopy().data, what + " grad " + a.get(k).name());
        }
    }

    private static void check(String what, Supplier<Optimizer> make, Elementwise kernel) {
        List<Parameter> flat = tensors(true);
        List<Parameter> apart = tensors(false);
        Optimizer a = make.get();
        Optimizer b = make.get();
        for (int step = 0; step < 4; step++) {
            gradients(flat, step);
            gradients(apart, step);
            double na = GradientClipping.clipGradNorm(flat, 2.5);
            double nb = GradientClipping.clipGradNorm(apart, 2.5);
            assertEquals(nb, na, 0.0, what + " norm, step " + step);
            a.step(flat, kernel);
            b.step(apart, kernel);
            assertSameBits(flat, apart, what + " step " + step);
        }
        for (String key : a.state().keySet()) {
            for (int k = 0; k < SHAPES.length; k++) {
                assertArrayEquals(b.state().get(key).get(k), a.state().get(key).get(k), what + " " + key + " " + k);
            }
        }
    }

    @Test
    void aStoresOnePassGivesTheBitsOfOnePassPerTensor() {
        Elementwise[] kernels = {Kernels.reference().elementwise(), Kernels.defaults().elementwise()};
        for (Elementwise kernel : kernels) {
            check("adam " + kernel.name(), () -> new Adam(0.05), kernel);
            check("adamw " + kernel.name(), () -> new AdamW(0.05, 0.1), kernel);
            check("sgd " + kernel.name(), () -> new Sgd(0.05, 0.9), kernel);
        }
    }

    @Test
    void clippingScalesTheWholeFlatArrayOnlyWhereTheTensorsAre() {
        List<Parameter> flat = tensors(true);
        gradients(flat, 0);
        float[] before = ParameterStore.spanning(flat).gradients().clone();
        double norm = GradientClipping.clipGradNorm(flat, 1e-3);
        float coef = (1f / ((float) norm + GradientClipping.NORM_EPS)) * 1e-3f;
        float[] after = ParameterStore.spanning(flat).gradients();
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i] * coef, after[i], 0f, "gradient " + i);
        }
    }
}

package org.vae4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.vae4j.Vae;
import org.vae4j.kernel.Elementwise;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Gemms;
import org.vae4j.kernel.Kernels;

class ParameterStoreTest {

    @Test
    void tensorsLieInOrderInOneFlatIndexSpace() {
        Vae vae = Vae.builder(6).hidden(4).latent(2).seed(3).build();
        ParameterStore store = vae.parameterStore();
        List<Parameter> ps = vae.parameters();
        assertEquals(vae.parameterCount(), store.size());
        float[] flat = store.values();
        assertEquals(store.size(), flat.length);
        int offset = 0;
        for (int k = 0; k < ps.size(); k++) {
            Parameter p = ps.get(k);
            assertEquals(offset, store.offset(k), p.name());
            assertEquals(offset, p.offset(), p.name());
            assertSame(flat, p.valueArray(), p.name() + " is a view of the flat values");
            assertSame(store.gradients(), p.gradArray(), p.name() + " is a view of the flat gradients");
            for (int i = 0; i < p.size(); i++) {
                assertEquals(p.value(i), flat[offset + i]);
            }
            offset += p.size();
        }
        // the module's own name of a tensor follows the same storage
        Parameter own = vae.muHead().weight();
        assertSame(flat, own.valueArray());
        assertEquals(store.get("fc_mu.weight").offset(), own.offset());
        assertTrue(own.sameTensor(store.get("fc_mu.weight")));
    }

    @Test
    void adoptionKeepsEachTensorsValuesAndGradientAndRebindsEveryName() {
        Parameter w = new Parameter("weight", 2, 3);
        Parameter b = new Parameter("bias", 1, 2);
        w.set(new float[] {1, 2, 3, 4, 5, 6});
        w.setGrad(new float[] {-1, -2, -3, -4, -5, -6});
        b.set(new float[] {7, 8});
        Parameter alias = b.withPrefix("layer");
        assertEquals(0, b.offset());
        ParameterStore store = new ParameterStore(List.of(w.withPrefix("layer"), alias));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, store.values());
        assertArrayEquals(new float[] {-1, -2, -3, -4, -5, -6, 0, 0}, store.gradients());
        assertSame(store.values(), b.valueArray());
        assertEquals(6, b.offset());
        b.set(new float[] {9, 10});
        assertEquals(9f, store.values()[6]);
        assertEquals(10f, alias.value(1));
        alias.zeroGrad();
        w.zeroGrad();
        assertArrayEquals(new float[8], store.gradients());
        assertArrayEquals(new float[] {9, 10}, b.valueCopy().data);
    }

    @Test
    void aTensorLivesInOneStoreOnlyButTheSameTensorsShareTheirStore() {
        Vae vae = Vae.builder(6).hidden(4).latent(2).seed(3).build();
        ParameterStore store = vae.parameterStore();
        List<Parameter> ps = vae.parameters();
        // exactly the model's tensors in order, under their names or others: the same arrays
        ParameterStore again = new ParameterStore(ps);
        assertSame(store.values(), again.values());
        assertSame(store.gradients(), again.gradients());
        ParameterStore renamed = new ParameterStore(ps.stream().map(p -> p.withPrefix("copy")).toList());
        assertSame(store.values(), renamed.values());
        assertEquals(ps.get(2).offset(), renamed.get("copy." + ps.get(2).name()).offset());
        // some of them (a new model from this model's modules), or mixed with new tensors: refused
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ParameterStore(List.of(new Parameter("extra", 1, 1), ps.get(1).withPrefix("decoder"))));
        assertTrue(e.getMessage().contains("decoder." + ps.get(1).name()) && e.getMessage().contains(ps.get(1).name()),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ParameterStore(ps.subList(0, 2)));
        Parameter fresh = new Parameter("w", 1, 2);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> new ParameterStore(List.of(fresh, fresh.withPrefix("again"))));
        assertTrue(twice.getMessage().contains("one tensor"), twice.getMessage());
        // a refused store leaves the tensors where they were
        assertSame(store.values(), ps.get(1).valueArray());
        assertEquals(0, fresh.offset());
    }

    /** A new model from another model's encoder is refused when it is built, naming the shared tensor. */
    @Test
    void aModelBuiltFromAnotherModelsModuleIsRefused() {
        Vae vae = Vae.builder(6).hidden(4).latent(2).seed(3).build();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
        Sequential decoder = Sequential.of(new Dense(2, 6, Init.TORCH_DEFAULT, rng));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new org.vae4j.ComposedLatentModel("test", "enc", vae.encoder(),
                        new org.vae4j.prob.DiagonalGaussianPosterior(4, 2, Init.TORCH_DEFAULT, rng), "dec", decoder,
                        org.vae4j.loss.BernoulliLikelihood.INSTANCE));
        assertTrue(e.getMessage().contains("enc.") && e.getMessage().contains("another model"), e.getMessage());
        // the first model still trains on its own store
        assertSame(vae.parameterStore().values(), vae.parameters().get(0).valueArray());
    }

    @Test
    void spanningFindsTheStoreOnlyForAllItsTensorsInOrder() {
        Vae vae = Vae.builder(6).hidden(4).latent(2).seed(3).build();
        List<Parameter> ps = vae.parameters();
        assertSame(vae.parameterStore(), ParameterStore.spanning(ps));
        assertNull(ParameterStore.spanning(ps.subList(1, ps.size())));
        List<Parameter> swapped = new java.util.ArrayList<>(ps);
        java.util.Collections.swap(swapped, 0, 1);
        assertNull(ParameterStore.spanning(swapped));
        assertNull(ParameterStore.spanning(List.of(new Parameter("w", 1, 1))));
        assertNull(ParameterStore.spanning(List.of()));
    }

    @Test
    void valuesAndGradientsRoundTripThroughFlatArraysAtAnOffset() {
        Vae vae = Vae.builder(6).hidden(4).latent(2).seed(3).build();
        ParameterStore store = vae.parameterStore();
        int n = store.size();
        float[] flat = new float[n + 3];
        for (int i = 0; i < n; i++) {
            flat[3 + i] = i * 0.5f - 7;
        }
        store.setValues(flat, 3);
        store.setGradients(flat, 3);
        float[] back = new float[n + 3];
        store.copyValuesTo(back, 3);
        assertArrayEquals(flat, back);
        store.addGradientsTo(back, 3);
        for (int i = 0; i < n; i++) {
            assertEquals(2 * flat[3 + i], back[3 + i]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.setValues(new float[n], 1));
        assertTrue(e.getMessage().contains(Integer.toString(n)), e.getMessage());
    }

    @Test
    void wholeModelGradientOperations() {
        Vae vae = Vae.builder(6).hidden(4).latent(2).seed(3).build();
        ParameterStore store = vae.parameterStore();
        float[] g = new float[store.size()];
        g[0] = 3;
        g[g.length - 1] = 4;
        store.setGradients(g, 0);
        assertEquals(5.0, store.gradientNorm(), 0.0);
        store.scaleGradients(0.5f);
        assertEquals(2.5, store.gradientNorm(), 0.0);
        assertTrue(store.gradientsFinite(Kernels.reference().elementwise()));
        vae.parameters().get(3).gradArray()[vae.parameters().get(3).offset()] = Float.NaN;
        assertFalse(store.gradientsFinite(Kernels.reference().elementwise()));
        store.zeroGradients();
        assertEquals(0.0, store.gradientNorm(), 0.0);
    }

    /**
     * The split passes: on a backend that splits every pass into three ranges at odd places,
     * and on the default 2-thread backend (which splits a model of ~2^17 gradients, past its
     * range threshold, when it is the vector one), the finite check finds a bad gradient at the
     * ends and around the middle, and the zeroing reaches every element.
     */
    @Test
    void gradientPassesSplitOverThreadsSeeEveryElement() {
        Vae vae = Vae.builder(300).hidden(200).latent(8).seed(5).build();
        ParameterStore store = vae.parameterStore();
        int n = store.size();
        assertTrue(n > 1 << 16, "a model past the split threshold, got " + n);
        Gemm two = Gemms.create("auto", 2);
        Gemm thirds = new Gemm() {
            @Override
            public void gemm(boolean transA, boolean transB, boolean accumulate, int m, int n, int k,
                             float[] a, int ao, float[] b, int bo, float[] c, int co) {
                throw new AssertionError("not used");
            }

            @Override
            public void forEachRange(int count, RangeTask task) {
                int a = count / 3 + 1;
                int b = 2 * count / 3 - 5;
                task.run(0, a);
                task.run(b, count);
                task.run(a, b);
            }

            @Override
            public String name() {
                return "thirds";
            }
        };
        Elementwise vec = Kernels.defaults().elementwise();
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (i % 7) - 3f;
        }
        for (int pos : new int[] {0, n / 2 - 1, n / 2, n / 2 + 1, n - 1}) {
            for (Gemm threads : new Gemm[] {thirds, two, Kernels.reference().gemm()}) {
                store.setGradients(g, 0);
                assertTrue(store.gradientsFinite(vec, threads));
                store.gradients()[pos] = Float.NaN;
                assertFalse(store.gradientsFinite(vec, threads), "NaN at " + pos + " of " + n + ", " + threads.name());
                assertFalse(store.gradientsFinite(Kernels.reference().elementwise(), threads));
                store.zeroGradients(threads);
                for (int i = 0; i < n; i++) {
                    if (store.gradients()[i] != 0f) {
                        fail("gradient " + i + " of " + n + " not zeroed by " + threads.name());
                    }
                }
                assertTrue(store.gradientsFinite(vec, threads));
            }
        }
    }
}

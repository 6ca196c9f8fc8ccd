package org.vae4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.vae4j.Vae;
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
}

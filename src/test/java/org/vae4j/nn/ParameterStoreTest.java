package org.vae4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.vae4j.Vae;
import org.vae4j.kernel.ScalarElementwise;

class ParameterStoreTest {

    @Test
    void tensorsLieInOrderInOneFlatIndexSpace() {
        Vae vae = Vae.builder(6).hidden(4).latent(2).seed(3).build();
        ParameterStore store = vae.parameterStore();
        List<Parameter> ps = vae.parameters();
        assertEquals(vae.parameterCount(), store.size());
        float[] flat = store.values();
        int offset = 0;
        for (int k = 0; k < ps.size(); k++) {
            assertEquals(offset, store.offset(k), ps.get(k).name());
            for (int i = 0; i < ps.get(k).size(); i++) {
                assertEquals(ps.get(k).value().data[i], flat[offset + i]);
            }
            offset += ps.get(k).size();
        }
        assertSame(ps.get(2).value(), store.get("fc_mu.weight").value());
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
        assertTrue(store.gradientsFinite(ScalarElementwise.INSTANCE));
        vae.parameters().get(3).grad().data[0] = Float.NaN;
        assertFalse(store.gradientsFinite(ScalarElementwise.INSTANCE));
        store.zeroGradients();
        assertEquals(0.0, store.gradientNorm(), 0.0);
    }
}

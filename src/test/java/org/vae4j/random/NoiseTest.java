package org.vae4j.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.objective.Batch;
import org.vae4j.objective.StepContext;

class NoiseTest {

    @Test
    void aStreamIsAFunctionOfItsKeyOnly() {
        Noise noise = new Noise(42);
        float[] a = new float[16];
        float[] b = new float[16];
        noise.gaussian(new CounterRandom(), Noise.TRAINING, 3, 17, 0, a, 0, 16);
        CounterRandom used = new CounterRandom(99);
        used.nextLong();
        noise.gaussian(used, Noise.TRAINING, 3, 17, 0, b, 0, 16);
        assertArrayEquals(a, b);
        assertEquals(new Noise(42).key(1, 2, 3, 4), noise.key(1, 2, 3, 4));
    }

    @Test
    void everyPartOfTheKeyChangesTheStream() {
        Set<Long> keys = new HashSet<>();
        Noise noise = new Noise(7);
        long[] base = {Noise.TRAINING, 1, 10, 0};
        keys.add(noise.key(base[0], base[1], base[2], base[3]));
        for (int part = 0; part < 4; part++) {
            long[] k = base.clone();
            k[part]++;
            assertTrue(keys.add(noise.key(k[0], k[1], k[2], k[3])), "changing part " + part + " changes the key");
        }
        assertNotEquals(new Noise(8).key(base[0], base[1], base[2], base[3]), noise.key(base[0], base[1], base[2], base[3]));
        // neighbouring rows give unrelated first draws
        CounterRandom r = new CounterRandom();
        long first7 = noise.stream(r, Noise.TRAINING, 1, 7, 0).nextLong();
        long first8 = noise.stream(r, Noise.TRAINING, 1, 8, 0).nextLong();
        assertTrue(Long.bitCount(first7 ^ first8) > 16, "the streams of rows 7 and 8 share most bits");
    }

    @Test
    void gaussianDrawsHaveMeanZeroAndVarianceOneAcrossRows() {
        Noise noise = new Noise(1);
        CounterRandom scratch = new CounterRandom();
        int rows = 20_000;
        int w = 8;
        float[] out = new float[w];
        double sum = 0;
        double sq = 0;
        double lag = 0; // correlation of draw j and j+1 within a row
        for (int r = 0; r < rows; r++) {
            noise.gaussian(scratch, Noise.TRAINING, 1, r, 0, out, 0, w);
            for (int j = 0; j < w; j++) {
                sum += out[j];
                sq += out[j] * (double) out[j];
                if (j + 1 < w) {
                    lag += out[j] * (double) out[j + 1];
                }
            }
        }
        double n = rows * (double) w;
        double mean = sum / n;
        double var = sq / n - mean * mean;
        // 5 standard errors: sd(mean) = 1/sqrt(n), sd(var) ~ sqrt(2/n)
        assertEquals(0, mean, 5 / Math.sqrt(n));
        assertEquals(1, var, 5 * Math.sqrt(2 / n));
        assertEquals(0, lag / (rows * (w - 1.0)), 5 / Math.sqrt(rows * (w - 1.0)));
    }

    @Test
    void aRowGetsTheSameNoiseWhereverItIsInTheBatch() {
        StepContext ctx = new StepContext(new Noise(5)).set(2, 10, 1.0, 3);
        FMatrixRMaj x = new FMatrixRMaj(3, 4);
        FMatrixRMaj a = new FMatrixRMaj(3, 6);
        FMatrixRMaj b = new FMatrixRMaj(3, 6);
        ctx.fillNoise(new Batch().set(x, x, null, new int[] {5, 9, 2}, 0), 0, a);
        ctx.fillNoise(new Batch().set(x, x, null, new int[] {0, 2, 5, 9}, 1), 0, b);
        for (int j = 0; j < 6; j++) {
            assertEquals(a.get(0, j), b.get(1, j), "row 5");
            assertEquals(a.get(1, j), b.get(2, j), "row 9");
            assertEquals(a.get(2, j), b.get(0, j), "row 2");
        }
        // another epoch draws afresh
        FMatrixRMaj c = new FMatrixRMaj(3, 6);
        ctx.set(3, 10, 1.0, 3).fillNoise(new Batch().set(x, x, null, new int[] {5, 9, 2}, 0), 0, c);
        assertNotEquals(a.get(0, 0), c.get(0, 0));
    }
}

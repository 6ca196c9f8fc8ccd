package org.vae4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Vae;
import org.vae4j.nn.Activation;

class LatentUsageTest {

    /**
     * A VAE on 3 inputs whose encoder passes x through (identity hidden layer, W1 = I), with
     * mu = (x0, 0, 0.2 x1, x2 + 5) and logvar = (0, -1, 0.5 x1, 1): unit 1's mu row is zero,
     * unit 2 varies by less than the threshold.
     */
    private static Vae knownEncoder() {
        Vae vae = Vae.builder(3).hidden(3).latent(4).activation(Activation.IDENTITY).seed(1).build();
        EvalFixtures.parameter(vae, "fc1.weight").set(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1});
        EvalFixtures.parameter(vae, "fc1.bias").set(new float[3]);
        EvalFixtures.parameter(vae, "fc_mu.weight").set(new float[] {1, 0, 0, 0, 0, 0, 0, 0.2f, 0, 0, 0, 1});
        EvalFixtures.parameter(vae, "fc_mu.bias").set(new float[] {0, 0, 0, 5});
        EvalFixtures.parameter(vae, "fc_logvar.weight").set(new float[] {0, 0, 0, 0, 0, 0, 0, 0.5f, 0, 0, 0, 0});
        EvalFixtures.parameter(vae, "fc_logvar.bias").set(new float[] {0, -1, 0, 1});
        return vae;
    }

    private static double populationVariance(FMatrixRMaj x, int col, double scale) {
        double mean = 0;
        for (int i = 0; i < x.numRows; i++) {
            mean += scale * x.get(i, col);
        }
        mean /= x.numRows;
        double var = 0;
        for (int i = 0; i < x.numRows; i++) {
            double d = scale * x.get(i, col) - mean;
            var += d * d;
        }
        return var / x.numRows;
    }

    @Test
    void unitsWithAZeroMuRowOrTooLittleVarianceAreInactive() {
        Vae vae = knownEncoder();
        FMatrixRMaj x = EvalFixtures.uniform(2000, 3, 2); // Var(x_j) ~ 1/12
        ActiveUnits au = LatentUsage.activeUnits(vae, x);

        double[] expected = {populationVariance(x, 0, 1), 0, populationVariance(x, 1, 0.2), populationVariance(x, 2, 1)};
        assertArrayEquals(expected, au.variances(), 1e-6);
        assertEquals(2, au.count());
        assertTrue(au.isActive(0));
        assertFalse(au.isActive(1));
        assertFalse(au.isActive(2)); // 0.04 / 12 = 0.0033 < 0.01
        assertTrue(au.isActive(3));
        assertEquals(4, au.dimensions());
        assertEquals(ActiveUnits.DEFAULT_THRESHOLD, au.threshold());

        ActiveUnits lower = LatentUsage.activeUnits(vae, x, 0.001);
        assertEquals(3, lower.count());
        assertTrue(lower.isActive(2));
        assertEquals(au, LatentUsage.activeUnits(vae, x, 0.01));
    }

    @Test
    void klPerDimensionIsTheClosedFormAveragedOverTheDataAndSumsToTheKl() {
        Vae vae = knownEncoder();
        FMatrixRMaj x = EvalFixtures.uniform(500, 3, 3);
        double[] kl = LatentUsage.klPerDimension(vae, x);

        double[] expected = new double[4];
        for (int i = 0; i < 500; i++) {
            double[] mu = {x.get(i, 0), 0, 0.2 * x.get(i, 1), x.get(i, 2) + 5};
            double[] lv = {0, -1, 0.5 * x.get(i, 1), 1};
            for (int u = 0; u < 4; u++) {
                expected[u] += 0.5 * (mu[u] * mu[u] + Math.exp(lv[u]) - 1 - lv[u]) / 500;
            }
        }
        assertArrayEquals(expected, kl, 1e-5);
        assertEquals(0.5 * (Math.exp(-1) - 1 + 1), kl[1], 1e-7); // mu = 0, logvar = -1
        double sum = kl[0] + kl[1] + kl[2] + kl[3];
        assertEquals(Elbo.estimate(vae, x, 1, new SplittableRandom(1)).kl(), sum, 1e-9 * sum);
    }

    @Test
    void activeUnitsCopiesItsArrays() {
        double[] v = {0.5, 0.0};
        ActiveUnits au = new ActiveUnits(v, 0.01);
        v[1] = 1;
        au.variances()[1] = 1;
        assertEquals(1, au.count());
        assertEquals(0.0, au.variances()[1]);
        assertThrows(IllegalArgumentException.class, () -> new ActiveUnits(v, -1));
        assertThrows(IllegalArgumentException.class, () -> new ActiveUnits(v, Double.NaN));
    }
}

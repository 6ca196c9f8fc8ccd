package org.vae4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.GradientCheck;

class GaussianSamplerTest {

    private static FMatrixRMaj row(float... values) {
        return new FMatrixRMaj(1, values.length, true, values);
    }

    @Test
    void forwardIsMeanPlusStandardDeviationTimesNoise() {
        // logvar = 2 ln s gives standard deviation s.
        FMatrixRMaj mu = row(0f, 1f, -2f, 0.5f);
        FMatrixRMaj logvar = row(0f, (float) (2 * Math.log(3)), (float) (2 * Math.log(0.5)), -1f);
        FMatrixRMaj eps = row(1.5f, -1f, 2f, 0f);
        FMatrixRMaj z = new FMatrixRMaj(1, 4);

        GaussianSampler.forward(mu, logvar, eps, z);

        assertEquals(1.5f, z.data[0], 0f);
        assertEquals(1f - 3f, z.data[1], 1e-6f);
        assertEquals(-2f + 0.5f * 2f, z.data[2], 1e-6f);
        assertEquals(0.5f, z.data[3], 0f);
    }

    @Test
    void forwardMatchesDoublePrecisionFormulaOnRandomInputs() {
        SplittableRandom rng = new SplittableRandom(7);
        FMatrixRMaj mu = GradientCheck.uniform(3, 4, -2, 2, rng);
        FMatrixRMaj logvar = GradientCheck.uniform(3, 4, -3, 2, rng);
        FMatrixRMaj eps = GradientCheck.uniform(3, 4, -2, 2, rng);
        FMatrixRMaj z = new FMatrixRMaj(3, 4);

        GaussianSampler.forward(mu, logvar, eps, z);

        for (int i = 0; i < 12; i++) {
            double expected = mu.data[i] + Math.exp(logvar.data[i] / 2.0) * eps.data[i];
            assertEquals(expected, z.data[i], 1e-6 * (1 + Math.abs(expected)), "z[" + i + "]");
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(7);
        FMatrixRMaj mu = GradientCheck.uniform(3, 4, -2, 2, rng);
        FMatrixRMaj logvar = GradientCheck.uniform(3, 4, -2, 2, rng);
        FMatrixRMaj eps = GradientCheck.uniform(3, 4, -2, 2, rng);
        FMatrixRMaj r = GradientCheck.uniform(3, 4, -1, 1, rng);
        FMatrixRMaj dmu = new FMatrixRMaj(3, 4);
        FMatrixRMaj dlogvar = new FMatrixRMaj(3, 4);

        GaussianSampler.backward(r, logvar, eps, dmu, dlogvar);

        FMatrixRMaj z = new FMatrixRMaj(3, 4);
        DoubleSupplier loss = () -> {
            GaussianSampler.forward(mu, logvar, eps, z);
            return GradientCheck.dot(r, z);
        };
        GradientCheck.assertGradient("dmu", mu, dmu, loss);
        GradientCheck.assertGradient("dlogvar", logvar, dlogvar, loss);
    }

    @Test
    void backwardAddsToExistingGradients() {
        SplittableRandom rng = new SplittableRandom(9);
        FMatrixRMaj logvar = GradientCheck.uniform(2, 3, -2, 2, rng);
        FMatrixRMaj eps = GradientCheck.uniform(2, 3, -2, 2, rng);
        FMatrixRMaj dz = GradientCheck.uniform(2, 3, -1, 1, rng);
        FMatrixRMaj dmu = GradientCheck.uniform(2, 3, -1, 1, rng);
        FMatrixRMaj dlogvar = GradientCheck.uniform(2, 3, -1, 1, rng);
        FMatrixRMaj dmu0 = dmu.copy();
        FMatrixRMaj dlogvar0 = dlogvar.copy();

        GaussianSampler.backward(dz, logvar, eps, dmu, dlogvar);

        for (int i = 0; i < 6; i++) {
            double std = Math.exp(logvar.data[i] / 2.0);
            assertEquals(dmu0.data[i] + dz.data[i], dmu.data[i], 1e-6);
            assertEquals(dlogvar0.data[i] + dz.data[i] * eps.data[i] * std / 2, dlogvar.data[i], 1e-5);
        }
    }

    @Test
    void drawNoiseIsSeededStandardNormal() {
        FMatrixRMaj a = new FMatrixRMaj(200, 50);
        FMatrixRMaj b = new FMatrixRMaj(200, 50);
        GaussianSampler.drawNoise(a, new SplittableRandom(3));
        GaussianSampler.drawNoise(b, new SplittableRandom(3));
        assertArrayEquals(a.data, b.data);

        double sum = 0;
        double sumSq = 0;
        for (float v : a.data) {
            sum += v;
            sumSq += (double) v * v;
        }
        int n = a.getNumElements();
        assertEquals(0, sum / n, 0.05);
        assertEquals(1, sumSq / n, 0.05);
    }

    @Test
    void shapeMismatchIsRejected() {
        FMatrixRMaj m = new FMatrixRMaj(2, 3);
        assertThrows(IllegalArgumentException.class,
                () -> GaussianSampler.forward(m, m, new FMatrixRMaj(2, 2), new FMatrixRMaj(2, 3)));
    }
}

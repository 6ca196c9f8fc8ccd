package org.vae4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.GradientCheck;

class GaussianKlTest {

    private static FMatrixRMaj row(float... values) {
        return new FMatrixRMaj(1, values.length, true, values);
    }

    @Test
    void standardNormalPosteriorHasZeroKl() {
        assertEquals(0.0, GaussianKl.forward(new FMatrixRMaj(3, 4), new FMatrixRMaj(3, 4)), 0.0);
    }

    @Test
    void forwardMatchesHandComputedValues() {
        // mu = 1, logvar = 0: KL = mu^2 / 2 = 0.5 per dimension.
        assertEquals(1.0, GaussianKl.forward(row(1f, -1f), row(0f, 0f)), 1e-7);
        // mu = 0, logvar = ln 2: -(1 + ln 2 - 2) / 2 = (1 - ln 2) / 2.
        assertEquals((1 - Math.log(2)) / 2, GaussianKl.forward(row(0f), row((float) Math.log(2))), 1e-7);
        // mu = 2, logvar = -1: -(1 - 1 - 4 - e^-1) / 2 = 2 + e^-1 / 2.
        assertEquals(2 + Math.exp(-1) / 2, GaussianKl.forward(row(2f), row(-1f)), 1e-6);
    }

    @Test
    void perRowValuesSumToTheTotal() {
        SplittableRandom rng = new SplittableRandom(7);
        FMatrixRMaj mu = GradientCheck.uniform(5, 3, -2, 2, rng);
        FMatrixRMaj logvar = GradientCheck.uniform(5, 3, -2, 2, rng);
        double[] perRow = new double[5];

        GaussianKl.forwardPerRow(mu, logvar, perRow);

        double sum = 0;
        for (int r = 0; r < 5; r++) {
            double row = 0;
            for (int j = 0; j < 3; j++) {
                double m = mu.get(r, j);
                double lv = logvar.get(r, j);
                row += -0.5 * (1 + lv - m * m - Math.exp(lv));
            }
            assertEquals(row, perRow[r], 1e-9, "row " + r);
            sum += perRow[r];
        }
        assertEquals(GaussianKl.forward(mu, logvar), sum, 1e-9);
    }

    @Test
    void scaledBackwardMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(7);
        FMatrixRMaj mu = GradientCheck.uniform(3, 4, -2, 2, rng);
        FMatrixRMaj logvar = GradientCheck.uniform(3, 4, -2, 2, rng);
        FMatrixRMaj dmu = new FMatrixRMaj(3, 4);
        FMatrixRMaj dlogvar = new FMatrixRMaj(3, 4);
        float scale = 0.7f;

        GaussianKl.backward(mu, logvar, scale, dmu, dlogvar);

        DoubleSupplier loss = () -> scale * GaussianKl.forward(mu, logvar);
        GradientCheck.assertGradient("dmu", mu, dmu, loss);
        GradientCheck.assertGradient("dlogvar", logvar, dlogvar, loss);
    }

    @Test
    void backwardAddsToExistingGradients() {
        FMatrixRMaj dmu = row(1f);
        FMatrixRMaj dlogvar = row(-1f);

        GaussianKl.backward(row(2f), row((float) Math.log(3)), 0.5f, dmu, dlogvar);

        assertEquals(1f + 0.5f * 2f, dmu.data[0], 1e-6f);
        assertEquals(-1f + 0.5f * (3f - 1f) / 2f, dlogvar.data[0], 1e-6f);
    }
}

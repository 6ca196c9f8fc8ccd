package org.vae4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.GradientCheck;
import org.vae4j.nn.Activation;

class LikelihoodTest {

    private static final BernoulliLikelihood BERNOULLI = BernoulliLikelihood.INSTANCE;

    private static FMatrixRMaj row(float... values) {
        return new FMatrixRMaj(1, values.length, true, values);
    }

    private static double nll(Likelihood lik, float out, float x) {
        return lik.negLogLikelihood(row(out), row(x), 1f, new FMatrixRMaj(1, 1));
    }

    // ---- Bernoulli ----

    @Test
    void bernoulliNllMatchesHandValues() {
        assertEquals(Math.log(2), nll(BERNOULLI, 0f, 1f), 1e-12);
        assertEquals(Math.log(2), nll(BERNOULLI, 0f, 0f), 1e-12);
        // grey target x = 0.25 at logit 1: softplus(1) - 0.25
        assertEquals(Math.log1p(Math.E) - 0.25, nll(BERNOULLI, 1f, 0.25f), 1e-7);
        assertEquals(Math.log1p(Math.exp(-2)), nll(BERNOULLI, 2f, 1f), 1e-7);
    }

    @Test
    void bernoulliNllIsStableForSaturatedLogits() {
        assertEquals(0.0, nll(BERNOULLI, 50f, 1f), 1e-20);
        assertEquals(50.0, nll(BERNOULLI, -50f, 1f), 1e-12);
        assertEquals(50.0, nll(BERNOULLI, 50f, 0f), 1e-12);
        assertEquals(1e4, nll(BERNOULLI, 1e4f, 0f), 1e-9);
        assertEquals(1e4, nll(BERNOULLI, -1e4f, 1f), 1e-9);
        assertEquals(0.0, nll(BERNOULLI, -1e4f, 0f), 0.0);

        FMatrixRMaj logits = row(1e4f, -1e4f, 50f, -50f);
        FMatrixRMaj dout = new FMatrixRMaj(1, 4);
        double v = BERNOULLI.negLogLikelihood(logits, row(0f, 1f, 1f, 0f), 1f, dout);
        assertTrue(Double.isFinite(v));
        float[] expected = {1f, -1f, 0f, 0f};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], dout.data[i], 1e-6f, "dout[" + i + "]");
        }
    }

    @Test
    void bernoulliGradientIsScaledSigmoidMinusTargetAndMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(7);
        FMatrixRMaj logits = GradientCheck.uniform(3, 5, -4, 4, rng);
        FMatrixRMaj x = GradientCheck.uniform(3, 5, 0, 1, rng);
        FMatrixRMaj dout = new FMatrixRMaj(3, 5);
        float scale = 1f / 3;

        BERNOULLI.negLogLikelihood(logits, x, scale, dout);

        for (int i = 0; i < 15; i++) {
            double expected = scale * (1 / (1 + Math.exp(-logits.data[i])) - x.data[i]);
            assertEquals(expected, dout.data[i], 1e-6, "dout[" + i + "]");
        }
        FMatrixRMaj scratch = new FMatrixRMaj(3, 5);
        GradientCheck.assertGradient("dlogits", logits, dout.copy(),
                () -> scale * BERNOULLI.negLogLikelihood(logits, x, scale, scratch));
    }

    @Test
    void bernoulliPerRowValuesSumToTheTotal() {
        assertPerRowSumsToTotal(BERNOULLI, GradientCheck.uniform(4, 6, -3, 3, new SplittableRandom(2)));
    }

    @Test
    void bernoulliMeanIsSigmoidOfLogits() {
        FMatrixRMaj mean = new FMatrixRMaj(1, 3);
        BERNOULLI.mean(row(0f, 2f, -100f), mean);
        assertEquals(0.5f, mean.data[0], 0f);
        // the vector backend computes it in float: within 2 ulp of the double formula (ElementwiseTest)
        assertEquals(Activation.sigmoid(2f), mean.data[1], 2 * Math.ulp(Activation.sigmoid(2f)));
        assertEquals(0f, mean.data[2], 1e-40f);
    }

    @Test
    void bernoulliValidateRejectsValuesOutsideUnitIntervalNamingRowAndColumn() {
        FMatrixRMaj x = new FMatrixRMaj(3, 4);
        x.set(2, 1, 1f);
        x.set(0, 3, 0.5f);
        BERNOULLI.validate(x, "data"); // 0, 0.5 and 1 are fine

        for (float bad : new float[] {1.5f, -0.1f, Float.NaN}) {
            FMatrixRMaj y = x.copy();
            y.set(1, 2, bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BERNOULLI.validate(y, "training data"));
            String msg = e.getMessage();
            assertTrue(msg.contains("training data") && msg.contains(String.valueOf(bad))
                    && msg.contains("row 1") && msg.contains("column 2") && msg.contains("[0, 1]"), msg);
        }
    }

    // ---- Gaussian ----

    @Test
    void gaussianNllWithAndWithoutConstantMatchesHandComputation() {
        FMatrixRMaj m = row(0.5f, 1f, -1f);
        FMatrixRMaj x = row(0f, 1f, 1f);
        double squares = 0.25 + 0 + 4;
        FMatrixRMaj dout = new FMatrixRMaj(1, 3);

        double withConstant = GaussianLikelihood.withVariance(0.5).negLogLikelihood(m, x, 1f, dout);
        assertEquals(squares / (2 * 0.5) + 3 * 0.5 * Math.log(2 * Math.PI * 0.5), withConstant, 1e-6);

        double noConstant = new GaussianLikelihood(2.0, false).negLogLikelihood(m, x, 1f, dout);
        assertEquals(squares / 4, noConstant, 1e-6);

        double squaredError = GaussianLikelihood.squaredError().negLogLikelihood(m, x, 1f, dout);
        assertEquals(squares, squaredError, 1e-6);
        // d/dm sum (m - x)^2 = 2 (m - x)
        assertEquals(2 * 0.5f, dout.data[0], 1e-6f);
        assertEquals(0f, dout.data[1], 0f);
        assertEquals(2 * -2f, dout.data[2], 1e-6f);
    }

    @Test
    void gaussianGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(7);
        FMatrixRMaj m = GradientCheck.uniform(3, 5, -1, 2, rng);
        FMatrixRMaj x = GradientCheck.uniform(3, 5, 0, 1, rng);
        float scale = 0.25f;
        for (GaussianLikelihood lik : new GaussianLikelihood[] {
                GaussianLikelihood.withVariance(0.3), GaussianLikelihood.squaredError()}) {
            FMatrixRMaj dout = new FMatrixRMaj(3, 5);
            lik.negLogLikelihood(m, x, scale, dout);
            FMatrixRMaj scratch = new FMatrixRMaj(3, 5);
            GradientCheck.assertGradient(lik.describe(), m, dout,
                    () -> scale * lik.negLogLikelihood(m, x, scale, scratch));
        }
    }

    @Test
    void gaussianPerRowValuesSumToTheTotal() {
        assertPerRowSumsToTotal(GaussianLikelihood.withVariance(0.7),
                GradientCheck.uniform(4, 6, -1, 2, new SplittableRandom(3)));
        assertPerRowSumsToTotal(GaussianLikelihood.squaredError(),
                GradientCheck.uniform(4, 6, -1, 2, new SplittableRandom(4)));
    }

    @Test
    void gaussianRejectsBadVarianceAndNonFiniteData() {
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GaussianLikelihood.withVariance(bad));
            assertTrue(e.getMessage().contains("variance"), e.getMessage());
        }
        FMatrixRMaj x = new FMatrixRMaj(2, 3);
        x.set(1, 0, Float.POSITIVE_INFINITY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GaussianLikelihood.squaredError().validate(x, "data"));
        assertTrue(e.getMessage().contains("non-finite") && e.getMessage().contains("row 1")
                && e.getMessage().contains("column 0"), e.getMessage());
    }

    private static void assertPerRowSumsToTotal(Likelihood lik, FMatrixRMaj out) {
        FMatrixRMaj x = GradientCheck.uniform(out.numRows, out.numCols, 0, 1, new SplittableRandom(5));
        double[] perRow = new double[out.numRows];
        lik.negLogLikelihoodPerRow(out, x, perRow);
        double sum = 0;
        for (int r = 0; r < out.numRows; r++) {
            FMatrixRMaj oneRow = new FMatrixRMaj(1, out.numCols);
            FMatrixRMaj xRow = new FMatrixRMaj(1, out.numCols);
            System.arraycopy(out.data, r * out.numCols, oneRow.data, 0, out.numCols);
            System.arraycopy(x.data, r * out.numCols, xRow.data, 0, out.numCols);
            assertEquals(lik.negLogLikelihood(oneRow, xRow, 1f, new FMatrixRMaj(1, out.numCols)), perRow[r],
                    1e-6 * Math.abs(perRow[r]), // the vector kernel sums in float lanes
                    lik + " row " + r);
            sum += perRow[r];
        }
        double total = lik.negLogLikelihood(out, x, 1f, new FMatrixRMaj(out.numRows, out.numCols));
        assertEquals(total, sum, 1e-6 * Math.abs(total), lik.toString());
    }
}

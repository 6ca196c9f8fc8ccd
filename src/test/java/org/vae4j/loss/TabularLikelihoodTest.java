package org.vae4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.GradientCheck;
import org.vae4j.kernel.Elementwise;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Parameter;

/**
 * The column likelihoods of a table: hand values, central finite differences of every gradient
 * (w.r.t. the decoder output and the likelihood's own log-variance parameter) with missing cells,
 * the log-variance bound, stability, mean / mode / sample, validation. The composite is in
 * {@link CompositeLikelihoodTest}.
 */
class TabularLikelihoodTest {

    private static final Elementwise K = Elementwise.get();
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    static FMatrixRMaj m(int rows, int cols, float... v) {
        return new FMatrixRMaj(rows, cols, true, v);
    }

    /** A 0/1 mask with about a quarter of the cells missing, at least one. */
    static FMatrixRMaj randomMask(int rows, int cols, SplittableRandom rng) {
        FMatrixRMaj mask = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < mask.getNumElements(); i++) {
            mask.data[i] = rng.nextDouble() < 0.25 ? 0f : 1f;
        }
        mask.data[1] = 0f;
        return mask;
    }

    static double loss(Likelihood lik, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask) {
        return lik.negLogLikelihood(K, out, x, mask, 1f, new FMatrixRMaj(out.numRows, out.numCols));
    }

    static FMatrixRMaj gradOf(Parameter p) {
        FMatrixRMaj g = new FMatrixRMaj(p.rows(), p.cols());
        System.arraycopy(p.gradArray(), p.offset(), g.data, 0, p.size());
        return g;
    }

    static FMatrixRMaj valueOf(Parameter p) {
        FMatrixRMaj v = new FMatrixRMaj(p.rows(), p.cols());
        System.arraycopy(p.valueArray(), p.offset(), v.data, 0, p.size());
        return v;
    }

    /**
     * Central differences of the loss w.r.t. the output and every parameter of the likelihood,
     * against its gradient (scale 1); and the gradient of a masked cell's outputs is 0.
     */
    static void assertGradients(String name, Likelihood lik, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask) {
        for (Parameter p : lik.parameters()) {
            p.zeroGrad();
        }
        FMatrixRMaj dout = new FMatrixRMaj(out.numRows, out.numCols);
        lik.negLogLikelihood(K, out, x, mask, 1f, dout);
        FMatrixRMaj analytic = dout.copy();
        List<FMatrixRMaj> paramGrads = lik.parameters().stream().map(TabularLikelihoodTest::gradOf).toList();
        GradientCheck.assertGradient(name + " d/dout", out, analytic, () -> loss(lik, out, x, mask));
        for (int k = 0; k < lik.parameters().size(); k++) {
            Parameter p = lik.parameters().get(k);
            FMatrixRMaj values = valueOf(p);
            GradientCheck.assertGradient(name + " d/d" + p.name(), values, paramGrads.get(k), () -> {
                p.set(values.data);
                return loss(lik, out, x, mask);
            });
            p.set(values.data);
        }
    }

    // ---- Gaussian with learned variance

    @Test
    void learnedGaussianMatchesTheDensityByHand() {
        LearnedGaussianLikelihood g = LearnedGaussianLikelihood.perColumn(2);
        g.logVar().set(new float[] {0f, (float) Math.log(4)});
        FMatrixRMaj out = m(1, 2, 1f, -1f);
        FMatrixRMaj x = m(1, 2, 2f, 1f);
        double s = LearnedGaussianLikelihood.boundedLogVar(Math.log(4), 6);
        double expected = 0.5 * (LOG_2PI + 1) + 0.5 * (LOG_2PI + s + 4 * Math.exp(-s));
        assertEquals(expected, loss(g, out, x, null), 1e-6);
        // the bound is nearly the identity near 0: B tanh(v / B) = v - v^3 / (3 B^2) + O(v^5)
        double v = Math.log(4);
        assertEquals(v - v * v * v / (3 * 36), s, 1e-3);
        assertEquals(0.1, LearnedGaussianLikelihood.boundedLogVar(0.1, 6), 1e-4);
    }

    @Test
    void learnedGaussianGradientsMatchFiniteDifferencesWithMissingCells() {
        SplittableRandom rng = new SplittableRandom(11);
        LearnedGaussianLikelihood g = LearnedGaussianLikelihood.perColumn(4);
        g.logVar().set(new float[] {0.3f, -1.2f, 2.5f, 7.5f}); // the last beyond the bound's linear part
        FMatrixRMaj out = GradientCheck.uniform(5, 4, -1, 1, rng);
        FMatrixRMaj x = GradientCheck.uniform(5, 4, -2, 2, rng);
        assertGradients("gaussian-learned", g, out, x, randomMask(5, 4, rng));
        assertGradients("gaussian-learned, complete", g, out, x, null);
    }

    @Test
    void theLogVarianceGradientAccumulatesAcrossCallsLikeAModuleGradient() {
        // micro-batches sum their gradients into one buffer: a second call must add, not overwrite
        SplittableRandom rng = new SplittableRandom(13);
        LearnedGaussianLikelihood g = LearnedGaussianLikelihood.perColumn(3);
        g.logVar().set(new float[] {0.2f, -0.7f, 1.1f});
        FMatrixRMaj out1 = GradientCheck.uniform(4, 3, -1, 1, rng);
        FMatrixRMaj x1 = GradientCheck.uniform(4, 3, -2, 2, rng);
        FMatrixRMaj out2 = GradientCheck.uniform(3, 3, -1, 1, rng);
        FMatrixRMaj x2 = GradientCheck.uniform(3, 3, -2, 2, rng);
        Parameter p = g.logVar();
        p.zeroGrad();
        loss(g, out1, x1, null);
        FMatrixRMaj g1 = gradOf(p);
        p.zeroGrad();
        loss(g, out2, x2, null);
        FMatrixRMaj g2 = gradOf(p);
        p.zeroGrad();
        loss(g, out1, x1, null);
        loss(g, out2, x2, null);
        FMatrixRMaj both = gradOf(p);
        for (int j = 0; j < 3; j++) {
            assertTrue(Math.abs(g1.data[j]) > 1e-3 && Math.abs(g2.data[j]) > 1e-3, "both calls contribute");
            assertEquals(g1.data[j] + g2.data[j], both.data[j], 1e-5, "log_var gradient " + j);
        }
    }

    @Test
    void heteroscedasticGradientsMatchFiniteDifferencesWithMissingCells() {
        SplittableRandom rng = new SplittableRandom(12);
        LearnedGaussianLikelihood g = LearnedGaussianLikelihood.heteroscedastic(3);
        assertEquals(6, g.outputWidth(3));
        FMatrixRMaj out = GradientCheck.uniform(4, 6, -2, 2, rng);
        out.set(0, 4, 8f); // a raw log-variance in the bound's saturating part
        FMatrixRMaj x = GradientCheck.uniform(4, 3, -2, 2, rng);
        assertGradients("gaussian-heteroscedastic", g, out, x, randomMask(4, 3, rng));
    }

    @Test
    void theLogVarianceBoundKeepsExtremeValuesFinite() {
        LearnedGaussianLikelihood g = LearnedGaussianLikelihood.heteroscedastic(2);
        // a variance "collapsing" (raw -1e4) and one exploding (raw 1e4), residuals large
        FMatrixRMaj out = m(1, 4, 0f, 0f, -1e4f, 1e4f);
        FMatrixRMaj x = m(1, 2, 50f, 50f);
        FMatrixRMaj dout = new FMatrixRMaj(1, 4);
        double v = g.negLogLikelihood(K, out, x, null, 1f, dout);
        double expected = 0.5 * (LOG_2PI - 6 + 2500 * Math.exp(6)) + 0.5 * (LOG_2PI + 6 + 2500 * Math.exp(-6));
        assertEquals(expected, v, 1e-9 * expected);
        for (float d : dout.data) {
            assertTrue(Float.isFinite(d));
        }
        // the bounded function is flat out there: its gradient is (essentially) 0, as the clamp's
        assertEquals(0f, dout.get(0, 2), 1e-20f);
        assertEquals(0f, dout.get(0, 3), 1e-20f);
        assertEquals(6.0, LearnedGaussianLikelihood.boundedLogVar(1e4, 6), 0.0);
    }

    @Test
    void gaussianWithOneParameterPerColumnRefusesAnotherWidth() {
        assertThrows(IllegalArgumentException.class, () -> LearnedGaussianLikelihood.perColumn(3).outputWidth(4));
        assertThrows(IllegalArgumentException.class, () -> LearnedGaussianLikelihood.perColumn(0));
        assertThrows(IllegalArgumentException.class, () -> LearnedGaussianLikelihood.perColumn(2, 0));
        assertEquals(Activation.IDENTITY, LearnedGaussianLikelihood.heteroscedastic(1).requiredOutputActivation());
    }

    @Test
    void forModelCopiesTheLogVarianceSoModelsNeverShareIt() {
        LearnedGaussianLikelihood g = LearnedGaussianLikelihood.perColumn(2);
        g.logVar().set(new float[] {0.5f, -0.5f});
        LearnedGaussianLikelihood copy = (LearnedGaussianLikelihood) g.forModel();
        assertNotSame(g.logVar(), copy.logVar());
        assertEquals(-0.5f, valueOf(copy.logVar()).data[1]);
        copy.logVar().set(new float[] {1f, 1f});
        assertEquals(0.5f, valueOf(g.logVar()).data[0]);
        LearnedGaussianLikelihood h = LearnedGaussianLikelihood.heteroscedastic(2);
        assertTrue(h.forModel() == h, "an immutable likelihood is shared");
    }

    // ---- Categorical

    @Test
    void categoricalIsTheCrossEntropyOfTheSoftmax() {
        CategoricalLikelihood c = new CategoricalLikelihood(3);
        FMatrixRMaj out = m(1, 3, 1f, 2f, 3f);
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        assertEquals(lse - 2, loss(c, out, m(1, 3, 0f, 1f, 0f), null), 1e-6);
        FMatrixRMaj dout = new FMatrixRMaj(1, 3);
        c.negLogLikelihood(K, out, m(1, 3, 0f, 1f, 0f), null, 0.5f, dout);
        assertEquals(0.5 * Math.exp(2 - lse) - 0.5, dout.get(0, 1), 1e-6);
        assertEquals(0.5 * Math.exp(3 - lse), dout.get(0, 2), 1e-6);
        assertEquals(1, c.columnCount(3));
    }

    @Test
    void categoricalGradientsMatchFiniteDifferencesForOneHotAndSoftTargets() {
        SplittableRandom rng = new SplittableRandom(13);
        CategoricalLikelihood c = new CategoricalLikelihood(4);
        FMatrixRMaj out = GradientCheck.uniform(5, 4, -3, 3, rng);
        FMatrixRMaj x = new FMatrixRMaj(5, 4);
        for (int r = 0; r < 4; r++) {
            x.set(r, rng.nextInt(4), 1f);
        }
        x.set(4, 0, 0.25f);
        x.set(4, 2, 0.75f);
        FMatrixRMaj mask = new FMatrixRMaj(5, 4);
        mask.fill(1f);
        mask.set(2, 1, 0f); // one masked cell masks the whole span of row 2
        assertGradients("categorical", c, out, x, mask);
        FMatrixRMaj dout = new FMatrixRMaj(5, 4);
        c.negLogLikelihood(K, out, x, mask, 1f, dout);
        for (int k = 0; k < 4; k++) {
            assertEquals(0f, dout.get(2, k), "a missing categorical column has no gradient");
        }
    }

    @Test
    void categoricalIsStableForHugeLogits() {
        CategoricalLikelihood c = new CategoricalLikelihood(3);
        FMatrixRMaj out = m(2, 3, 1e4f, -1e4f, 0f, 1e4f, 1e4f, -1e4f);
        FMatrixRMaj x = m(2, 3, 0f, 1f, 0f, 1f, 0f, 0f);
        FMatrixRMaj dout = new FMatrixRMaj(2, 3);
        double v = c.negLogLikelihood(K, out, x, null, 1f, dout);
        assertEquals(2e4 + Math.log(2), v, 1e-6);
        assertEquals(-1f, dout.get(0, 1), 1e-6f);
        assertEquals(1f, dout.get(0, 0), 1e-6f);
        assertEquals(-0.5f, dout.get(1, 0), 1e-6f);
    }

    @Test
    void categoricalMeanModeAndSample() {
        CategoricalLikelihood c = new CategoricalLikelihood(3);
        FMatrixRMaj out = m(1, 3, 0f, (float) Math.log(2), (float) Math.log(7));
        FMatrixRMaj mean = new FMatrixRMaj(1, 3);
        c.mean(out, mean);
        assertEquals(0.1f, mean.get(0, 0), 1e-6f);
        assertEquals(0.2f, mean.get(0, 1), 1e-6f);
        assertEquals(0.7f, mean.get(0, 2), 1e-6f);
        FMatrixRMaj mode = new FMatrixRMaj(1, 3);
        c.mode(out, mode);
        assertEquals(List.of(0f, 0f, 1f), List.of(mode.data[0], mode.data[1], mode.data[2]));
        SplittableRandom rng = new SplittableRandom(3);
        int[] counts = new int[3];
        FMatrixRMaj draw = new FMatrixRMaj(1, 3);
        for (int i = 0; i < 20000; i++) {
            c.sample(out, rng, draw);
            assertEquals(1f, draw.data[0] + draw.data[1] + draw.data[2]);
            for (int k = 0; k < 3; k++) {
                counts[k] += (int) draw.data[k];
            }
        }
        assertEquals(0.1, counts[0] / 20000.0, 0.015);
        assertEquals(0.2, counts[1] / 20000.0, 0.015);
        assertEquals(0.7, counts[2] / 20000.0, 0.015);
    }

    @Test
    void categoricalValidationNamesTheRow() {
        CategoricalLikelihood c = new CategoricalLikelihood(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.validate(m(2, 3, 1f, 0f, 0f, 1f, 1f, 0f), "training data"));
        assertTrue(e.getMessage().contains("training data row 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CategoricalLikelihood(1));
    }

    // ---- Bernoulli and the fixed-variance Gaussian with masks

    @Test
    void bernoulliAndFixedGaussianSkipMaskedCells() {
        SplittableRandom rng = new SplittableRandom(14);
        FMatrixRMaj out = GradientCheck.uniform(4, 3, -3, 3, rng);
        FMatrixRMaj x = GradientCheck.uniform(4, 3, 0, 1, rng);
        FMatrixRMaj mask = randomMask(4, 3, rng);
        assertGradients("bernoulli", BernoulliLikelihood.INSTANCE, out, x, mask);
        assertGradients("gaussian", GaussianLikelihood.withVariance(0.3), out, x, mask);
        // masked with an all-ones mask = unmasked
        FMatrixRMaj ones = new FMatrixRMaj(4, 3);
        ones.fill(1f);
        assertEquals(loss(BernoulliLikelihood.INSTANCE, out, x, null), loss(BernoulliLikelihood.INSTANCE, out, x, ones),
                1e-4);
        assertEquals(loss(GaussianLikelihood.withVariance(0.3), out, x, null),
                loss(GaussianLikelihood.withVariance(0.3), out, x, ones), 1e-9);
    }
}

package org.vae4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
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
 * The table likelihoods: hand values, central finite differences of every gradient (w.r.t. the
 * decoder output and the likelihood's own log-variance parameter) with missing cells, the mask
 * rule, the log-variance bound, stability, fill rules, mean / mode / sample, and span validation.
 */
class TabularLikelihoodTest {

    private static final Elementwise K = Elementwise.get();
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private static FMatrixRMaj m(int rows, int cols, float... v) {
        return new FMatrixRMaj(rows, cols, true, v);
    }

    /** A 0/1 mask with about a quarter of the cells missing, at least one. */
    private static FMatrixRMaj randomMask(int rows, int cols, SplittableRandom rng) {
        FMatrixRMaj mask = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < mask.getNumElements(); i++) {
            mask.data[i] = rng.nextDouble() < 0.25 ? 0f : 1f;
        }
        mask.data[1] = 0f;
        return mask;
    }

    private static double loss(Likelihood lik, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask) {
        return lik.negLogLikelihood(K, out, x, mask, 1f, new FMatrixRMaj(out.numRows, out.numCols));
    }

    private static FMatrixRMaj gradOf(Parameter p) {
        FMatrixRMaj g = new FMatrixRMaj(p.rows(), p.cols());
        System.arraycopy(p.gradArray(), p.offset(), g.data, 0, p.size());
        return g;
    }

    private static FMatrixRMaj valueOf(Parameter p) {
        FMatrixRMaj v = new FMatrixRMaj(p.rows(), p.cols());
        System.arraycopy(p.valueArray(), p.offset(), v.data, 0, p.size());
        return v;
    }

    /**
     * Central differences of the loss w.r.t. the output and every parameter of the likelihood,
     * against its gradient (scale 1); and the gradient of a masked cell's outputs is 0.
     */
    private static void assertGradients(String name, Likelihood lik, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask) {
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

    // ---- Composite

    /** [gaussian-learned(2), bernoulli(2), categorical(3), gaussian-heteroscedastic(1), gaussian-learned(1)]. */
    private static CompositeLikelihood table() {
        return CompositeLikelihood.builder().gaussian(2).bernoulli(2).categorical(3).heteroscedasticGaussian(1)
                .gaussian(1).build();
    }

    private static FMatrixRMaj tableRows(int rows, SplittableRandom rng) {
        FMatrixRMaj x = new FMatrixRMaj(rows, 9);
        for (int r = 0; r < rows; r++) {
            x.set(r, 0, (float) rng.nextGaussian());
            x.set(r, 1, (float) rng.nextGaussian());
            x.set(r, 2, rng.nextBoolean() ? 1f : 0f);
            x.set(r, 3, rng.nextBoolean() ? 1f : 0f);
            x.set(r, 4 + rng.nextInt(3), 1f);
            x.set(r, 7, (float) rng.nextGaussian());
            x.set(r, 8, (float) rng.nextGaussian());
        }
        return x;
    }

    @Test
    void compositeLaysOutSpansAndNamesTheirParametersByIndex() {
        CompositeLikelihood t = table();
        assertEquals(9, t.width());
        assertEquals(2 + 2 + 3 + 2 + 1, t.outputWidth(9));
        assertEquals(2 + 2 + 1 + 1 + 1, t.columnCount(9));
        assertEquals(List.of("0.log_var", "4.log_var"), t.parameters().stream().map(Parameter::name).toList());
        assertEquals(7, t.outputStart(3));
        assertEquals(9, t.outputStart(4));
        assertEquals(4, t.columnStart(2));
        assertEquals(5, t.columnStart(3));
        assertThrows(IllegalArgumentException.class, () -> t.outputWidth(8));
    }

    @Test
    void compositeGradientsMatchFiniteDifferencesWithMissingCells() {
        SplittableRandom rng = new SplittableRandom(15);
        CompositeLikelihood t = table();
        t.parameters().get(0).set(new float[] {0.4f, -0.8f});
        t.parameters().get(1).set(new float[] {1.5f});
        FMatrixRMaj out = GradientCheck.uniform(6, 10, -2, 2, rng);
        FMatrixRMaj x = tableRows(6, rng);
        FMatrixRMaj mask = randomMask(6, 9, rng);
        assertGradients("composite", t, out, x, mask);
    }

    @Test
    void compositeIsTheSumOfItsSpansPerRowAndPerColumn() {
        SplittableRandom rng = new SplittableRandom(16);
        CompositeLikelihood t = table();
        FMatrixRMaj out = GradientCheck.uniform(3, 10, -2, 2, rng);
        FMatrixRMaj x = tableRows(3, rng);
        FMatrixRMaj mask = randomMask(3, 9, rng);
        double[] perColumn = new double[3 * 7];
        t.negLogLikelihoodPerColumn(out, x, mask, perColumn);
        double[] perRow = new double[3];
        t.negLogLikelihoodPerRow(out, x, mask, perRow);
        double total = 0;
        for (int r = 0; r < 3; r++) {
            double s = 0;
            for (int c = 0; c < 7; c++) {
                s += perColumn[r * 7 + c];
            }
            assertEquals(perRow[r], s, 1e-9);
            total += s;
        }
        assertEquals(total, loss(t, out, x, mask), 1e-5);
        // column 4 (the categorical span) of row 0 by hand
        FMatrixRMaj span = new FMatrixRMaj(1, 3, true, out.get(0, 4), out.get(0, 5), out.get(0, 6));
        FMatrixRMaj target = new FMatrixRMaj(1, 3, true, x.get(0, 4), x.get(0, 5), x.get(0, 6));
        boolean observed = mask.get(0, 4) * mask.get(0, 5) * mask.get(0, 6) != 0;
        assertEquals(observed ? loss(new CategoricalLikelihood(3), span, target, null) : 0, perColumn[4], 1e-9);
    }

    @Test
    void aMaskedCellContributesNothingWhateverItHolds() {
        SplittableRandom rng = new SplittableRandom(17);
        CompositeLikelihood t = table();
        FMatrixRMaj out = GradientCheck.uniform(2, 10, -2, 2, rng);
        FMatrixRMaj x = tableRows(2, rng);
        FMatrixRMaj mask = new FMatrixRMaj(2, 9);
        mask.fill(1f);
        mask.set(0, 0, 0f); // numeric
        mask.set(0, 3, 0f); // binary
        mask.set(1, 5, 0f); // one cell of the categorical span
        double before = loss(t, out, x, mask);
        FMatrixRMaj dout = new FMatrixRMaj(2, 10);
        t.negLogLikelihood(K, out, x, mask, 1f, dout);
        assertEquals(0f, dout.get(0, 0));
        assertEquals(0f, dout.get(0, 3));
        for (int k = 4; k < 7; k++) {
            assertEquals(0f, dout.get(1, k));
        }
        x.set(0, 0, Float.NaN);
        x.set(0, 3, 17f);
        x.set(1, 4, Float.NaN);
        out.set(0, 0, 1e6f);
        out.set(1, 6, -3e3f);
        assertEquals(before, loss(t, out, x, mask), 0.0);
        // and it does count once observed
        FMatrixRMaj ones = new FMatrixRMaj(2, 9);
        ones.fill(1f);
        x.set(0, 0, 0f);
        x.set(0, 3, 1f);
        x.set(1, 4, 0f);
        assertTrue(loss(t, out, x, ones) > before + 1e3);
    }

    @Test
    void missingCellsAreFilledWithEachSpansNeutralValue() {
        CompositeLikelihood t = table();
        float nan = Float.NaN;
        FMatrixRMaj x = m(2, 9, nan, 1f, nan, 0f, 0f, nan, 1f, nan, 2f,
                0.5f, 2f, 1f, 1f, 0f, 1f, 0f, 3f, nan);
        FMatrixRMaj filled = new FMatrixRMaj(1, 1);
        FMatrixRMaj mask = MissingCells.split(t, x, filled, "data");
        assertTrue(Float.isNaN(x.get(0, 0)), "the data is not modified");
        float third = 1f / 3;
        assertEquals(List.of(0f, 1f, 0.5f, 0f, third, third, third, 0f, 2f), row(filled, 0));
        assertEquals(List.of(0f, 1f, 0f, 1f, 0f, 0f, 0f, 0f, 1f), row(mask, 0));
        assertEquals(List.of(1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 0f), row(mask, 1));
        assertNull(MissingCells.split(t, filled, new FMatrixRMaj(1, 1), "data"), "complete data has no mask");
        // a likelihood that takes no missing cells refuses NaN with its position
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MissingCells.split(BernoulliLikelihood.INSTANCE, m(1, 2, 0f, nan), new FMatrixRMaj(1, 1), "pixels"));
        assertTrue(e.getMessage().contains("row 0, column 1"), e.getMessage());
    }

    private static List<Float> row(FMatrixRMaj a, int r) {
        Float[] v = new Float[a.numCols];
        for (int j = 0; j < a.numCols; j++) {
            v[j] = a.get(r, j);
        }
        return List.of(v);
    }

    @Test
    void compositeMeanModeAndSampleMapEachSpan() {
        CompositeLikelihood t = CompositeLikelihood.builder().heteroscedasticGaussian(1).bernoulli(1).categorical(2)
                .build();
        FMatrixRMaj out = m(1, 5, 2.5f, 0f, -1f, 0f, (float) Math.log(3));
        FMatrixRMaj mean = new FMatrixRMaj(1, 4);
        t.mean(out, mean);
        assertEquals(List.of(2.5f, 1f / (1 + (float) Math.E), 0.25f, 0.75f), row(mean, 0));
        FMatrixRMaj mode = new FMatrixRMaj(1, 4);
        t.mode(out, mode);
        assertEquals(List.of(2.5f, 0f, 0f, 1f), row(mode, 0));
        FMatrixRMaj draw = new FMatrixRMaj(1, 4);
        SplittableRandom rng = new SplittableRandom(5);
        double sum = 0;
        double sumSq = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            t.sample(out, rng, draw);
            sum += draw.get(0, 0);
            sumSq += draw.get(0, 0) * (double) draw.get(0, 0);
        }
        double variance = sumSq / n - (sum / n) * (sum / n);
        assertEquals(2.5, sum / n, 0.03);
        assertEquals(1.0, variance, 0.04); // raw log-variance 0: variance 1
    }

    @Test
    void spansMustCoverTheRowInOrder() {
        Likelihood b = BernoulliLikelihood.INSTANCE;
        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class, () -> new CompositeLikelihood(List.of(
                new CompositeLikelihood.Span(0, 2, b), new CompositeLikelihood.Span(3, 1, b))));
        assertTrue(gap.getMessage().contains("no gap"), gap.getMessage());
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
                () -> new CompositeLikelihood(List.of(new CompositeLikelihood.Span(0, 2, b),
                        new CompositeLikelihood.Span(1, 1, b))));
        assertTrue(overlap.getMessage().contains("no overlap"), overlap.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CompositeLikelihood(List.of(
                new CompositeLikelihood.Span(1, 2, b))));
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class, () -> new CompositeLikelihood(
                List.of(new CompositeLikelihood.Span(0, 3, new CategoricalLikelihood(4)))));
        assertTrue(width.getMessage().contains("span 0"), width.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CompositeLikelihood(List.of()));
        // a fixed-variance Gaussian is fine (any activation); the composite's output is linear
        assertEquals(Activation.IDENTITY, new CompositeLikelihood(List.of(
                new CompositeLikelihood.Span(0, 2, GaussianLikelihood.withVariance(1)))).requiredOutputActivation());
    }

    @Test
    void compositeValidationNamesTheSpan() {
        CompositeLikelihood t = table();
        FMatrixRMaj x = tableRows(2, new SplittableRandom(1));
        t.validate(x, "training data");
        x.set(1, 3, 2f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.validate(x, "training data"));
        assertTrue(e.getMessage().contains("span 1 (data columns 2..3, bernoulli"), e.getMessage());
        assertTrue(e.getMessage().contains("row 1, column 1"), e.getMessage());
    }

    @Test
    void compositeForModelCopiesEverySpansParameters() {
        CompositeLikelihood t = table();
        CompositeLikelihood copy = (CompositeLikelihood) t.forModel();
        assertEquals(t.describe(), copy.describe());
        for (int k = 0; k < t.parameters().size(); k++) {
            assertTrue(!t.parameters().get(k).sameTensor(copy.parameters().get(k)));
        }
    }
}

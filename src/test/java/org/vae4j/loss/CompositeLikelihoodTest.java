package org.vae4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vae4j.loss.TabularLikelihoodTest.assertGradients;
import static org.vae4j.loss.TabularLikelihoodTest.loss;
import static org.vae4j.loss.TabularLikelihoodTest.m;
import static org.vae4j.loss.TabularLikelihoodTest.randomMask;

import java.util.List;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.GradientCheck;
import org.vae4j.kernel.Elementwise;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Parameter;

/**
 * The composite likelihood: span layout and names, finite differences with missing cells, sums
 * per row and per column, the mask rule, the neutral fill of each span, mean / mode / sample by
 * span, span validation and copies for models.
 */
class CompositeLikelihoodTest {

    private static final Elementwise K = Elementwise.get();

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

package org.vae4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.ConditionalVae;
import org.vae4j.Loss;
import org.vae4j.loss.BernoulliLikelihood;

/**
 * The evaluations of a conditional model given the conditions: the test -ELBO of log p(x|c) is
 * the model's own evaluate, the importance-weighted log p(x|c) converges to the value of a
 * quadrature over a 1-D latent, and the latent-usage figures use q(z|x,c).
 */
class ConditionalEvaluationTest {

    private static ConditionalVae model() {
        return ConditionalVae.builder(5, 2).hidden(4).latent(1).seed(11).build();
    }

    private static FMatrixRMaj[] data() {
        SplittableRandom rng = new SplittableRandom(3);
        FMatrixRMaj x = new FMatrixRMaj(3, 5);
        for (int i = 0; i < x.getNumElements(); i++) {
            x.data[i] = rng.nextBoolean() ? 1f : 0f;
        }
        return new FMatrixRMaj[] {x, ConditionalVae.oneHot(new int[] {0, 1, 1}, 2)};
    }

    /**
     * log p(x|c) = log integral p(x|z,c) N(z; 0, 1) dz by the trapezoid rule on [-10, 10], for each
     * row (the decoder given row r's condition at every grid point).
     */
    private static double[] quadrature(ConditionalVae m, FMatrixRMaj x, FMatrixRMaj c) {
        int points = 8001;
        double[] result = new double[x.numRows];
        for (int r = 0; r < x.numRows; r++) {
            FMatrixRMaj z = new FMatrixRMaj(points, 1);
            FMatrixRMaj cs = new FMatrixRMaj(points, c.numCols);
            FMatrixRMaj xs = new FMatrixRMaj(points, x.numCols);
            for (int i = 0; i < points; i++) {
                z.data[i] = (float) (-10 + 20.0 * i / (points - 1));
                System.arraycopy(c.data, r * c.numCols, cs.data, i * c.numCols, c.numCols);
                System.arraycopy(x.data, r * x.numCols, xs.data, i * x.numCols, x.numCols);
            }
            double[] nll = new double[points];
            BernoulliLikelihood.INSTANCE.negLogLikelihoodPerRow(m.decoderOutput(z, cs), xs, nll);
            double sum = 0;
            double h = 20.0 / (points - 1);
            for (int i = 0; i < points; i++) {
                double zi = z.data[i];
                double f = Math.exp(-nll[i] - 0.5 * zi * zi - 0.5 * Math.log(2 * Math.PI));
                sum += (i == 0 || i == points - 1 ? 0.5 : 1) * f * h;
            }
            result[r] = Math.log(sum);
        }
        return result;
    }

    @Test
    void importanceWeightedLogLikelihoodGivenTheLabelsConvergesToTheQuadrature() {
        ConditionalVae m = model();
        FMatrixRMaj[] xc = data();
        double[] exact = quadrature(m, xc[0], xc[1]);
        double mean = (exact[0] + exact[1] + exact[2]) / 3;
        LogLikelihoodEstimate iw = ImportanceWeighted.logLikelihood(m, xc[0], xc[1], 20000, new SplittableRandom(1));
        assertEquals(mean, iw.logLikelihood(), 0.01, "IW k=20000 vs quadrature");
        // with the wrong labels the quadrature differs, so the condition reaches the decoder
        FMatrixRMaj swapped = ConditionalVae.oneHot(new int[] {1, 0, 0}, 2);
        double[] other = quadrature(m, xc[0], swapped);
        assertTrue(Math.abs(other[0] - exact[0]) > 0.01, exact[0] + " vs " + other[0]);
        LogLikelihoodEstimate few = ImportanceWeighted.logLikelihood(m, xc[0], xc[1], 1, new SplittableRandom(1));
        assertTrue(few.logLikelihood() < iw.logLikelihood(), "the bound rises with k");
    }

    @Test
    void theTestNegativeElboGivenTheLabelsIsTheModelsEvaluate() {
        ConditionalVae m = model();
        FMatrixRMaj[] xc = data();
        ElboEstimate e = Elbo.estimate(m, xc[0], xc[1], 1, new SplittableRandom(5));
        Loss l = m.negativeElbo(xc[0], xc[1], new SplittableRandom(5));
        assertEquals(l.total(), e.negativeElbo(), 1e-6 * Math.abs(l.total()));
        assertEquals(l.kl(), e.kl(), 1e-6 * Math.abs(l.kl()));
        // -ELBO >= -log p(x|c)
        double[] exact = quadrature(m, xc[0], xc[1]);
        ElboEstimate many = Elbo.estimate(m, xc[0], xc[1], 5000, new SplittableRandom(6));
        assertTrue(many.negativeElbo() > -(exact[0] + exact[1] + exact[2]) / 3);
        assertThrows(IllegalArgumentException.class, () -> Elbo.estimate(m, xc[0], 1, new SplittableRandom(1)));
    }

    @Test
    void latentUsageUsesThePosteriorGivenTheCondition() {
        ConditionalVae m = model();
        FMatrixRMaj[] xc = data();
        FMatrixRMaj mu = m.encodeMean(xc[0], xc[1]);
        ActiveUnits au = LatentUsage.activeUnits(m, xc[0], xc[1], 0.0);
        double mean = (mu.data[0] + mu.data[1] + mu.data[2]) / 3;
        double var = 0;
        for (int i = 0; i < 3; i++) {
            var += (mu.data[i] - mean) * (mu.data[i] - mean) / 3;
        }
        assertEquals(var, au.variances()[0], 1e-6);
        double[] kl = LatentUsage.klPerDimension(m, xc[0], xc[1]);
        assertEquals(m.negativeElbo(xc[0], xc[1], new SplittableRandom(1)).kl(), kl[0], 1e-5);
    }

    @Test
    void interpolationEndsAreTheReconstructionsGivenEachEndsLabel() {
        ConditionalVae m = model();
        FMatrixRMaj[] xc = data();
        FMatrixRMaj from = new FMatrixRMaj(1, 5);
        FMatrixRMaj to = new FMatrixRMaj(1, 5);
        System.arraycopy(xc[0].data, 0, from.data, 0, 5);
        System.arraycopy(xc[0].data, 5, to.data, 0, 5);
        FMatrixRMaj cf = ConditionalVae.oneHot(new int[] {0}, 2);
        FMatrixRMaj ct = ConditionalVae.oneHot(new int[] {1}, 2);
        FMatrixRMaj path = LatentSpace.interpolate(m, from, cf, to, ct, 4, Interpolation.LINEAR);
        float[] first = java.util.Arrays.copyOfRange(path.data, 0, 5);
        float[] last = java.util.Arrays.copyOfRange(path.data, 15, 20);
        assertArrayEquals(m.reconstruct(from, cf).data, first, 1e-6f);
        assertArrayEquals(m.reconstruct(to, ct).data, last, 1e-6f);
    }
}

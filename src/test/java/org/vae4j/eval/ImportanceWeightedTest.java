package org.vae4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Vae;
import org.vae4j.optim.Adam;
import org.vae4j.train.Trainer;

class ImportanceWeightedTest {

    @Test
    void exactPosteriorGivesTheClosedFormLogLikelihoodForEveryK() {
        Vae vae = LinearGaussianModel.build(0, 0);
        FMatrixRMaj x = LinearGaussianModel.sample(50, 1);
        double exact = LinearGaussianModel.meanLogPx(x);
        for (int k : new int[] {1, 7, 5000}) {
            LogLikelihoodEstimate e = ImportanceWeighted.logLikelihood(vae, x, k, new SplittableRandom(k));
            // every log weight is log p(x): only float rounding of z and the decoder output remains
            assertEquals(exact, e.logLikelihood(), 1e-4, "k = " + k);
            assertEquals(exact, e.elbo(), 1e-4, "k = " + k);
            assertEquals(k, e.samples());
            assertEquals(50, e.examples());
        }
    }

    @Test
    void withAnInexactPosteriorTheEstimateRisesWithKTowardsTheClosedForm() {
        Vae vae = LinearGaussianModel.build(0.4, 0.8); // q shifted and wider than p(z|x)
        FMatrixRMaj x = LinearGaussianModel.sample(40, 2);
        double exact = LinearGaussianModel.meanLogPx(x);
        LogLikelihoodEstimate one = ImportanceWeighted.logLikelihood(vae, x, 1, new SplittableRandom(3));
        LogLikelihoodEstimate many = ImportanceWeighted.logLikelihood(vae, x, 5000, new SplittableRandom(4));
        assertEquals(exact, many.logLikelihood(), 0.01);
        assertTrue(one.logLikelihood() < exact - 0.1, "one sample " + one.logLikelihood() + ", exact " + exact);
        assertTrue(many.elbo() < exact - 0.1, "ELBO " + many.elbo() + " must be below log p(x) " + exact);
        // the ELBO part of the same run is the one-sample estimate's expectation
        assertEquals(many.elbo(), one.logLikelihood(), 4 * one.standardError());
    }

    /**
     * With k = 1 the estimate is log p(x|z) + log p(z) - log q(z|x) at one z, the one-sample ELBO
     * with a Monte Carlo KL. Recomputed here from the replayed noise, with the full densities.
     */
    @Test
    void oneSampleIsTheOneSampleElboWithTheSameZ() {
        Vae vae = Vae.builder(12).hidden(9).latent(3).seed(4).build();
        FMatrixRMaj x = EvalFixtures.uniform(30, 12, 5);
        LogLikelihoodEstimate iw = ImportanceWeighted.logLikelihood(vae, x, 1, new SplittableRandom(6));

        Vae.Encoding q = vae.encode(x);
        SplittableRandom replay = new SplittableRandom(6);
        FMatrixRMaj eps = new FMatrixRMaj(30, 3);
        FMatrixRMaj z = new FMatrixRMaj(30, 3);
        for (int i = 0; i < eps.getNumElements(); i++) {
            eps.data[i] = (float) replay.nextGaussian();
            z.data[i] = q.mu().data[i] + (float) Math.exp(0.5f * q.logvar().data[i]) * eps.data[i];
        }
        FMatrixRMaj probabilities = vae.decodeMean(z);
        double sum = 0;
        double reconstruction = 0;
        for (int i = 0; i < 30; i++) {
            double logPxz = 0;
            for (int j = 0; j < 12; j++) {
                double p = probabilities.get(i, j);
                double v = x.get(i, j);
                logPxz += v * Math.log(p) + (1 - v) * Math.log(1 - p);
            }
            double logPz = 0;
            double logQz = 0;
            for (int u = 0; u < 3; u++) {
                double zu = z.get(i, u);
                double mu = q.mu().get(i, u);
                double var = Math.exp(q.logvar().get(i, u));
                logPz += -0.5 * Math.log(2 * Math.PI) - 0.5 * zu * zu;
                logQz += -0.5 * Math.log(2 * Math.PI * var) - 0.5 * (zu - mu) * (zu - mu) / var;
            }
            sum += logPxz + logPz - logQz;
            reconstruction -= logPxz;
        }
        assertEquals(sum / 30, iw.logLikelihood(), 1e-5 * Math.abs(sum / 30));
        assertEquals(iw.logLikelihood(), iw.elbo(), 1e-12);
        // the same z as the one-sample test ELBO, whose KL is the closed form instead
        ElboEstimate elbo = Elbo.estimate(vae, x, 1, new SplittableRandom(6));
        assertEquals(reconstruction / 30, elbo.reconstruction(), 1e-5 * reconstruction / 30);
    }

    @Test
    void chunksThatSplitAnExampleGiveTheSameEstimateAsOneExampleAtATime() {
        Vae vae = Vae.builder(8).hidden(6).latent(2).seed(7).build();
        FMatrixRMaj x = EvalFixtures.uniform(7, 8, 8);
        int k = 333; // 7 x 333 pairs: chunks of 1000 end inside examples 3 and 6
        LogLikelihoodEstimate whole = ImportanceWeighted.logLikelihood(vae, x, k, new SplittableRandom(9));
        SplittableRandom shared = new SplittableRandom(9);
        double sum = 0;
        double elbo = 0;
        for (int i = 0; i < 7; i++) {
            LogLikelihoodEstimate one = ImportanceWeighted.logLikelihood(vae, EvalFixtures.rows(x, i, i + 1), k, shared);
            sum += one.logLikelihood();
            elbo += one.elbo();
        }
        assertEquals(sum / 7, whole.logLikelihood(), 1e-9 * Math.abs(sum));
        assertEquals(elbo / 7, whole.elbo(), 1e-9 * Math.abs(elbo));
    }

    @Test
    void fiveThousandSamplesOnATrainedModelAreFiniteAndAboveTheElbo() {
        FMatrixRMaj train = EvalFixtures.prototypes(600, 20, 10);
        FMatrixRMaj test = EvalFixtures.prototypes(20, 20, 10); // same prototypes, fresh flips
        Vae vae = Vae.builder(20).hidden(16).latent(4).seed(11).build();
        Trainer.builder().epochs(30).batchSize(32).seed(12).optimizer(() -> new Adam(3e-3)).build().train(vae, train);

        LogLikelihoodEstimate iw = ImportanceWeighted.logLikelihood(vae, test, 5000, new SplittableRandom(13));
        ElboEstimate elbo = Elbo.estimate(vae, test, 100, new SplittableRandom(14));

        assertTrue(Double.isFinite(iw.logLikelihood()) && Double.isFinite(iw.standardError()), iw.toString());
        assertTrue(iw.logLikelihood() >= iw.elbo(), iw.toString()); // Jensen, example by example
        assertTrue(iw.logLikelihood() >= elbo.elbo() - 0.05, iw + " vs " + elbo);
        assertEquals(iw.elbo(), elbo.elbo(), 0.05 * Math.abs(elbo.elbo()) + 0.1); // both estimate the ELBO
    }

    @Test
    void extremeLogWeightsStayFinite() {
        // A sharp posterior (logvar -30 on every dimension) and large logits: log q ~ +45 per
        // dimension and log p(x|z) in the hundreds; exp of either would overflow or underflow.
        Vae vae = Vae.builder(10).hidden(8).latent(3).seed(15).build();
        EvalFixtures.parameter(vae, "fc_logvar.weight").set(new float[24]);
        EvalFixtures.parameter(vae, "fc_logvar.bias").set(new float[] {-30, -30, -30});
        float[] w = EvalFixtures.parameter(vae, "fc4.weight").valueCopy().data;
        for (int i = 0; i < w.length; i++) {
            w[i] *= 50;
        }
        FMatrixRMaj x = EvalFixtures.prototypes(5, 10, 16);
        LogLikelihoodEstimate iw = ImportanceWeighted.logLikelihood(vae, x, 5000, new SplittableRandom(17));
        assertTrue(Double.isFinite(iw.logLikelihood()), iw.toString());
        assertTrue(iw.logLikelihood() >= iw.elbo(), iw.toString());
    }

    @Test
    void logMeanExpIsStable() {
        assertEquals(1000.0, ImportanceWeighted.logMeanExp(new double[] {1000, 1000}), 1e-12);
        assertEquals(-1000.0 + Math.log(2.0 / 3), ImportanceWeighted.logMeanExp(new double[] {-1000, -1000, -2000}), 1e-9);
        double[] moderate = {0.3, -1.2, 2.5, 0.0};
        double naive = Math.log((Math.exp(0.3) + Math.exp(-1.2) + Math.exp(2.5) + 1) / 4);
        assertEquals(naive, ImportanceWeighted.logMeanExp(moderate), 1e-14);
        assertEquals(Double.NEGATIVE_INFINITY,
                ImportanceWeighted.logMeanExp(new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}));
        assertTrue(Double.isNaN(ImportanceWeighted.logMeanExp(new double[] {0, Double.NaN})));
    }

    @Test
    void rejectsBadArguments() {
        Vae vae = Vae.builder(8).hidden(6).latent(2).build();
        FMatrixRMaj x = EvalFixtures.uniform(3, 8, 1);
        assertThrows(IllegalArgumentException.class, () -> ImportanceWeighted.logLikelihood(vae, x, 0, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class,
                () -> ImportanceWeighted.logLikelihood(vae, new FMatrixRMaj(3, 7), 5, new SplittableRandom(1)));
        FMatrixRMaj outOfRange = EvalFixtures.uniform(3, 8, 1);
        outOfRange.data[4] = 2f;
        assertThrows(IllegalArgumentException.class,
                () -> ImportanceWeighted.logLikelihood(vae, outOfRange, 5, new SplittableRandom(1)));
    }
}

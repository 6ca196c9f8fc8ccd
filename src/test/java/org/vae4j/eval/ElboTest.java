package org.vae4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Loss;
import org.vae4j.Vae;

class ElboTest {

    /**
     * A decoder that ignores z (last layer's weights zero, biases = logits c): then
     * -log p(x|z) = sum_j BCE(x_j, sigmoid(c_j)) for every z, and -ELBO is that plus the closed-form KL.
     */
    @Test
    void aDecoderThatIgnoresZGivesTheHandComputedValueForAnyK() {
        Vae vae = Vae.builder(5).hidden(4).latent(2).seed(1).build();
        float[] logits = {-2f, -0.5f, 0f, 1f, 3f};
        EvalFixtures.parameter(vae, "fc4.weight").set(new float[5 * 4]);
        EvalFixtures.parameter(vae, "fc4.bias").set(logits);
        FMatrixRMaj x = EvalFixtures.uniform(6, 5, 2);

        double bce = 0;
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 5; j++) {
                double p = 1 / (1 + Math.exp(-logits[j]));
                double v = x.get(i, j);
                bce -= v * Math.log(p) + (1 - v) * Math.log(1 - p);
            }
        }
        Vae.Encoding q = vae.encode(x);
        double kl = 0;
        for (int i = 0; i < q.mu().getNumElements(); i++) {
            double m = q.mu().data[i];
            double lv = q.logvar().data[i];
            kl += 0.5 * (m * m + Math.exp(lv) - 1 - lv);
        }
        for (int k : new int[] {1, 5}) {
            ElboEstimate e = Elbo.estimate(vae, x, k, new SplittableRandom(3));
            assertEquals(bce / 6, e.reconstruction(), 1e-5, "k = " + k);
            assertEquals(kl / 6, e.kl(), 1e-6, "k = " + k);
            assertEquals(e.reconstruction() + e.kl(), e.negativeElbo(), 1e-12);
            assertEquals(-e.negativeElbo(), e.elbo(), 0.0);
            assertEquals(k, e.samples());
            assertEquals(6, e.examples());
        }
    }

    /**
     * For the linear Gaussian model with the exact posterior, E_q[-log p(x|z)] and the KL have
     * closed forms and the ELBO is log p(x):
     * <pre>
     *   E_q[-log p(x|z)] = (|x - c - a mu|^2 + |a|^2 / P) / (2 s^2) + D/2 log(2 pi s^2)
     *   KL              = (mu^2 + 1/P - 1 + log P) / 2
     * </pre>
     */
    @Test
    void manySamplesApproachTheClosedFormOfALinearGaussianModel() {
        Vae vae = LinearGaussianModel.build(0, 0);
        FMatrixRMaj x = LinearGaussianModel.sample(30, 4);
        double p = LinearGaussianModel.precision();
        double[] a = LinearGaussianModel.A;
        double[] c = LinearGaussianModel.C;
        double s2 = LinearGaussianModel.S2;
        double recon = 0;
        double kl = 0;
        for (int i = 0; i < 30; i++) {
            double ar = 0;
            for (int j = 0; j < a.length; j++) {
                ar += a[j] * (x.get(i, j) - c[j]);
            }
            double mu = ar / (s2 * p);
            double sq = 0;
            double aa = 0;
            for (int j = 0; j < a.length; j++) {
                double res = x.get(i, j) - c[j] - a[j] * mu;
                sq += res * res;
                aa += a[j] * a[j];
            }
            recon += (sq + aa / p) / (2 * s2) + a.length / 2.0 * Math.log(2 * Math.PI * s2);
            kl += 0.5 * (mu * mu + 1 / p - 1 + Math.log(p));
        }
        ElboEstimate e = Elbo.estimate(vae, x, 4000, new SplittableRandom(5));
        assertEquals(kl / 30, e.kl(), 1e-5);
        assertEquals(recon / 30, e.reconstruction(), 0.01);
        assertEquals(-LinearGaussianModel.meanLogPx(x), e.negativeElbo(), 0.01);
        assertEquals(recon / 30 + kl / 30, -LinearGaussianModel.meanLogPx(x), 1e-6); // the ELBO is tight
    }

    @Test
    void oneSampleIsVaeEvaluateWithTheSameNoise() {
        Vae vae = Vae.builder(10).hidden(7).latent(3).seed(2).build();
        FMatrixRMaj x = EvalFixtures.uniform(2500, 10, 6); // three chunks
        ElboEstimate e = Elbo.estimate(vae, x, 1, new SplittableRandom(7));
        Loss loss = vae.negativeElbo(x, new SplittableRandom(7));
        assertEquals(loss.reconstruction(), e.reconstruction(), 1e-9 * Math.abs(loss.reconstruction()));
        assertEquals(loss.kl(), e.kl(), 1e-9 * Math.abs(loss.kl()));
        assertEquals(loss.negativeElbo(), e.negativeElbo(), 1e-9 * Math.abs(loss.negativeElbo()));
    }

    @Test
    void moreSamplesAverageTheReconstructionAndKeepTheKl() {
        Vae vae = Vae.builder(10).hidden(7).latent(3).seed(2).build();
        FMatrixRMaj x = EvalFixtures.uniform(40, 10, 8);
        ElboEstimate one = Elbo.estimate(vae, x, 1, new SplittableRandom(9));
        ElboEstimate many = Elbo.estimate(vae, x, 50, new SplittableRandom(9));
        assertEquals(one.kl(), many.kl(), 1e-12);
        // the k = 50 run's first draw is the k = 1 run's draw, so both are noisy estimates of one mean
        assertEquals(one.reconstruction(), many.reconstruction(), 4 * one.standardError());
        assertTrue(many.standardError() > 0 && many.standardError() < one.standardError() * 1.5, many.toString());
    }

    @Test
    void rejectsBadArguments() {
        Vae vae = Vae.builder(4).hidden(3).latent(2).build();
        FMatrixRMaj x = EvalFixtures.uniform(3, 4, 1);
        assertThrows(IllegalArgumentException.class, () -> Elbo.estimate(vae, x, 0, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> Elbo.estimate(vae, new FMatrixRMaj(0, 4), 1, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> Elbo.estimate(vae, new FMatrixRMaj(2, 5), 1, new SplittableRandom(1)));
    }
}

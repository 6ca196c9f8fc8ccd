package org.vae4j.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vae4j.objective.ObjectiveChecks.assertEveryParameterGradient;
import static org.vae4j.objective.ObjectiveChecks.gaussian;
import static org.vae4j.objective.ObjectiveChecks.gradients;
import static org.vae4j.objective.ObjectiveChecks.uniform;

import java.util.List;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Loss;
import org.vae4j.Vae;
import org.vae4j.kernel.Elementwise;
import org.vae4j.loss.CompositeLikelihood;
import org.vae4j.loss.LearnedGaussianLikelihood;
import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Init;
import org.vae4j.nn.Parameter;
import org.vae4j.random.Noise;
import org.vae4j.train.GradientFunction;

/**
 * The IWAE bound with likelihoods that have parameters of their own or output their variance
 * (docs/MATH.md, section 27): every parameter's gradient, the likelihood's included, against
 * central differences of the bound; the row-weighted loss of {@link Likelihood} against one call
 * per row. (PyTorch parity of the per-column case: {@link ObjectiveParityTest}.)
 */
class IwaeLikelihoodParametersTest {

    private static Vae vae(int d, Likelihood likelihood) {
        return Vae.builder(d).init(Init.BY_ACTIVATION).hidden(5).latent(2).activation(Activation.TANH)
                .likelihood(likelihood).seed(8).build();
    }

    /** Sets the per-column log-variances to values spread around 0, so that their gradients differ. */
    private static void spread(Parameter logVar, SplittableRandom rng) {
        float[] v = new float[logVar.size()];
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) rng.nextDouble(-0.8, 0.8);
        }
        logVar.set(v);
    }

    @Test
    void everyGradientWithALearnedVariancePerColumnMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(21);
        Vae vae = vae(6, LearnedGaussianLikelihood.perColumn(6));
        spread(((LearnedGaussianLikelihood) vae.likelihood()).logVar(), rng);
        FMatrixRMaj x = gaussian(3, 6, rng);
        FMatrixRMaj eps = gaussian(3 * 4, 2, rng);
        NegativeIwaeBound iwae = new NegativeIwaeBound(4);
        assertEveryParameterGradient(vae, () -> gradients(iwae, vae, x, eps, 1.0).total(), 1e-2f);
    }

    @Test
    void everyGradientWithAHeteroscedasticGaussianMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(22);
        Vae vae = vae(5, LearnedGaussianLikelihood.heteroscedastic(5));
        FMatrixRMaj x = gaussian(3, 5, rng);
        FMatrixRMaj eps = gaussian(3 * 4, 2, rng);
        NegativeIwaeBound iwae = new NegativeIwaeBound(4);
        assertEveryParameterGradient(vae, () -> gradients(iwae, vae, x, eps, 1.0).total(), 1e-2f);
    }

    /** [learned(2), heteroscedastic(1), bernoulli(2), categorical(3)], with missing cells. */
    @Test
    void everyGradientWithACompositeLikelihoodAndMissingCellsMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(23);
        CompositeLikelihood table = CompositeLikelihood.builder().gaussian(2).heteroscedasticGaussian(1).bernoulli(2)
                .categorical(3).build();
        Vae vae = vae(8, table);
        Parameter logVar = vae.likelihood().parameters().get(0);
        spread(logVar, rng);
        int rows = 4;
        FMatrixRMaj x = new FMatrixRMaj(rows, 8);
        FMatrixRMaj mask = new FMatrixRMaj(rows, 8);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < 3; j++) {
                x.data[r * 8 + j] = (float) rng.nextGaussian();
            }
            x.data[r * 8 + 3] = rng.nextBoolean() ? 1 : 0;
            x.data[r * 8 + 4] = rng.nextBoolean() ? 1 : 0;
            x.data[r * 8 + 5 + rng.nextInt(3)] = 1;
            java.util.Arrays.fill(mask.data, r * 8, r * 8 + 8, 1f);
        }
        mask.data[0 * 8 + 1] = 0; // a learned-variance cell, a binary cell and a whole categorical span are missing
        mask.data[2 * 8 + 4] = 0;
        java.util.Arrays.fill(mask.data, 3 * 8 + 5, 3 * 8 + 8, 0f);
        FMatrixRMaj eps = gaussian(rows * 3, 2, rng);
        int[] ids = {0, 1, 2, 3};
        NegativeIwaeBound iwae = new NegativeIwaeBound(3);
        GradientFunction g = new GradientFunction(iwae, 1);
        Batch batch = new Batch().set(x, x, null, mask, ids, 0);
        assertEveryParameterGradient(vae, () -> g.compute(vae, batch,
                new StepContext(new Noise(1)).set(1, 0, 1.0, rows).fixedNoise(eps)).total(), 1e-2f);
    }

    /**
     * A likelihood with parameters that does not override the row-weighted loss gets the
     * interface's default, one scaled call per row: the same dout and parameter gradient as
     * {@link LearnedGaussianLikelihood}'s own.
     */
    @Test
    void theDefaultRowWeightedLossIsOneScaledCallPerRow() {
        SplittableRandom rng = new SplittableRandom(24);
        LearnedGaussianLikelihood own = LearnedGaussianLikelihood.perColumn(4);
        spread(own.logVar(), rng);
        Likelihood plain = new Delegate(own);
        FMatrixRMaj out = gaussian(5, 4, rng);
        FMatrixRMaj x = gaussian(5, 4, rng);
        FMatrixRMaj mask = new FMatrixRMaj(5, 4);
        java.util.Arrays.fill(mask.data, 1f);
        mask.data[6] = 0;
        float[] w = {0.5f, 0.05f, 0.2f, 0.15f, 0.1f};
        FMatrixRMaj d1 = new FMatrixRMaj(5, 4);
        FMatrixRMaj d2 = new FMatrixRMaj(5, 4);
        own.logVar().zeroGrad();
        double l1 = own.weightedNegLogLikelihood(Elementwise.get(), out, x, mask, w, d1);
        float[] g1 = grad(own.logVar());
        own.logVar().zeroGrad();
        double l2 = plain.weightedNegLogLikelihood(Elementwise.get(), out, x, mask, w, d2);
        float[] g2 = grad(own.logVar());
        assertEquals(l1, l2, 1e-9 * Math.abs(l1));
        assertArrayEquals(d1.data, d2.data, 1e-6f);
        assertArrayEquals(g1, g2, 1e-6f);
        // by hand: the log-variance gradient is sum_r w_r d(-log p_r)/dv (here near v = 0, bound 6)
        float[] v = new float[4];
        System.arraycopy(own.logVar().valueArray(), own.logVar().offset(), v, 0, 4);
        for (int j = 0; j < 4; j++) {
            double s = 6 * Math.tanh(v[j] / 6.0);
            double expected = 0;
            for (int r = 0; r < 5; r++) {
                if (mask.data[r * 4 + j] == 0) {
                    continue;
                }
                double res = x.data[r * 4 + j] - out.data[r * 4 + j];
                expected += w[r] * 0.5 * (1 - res * res * Math.exp(-s)) * (1 - (s / 6) * (s / 6));
            }
            assertEquals(expected, g1[j], 1e-5 + 1e-5 * Math.abs(expected), "log_var[" + j + "]");
        }
        // a likelihood without parameters: its gradient at scale 1, rows scaled
        FMatrixRMaj d3 = new FMatrixRMaj(5, 4);
        FMatrixRMaj d4 = new FMatrixRMaj(5, 4);
        Likelihood hetero = LearnedGaussianLikelihood.heteroscedastic(2);
        FMatrixRMaj out2 = gaussian(5, 4, rng);
        FMatrixRMaj x2 = gaussian(5, 2, rng);
        hetero.weightedNegLogLikelihood(Elementwise.get(), out2, x2, null, w, d3);
        hetero.negLogLikelihood(Elementwise.get(), out2, x2, null, 1f, d4);
        for (int i = 0; i < 20; i++) {
            assertEquals(w[i / 4] * d4.data[i], d3.data[i], 1e-6f * Math.abs(d4.data[i]) + 1e-7f, "dout[" + i + "]");
        }
    }

    @Test
    void aStepTrainsTheLogVarianceWithTheBound() {
        SplittableRandom rng = new SplittableRandom(25);
        Vae vae = vae(6, LearnedGaussianLikelihood.perColumn(6));
        FMatrixRMaj x = gaussian(3, 6, rng);
        Loss loss = gradients(new NegativeIwaeBound(5), vae, x, gaussian(15, 2, rng), 1.0);
        assertTrue(loss.isFinite() && loss.total() < loss.reconstruction() + loss.kl(), loss.toString());
        float[] g = grad(((LearnedGaussianLikelihood) vae.likelihood()).logVar());
        double norm = 0;
        for (float v : g) {
            norm += v * v;
        }
        assertTrue(norm > 1e-6, "the log-variance gets a gradient");
        List<Parameter> ps = vae.parameters();
        assertEquals("likelihood.log_var", ps.get(ps.size() - 1).name());
    }

    private static float[] grad(Parameter p) {
        float[] g = new float[p.size()];
        System.arraycopy(p.gradArray(), p.offset(), g, 0, g.length);
        return g;
    }

    /** The learned Gaussian through the interface's required methods only (so the defaults run). */
    private static final class Delegate implements Likelihood {
        private final LearnedGaussianLikelihood l;

        Delegate(LearnedGaussianLikelihood l) {
            this.l = l;
        }

        @Override
        public Activation requiredOutputActivation() {
            return l.requiredOutputActivation();
        }

        @Override
        public Activation defaultOutputActivation() {
            return l.defaultOutputActivation();
        }

        @Override
        public double negLogLikelihood(FMatrixRMaj out, FMatrixRMaj x, float scale, FMatrixRMaj dout) {
            return l.negLogLikelihood(out, x, scale, dout);
        }

        @Override
        public double negLogLikelihood(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask,
                                       float scale, FMatrixRMaj dout) {
            return l.negLogLikelihood(kernel, out, x, mask, scale, dout);
        }

        @Override
        public void negLogLikelihoodPerRow(FMatrixRMaj out, FMatrixRMaj x, double[] perRow) {
            l.negLogLikelihoodPerRow(out, x, perRow);
        }

        @Override
        public void mean(FMatrixRMaj out, FMatrixRMaj meanOut) {
            l.mean(out, meanOut);
        }

        @Override
        public void validate(FMatrixRMaj x, String what) {
            l.validate(x, what);
        }

        @Override
        public String describe() {
            return "delegate " + l.describe();
        }

        @Override
        public List<Parameter> parameters() {
            return l.parameters();
        }
    }
}

package org.vae4j.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vae4j.objective.ObjectiveChecks.assertEveryParameterGradient;
import static org.vae4j.objective.ObjectiveChecks.assertGradient;
import static org.vae4j.objective.ObjectiveChecks.gaussian;
import static org.vae4j.objective.ObjectiveChecks.gradients;
import static org.vae4j.objective.ObjectiveChecks.parameter;
import static org.vae4j.objective.ObjectiveChecks.uniform;

import java.util.List;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Autoencoder;
import org.vae4j.ComposedLatentModel;
import org.vae4j.ConditionalVae;
import org.vae4j.Loss;
import org.vae4j.Vae;
import org.vae4j.kernel.Kernels;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.ActivationLayer;
import org.vae4j.nn.Dense;
import org.vae4j.nn.Init;
import org.vae4j.nn.Module;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.Sequential;
import org.vae4j.prob.DiagonalGaussianPosterior;
import org.vae4j.random.Noise;
import org.vae4j.train.GradientFunction;
import org.vae4j.train.Trainer;

/**
 * The IWAE bound (docs/MATH.md, section 25): its value at K = 1 against the ELBO with the KL
 * estimated at the sample, the gradient with respect to mu and logvar and to every parameter
 * against central differences (also of a conditional VAE), independence of row order and
 * micro-batches, the stable log-mean-exp, and the refused combinations. (PyTorch parity: {@link ObjectiveParityTest}.)
 */
class NegativeIwaeBoundTest {

    private static Vae tanhVae() {
        return Vae.builder(6).init(Init.BY_ACTIVATION).hidden(5).latent(2).activation(Activation.TANH).seed(3).build();
    }

    @Test
    void oneSampleIsTheElboWithTheKlEstimatedAtTheSample() {
        SplittableRandom rng = new SplittableRandom(11);
        Vae vae = tanhVae();
        FMatrixRMaj x = uniform(4, 6, rng);
        FMatrixRMaj eps = gaussian(4, 2, rng);
        Loss elbo = gradients(new NegativeElbo(), vae, x, eps, 1.0);
        List<float[]> elboGrads = ObjectiveChecks.gradients(vae);
        Loss iwae = gradients(new NegativeIwaeBound(1), vae, x, eps, 1.0);
        List<float[]> iwaeGrads = ObjectiveChecks.gradients(vae);

        // by hand: log q(z|x) - log p(z) = -1/2 sum_j (eps^2 + logvar - z^2) at z = mu + exp(logvar/2) eps
        Vae.Encoding enc = vae.encode(x);
        double sampledKl = 0;
        for (int i = 0; i < eps.getNumElements(); i++) {
            double lv = enc.logvar().data[i];
            double e = eps.data[i];
            double z = enc.mu().data[i] + Math.exp(lv / 2) * e;
            sampledKl += -0.5 * (e * e + lv - z * z);
        }
        sampledKl /= 4;
        assertEquals(elbo.reconstruction(), iwae.reconstruction(), 1e-5 * Math.abs(elbo.reconstruction()),
                "the same z, the same reconstruction");
        assertEquals(sampledKl, iwae.kl(), 1e-5 * Math.abs(sampledKl));
        assertEquals(elbo.reconstruction() + sampledKl, iwae.total(), 1e-5 * Math.abs(iwae.total()));
        assertTrue(Math.abs(sampledKl - elbo.kl()) > 1e-3, "the sampled KL is not the closed form");
        // the decoder sees the same z and the same weight 1/B: its gradients are the ELBO's
        for (int k = 0; k < vae.parameters().size(); k++) {
            Parameter p = vae.parameters().get(k);
            if (p.name().startsWith("fc3") || p.name().startsWith("fc4")) {
                float[] a = elboGrads.get(k);
                float[] b = iwaeGrads.get(k);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 1e-6 + 1e-5 * Math.abs(a[i]), p.name() + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void theSampledKlOfOneSampleAveragesToTheClosedForm() {
        SplittableRandom rng = new SplittableRandom(12);
        Vae vae = tanhVae();
        FMatrixRMaj x = uniform(3, 6, rng);
        NegativeIwaeBound iwae = new NegativeIwaeBound(1);
        GradientFunction g = new GradientFunction(iwae, 1);
        Noise noise = new Noise(5);
        int draws = 4000;
        double sum = 0;
        double sumSq = 0;
        for (int t = 1; t <= draws; t++) { // a new epoch is a new noise stream for every row
            double kl = g.compute(vae, Batch.of(x), new StepContext(noise).set(t, 0, 1.0, 3)).kl();
            sum += kl;
            sumSq += kl * kl;
        }
        double mean = sum / draws;
        double se = Math.sqrt((sumSq / draws - mean * mean) / draws);
        double closed = gradients(new NegativeElbo(), vae, x, null, 1.0).kl();
        assertTrue(Math.abs(mean - closed) < 4 * se, "mean sampled KL " + mean + " +- " + se + ", closed form " + closed);
        assertTrue(se < 0.05 * closed, "the test resolves the KL: se " + se + ", KL " + closed);
    }

    @Test
    void theBoundIsNeverAboveTheMeanOfItsLogWeights() {
        SplittableRandom rng = new SplittableRandom(13);
        Vae vae = tanhVae();
        FMatrixRMaj x = uniform(5, 6, rng);
        Loss loss = gradients(new NegativeIwaeBound(6), vae, x, gaussian(30, 2, rng), 1.0);
        // -logmeanexp <= -mean: the total is at most the K-sample negative ELBO of the same draws
        assertTrue(loss.total() < loss.reconstruction() + loss.kl(), loss.toString());
        assertTrue(loss.total() > 0 && loss.isFinite(), loss.toString());
    }

    /**
     * An "encoder" whose output is its own parameter h = [mu | logvar] (batch, 2 latent), whatever
     * the input, and posterior heads that select the two halves: the gradient of h is then the
     * gradient with respect to mu and logvar themselves.
     */
    private static final class Given implements Module {
        final Parameter h;
        final int inputs;
        private FMatrixRMaj out;

        Given(int inputs, FMatrixRMaj value) {
            this.inputs = inputs;
            this.h = new Parameter("h", value.numRows, value.numCols);
            h.set(value.data);
        }

        @Override
        public int inputSize() {
            return inputs;
        }

        @Override
        public int outputSize() {
            return h.cols();
        }

        @Override
        public FMatrixRMaj forward(Kernels kernels, FMatrixRMaj x) {
            out = Module.reshape(out, h.rows(), h.cols());
            System.arraycopy(h.valueArray(), h.offset(), out.data, 0, h.size());
            return out;
        }

        @Override
        public FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dy, boolean inputGradient) {
            for (int i = 0; i < h.size(); i++) {
                h.gradArray()[h.offset() + i] += dy.data[i];
            }
            return null;
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(h);
        }
    }

    @Test
    void gradientWithRespectToMuAndLogvarMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(14);
        int rows = 3;
        int latent = 2;
        int k = 4;
        FMatrixRMaj h = new FMatrixRMaj(rows, 2 * latent); // [mu | logvar]
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < latent; j++) {
                h.data[r * 2 * latent + j] = (float) rng.nextDouble(-1, 1);
                h.data[r * 2 * latent + latent + j] = (float) rng.nextDouble(-1, 0.5);
            }
        }
        Given encoder = new Given(6, h);
        ComposedLatentModel model = new ComposedLatentModel("test-iwae", "encoder", encoder,
                new DiagonalGaussianPosterior(2 * latent, latent, Init.TORCH_DEFAULT, new SplittableRandom(1)), "decoder",
                Sequential.of(new Dense(latent, 5, Init.TORCH_DEFAULT, new SplittableRandom(2)),
                        new ActivationLayer(Activation.TANH, 5), new Dense(5, 6, Init.TORCH_DEFAULT, new SplittableRandom(3))),
                BernoulliLikelihood.INSTANCE);
        float[] muSelect = new float[latent * 2 * latent];
        float[] lvSelect = new float[latent * 2 * latent];
        for (int j = 0; j < latent; j++) {
            muSelect[j * 2 * latent + j] = 1;
            lvSelect[j * 2 * latent + latent + j] = 1;
        }
        parameter(model, "fc_mu.weight").set(muSelect);
        parameter(model, "fc_logvar.weight").set(lvSelect);
        parameter(model, "fc_mu.bias").set(new float[latent]);
        parameter(model, "fc_logvar.bias").set(new float[latent]);
        FMatrixRMaj x = uniform(rows, 6, rng);
        FMatrixRMaj eps = gaussian(rows * k, latent, rng);
        NegativeIwaeBound iwae = new NegativeIwaeBound(k);
        Loss first = gradients(iwae, model, x, eps, 1.0);
        float[] analytic = new float[encoder.h.size()];
        System.arraycopy(encoder.h.gradArray(), encoder.h.offset(), analytic, 0, analytic.length);
        assertGradient(encoder.h, analytic, () -> gradients(iwae, model, x, eps, 1.0).total(), 1e-2f);
        assertTrue(first.isFinite());
    }

    @Test
    void gradientOfEveryParameterOfATinyVaeMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(15);
        Vae vae = tanhVae();
        FMatrixRMaj x = uniform(3, 6, rng);
        FMatrixRMaj eps = gaussian(3 * 4, 2, rng);
        NegativeIwaeBound iwae = new NegativeIwaeBound(4);
        assertEveryParameterGradient(vae, () -> gradients(iwae, vae, x, eps, 1.0).total(), 1e-2f);
    }

    @Test
    void theLossOfABatchDoesNotDependOnItsRowOrderOrMicroBatches() {
        SplittableRandom rng = new SplittableRandom(16);
        Vae vae = Vae.builder(10).hidden(7).latent(3).seed(5).build();
        int rows = 7;
        FMatrixRMaj x = uniform(rows, 10, rng);
        int[] ids = {40, 3, 17, 8, 25, 1, 33};
        int[] perm = {4, 0, 6, 2, 5, 3, 1};
        FMatrixRMaj y = new FMatrixRMaj(rows, 10);
        int[] permIds = new int[rows];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x.data, perm[r] * 10, y.data, r * 10, 10);
            permIds[r] = ids[perm[r]];
        }
        Noise noise = new Noise(9);
        NegativeIwaeBound iwae = new NegativeIwaeBound(5);
        Loss whole = new GradientFunction(iwae, 1).compute(vae, new Batch().set(x, x, null, ids, 0),
                new StepContext(noise).set(2, 0, 1.0, rows));
        List<float[]> g = ObjectiveChecks.gradients(vae);
        Loss permuted = new GradientFunction(iwae, 1).compute(vae, new Batch().set(y, y, null, permIds, 0),
                new StepContext(noise).set(2, 0, 1.0, rows));
        List<float[]> gp = ObjectiveChecks.gradients(vae);
        Loss micro = new GradientFunction(iwae, 3).compute(vae, new Batch().set(x, x, null, ids, 0),
                new StepContext(noise).set(2, 0, 1.0, rows));
        List<float[]> gm = ObjectiveChecks.gradients(vae);
        assertEquals(whole.total(), permuted.total(), 1e-6 * Math.abs(whole.total()));
        assertEquals(whole.total(), micro.total(), 1e-6 * Math.abs(whole.total()));
        for (int k = 0; k < g.size(); k++) {
            for (int i = 0; i < g.get(k).length; i++) {
                float a = g.get(k)[i];
                assertEquals(a, gp.get(k)[i], 1e-6 + 1e-4 * Math.abs(a), "row order, parameter " + k + "[" + i + "]");
                assertEquals(a, gm.get(k)[i], 1e-6 + 1e-4 * Math.abs(a), "micro-batches, parameter " + k + "[" + i + "]");
            }
        }
        // another epoch draws other noise: the comparison above is not between constants
        Loss other = new GradientFunction(iwae, 1).compute(vae, new Batch().set(x, x, null, ids, 0),
                new StepContext(noise).set(3, 0, 1.0, rows));
        assertTrue(Math.abs(other.total() - whole.total()) > 1e-4 * Math.abs(whole.total()));
    }

    @Test
    void logMeanExpIsStableAndItsWeightsAreTheSoftmax() {
        double[] w = new double[5];
        double[] a = {9, -1e4, -1e4 + Math.log(3), 7, 7};
        // a[0] is an offset that is not read
        double lme = NegativeIwaeBound.logMeanExp(a, 1, 4, w);
        // exp(-1e4) underflows to 0 unless the maximum is subtracted first
        assertEquals(7 + Math.log(2) - Math.log(4), lme, 1e-12);
        assertEquals(0.5, w[3], 1e-15);
        assertEquals(0.5, w[4], 1e-15);
        assertEquals(0.0, w[1] + w[2], 1e-300);
        double[] b = {-1e4, -1e4 + Math.log(3)};
        double[] wb = new double[2];
        assertEquals(-1e4 + Math.log(4) - Math.log(2), NegativeIwaeBound.logMeanExp(b, 0, 2, wb), 1e-9);
        assertEquals(0.25, wb[0], 1e-12);
        assertEquals(0.75, wb[1], 1e-12);
        double[] none = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        assertEquals(Double.NEGATIVE_INFINITY, NegativeIwaeBound.logMeanExp(none, 0, 2, wb));
        assertTrue(Double.isNaN(NegativeIwaeBound.logMeanExp(new double[] {0, Double.NaN}, 0, 2, wb)));
    }

    @Test
    void anAutoencoderIsRefusedByTheObjectiveAndByTheTrainer() {
        Autoencoder ae = Autoencoder.builder(6).hidden(5).latent(2).seed(1).build();
        FMatrixRMaj x = uniform(4, 6, new SplittableRandom(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gradients(new NegativeIwaeBound(3), ae, x, null, 1.0));
        assertTrue(e.getMessage().contains("IWAE") && e.getMessage().contains("point mass"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().objective("iwae:3").epochs(1).build().start(ae, x));
        assertTrue(e.getMessage().contains("IWAE"), e.getMessage());
    }

    /** x with condition c, rows 0, 1, ... of their data set. */
    private static Batch batch(FMatrixRMaj x, FMatrixRMaj c) {
        int[] ids = new int[x.numRows];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        return new Batch().set(x, x, c, ids, 0);
    }

    @Test
    void everyParameterGradientOfAConditionalVaeMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(17);
        // a scale of 1.7: at the default 10, Gaussian conditions saturate the tanh layers and
        // the float central differences lose their accuracy
        ConditionalVae cvae = ConditionalVae.builder(6, 3).init(Init.BY_ACTIVATION).hidden(5).latent(2)
                .activation(Activation.TANH).seed(4).conditionScale(1.7).build();
        FMatrixRMaj x = uniform(3, 6, rng);
        FMatrixRMaj c = gaussian(3, 3, rng); // any float condition, not only one-hot
        FMatrixRMaj eps = gaussian(3 * 4, 2, rng);
        NegativeIwaeBound iwae = new NegativeIwaeBound(4);
        assertEveryParameterGradient(cvae, () -> gradients(iwae, cvae, x, c, eps, 1.0, 1).total(), 1e-2f);
    }

    @Test
    void aConditionalVaesBoundIsGivenEachRowsConditionWhateverTheMicroBatches() {
        SplittableRandom rng = new SplittableRandom(18);
        ConditionalVae cvae = ConditionalVae.builder(6, 3).hidden(5).latent(2).seed(6).build();
        FMatrixRMaj x = uniform(5, 6, rng);
        int[] labels = {2, 0, 1, 1, 2};
        FMatrixRMaj c = ConditionalVae.oneHot(labels, 3);
        FMatrixRMaj eps = gaussian(5 * 3, 2, rng);
        NegativeIwaeBound iwae = new NegativeIwaeBound(3);
        Loss whole = gradients(iwae, cvae, x, c, eps, 1.0, 1);
        // one row at a time: the bound is a sum over rows, each given its own condition
        double sum = 0;
        for (int r = 0; r < 5; r++) {
            FMatrixRMaj xr = new FMatrixRMaj(1, 6);
            System.arraycopy(x.data, r * 6, xr.data, 0, 6);
            FMatrixRMaj er = new FMatrixRMaj(3, 2);
            System.arraycopy(eps.data, r * 6, er.data, 0, 6);
            sum += gradients(iwae, cvae, xr, ConditionalVae.oneHot(new int[] {labels[r]}, 3), er, 1.0, 1).total();
        }
        assertEquals(whole.total(), sum / 5, 1e-5 * Math.abs(whole.total()));
        Loss micro = new GradientFunction(iwae, 2).compute(cvae, batch(x, c),
                new StepContext(new Noise(1)).set(1, 0, 1.0, 5));
        List<float[]> gm = ObjectiveChecks.gradients(cvae);
        Loss drawn = new GradientFunction(iwae, 1).compute(cvae, batch(x, c),
                new StepContext(new Noise(1)).set(1, 0, 1.0, 5));
        List<float[]> gd = ObjectiveChecks.gradients(cvae);
        assertEquals(drawn.total(), micro.total(), 1e-6 * Math.abs(drawn.total()));
        for (int k = 0; k < gd.size(); k++) {
            for (int i = 0; i < gd.get(k).length; i++) {
                float a = gd.get(k)[i];
                assertEquals(a, gm.get(k)[i], 1e-6 + 1e-4 * Math.abs(a), "micro-batches, parameter " + k + "[" + i + "]");
            }
        }
        // another label changes the bound: the condition reaches the decoder's K B rows
        FMatrixRMaj other = ConditionalVae.oneHot(new int[] {0, 1, 2, 0, 1}, 3);
        assertTrue(Math.abs(gradients(iwae, cvae, x, other, eps, 1.0, 1).total() - whole.total()) > 1e-3);
    }

    @Test
    void aKlWeightOtherThanOneIsRefused() {
        Vae vae = tanhVae();
        FMatrixRMaj x = uniform(4, 6, new SplittableRandom(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gradients(new NegativeIwaeBound(3), vae, x, null, 0.5));
        assertTrue(e.getMessage().contains("beta must be 1"), e.getMessage());
        for (Trainer.Builder b : List.of(Trainer.builder().objective("iwae:3").beta(2),
                Trainer.builder().objective("iwae:3").klWarmupSteps(10),
                Trainer.builder().objective("iwae:3").klSchedule("cyclical:100,0.5"))) {
            e = assertThrows(IllegalArgumentException.class, b::build);
            assertTrue(e.getMessage().contains("beta 1"), e.getMessage());
        }
        e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder().objective("iwae:3").freeBits(0.5).build());
        assertTrue(e.getMessage().contains("free bits"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder().objective("iwae:0"));
        assertTrue(e.getMessage().contains("iwae:0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().objective("iwae:2").objective(NegativeElbo::new).build());
        assertTrue(e.getMessage().contains("objective factory"), e.getMessage());
    }

    @Test
    void aTrainerWithTheIwaeObjectiveTrainsWithIt() {
        FMatrixRMaj x = uniform(40, 6, new SplittableRandom(3));
        Trainer t = Trainer.builder().objective("iwae:4").epochs(2).batchSize(16).build();
        assertEquals(4, t.config().importanceSamples());
        assertTrue(t.config().newObjective() instanceof NegativeIwaeBound n && n.samples() == 4);
        var h = t.train(tanhVae(), x);
        assertEquals(2, h.size());
        assertTrue(h.get(1).trainLoss() < h.get(1).reconstruction() + h.get(1).kl());
    }
}

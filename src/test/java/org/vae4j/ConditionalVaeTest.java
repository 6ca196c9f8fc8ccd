package org.vae4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Init;
import org.vae4j.nn.Parameter;
import org.vae4j.objective.Batch;
import org.vae4j.objective.NegativeElbo;
import org.vae4j.objective.StepContext;
import org.vae4j.optim.Adam;
import org.vae4j.random.Noise;
import org.vae4j.train.GradientFunction;

/**
 * The conditional VAE: parity with the PyTorch CVAE of src/test/python/make_cvae_fixtures.py
 * (loss, every gradient, dL/dc, three Adam steps), every parameter's gradient against central
 * differences, and the condition's plumbing (it changes the outputs, it is required, micro-batches
 * split it with the rows).
 */
class ConditionalVaeTest {

    private static final Fixture F = Fixture.load("/parity/cvae_bernoulli.txt");

    /** The fixture's model 6-5-(2)-5-6, condition 3, with the fixture's weights. */
    static ConditionalVae fixtureModel() {
        ConditionalVae m = ConditionalVae.builder(6, 3).hidden(5).latent(2).build();
        for (Parameter p : m.parameters()) {
            FMatrixRMaj ref = F.tensor(p.name());
            assertEquals(p.rows(), ref.numRows, p.name() + " rows");
            assertEquals(p.cols(), ref.numCols, p.name() + " cols");
            p.set(ref.data);
        }
        return m;
    }

    /** The gradient of the negative ELBO of (x, c) with the noise eps, left in the parameters. */
    static Loss gradients(LatentModel model, FMatrixRMaj x, FMatrixRMaj c, FMatrixRMaj eps, double beta,
                          int microBatches) {
        model.checkData(x, "batch");
        StepContext ctx = new StepContext(new Noise(1)).set(1, 0, beta, x.numRows).fixedNoise(eps);
        return new GradientFunction(new NegativeElbo(), microBatches).compute(model, batch(x, c), ctx);
    }

    static Batch batch(FMatrixRMaj x, FMatrixRMaj c) {
        int[] ids = new int[x.numRows];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        return new Batch().set(x, x, c, ids, 0);
    }

    static float[] values(Parameter p, boolean grad) {
        float[] a = new float[p.size()];
        System.arraycopy(grad ? p.gradArray() : p.valueArray(), p.offset(), a, 0, p.size());
        return a;
    }

    @Test
    void parameterNamesAreThePyTorchModulesStateDictNames() {
        ConditionalVae m = ConditionalVae.builder(6, 3).hidden(5).latent(2).build();
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc_mu.weight", "fc_mu.bias", "fc_logvar.weight",
                "fc_logvar.bias", "fc3.weight", "fc3.bias", "fc4.weight", "fc4.bias"),
                m.parameters().stream().map(Parameter::name).toList());
        assertEquals(9, m.parameters().get(0).cols(), "fc1 reads [x | c]");
        assertEquals(5, m.parameters().get(6).cols(), "fc3 reads [z | c]");
        ConditionalVae deep = ConditionalVae.builder(6, 3).hidden(5, 4).latent(2).build();
        assertEquals(List.of("encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias",
                "fc_mu.weight", "fc_mu.bias", "fc_logvar.weight", "fc_logvar.bias", "decoder.0.weight",
                "decoder.0.bias", "decoder.2.weight", "decoder.2.bias", "decoder.4.weight", "decoder.4.bias"),
                deep.parameters().stream().map(Parameter::name).toList());
        assertEquals(9, deep.parameters().get(0).cols());
        assertEquals(5, deep.parameters().get(8).cols());
        assertEquals("cvae", m.kind());
        assertEquals(3, m.conditionSize());
        assertEquals("6-5-(2)-5-6 relu bernoulli, condition 3", m.describe());
    }

    @Test
    void lossEveryGradientAndTheConditionGradientMatchPyTorch() {
        ConditionalVae m = fixtureModel();
        m.encoderConcat().setConditionGradient(true);
        m.decoderConcat().setConditionGradient(true);
        Loss loss = gradients(m, F.tensor("x"), F.tensor("c"), F.tensor("eps0"), F.scalar("beta"), 1);

        Fixture.assertClose(F.scalar("loss"), loss.total(), "loss");
        Fixture.assertClose(F.scalar("recon"), loss.reconstruction(), "recon");
        Fixture.assertClose(F.scalar("kl"), loss.kl(), "kl");
        for (Parameter p : m.parameters()) {
            FMatrixRMaj g = new FMatrixRMaj(p.rows(), p.cols());
            g.data = values(p, true);
            Fixture.assertTensor(F.tensor("grad." + p.name()), g, "grad." + p.name());
        }
        FMatrixRMaj dc = m.encoderConcat().conditionGradient().copy();
        FMatrixRMaj fromDecoder = m.decoderConcat().conditionGradient();
        for (int i = 0; i < dc.getNumElements(); i++) {
            dc.data[i] += fromDecoder.data[i];
        }
        Fixture.assertTensor(F.tensor("grad.c"), dc, "grad.c");

        Vae.Encoding q = m.encode(F.tensor("x"), F.tensor("c"));
        Fixture.assertTensor(F.tensor("mu"), q.mu(), "mu");
        Fixture.assertTensor(F.tensor("logvar"), q.logvar(), "logvar");
    }

    @Test
    void threeAdamStepsMatchPyTorch() {
        ConditionalVae m = fixtureModel();
        Adam adam = new Adam(1e-2);
        for (int k = 0; k < 3; k++) {
            Loss loss = gradients(m, F.tensor("x"), F.tensor("c"), F.tensor("eps" + k), F.scalar("beta"), 1);
            Fixture.assertClose(F.scalar("adam.loss" + k), loss.total(), "adam.loss" + k);
            adam.step(m.parameters());
        }
        for (Parameter p : m.parameters()) {
            FMatrixRMaj v = new FMatrixRMaj(p.rows(), p.cols());
            v.data = values(p, false);
            Fixture.assertTensor(F.tensor("adam." + p.name()), v, "adam." + p.name());
        }
        Loss last = gradients(m, F.tensor("x"), F.tensor("c"), F.tensor("eps3"), F.scalar("beta"), 1);
        Fixture.assertClose(F.scalar("adam.loss3"), last.total(), "adam.loss3");
    }

    /**
     * Every element of every parameter of a smooth (tanh) CVAE 6-5-4-(2) with condition 3 against
     * central differences of the loss (noise fixed), with float conditions that are not one-hot.
     */
    @Test
    void everyParameterGradientMatchesCentralDifferences() {
        ConditionalVae m = ConditionalVae.builder(6, 3).init(Init.BY_ACTIVATION).hidden(5, 4).latent(2)
                .activation(Activation.TANH).seed(3).build();
        SplittableRandom rng = new SplittableRandom(7);
        FMatrixRMaj x = GradientCheck.uniform(4, 6, 0, 1, rng);
        FMatrixRMaj c = GradientCheck.uniform(4, 3, -1, 1, rng);
        FMatrixRMaj eps = new FMatrixRMaj(4, 2);
        for (int i = 0; i < eps.getNumElements(); i++) {
            eps.data[i] = (float) rng.nextGaussian();
        }
        final double beta = 0.7;
        gradients(m, x, c, eps, beta, 1);
        List<float[]> grads = m.parameters().stream().map(p -> values(p, true)).toList(); // before the loss reruns
        int checked = 0;
        for (int k = 0; k < grads.size(); k++) {
            Parameter p = m.parameters().get(k);
            float[] analytic = grads.get(k);
            float[] v = p.valueArray();
            for (int i = 0; i < p.size(); i++) {
                int at = p.offset() + i;
                float orig = v[at];
                float plus = orig + GradientCheck.STEP;
                float minus = orig - GradientCheck.STEP;
                v[at] = plus;
                double up = gradients(m, x, c, eps, beta, 1).total();
                v[at] = minus;
                double down = gradients(m, x, c, eps, beta, 1).total();
                v[at] = orig;
                double numeric = (up - down) / ((double) plus - minus);
                double a = analytic[i];
                double tol = GradientCheck.RTOL * Math.max(Math.abs(a), Math.abs(numeric)) + GradientCheck.ATOL;
                final int idx = i;
                assertTrue(Math.abs(a - numeric) <= tol, () -> p.name() + "[" + idx + "]: analytic " + a
                        + ", numeric " + numeric);
                checked++;
            }
        }
        assertEquals(m.parameterCount(), checked);
    }

    @Test
    void microBatchesSplitTheConditionWithTheRows() {
        ConditionalVae whole = fixtureModel();
        ConditionalVae parts = fixtureModel();
        // micro-batches draw each row's noise by its id: use the step's noise, not a fixed matrix
        StepContext ctx = new StepContext(new Noise(4)).set(1, 0, 1.0, 5);
        FMatrixRMaj x = F.tensor("x");
        Loss a = new GradientFunction(new NegativeElbo(), 1).compute(whole, batch(x, F.tensor("c")), ctx);
        Loss b = new GradientFunction(new NegativeElbo(), 2).compute(parts, batch(x, F.tensor("c")), ctx);
        assertEquals(a.total(), b.total(), 1e-6 * Math.abs(a.total()));
        for (int k = 0; k < whole.parameters().size(); k++) {
            assertArrayEquals(values(whole.parameters().get(k), true), values(parts.parameters().get(k), true),
                    1e-6f, whole.parameters().get(k).name());
        }
    }

    @Test
    void theConditionChangesTheEncodingAndTheDecoding() {
        ConditionalVae m = fixtureModel();
        FMatrixRMaj x = F.tensor("x");
        FMatrixRMaj c = F.tensor("c");
        FMatrixRMaj other = new FMatrixRMaj(c.numRows, 3);
        for (int r = 0; r < c.numRows; r++) { // each row's label moved on by one class
            for (int j = 0; j < 3; j++) {
                other.data[r * 3 + (j + 1) % 3] = c.data[r * 3 + j];
            }
        }
        FMatrixRMaj mu = m.encodeMean(x, c);
        assertNotEquals(mu.data[0], m.encodeMean(x, other).data[0]);
        FMatrixRMaj z = new FMatrixRMaj(c.numRows, 2);
        FMatrixRMaj a = m.decodeMean(z, c);
        FMatrixRMaj b = m.decodeMean(z, other);
        assertNotEquals(a.data[0], b.data[0]);
        // row r depends only on its own condition, whatever the others are (chunks, batches)
        FMatrixRMaj mixed = c.copy();
        System.arraycopy(other.data, 3, mixed.data, 3, mixed.getNumElements() - 3);
        FMatrixRMaj firstRow = m.decodeMean(z, mixed);
        for (int j = 0; j < 6; j++) {
            assertEquals(a.data[j], firstRow.data[j], 0f);
        }
        // sample(n, c, rng) is decodeMean(prior draws, c)
        FMatrixRMaj s = m.sample(c.numRows, c, new SplittableRandom(5));
        FMatrixRMaj zs = new FMatrixRMaj(c.numRows, 2);
        m.prior().sample(zs, new SplittableRandom(5));
        assertArrayEquals(m.decodeMean(zs, c).data, s.data, 0f);
        // reconstruct(x, c) = decodeMean(encodeMean(x, c), c)
        assertArrayEquals(m.decodeMean(mu, c).data, m.reconstruct(x, c).data, 0f);
    }

    @Test
    void evaluateIsTheNegativeElboGivenTheConditionWithRowKeyedNoise() {
        ConditionalVae m = fixtureModel();
        FMatrixRMaj x = F.tensor("x");
        FMatrixRMaj c = F.tensor("c");
        Noise noise = new Noise(9);
        Loss l = m.negativeElbo(x, c, noise);
        // the objective with beta 1 and the evaluation's noise of each row gives the same value
        FMatrixRMaj eps = new FMatrixRMaj(x.numRows, 2);
        org.vae4j.random.CounterRandom scratch = new org.vae4j.random.CounterRandom();
        for (int r = 0; r < x.numRows; r++) {
            noise.gaussian(scratch, Noise.EVALUATION, 0, r, 0, eps.data, r * 2, 2);
        }
        Loss objective = gradients(m, x, c, eps, 1.0, 1);
        assertEquals(objective.total(), l.total(), 1e-5 * Math.abs(l.total()));
        assertEquals(objective.kl(), l.kl(), 1e-5 * Math.abs(l.kl()));
        assertEquals(l, m.negativeElbo(x, c, noise), "the same value every call");
    }

    @Test
    void aMissingOrMisshapenConditionIsRefusedWithAClearMessage() {
        ConditionalVae m = fixtureModel();
        FMatrixRMaj x = F.tensor("x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.encodeMean(x));
        assertTrue(e.getMessage().contains("conditional") && e.getMessage().contains("(5, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.decodeMean(new FMatrixRMaj(5, 2)));
        assertThrows(IllegalArgumentException.class, () -> m.sample(3, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> m.negativeElbo(x, new Noise(1)));
        e = assertThrows(IllegalArgumentException.class, () -> m.encodeMean(x, new FMatrixRMaj(4, 3)));
        assertTrue(e.getMessage().contains("(5, 3)") && e.getMessage().contains("(4, 3)"), e.getMessage());
        FMatrixRMaj bad = F.tensor("c").copy();
        bad.data[4] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> m.encodeMean(x, bad));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        StepContext ctx = new StepContext(new Noise(1)).set(1, 0, 1.0, 5);
        e = assertThrows(IllegalArgumentException.class,
                () -> new NegativeElbo().computeGradients(m, Batch.of(x), ctx));
        assertTrue(e.getMessage().contains("condition"), e.getMessage());
        // an unconditional model refuses a condition
        Vae vae = Vae.builder(6).hidden(5).latent(2).build();
        e = assertThrows(IllegalArgumentException.class, () -> vae.encodeMean(x, F.tensor("c")));
        assertTrue(e.getMessage().contains("takes no condition"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConditionalVae.builder(6, 0));
        assertThrows(IllegalArgumentException.class, () -> ConditionalVae.oneHot(new int[] {0, 3}, 3));
    }

    @Test
    void oneHotPutsAOneInTheLabelsColumn() {
        FMatrixRMaj c = ConditionalVae.oneHot(new int[] {2, 0}, 3);
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, c.data, 0f);
    }
}

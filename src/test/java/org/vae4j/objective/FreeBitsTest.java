package org.vae4j.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vae4j.objective.ObjectiveChecks.gaussian;
import static org.vae4j.objective.ObjectiveChecks.gradients;
import static org.vae4j.objective.ObjectiveChecks.uniform;

import java.util.List;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Autoencoder;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.Vae;
import org.vae4j.random.Noise;
import org.vae4j.train.GradientFunction;
import org.vae4j.train.Trainer;

/**
 * Free bits (docs/MATH.md, section 26): below lambda a dimension counts lambda and gets no KL
 * gradient, above it the KL is the ELBO's; the batch mean is taken inside the max; micro-batches
 * and autoencoders are refused. (PyTorch parity with dimensions on both sides:
 * {@link ObjectiveParityTest}.)
 */
class FreeBitsTest {

    private static final double BETA = 0.8;

    private static Vae vae() {
        return Vae.builder(8).hidden(6).latent(3).seed(7).build();
    }

    @Test
    void theTermAndItsGradientWeightsAreThoseOfTheBatchMeanInsideTheMax() {
        // dimension 0: mean 0.5 > 0.3; dimension 1: mean 0.1 < 0.3 although one of the 6 rows could be 0.6
        double[] sums = {6 * 0.5, 6 * 0.1, 6 * 0.3};
        float[] scales = new float[3];
        double term = NegativeElbo.freeBitsKl(sums, 6, 0.3, 0.25f, scales);
        assertEquals(0.5 + 0.3 + 0.3, term, 1e-12);
        assertArrayEquals(new float[] {0.25f, 0f, 0f}, scales, 0f, "a tie (dimension 2) gets no gradient");
    }

    @Test
    void withLambdaBelowEveryDimensionItIsThePlainElbo() {
        SplittableRandom rng = new SplittableRandom(1);
        Vae model = vae();
        FMatrixRMaj x = uniform(5, 8, rng);
        FMatrixRMaj eps = gaussian(5, 3, rng);
        Loss plain = gradients(new NegativeElbo(), model, x, eps, BETA);
        List<float[]> g = ObjectiveChecks.gradients(model);
        Loss clamped = gradients(new NegativeElbo(1e-6), model, x, eps, BETA);
        List<float[]> gc = ObjectiveChecks.gradients(model);
        assertEquals(plain.total(), clamped.total(), 1e-9 * plain.total());
        assertEquals(plain.kl(), clamped.kl(), 0.0);
        for (int k = 0; k < g.size(); k++) {
            assertArrayEquals(g.get(k), gc.get(k), 0f, model.parameters().get(k).name());
        }
    }

    @Test
    void withLambdaAboveEveryDimensionTheKlHasNoGradientAndCountsLambda() {
        SplittableRandom rng = new SplittableRandom(2);
        Vae model = vae();
        FMatrixRMaj x = uniform(5, 8, rng);
        FMatrixRMaj eps = gaussian(5, 3, rng);
        double lambda = 50;
        Loss noKl = gradients(new NegativeElbo(), model, x, eps, 0.0);
        List<float[]> g = ObjectiveChecks.gradients(model);
        Loss clamped = gradients(new NegativeElbo(lambda), model, x, eps, BETA);
        List<float[]> gc = ObjectiveChecks.gradients(model);
        assertTrue(clamped.kl() < lambda, "every dimension is below lambda");
        assertEquals(noKl.reconstruction() + BETA * 3 * lambda, clamped.total(), 1e-9 * clamped.total());
        for (int k = 0; k < g.size(); k++) {
            assertArrayEquals(g.get(k), gc.get(k), 0f, model.parameters().get(k).name());
        }
        // and the plain ELBO's KL gradient is not zero, so the comparison tells them apart
        gradients(new NegativeElbo(), model, x, eps, BETA);
        float[] mu = ObjectiveChecks.gradients(model).get(2);
        assertTrue(Math.abs(mu[0] - g.get(2)[0]) > 1e-6, model.parameters().get(2).name());
    }

    @Test
    void microBatchesAreRefused() {
        Vae model = vae();
        FMatrixRMaj x = uniform(6, 8, new SplittableRandom(3));
        StepContext ctx = new StepContext(new Noise(1)).set(1, 0, 1.0, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GradientFunction(new NegativeElbo(0.25), 2).compute(model, Batch.of(x), ctx));
        assertTrue(e.getMessage().contains("whole batch"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().freeBits(0.25).microBatches(2).build());
        assertTrue(e.getMessage().contains("micro-batches"), e.getMessage());
    }

    @Test
    void anAutoencoderIsRefused() {
        LatentModel ae = Autoencoder.builder(8).hidden(6).latent(3).seed(1).build();
        FMatrixRMaj x = uniform(4, 8, new SplittableRandom(4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().freeBits(0.25).epochs(1).build().start(ae, x));
        assertTrue(e.getMessage().contains("free bits"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> gradients(new NegativeElbo(0.25), ae, x, null, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new NegativeElbo(-1));
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder().freeBits(Double.NaN));
    }

    @Test
    void theTrainerBuildsTheConfiguredFreeBits() {
        Trainer t = Trainer.builder().freeBits(0.25).build();
        assertTrue(t.config().newObjective() instanceof NegativeElbo n && n.freeBits() == 0.25);
        assertEquals("negative ELBO, free bits 0.25", t.config().newObjective().describe());
    }
}

package org.vae4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.objective.Batch;
import org.vae4j.objective.NegativeElbo;
import org.vae4j.objective.StepContext;
import org.vae4j.random.Noise;
import org.vae4j.train.GradientFunction;
import org.junit.jupiter.api.Test;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.loss.GaussianKl;
import org.vae4j.nn.Activation;

/** The VAE's inference API: evaluate, encode, decode, reconstruct, sample, naming. */
class VaeTest {

    private static FMatrixRMaj data(int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        FMatrixRMaj x = new FMatrixRMaj(n, d);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = (float) rng.nextDouble();
        }
        return x;
    }

    @Test
    void evaluateEqualsTheTrainingLossWithTheSameNoise() {
        Vae vae = Vae.builder(10).hidden(7).latent(3).seed(2).build();
        FMatrixRMaj x = data(25, 10, 1);
        Loss eval = vae.negativeElbo(x, new Noise(5));
        // the training loss with the evaluation noise: rows 0..24, purpose EVALUATION at time 0
        StepContext ctx = new StepContext(new Noise(5)).set(1, 0, 1.0, x.numRows).purpose(Noise.EVALUATION, 0);
        Loss train = new GradientFunction(new NegativeElbo(), 1).compute(vae, Batch.of(x), ctx);
        // training sums the likelihood in float vector lanes, evaluation row by row in double
        assertEquals(train.total(), eval.total(), 1e-6 * Math.abs(train.total()));
        assertEquals(train.kl(), eval.kl(), 1e-9 * Math.abs(train.kl()));
    }

    @Test
    void evaluateInChunksEqualsOneChunkPerRow() {
        // 2,500 rows go through in chunks of 1,000; the per-example KL does not depend on noise.
        Vae vae = Vae.builder(6).hidden(5).latent(2).seed(3).build();
        FMatrixRMaj x = data(2500, 6, 2);
        Loss loss = vae.negativeElbo(x, new SplittableRandom(1));
        Vae.Encoding q = vae.encode(x);
        assertEquals(GaussianKl.forward(q.mu(), q.logvar()) / 2500, loss.kl(), 1e-9);
    }

    @Test
    void encodeDecodeReconstructAndSampleHaveTheRightShapesAndRanges() {
        Vae vae = Vae.builder(12).hidden(8, 6).latent(3).activation(Activation.TANH).build();
        FMatrixRMaj x = data(4, 12, 3);
        Vae.Encoding q = vae.encode(x);
        assertEquals(4, q.mu().numRows);
        assertEquals(3, q.mu().numCols);
        FMatrixRMaj r = vae.reconstruct(x);
        assertArrayEquals(vae.decodeMean(q.mu()).data, r.data);
        FMatrixRMaj s = vae.sample(5, new SplittableRandom(1));
        assertEquals(5, s.numRows);
        assertEquals(12, s.numCols);
        for (float v : s.data) {
            assertTrue(v >= 0 && v <= 1, "Bernoulli means are probabilities, got " + v);
        }
        assertThrows(IllegalArgumentException.class, () -> vae.decodeMean(new FMatrixRMaj(2, 4)));
        assertThrows(IllegalArgumentException.class, () -> vae.sample(0, new SplittableRandom(1)));
    }

    @Test
    void parameterNamesFollowPyTorch() {
        Vae seed = Vae.builder(784).build();
        assertEquals("fc1.weight", seed.parameters().get(0).name());
        assertEquals(512, seed.parameters().get(0).rows());
        assertEquals(784, seed.parameters().get(0).cols());
        assertEquals("fc_mu.weight", seed.parameters().get(2).name());
        assertEquals("fc_logvar.weight", seed.parameters().get(4).name());
        assertEquals("fc4.bias", seed.parameters().get(9).name());
        Vae deep = Vae.builder(20).hidden(16, 8).latent(2).build();
        assertEquals("encoder.2.weight", deep.parameters().get(2).name());
        assertEquals("decoder.4.bias", deep.parameters().get(deep.parameters().size() - 1).name());
        assertEquals(BernoulliLikelihood.INSTANCE, seed.likelihood());
        assertEquals("784-512-(32)-512-784 relu bernoulli", seed.describe());
    }

    @Test
    void bernoulliNeedsLogitsAtTheOutput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Vae.builder(4).outputActivation(Activation.SIGMOID).build());
        assertTrue(e.getMessage().contains("IDENTITY"), e.getMessage());
    }
}

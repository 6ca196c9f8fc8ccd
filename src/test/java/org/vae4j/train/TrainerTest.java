package org.vae4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Autoencoder;
import org.vae4j.Loss;
import org.vae4j.LatentModel;
import org.vae4j.objective.Batch;
import org.vae4j.objective.NegativeElbo;
import org.vae4j.objective.Objective;
import org.vae4j.objective.StepContext;
import org.vae4j.Vae;
import org.vae4j.kernel.Gemm;
import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Parameter;
import org.vae4j.optim.Adam;

class TrainerTest {

    /** Binary-ish data with structure: each row is one of 4 prototypes with a few flipped pixels. */
    static FMatrixRMaj prototypes(int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] protos = new float[4][d];
        for (float[] p : protos) {
            for (int j = 0; j < d; j++) {
                p[j] = rng.nextDouble() < 0.5 ? 1f : 0f;
            }
        }
        FMatrixRMaj x = new FMatrixRMaj(n, d);
        for (int r = 0; r < n; r++) {
            float[] p = protos[rng.nextInt(4)];
            for (int j = 0; j < d; j++) {
                float v = p[j];
                x.data[r * d + j] = rng.nextDouble() < 0.05 ? 1f - v : v;
            }
        }
        return x;
    }

    static float[][] snapshot(LatentModel m) {
        List<Parameter> ps = m.parameters();
        float[][] s = new float[ps.size()][];
        for (int i = 0; i < ps.size(); i++) {
            s[i] = ps.get(i).valueCopy().data;
        }
        return s;
    }

    static Vae smallVae() {
        return Vae.builder(20).hidden(16).latent(3).seed(5).build();
    }

    @Test
    void vaeLossFallsOnStructuredData() {
        FMatrixRMaj x = prototypes(400, 20, 2);
        List<EpochStats> h = Trainer.builder().epochs(30).batchSize(32).seed(3)
                .optimizer(() -> new Adam(1e-2)).build().train(smallVae(), x);
        double first = h.get(0).trainLoss();
        double last = h.get(h.size() - 1).trainLoss();
        // 20 fair coins cost 20 ln 2 = 13.9 nats; 4 prototypes with 5% noise cost far less.
        assertTrue(first > 10, "first epoch loss " + first);
        assertTrue(last < 8, "last epoch loss " + last);
        assertTrue(h.get(h.size() - 1).kl() > 0.5, "the latent code is used, KL " + h.get(h.size() - 1).kl());
    }

    @Test
    void shortLastBatchIsTrainedAndCounted() {
        FMatrixRMaj x = prototypes(10, 20, 3);
        Vae vae = smallVae();
        List<EpochStats> h = Trainer.builder().epochs(2).batchSize(4).build().train(vae, x);
        assertEquals(3, h.get(0).steps());
        assertEquals(10, h.get(0).examples());
    }

    @Test
    void klWarmupRaisesBetaOverSteps() {
        FMatrixRMaj x = prototypes(64, 20, 4);
        List<EpochStats> h = Trainer.builder().epochs(4).batchSize(16).beta(2.0).klWarmupSteps(8).build()
                .train(smallVae(), x);
        // 4 steps per epoch; beta at the epoch's last step t = 3, 7, 11, 15 is 2 * min(1, t / 8)
        assertEquals(2.0 * 3 / 8, h.get(0).beta(), 1e-12);
        assertEquals(2.0 * 7 / 8, h.get(1).beta(), 1e-12);
        assertEquals(2.0, h.get(2).beta(), 1e-12);
    }

    @Test
    void listenerSeesEveryEpoch() {
        List<Integer> seen = new ArrayList<>();
        Trainer.builder().epochs(3).batchSize(8).listener(s -> seen.add(s.epoch())).build()
                .train(smallVae(), prototypes(16, 20, 5));
        assertEquals(List.of(1, 2, 3), seen);
    }

    @Test
    void autoencoderTrains() {
        FMatrixRMaj x = prototypes(200, 20, 6);
        Autoencoder ae = Autoencoder.builder(20).hidden(16).latent(4).seed(1).build();
        double before = ae.negativeElbo(x, new java.util.SplittableRandom(1)).total();
        Trainer.builder().epochs(20).batchSize(16).build().train(ae, x);
        double after = ae.negativeElbo(x, new java.util.SplittableRandom(1)).total();
        assertTrue(after < before / 2, "squared error before " + before + ", after " + after);
    }

    @Test
    void nonFiniteGradientStopsTrainingAndKeepsLastGoodParameters() {
        Vae vae = smallVae();
        FaultyObjective faulty = new FaultyObjective(5);
        Trainer t = Trainer.builder().epochs(2).batchSize(10).objective(() -> faulty).build();
        TrainingException e = assertThrows(TrainingException.class, () -> t.train(vae, prototypes(40, 20, 7)));
        assertEquals(5, e.step());
        assertEquals(2, e.epoch());
        assertTrue(e.getMessage().contains("step 5"), e.getMessage());
        assertTrue(e.getMessage().contains("fc1.weight"), e.getMessage());
        float[][] now = snapshot(vae);
        for (int i = 0; i < now.length; i++) {
            assertArrayEquals(faulty.beforeFailingStep[i], now[i], "parameters from before the failing step");
        }
    }

    @Test
    void nonFiniteLossStopsTraining() {
        Vae vae = smallVae();
        vae.parameters().get(0).valueArray()[vae.parameters().get(0).offset()] = Float.NaN;
        TrainingException e = assertThrows(TrainingException.class,
                () -> Trainer.builder().epochs(1).batchSize(10).build().train(vae, prototypes(20, 20, 8)));
        assertEquals(1, e.step());
        assertTrue(e.getMessage().contains("non-finite loss"), e.getMessage());
    }

    /** The negative ELBO, but puts an infinity into a gradient on the given (1-based) call. */
    private static final class FaultyObjective implements Objective {
        private final NegativeElbo inner = new NegativeElbo();
        private final int failAt;
        private int calls;
        float[][] beforeFailingStep;

        FaultyObjective(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public Loss computeGradients(LatentModel model, Batch batch, StepContext context) {
            calls++;
            Loss l = inner.computeGradients(model, batch, context);
            if (calls == failAt) {
                beforeFailingStep = snapshot(model);
                model.parameters().get(0).gradArray()[model.parameters().get(0).offset() + 3] = Float.POSITIVE_INFINITY;
            }
            return l;
        }

        @Override
        public String describe() {
            return "faulty";
        }
    }
}

package org.vae4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.GradientCheck;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.Vae;
import org.vae4j.nn.Parameter;
import org.vae4j.objective.Batch;
import org.vae4j.objective.NegativeElbo;
import org.vae4j.objective.Objective;
import org.vae4j.objective.StepContext;
import org.vae4j.random.Noise;

/** The gradient function and its micro-batch definition. */
class GradientFunctionTest {

    private static Vae model() {
        return Vae.builder(12).hidden(9).latent(3).seed(4).build();
    }

    private static int[] ids(int n, int first) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = first + 3 * i;
        }
        return ids;
    }

    private static List<float[]> grads(LatentModel m) {
        List<float[]> g = new ArrayList<>();
        for (Parameter p : m.parameters()) {
            g.add(p.gradCopy().data);
        }
        return g;
    }

    /** Records the row count and first row id of every objective call. */
    private static final class Recording implements Objective {
        final NegativeElbo inner = new NegativeElbo();
        final List<int[]> calls = new ArrayList<>();

        @Override
        public Loss computeGradients(LatentModel model, Batch batch, StepContext context) {
            calls.add(new int[] {batch.rows(), batch.rowId(0)});
            return inner.computeGradients(model, batch, context);
        }

        @Override
        public String describe() {
            return "recording";
        }
    }

    @Test
    void microBatchesDifferByAtMostOneRowEarlierOnesLarger() {
        FMatrixRMaj x = GradientCheck.uniform(10, 12, 0, 1, new SplittableRandom(1));
        Recording rec = new Recording();
        int[] ids = ids(10, 100);
        new GradientFunction(rec, 3).compute(model(), new Batch().set(x, x, null, ids, 0),
                new StepContext(new Noise(1)).set(1, 0, 1.0, 10));
        assertEquals(3, rec.calls.size());
        assertArrayEquals(new int[] {4, 100}, rec.calls.get(0));
        assertArrayEquals(new int[] {3, 112}, rec.calls.get(1));
        assertArrayEquals(new int[] {3, 121}, rec.calls.get(2));
    }

    @Test
    void microBatchGradientIsTheIndexOrderSumOfEachPartScaledByTheWholeBatch() {
        FMatrixRMaj x = GradientCheck.uniform(10, 12, 0, 1, new SplittableRandom(2));
        int[] ids = ids(10, 0);
        Vae m = model();
        StepContext ctx = new StepContext(new Noise(3)).set(1, 0, 0.8, 10);
        Loss whole = new GradientFunction(new NegativeElbo(), 1).compute(m, new Batch().set(x, x, null, ids, 0), ctx);
        List<float[]> g1 = grads(m);
        Loss split = new GradientFunction(new NegativeElbo(), 3).compute(m, new Batch().set(x, x, null, ids, 0), ctx);
        List<float[]> g3 = grads(m);

        // by hand: each part's gradient into zeroed gradients, summed ((g0 + g1) + g2)
        int[][] parts = {{0, 4}, {4, 3}, {7, 3}};
        List<float[]> sum = null;
        for (int[] part : parts) {
            FMatrixRMaj px = new FMatrixRMaj(part[1], 12);
            System.arraycopy(x.data, part[0] * 12, px.data, 0, part[1] * 12);
            m.zeroGrad();
            new NegativeElbo().computeGradients(m, new Batch().set(px, px, null, ids, part[0]), ctx);
            List<float[]> g = grads(m);
            if (sum == null) {
                sum = g;
            } else {
                for (int k = 0; k < g.size(); k++) {
                    for (int i = 0; i < g.get(k).length; i++) {
                        sum.get(k)[i] += g.get(k)[i];
                    }
                }
            }
        }
        for (int k = 0; k < g3.size(); k++) {
            assertArrayEquals(sum.get(k), g3.get(k), "parameter " + k + ": the definition, bit for bit");
            for (int i = 0; i < g1.get(k).length; i++) {
                assertEquals(g1.get(k)[i], g3.get(k)[i], 1e-5 * Math.abs(g1.get(k)[i]) + 1e-7,
                        "parameter " + k + "[" + i + "]: the same gradient up to float rounding");
            }
        }
        // the same noise per row, so the same loss up to summation order (the vector Bernoulli
        // kernel sums in float lanes before double)
        assertEquals(whole.total(), split.total(), 1e-6 * Math.abs(whole.total()));
        assertEquals(whole.kl(), split.kl(), 1e-6 * Math.abs(whole.kl())); // GEMM paths differ by batch size
    }

    @Test
    void trainingWithMicroBatchesIsDeterministicAndCloseToWholeBatches() {
        FMatrixRMaj x = TrainerTest.prototypes(200, 20, 3);
        List<float[]> runs = new ArrayList<>();
        double[] losses = new double[3];
        int i = 0;
        for (int n : new int[] {2, 2, 1}) {
            Vae v = Vae.builder(20).hidden(16).latent(4).seed(1).build();
            losses[i++] = Trainer.builder().epochs(2).batchSize(32).microBatches(n).build().train(v, x).get(1).trainLoss();
            runs.add(v.parameters().get(0).valueCopy().data);
        }
        assertArrayEquals(runs.get(0), runs.get(1), "micro-batch training repeats bit for bit");
        assertEquals(losses[2], losses[0], 1e-3 * Math.abs(losses[2]), "and follows whole-batch training closely");
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new GradientFunction(new NegativeElbo(), 0));
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder().microBatches(-1));
        FMatrixRMaj x = new FMatrixRMaj(4, 12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GradientFunction(new NegativeElbo(), 1).compute(model(), Batch.of(x),
                        new StepContext(new Noise(1)).set(1, 0, 1.0, 5)));
        assertTrue(e.getMessage().contains("batch size is 5") && e.getMessage().contains("4 rows"), e.getMessage());
    }
}

package org.vae4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.kernel.Kernels;
import org.vae4j.optim.Adam;
import org.vae4j.random.Noise;
import org.vae4j.train.Trainer;

/**
 * The inference view against the model's own methods (bit for bit), its row-id noise, its
 * independence of the batch split and thread count, its snapshot rule, and its errors.
 */
class InferenceViewTest {

    private static final Noise NOISE = new Noise(17);

    @Test
    void everyMethodEqualsTheModelsOwnBitForBitOnEveryKind() {
        for (InferenceKinds.Kind k : InferenceKinds.all(300)) {
            ComposedLatentModel m = k.model();
            InferenceView v = m.inference(1);
            FMatrixRMaj x = k.x();
            FMatrixRMaj c = k.c();
            FMatrixRMaj mean = m.encodeMean(x, c);
            assertArrayEquals(mean.data, v.encodeMean(x, c).data, k.name() + " encodeMean");
            assertArrayEquals(m.decodeMean(mean, c).data, v.decodeMean(mean, c).data, k.name() + " decode");
            assertArrayEquals(m.reconstruct(x, c).data, v.reconstruct(x, c).data, k.name() + " reconstruct");
            // evaluate: the same per-row reconstruction terms and KL as the model's, whose row sums
            // the view's mean repeats exactly for the reconstruction term and to rounding for the KL
            Loss model = m.negativeElbo(x, c, NOISE);
            Loss view = v.negativeElbo(x, c, NOISE, 0).mean();
            assertEquals(model.reconstruction(), view.reconstruction(), 0.0, k.name() + " reconstruction");
            assertEquals(model.kl(), view.kl(), 1e-12 * Math.max(1, model.kl()), k.name() + " KL");
            assertTrue(model.kl() > 0 == m.hasStochasticPosterior(), k.name() + " KL " + model.kl());
        }
    }

    @Test
    void aSampledZIsTheOneEvaluateUsesAndDependsOnlyOnTheRowId() {
        InferenceKinds.Kind k = InferenceKinds.vae(40);
        InferenceView v = k.model().inference(1);
        FMatrixRMaj z = v.encodeSample(k.x(), null, NOISE, 100);
        FMatrixRMaj mu = v.encodeMean(k.x());
        assertFalse(Arrays.equals(z.data, mu.data), "a sample is not the mean");
        // row 7 alone, with its id 107, draws the same z as inside the batch
        FMatrixRMaj z7 = v.encodeSample(k.rows(7, 8), null, NOISE, 107);
        assertArrayEquals(Arrays.copyOfRange(z.data, 7 * 4, 8 * 4), z7.data);
        // another id, another z
        assertFalse(Arrays.equals(z7.data, v.encodeSample(k.rows(7, 8), null, NOISE, 7).data));
        // reconstructSample is decodeMean(encodeSample)
        assertArrayEquals(v.decodeMean(z).data, v.reconstructSample(k.x(), null, NOISE, 100).data);
        // the model's evaluate (rows keyed from 0) scores this z: -log p(x|z) of row 7 with id 7
        RowLosses l = v.negativeElbo(k.x(), null, NOISE, 0);
        FMatrixRMaj zAt0 = v.encodeSample(k.rows(7, 8), null, NOISE, 7);
        double[] nll = new double[1];
        FMatrixRMaj out = k.model().decoderOutput(zAt0);
        k.model().likelihood().negLogLikelihoodPerRow(out, k.rows(7, 8), nll);
        assertEquals(nll[0], l.reconstruction[7], 0.0);
    }

    @Test
    void priorSamplesAreKeyedByRowId() {
        InferenceKinds.Kind k = InferenceKinds.conditional(10);
        InferenceView v = k.model().inference(1);
        FMatrixRMaj s = v.sample(10, k.c(), NOISE, 50);
        FMatrixRMaj s3 = v.sample(1, k.conditions(3, 4), NOISE, 53);
        assertArrayEquals(Arrays.copyOfRange(s.data, 3 * 20, 4 * 20), s3.data);
        // the draw is decodeMean(z) with z the PRIOR stream of the id
        FMatrixRMaj z = new FMatrixRMaj(1, 4);
        NOISE.gaussian(new org.vae4j.random.CounterRandom(), Noise.PRIOR, 0, 53, 0, z.data, 0, 4);
        assertArrayEquals(k.model().decodeMean(z, k.conditions(3, 4)).data, s3.data);
    }

    @Test
    void aSplitCallEqualsTheSingleThreadedOneBitForBit() {
        for (InferenceKinds.Kind k : InferenceKinds.all(1000)) {
            InferenceView one = k.model().inference(1);
            InferenceView two = k.model().inference(2);
            InferenceView five = k.model().inference(5);
            FMatrixRMaj x = k.x();
            FMatrixRMaj c = k.c();
            assertArrayEquals(one.encodeMean(x, c).data, two.encodeMean(x, c).data, k.name());
            assertArrayEquals(one.encodeMean(x, c).data, five.encodeMean(x, c).data, k.name());
            assertArrayEquals(one.reconstructSample(x, c, NOISE, 3).data, five.reconstructSample(x, c, NOISE, 3).data,
                    k.name());
            RowLosses a = one.negativeElbo(x, c, NOISE, 9);
            RowLosses b = five.negativeElbo(x, c, NOISE, 9);
            assertArrayEquals(a.reconstruction, b.reconstruction, k.name());
            assertArrayEquals(a.kl, b.kl, k.name());
            assertEquals(a.mean(), b.mean());
            assertArrayEquals(one.sample(1000, c, NOISE, 4).data, two.sample(1000, c, NOISE, 4).data, k.name());
        }
    }

    @Test
    void theSeedVaeOnTheModelsThreadedGemmEqualsTheViewsSplitOne() {
        // 784-512-(32): the model's GEMMs are large enough for its thread pool (and fc1's for the
        // transposed product), the view's run on one thread per half of the rows
        Vae m = Vae.builder(784).seed(2).build();
        FMatrixRMaj x = InferenceKinds.binary(300, 784, 3);
        FMatrixRMaj mean = m.encodeMean(x);
        assertArrayEquals(mean.data, m.inference(2).encodeMean(x).data);
        assertArrayEquals(m.decodeMean(mean).data, m.inference(2).decodeMean(mean).data);
        assertArrayEquals(m.reconstruct(x).data, m.inference(1).reconstruct(x).data);
    }

    @Test
    void theReferenceBackendIsRowIndependentToo() {
        InferenceKinds.Kind k = InferenceKinds.vae(700);
        k.model().setKernels(Kernels.reference());
        InferenceView one = k.model().inference(1);
        InferenceView three = k.model().inference(3);
        assertEquals("ejml", three.kernels().gemm().name());
        assertArrayEquals(k.model().encodeMean(k.x()).data, three.encodeMean(k.x()).data);
        assertArrayEquals(one.negativeElbo(k.x(), null, NOISE, 0).reconstruction,
                three.negativeElbo(k.x(), null, NOISE, 0).reconstruction);
        FMatrixRMaj row = k.rows(650, 651);
        assertArrayEquals(Arrays.copyOfRange(one.encodeMean(k.x()).data, 650 * 4, 651 * 4),
                three.encodeMean(row).data);
    }

    @Test
    void partsCoverTheRowsWithEarlierOnesLarger() {
        assertEquals(0, InferenceView.partStart(10, 3, 0));
        assertEquals(4, InferenceView.partStart(10, 3, 1));
        assertEquals(7, InferenceView.partStart(10, 3, 2));
        assertEquals(10, InferenceView.partStart(10, 3, 3));
        assertEquals(1000, InferenceView.partStart(1000, 2, 2));
    }

    @Test
    void theViewIsASnapshotThatLaterTrainingDoesNotReach() {
        InferenceKinds.Kind k = InferenceKinds.composed(200);
        ComposedLatentModel m = k.model();
        InferenceView before = m.inference(2);
        FMatrixRMaj x = k.x();
        FMatrixRMaj meanBefore = m.encodeMean(x);
        RowLosses lossBefore = before.negativeElbo(x, null, NOISE, 0);
        assertEquals(m.parameterCount(), before.snapshotSize());
        Trainer.builder().epochs(2).batchSize(32).seed(1).build().train(m, x);
        m.parameterStore().get("likelihood.0.log_var").set(new float[] {0.5f, -0.5f});
        FMatrixRMaj meanAfter = m.encodeMean(x);
        assertFalse(Arrays.equals(meanBefore.data, meanAfter.data), "training changed the model");
        // the old view still serves the weights it was made with ...
        assertArrayEquals(meanBefore.data, before.encodeMean(x).data);
        assertArrayEquals(lossBefore.reconstruction, before.negativeElbo(x, null, NOISE, 0).reconstruction);
        // ... and a new view serves the new ones, the learned log-variance included
        InferenceView after = m.inference(2);
        assertArrayEquals(meanAfter.data, after.encodeMean(x).data);
        double[] nll = after.negativeElbo(x, null, NOISE, 0).reconstruction;
        assertFalse(Arrays.equals(lossBefore.reconstruction, nll));
        assertEquals(m.negativeElbo(x, NOISE).reconstruction(), after.negativeElbo(x, null, NOISE, 0).mean().reconstruction(),
                0.0);
    }

    @Test
    void anAdamStepOnTheModelLeavesTheViewsOutputsUnchanged() {
        InferenceKinds.Kind k = InferenceKinds.vae(64);
        Vae m = (Vae) k.model();
        InferenceView v = m.inference(1);
        FMatrixRMaj r0 = v.reconstruct(k.x());
        Adam adam = new Adam(1e-2);
        Steps.gradients(m, k.x(), 1.0, 5);
        adam.step(m.parameters());
        assertFalse(Arrays.equals(r0.data, m.reconstruct(k.x()).data));
        assertArrayEquals(r0.data, v.reconstruct(k.x()).data);
    }

    @Test
    void badInputAndUnsupportedModelsAreRefusedClearly() {
        InferenceKinds.Kind cv = InferenceKinds.conditional(5);
        InferenceView v = cv.model().inference(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.encodeMean(cv.x()));
        assertTrue(e.getMessage().contains("conditional"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> v.encodeMean(cv.x(), cv.conditions(0, 4)));
        assertTrue(e.getMessage().contains("must be (5, 3), got (4, 3)"), e.getMessage());
        InferenceView plain = InferenceKinds.vae(5).model().inference(1);
        e = assertThrows(IllegalArgumentException.class, () -> plain.encodeMean(new FMatrixRMaj(2, 19)));
        assertTrue(e.getMessage().contains("19 columns"), e.getMessage());
        FMatrixRMaj nan = new FMatrixRMaj(2, 20);
        nan.data[23] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> plain.encodeMean(nan));
        assertTrue(e.getMessage().contains("row 1, column 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> plain.decodeMean(new FMatrixRMaj(1, 3)));
        assertTrue(e.getMessage().contains("(n >= 1, 4)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> plain.sample(0, null, NOISE, 0));
        assertThrows(IllegalArgumentException.class, () -> plain.negativeElbo(cv.x(), null, null, 0));
        assertThrows(IllegalArgumentException.class, () -> plain.encodeSample(cv.x(), null, NOISE, -1));
        assertThrows(IllegalArgumentException.class, () -> cv.model().inference(0));
        // a user module without replicate: refused when the view is made, naming the module
        ExtensibilityTest.GatedVae gated = new ExtensibilityTest.GatedVae(6, 5, 2, 1);
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, gated::inference);
        assertTrue(u.getMessage().contains("ScaleShift") && u.getMessage().contains("replicate"), u.getMessage());
    }

    @Test
    void replicasReadTheSnapshotNotTheModel() {
        InferenceKinds.Kind k = InferenceKinds.autoencoder(30);
        ComposedLatentModel m = k.model();
        InferenceView v = m.inference(1);
        FMatrixRMaj before = v.encodeMean(k.x());
        // zero every weight of the model: the view is unaffected, the model's own output changes
        for (org.vae4j.nn.Parameter p : m.parameters()) {
            p.set(new float[p.size()]);
        }
        assertArrayEquals(before.data, v.encodeMean(k.x()).data);
        assertNotEquals(0f, before.data[0]);
        FMatrixRMaj zero = m.encodeMean(k.x());
        for (float f : zero.data) {
            assertEquals(0f, f);
        }
    }
}

package org.vae4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vae4j.Autoencoder;
import org.vae4j.GradientCheck;
import org.vae4j.Loss;
import org.vae4j.LatentModel;
import org.vae4j.objective.Batch;
import org.vae4j.objective.Corruption;
import org.vae4j.objective.NegativeElbo;
import org.vae4j.objective.Objective;
import org.vae4j.objective.StepContext;
import org.vae4j.random.Noise;
import org.vae4j.Vae;
import org.vae4j.kernel.Gemm;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.loss.GaussianKl;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Init;
import org.vae4j.nn.Parameter;
import org.vae4j.optim.Adam;

/** Denoising: batches whose encoder input differs from the likelihood's target, and the trainer's corruption. */
class DenoisingTest {

    private static final double BETA = 0.7;
    private static final float RELU_STEP = 2e-3f;

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("vae tanh 6-5-4-(2) bernoulli",
                        Vae.builder(6).init(Init.BY_ACTIVATION).hidden(5, 4).latent(2).activation(Activation.TANH).seed(3).build()),
                Arguments.of("vae tanh 6-5-(2) gaussian",
                        Vae.builder(6).init(Init.BY_ACTIVATION).hidden(5).latent(2).activation(Activation.TANH).seed(3)
                                .likelihood(GaussianLikelihood.withVariance(0.5)).build()),
                Arguments.of("vae relu 6-5-(2) bernoulli", Vae.builder(6).init(Init.BY_ACTIVATION).hidden(5).latent(2).seed(3).build()),
                Arguments.of("autoencoder tanh 6-5-(2) squared error",
                        Autoencoder.builder(6).init(Init.BY_ACTIVATION).hidden(5).latent(2).activation(Activation.TANH).seed(3).build()),
                Arguments.of("autoencoder tanh 6-5-4-(2) bernoulli",
                        Autoencoder.builder(6).init(Init.BY_ACTIVATION).hidden(5, 4).latent(2).activation(Activation.TANH).seed(3)
                                .likelihood(BernoulliLikelihood.INSTANCE).build()));
    }

    /** A clean target in [0, 1] and an input that is a masked and shifted copy of it. */
    private static FMatrixRMaj[] inputAndTarget(int rows) {
        SplittableRandom rng = new SplittableRandom(7);
        FMatrixRMaj target = GradientCheck.uniform(rows, 6, 0, 1, rng);
        FMatrixRMaj input = new FMatrixRMaj(rows, 6);
        Corruption.masking(0.4).apply(target, input, rng);
        input.data[1] += 0.3f; // the encoder accepts any finite input
        return new FMatrixRMaj[] {input, target};
    }

    private static boolean usesRelu(LatentModel model) {
        return ((org.vae4j.nn.Sequential) model.encoder()).modules().stream()
                .anyMatch(m -> m instanceof org.vae4j.nn.ActivationLayer a && a.activation() == Activation.RELU);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void gradientOfTheDenoisingLossMatchesFiniteDifferences(String name, LatentModel model) {
        FMatrixRMaj[] io = inputAndTarget(3);
        // a fresh generator per call: the same eps every time
        DoubleSupplier loss = () -> gradients(model, io[0], io[1], BETA, 11).total();
        loss.getAsDouble();
        List<FMatrixRMaj> analytic = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            analytic.add(p.gradCopy());
        }
        int skipped = 0;
        int total = 0;
        for (int k = 0; k < analytic.size(); k++) {
            Parameter p = model.parameters().get(k);
            total += p.size();
            if (usesRelu(model)) {
                skipped += GradientCheck.assertGradientSkippingKinks(p.name(), p, analytic.get(k), loss, RELU_STEP);
            } else {
                GradientCheck.assertGradient(p.name(), p, analytic.get(k), loss);
            }
        }
        assertTrue(skipped <= total / 20, skipped + " of " + total + " elements skipped as ReLU kinks");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theOneArgumentFormIsTheTwoArgumentFormWithTargetEqualToInput(String name, LatentModel model) {
        FMatrixRMaj[] io = inputAndTarget(4);
        FMatrixRMaj x = io[1];
        Loss one = gradients(model, x, x, BETA, 2);
        float[] grad = model.parameters().get(0).gradCopy().data;
        double two = gradients(model, x, x.copy(), BETA, 2).total();
        assertEquals(one.total(), two, 0.0);
        assertArrayEquals(grad, model.parameters().get(0).gradCopy().data);
        double denoising = gradients(model, io[0], x, BETA, 2).total();
        assertNotEquals(one.total(), denoising);
    }

    @Test
    void theEncoderSeesTheInputAndTheLikelihoodScoresTheTarget() {
        FMatrixRMaj[] io = inputAndTarget(4);
        Autoencoder ae = Autoencoder.builder(6).hidden(5).latent(2).seed(4).build();
        double loss = gradients(ae, io[0], io[1], 1.0, 1).total();
        FMatrixRMaj r = ae.reconstruct(io[0]);
        double se = 0;
        for (int i = 0; i < r.getNumElements(); i++) {
            se += (r.data[i] - io[1].data[i]) * (double) (r.data[i] - io[1].data[i]);
        }
        assertEquals(se / 4, loss, 1e-6 * loss);

        Vae vae = Vae.builder(6).hidden(5).latent(2).seed(4).build();
        double kl = gradients(vae, io[0], io[1], 1.0, 1).kl();
        Vae.Encoding q = vae.encode(io[0]);
        assertEquals(GaussianKl.forward(q.mu(), q.logvar()) / 4, kl, 1e-6);
    }

    /** The loss and gradients of one batch whose encoder input and likelihood target differ. */
    static Loss gradients(LatentModel model, FMatrixRMaj input, FMatrixRMaj target, double beta, long seed) {
        int[] ids = new int[input.numRows];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        Batch b = new Batch().set(input, target, null, ids, 0);
        StepContext ctx = new StepContext(new Noise(seed)).set(1, 0, beta, input.numRows);
        return new GradientFunction(new NegativeElbo(), 1).compute(model, b, ctx);
    }

    @Test
    void inputAndTargetMustHaveTheSameShapeAndTheTrainingDataMustBeValid() {
        FMatrixRMaj[] io = inputAndTarget(4);
        Vae vae = Vae.builder(6).hidden(5).latent(2).seed(4).build();
        FMatrixRMaj outOfRange = io[0].copy();
        outOfRange.data[0] = 1.5f;
        gradients(vae, outOfRange, io[1], 1.0, 1); // an encoder input outside [0, 1]: fine
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gradients(vae, new FMatrixRMaj(3, 6), io[1], 1.0, 1));
        assertTrue(e.getMessage().contains("(4, 6)") && e.getMessage().contains("(3, 6)"), e.getMessage());
        // the clean data (the targets) are checked once, by the trainer
        e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().epochs(1).corruption(Corruption.masking(0.5)).build().train(vae, outOfRange));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
    }

    /** Records what the trainer passes to the objective. */
    private static final class Recorder implements Objective {
        final Autoencoder model = Autoencoder.builder(30).hidden(8).latent(2).seed(1).build();
        final NegativeElbo inner = new NegativeElbo();
        final List<FMatrixRMaj[]> calls = new ArrayList<>();

        @Override
        public Loss computeGradients(LatentModel m, Batch batch, StepContext context) {
            FMatrixRMaj input = batch.input();
            FMatrixRMaj target = batch.target();
            calls.add(new FMatrixRMaj[] {input.copy(), target.copy(), input == target ? input : null});
            return inner.computeGradients(m, batch, context);
        }

        @Override
        public String describe() {
            return "recorder";
        }
    }

    @Test
    void theTrainerCorruptsACopyOfEachBatchAndKeepsTheCleanBatchAsTarget() {
        FMatrixRMaj data = new FMatrixRMaj(50, 30);
        java.util.Arrays.fill(data.data, 0.5f);
        for (int r = 0; r < 50; r++) {
            data.set(r, 0, r / 100f); // identifies the row
        }
        Recorder model = new Recorder();
        Trainer.builder().epochs(2).batchSize(16).corruption(Corruption.masking(0.25)).objective(() -> model).build()
                .train(model.model, data);
        assertEquals(8, model.calls.size()); // 4 batches (16, 16, 16, 2) per epoch
        int masked = 0;
        int values = 0;
        for (FMatrixRMaj[] call : model.calls) {
            FMatrixRMaj input = call[0];
            FMatrixRMaj target = call[1];
            assertEquals(target.numRows, input.numRows);
            for (int r = 0; r < target.numRows; r++) {
                float id = target.get(r, 0);
                assertEquals(Math.round(id * 100) / 100f, id, "target row " + r + " is a clean data row");
                for (int j = 1; j < 30; j++) {
                    assertEquals(0.5f, target.get(r, j));
                    float v = input.get(r, j);
                    assertTrue(v == 0f || v == 0.5f);
                    masked += v == 0f ? 1 : 0;
                    values++;
                }
            }
        }
        assertEquals(0.25, (double) masked / values, 0.03);

        Recorder plain = new Recorder();
        Trainer.builder().epochs(1).batchSize(16).objective(() -> plain).build().train(plain.model, data);
        for (FMatrixRMaj[] call : plain.calls) {
            assertTrue(call[2] != null, "without corruption the input is the target");
        }
    }

    /** Rows of clean prototypes (4 random binary patterns, no noise) and the same rows masked. */
    static FMatrixRMaj prototypes(int n, int d, long seed) {
        SplittableRandom protoRng = new SplittableRandom(99); // the same prototypes for every set
        float[][] protos = new float[4][d];
        for (float[] p : protos) {
            for (int j = 0; j < d; j++) {
                p[j] = protoRng.nextBoolean() ? 1f : 0f;
            }
        }
        SplittableRandom rng = new SplittableRandom(seed);
        FMatrixRMaj x = new FMatrixRMaj(n, d);
        for (int r = 0; r < n; r++) {
            System.arraycopy(protos[rng.nextInt(4)], 0, x.data, r * d, d);
        }
        return x;
    }

    private static double denoisingError(Autoencoder ae, FMatrixRMaj clean, FMatrixRMaj masked) {
        FMatrixRMaj r = ae.reconstruct(masked);
        double se = 0;
        for (int i = 0; i < r.getNumElements(); i++) {
            double diff = r.data[i] - clean.data[i];
            se += diff * diff;
        }
        return se / clean.numRows;
    }

    @Test
    void aDenoisingAutoencoderRestoresMaskedPrototypesBetterThanAPlainOne() {
        FMatrixRMaj train = prototypes(1000, 64, 1);
        FMatrixRMaj test = prototypes(200, 64, 2);
        FMatrixRMaj masked = new FMatrixRMaj(200, 64);
        Corruption.masking(0.5).apply(test, masked, new SplittableRandom(3));

        Autoencoder plain = Autoencoder.builder(64).hidden(32).latent(8).seed(4).build();
        Autoencoder denoising = Autoencoder.builder(64).hidden(32).latent(8).seed(4).build();
        Trainer.Builder settings = Trainer.builder().epochs(20).batchSize(32).seed(5).optimizer(() -> new Adam(3e-3));
        settings.build().train(plain, train);
        settings.corruption(Corruption.masking(0.5)).build().train(denoising, train);

        double plainError = denoisingError(plain, test, masked);
        double denoisingError = denoisingError(denoising, test, masked);
        assertTrue(denoisingError < 0.25 * plainError,
                "squared error per image on masked inputs: denoising " + denoisingError + ", plain " + plainError);
        assertTrue(denoisingError < 0.1, "denoising error " + denoisingError + " (64 pixels, 32 of them masked)");
    }
}

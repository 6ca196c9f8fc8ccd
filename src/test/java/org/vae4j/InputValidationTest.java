package org.vae4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.optim.Adam;
import org.vae4j.optim.Sgd;
import org.vae4j.train.Trainer;

/** Each precondition fails with an {@link IllegalArgumentException} whose message names the problem. */
class InputValidationTest {

    private static Vae smallVae() {
        return Vae.builder(6).hidden(4).latent(2).seed(1).build();
    }

    private static Trainer oneEpoch() {
        return Trainer.builder().epochs(1).batchSize(4).build();
    }

    /** Asserts {@code call} throws IllegalArgumentException whose message contains every fragment. */
    private static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        String msg = e.getMessage();
        for (String f : fragments) {
            assertTrue(msg != null && msg.contains(f), "message '" + msg + "' lacks '" + f + "'");
        }
    }

    @Test
    void wrongInputWidthNamesBothWidths() {
        Vae vae = smallVae();
        FMatrixRMaj x = new FMatrixRMaj(3, 5);
        assertRejected(() -> Steps.gradients(vae, x, 1.0, 1), "5 columns", "input size is 6");
        assertRejected(() -> vae.encode(x), "5 columns", "6");
        assertRejected(() -> oneEpoch().train(vae, x), "5 columns", "input size is 6");
        Autoencoder ae = Autoencoder.builder(6).hidden(4).latent(2).build();
        assertRejected(() -> Steps.gradients(ae, x, 0, 1), "5 columns", "6");
    }

    @Test
    void emptyTrainingDataIsRejected() {
        assertRejected(() -> oneEpoch().train(smallVae(), new FMatrixRMaj(0, 6)), "empty", "0 rows");
        assertRejected(() -> oneEpoch().train(smallVae(), new float[0][]), "empty", "0 rows");
        assertRejected(() -> Steps.gradients(smallVae(), new FMatrixRMaj(0, 6), 1.0, 1),
                "empty", "0 rows");
    }

    @Test
    void raggedRowsAreRejected() {
        float[][] rows = {new float[6], new float[5]};
        assertRejected(() -> oneEpoch().train(smallVae(), rows), "row 1", "5 values", "6");
    }

    @Test
    void valuesOutsideUnitIntervalAreRejectedForBernoulliWithTheValue() {
        FMatrixRMaj x = new FMatrixRMaj(3, 6);
        x.set(2, 4, 1.5f);
        assertRejected(() -> oneEpoch().train(smallVae(), x), "1.5", "row 2", "column 4", "[0, 1]");
        x.set(2, 4, -0.1f);
        assertRejected(() -> Steps.gradients(smallVae(), x, 1.0, 1),
                "-0.1", "row 2", "column 4");
    }

    @Test
    void nonFiniteDataIsRejectedWithRowAndColumn() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            FMatrixRMaj x = new FMatrixRMaj(3, 6);
            x.set(1, 3, bad);
            assertRejected(() -> oneEpoch().train(smallVae(), x), "non-finite", String.valueOf(bad), "row 1", "column 3");
            // The Gaussian likelihood accepts any finite value, but not these.
            Vae gaussian = Vae.builder(6).hidden(4).latent(2).likelihood(GaussianLikelihood.withVariance(1)).build();
            assertRejected(() -> Steps.gradients(gaussian, x, 1.0, 1),
                    "non-finite", "row 1", "column 3");
        }
    }

    @Test
    void nonPositiveTrainerSettingsAreRejected() {
        assertRejected(() -> Trainer.builder().batchSize(0), "batch size", "0");
        assertRejected(() -> Trainer.builder().batchSize(-3), "batch size", "-3");
        assertRejected(() -> Trainer.builder().epochs(0), "epochs", "0");
        assertRejected(() -> Trainer.builder().klWarmupSteps(-1), "warm-up", "-1");
    }

    @Test
    void negativeOrNonFiniteBetaIsRejected() {
        assertRejected(() -> Trainer.builder().beta(-0.5), "beta", "-0.5");
        assertRejected(() -> Trainer.builder().beta(Double.NaN), "beta", "NaN");
        FMatrixRMaj x = new FMatrixRMaj(2, 6);
        assertRejected(() -> Steps.gradients(smallVae(), x, -1.0, 1), "beta", "-1.0");
    }

    @Test
    void nonPositiveModelSizesAreRejected() {
        assertRejected(() -> Vae.builder(6).latent(0), "latent size", "0");
        assertRejected(() -> Autoencoder.builder(6).latent(-2), "latent size", "-2");
        assertRejected(() -> Vae.builder(6).hidden(5, 0), "hidden width 1", "0");
        assertRejected(() -> Vae.builder(6).hidden(), "hidden", "at least one");
        assertRejected(() -> Vae.builder(6).decoderHidden(0), "decoder hidden width 0", "0");
        assertRejected(() -> Vae.builder(0), "input size", "0");
    }

    @Test
    void badOptimiserSettingsAreRejected() {
        assertRejected(() -> new Adam(1e-3, 1.0, 0.999, 1e-8), "betas", "1.0");
        assertRejected(() -> new Adam(1e-3, 0.9, -0.1, 1e-8), "betas", "-0.1");
        assertRejected(() -> new Adam(1e-3, 0.9, 0.999, -1), "eps", "-1");
        assertRejected(() -> new Adam(0), "learning rate", "0");
        assertRejected(() -> new Adam(-1e-3), "learning rate", "-0.001");
        assertRejected(() -> new Adam(Double.NaN), "learning rate", "NaN");
        assertRejected(() -> new Sgd(0, 0.9), "learning rate", "0");
        assertRejected(() -> new Sgd(0.1, 1.0), "momentum", "1.0");
        assertRejected(() -> new Adam().setLearningRate(-1), "learning rate", "-1");
    }

    @Test
    void noiseOfTheWrongShapeIsRejected() {
        FMatrixRMaj x = new FMatrixRMaj(3, 6);
        assertRejected(() -> Steps.gradients(smallVae(), x, new FMatrixRMaj(3, 3), 1.0), "noise", "(3, 2)", "(3, 3)");
    }
}

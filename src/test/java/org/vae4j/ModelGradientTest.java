package org.vae4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.loss.GaussianKl;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Init;
import org.vae4j.nn.ActivationLayer;
import org.vae4j.nn.Parameter;

/**
 * Whole-model gradients: every parameter's gradient from {@code computeGradients} against
 * central differences of the returned {@link Loss#total()}, with the noise held fixed.
 */
class ModelGradientTest {

    private static final double BETA = 0.7;
    /** Step for ReLU models: small, so few kinks fall within it; kinks that do are skipped. */
    private static final float RELU_STEP = 2e-3f;

    static Stream<Arguments> vaes() {
        return Stream.of(
                Arguments.of("tanh 6-5-4-(2) bernoulli",
                        Vae.builder(6).init(Init.BY_ACTIVATION).hidden(5, 4).latent(2).activation(Activation.TANH).seed(3).build()),
                Arguments.of("tanh 6-5-4-(2) gaussian",
                        Vae.builder(6).init(Init.BY_ACTIVATION).hidden(5, 4).latent(2).activation(Activation.TANH).seed(3)
                                .likelihood(GaussianLikelihood.withVariance(0.5)).build()),
                Arguments.of("relu 6-5-(2) bernoulli", Vae.builder(6).init(Init.BY_ACTIVATION).hidden(5).latent(2).seed(3).build()),
                Arguments.of("relu 6-5-(2) gaussian", Vae.builder(6).init(Init.BY_ACTIVATION).hidden(5).latent(2).seed(3)
                        .likelihood(GaussianLikelihood.withVariance(0.5)).build()));
    }

    static Stream<Arguments> autoencoders() {
        return Stream.of(
                Arguments.of("tanh 6-5-(2) squared error",
                        Autoencoder.builder(6).init(Init.BY_ACTIVATION).hidden(5).latent(2).activation(Activation.TANH).seed(3).build()),
                Arguments.of("tanh 6-5-4-(2) bernoulli",
                        Autoencoder.builder(6).init(Init.BY_ACTIVATION).hidden(5, 4).latent(2).activation(Activation.TANH).seed(3)
                                .likelihood(BernoulliLikelihood.INSTANCE).build()));
    }

    private static FMatrixRMaj data(int rows, SplittableRandom rng) {
        return GradientCheck.uniform(rows, 6, 0, 1, rng);
    }

    private static FMatrixRMaj noise(int rows, int latent, SplittableRandom rng) {
        FMatrixRMaj eps = new FMatrixRMaj(rows, latent);
        for (int i = 0; i < eps.getNumElements(); i++) {
            eps.data[i] = (float) rng.nextGaussian();
        }
        return eps;
    }

    private static boolean usesRelu(LatentModel model) {
        return ((org.vae4j.nn.Sequential) model.encoder()).modules().stream()
                .anyMatch(m -> m instanceof ActivationLayer a && a.activation() == Activation.RELU);
    }

    /** Checks every parameter's gradient, which {@code loss} leaves in the parameters, against finite differences. */
    private static void assertEveryParameterGradient(LatentModel model, DoubleSupplier loss) {
        loss.getAsDouble();
        List<FMatrixRMaj> analytic = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            analytic.add(p.gradCopy()); // the loss below zeroes and recomputes the gradients
        }
        boolean relu = usesRelu(model);
        int skipped = 0;
        int total = 0;
        for (int k = 0; k < analytic.size(); k++) {
            Parameter p = model.parameters().get(k);
            total += p.size();
            if (relu) {
                skipped += GradientCheck.assertGradientSkippingKinks(p.name(), p, analytic.get(k), loss,
                        RELU_STEP);
            } else {
                GradientCheck.assertGradient(p.name(), p, analytic.get(k), loss);
            }
        }
        assertTrue(skipped <= total / 20, skipped + " of " + total + " elements skipped as ReLU kinks");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vaes")
    void vaeGradientOfEveryParameterMatchesFiniteDifferences(String name, Vae vae) {
        SplittableRandom rng = new SplittableRandom(7);
        FMatrixRMaj x = data(3, rng);
        FMatrixRMaj eps = noise(3, 2, rng);
        assertEveryParameterGradient(vae, () -> Steps.gradients(vae, x, eps, BETA).total());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("autoencoders")
    void autoencoderGradientOfEveryParameterMatchesFiniteDifferences(String name, Autoencoder ae) {
        FMatrixRMaj x = data(3, new SplittableRandom(7));
        assertEveryParameterGradient(ae, () -> Steps.gradients(ae, x, BETA, 1).total());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vaes")
    void vaeTotalIsReconstructionPlusBetaTimesKl(String name, Vae vae) {
        SplittableRandom rng = new SplittableRandom(7);
        FMatrixRMaj x = data(3, rng);
        FMatrixRMaj eps = noise(3, 2, rng);
        for (double beta : new double[] {0, 0.3, 1, 4}) {
            Loss loss = Steps.gradients(vae, x, eps, beta);
            assertEquals(loss.reconstruction() + beta * loss.kl(), loss.total(), 1e-12 * Math.abs(loss.total()),
                    "beta " + beta);
            assertTrue(loss.kl() > 0, "kl " + loss.kl());
        }
    }

    @Test
    void vaeLossPartsArePerExampleReconstructionAndKlOfTheEncoderOutput() {
        Vae vae = Vae.builder(6).init(Init.BY_ACTIVATION).hidden(5, 4).latent(2).activation(Activation.TANH).seed(3).build();
        FMatrixRMaj x = data(3, new SplittableRandom(7));
        FMatrixRMaj zeroNoise = new FMatrixRMaj(3, 2); // z = mu

        Loss loss = Steps.gradients(vae, x, zeroNoise, 1.0);

        Vae.Encoding q = vae.encode(x);
        assertEquals(GaussianKl.forward(q.mu(), q.logvar()) / 3, loss.kl(), 1e-6);
        FMatrixRMaj p = vae.decodeMean(q.mu()); // pixel probabilities
        double bce = 0;
        for (int i = 0; i < x.getNumElements(); i++) {
            bce -= x.data[i] * Math.log(p.data[i]) + (1 - x.data[i]) * Math.log(1 - p.data[i]);
        }
        assertEquals(bce / 3, loss.reconstruction(), 1e-5);
    }

    @Test
    void autoencoderLossHasNoKlAndIgnoresBeta() {
        Autoencoder ae = Autoencoder.builder(6).init(Init.BY_ACTIVATION).hidden(5).latent(2).activation(Activation.TANH).seed(3).build();
        FMatrixRMaj x = data(3, new SplittableRandom(7));
        Loss a = Steps.gradients(ae, x, 0.0, 1);
        Loss b = Steps.gradients(ae, x, 5.0, 2);
        assertEquals(0.0, a.kl(), 0.0);
        assertEquals(a.reconstruction(), a.total(), 0.0);
        assertEquals(a, b);
    }

    /** The loss is a mean over examples: each row twice (with its noise twice) changes nothing. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vaes")
    void vaeLossAndGradientsArePerExample(String name, Vae vae) {
        SplittableRandom rng = new SplittableRandom(7);
        FMatrixRMaj x = data(2, rng);
        FMatrixRMaj eps = noise(2, 2, rng);

        Loss once = Steps.gradients(vae, x, eps, BETA);
        List<float[]> gradsOnce = gradients(vae);
        Loss twice = Steps.gradients(vae, duplicateRows(x), duplicateRows(eps), BETA);

        assertLossesAndGradientsEqual(once, gradsOnce, twice, vae);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("autoencoders")
    void autoencoderLossAndGradientsArePerExample(String name, Autoencoder ae) {
        FMatrixRMaj x = data(2, new SplittableRandom(7));

        Loss once = Steps.gradients(ae, x, 1, 1);
        List<float[]> gradsOnce = gradients(ae);
        Loss twice = Steps.gradients(ae, duplicateRows(x), 1, 1);

        assertLossesAndGradientsEqual(once, gradsOnce, twice, ae);
    }

    private static void assertLossesAndGradientsEqual(Loss once, List<float[]> gradsOnce, Loss twice,
                                                      LatentModel model) {
        assertEquals(once.total(), twice.total(), 1e-6 * Math.abs(once.total()));
        assertEquals(once.reconstruction(), twice.reconstruction(), 1e-6 * Math.abs(once.reconstruction()));
        assertEquals(once.kl(), twice.kl(), 1e-6 * Math.abs(once.kl()));
        List<float[]> gradsTwice = gradients(model);
        for (int k = 0; k < gradsOnce.size(); k++) {
            float[] a = gradsOnce.get(k);
            float[] b = gradsTwice.get(k);
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-6 + 1e-5 * Math.abs(a[i]),
                        model.parameters().get(k).name() + "[" + i + "]");
            }
        }
    }

    /** Rows r0, r1, ... become r0, r0, r1, r1, ... */
    private static FMatrixRMaj duplicateRows(FMatrixRMaj m) {
        FMatrixRMaj d = new FMatrixRMaj(2 * m.numRows, m.numCols);
        for (int r = 0; r < m.numRows; r++) {
            for (int c = 0; c < m.numCols; c++) {
                d.set(2 * r, c, m.get(r, c));
                d.set(2 * r + 1, c, m.get(r, c));
            }
        }
        return d;
    }

    private static List<float[]> gradients(LatentModel model) {
        List<float[]> g = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            g.add(p.gradCopy().data);
        }
        return g;
    }
}

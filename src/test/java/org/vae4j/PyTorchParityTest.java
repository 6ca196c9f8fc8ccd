package org.vae4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vae4j.Fixture.assertClose;
import static org.vae4j.Fixture.assertTensor;

import java.util.List;
import java.util.function.Supplier;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.nn.Parameter;
import org.vae4j.optim.Adam;
import org.vae4j.optim.Optimizer;
import org.vae4j.optim.Sgd;

/**
 * Parity with PyTorch: the same weights, inputs and noise give the same loss, every parameter
 * gradient, and the same parameters after three optimiser steps, to ~1e-5 relative. The fixtures
 * come from src/test/python/make_parity_fixtures.py (float32 PyTorch).
 */
class PyTorchParityTest {

    /** Relative tolerance, plus an absolute floor scaled by the tensor's largest value. */

    @Test
    void vaeWithBernoulliLikelihoodMatchesLossAndEveryGradient() {
        Fixture f = Fixture.load("/parity/vae_bernoulli.txt");
        Vae vae = Vae.builder(12).hidden(8).latent(3).build();
        loadParameters(vae, f, "");
        Loss loss = Steps.gradients(vae, f.tensor("x"), f.tensor("eps0"), f.scalar("beta"));

        assertClose(f.scalar("loss"), loss.total(), "loss");
        assertClose(f.scalar("recon"), loss.reconstruction(), "recon");
        assertClose(f.scalar("kl"), loss.kl(), "kl");
        assertGradients(vae, f);
        Vae.Encoding enc = vae.encode(f.tensor("x"));
        assertTensor(f.tensor("mu"), enc.mu(), "mu");
        assertTensor(f.tensor("logvar"), enc.logvar(), "logvar");
    }

    @Test
    void vaeAdamStepsMatchPyTorch() {
        Fixture f = Fixture.load("/parity/vae_bernoulli.txt");
        Vae vae = Vae.builder(12).hidden(8).latent(3).build();
        loadParameters(vae, f, "");
        Adam adam = new Adam(1e-2);
        for (int k = 0; k < 3; k++) {
            Loss loss = Steps.gradients(vae, f.tensor("x"), f.tensor("eps" + k), f.scalar("beta"));
            assertClose(f.scalar("adam.loss" + k), loss.total(), "adam.loss" + k);
            adam.step(vae.parameters());
        }
        assertParameters(vae, f, "adam.");
        Loss last = Steps.gradients(vae, f.tensor("x"), f.tensor("eps3"), f.scalar("beta"));
        assertClose(f.scalar("adam.loss3"), last.total(), "adam.loss3");
    }

    @Test
    void vaeWithGaussianLikelihoodMatchesLossAndEveryGradient() {
        Fixture f = Fixture.load("/parity/vae_gaussian.txt");
        Vae vae = Vae.builder(12).hidden(8).latent(3)
                .likelihood(GaussianLikelihood.withVariance(f.scalar("variance"))).build();
        loadParameters(vae, f, "");
        Loss loss = Steps.gradients(vae, f.tensor("x"), f.tensor("eps0"), f.scalar("beta"));

        assertClose(f.scalar("loss"), loss.total(), "loss");
        assertClose(f.scalar("recon"), loss.reconstruction(), "recon");
        assertClose(f.scalar("kl"), loss.kl(), "kl");
        assertGradients(vae, f);
    }

    @Test
    void autoencoderMatchesLossAndEveryGradient() {
        Fixture f = Fixture.load("/parity/ae_squared_error.txt");
        Autoencoder ae = hintonStyleAutoencoder();
        loadParameters(ae, f, "");
        Loss loss = Steps.gradients(ae, f.tensor("x"), null, 1.0);

        assertClose(f.scalar("loss"), loss.total(), "loss");
        assertGradients(ae, f);
        assertTensor(f.tensor("code"), ae.encode(f.tensor("x")), "code");
        assertTensor(f.tensor("out"), ae.reconstruct(f.tensor("x")), "out");
    }

    @Test
    void autoencoderSgdWithMomentumStepsMatchPyTorch() {
        optimiserStepsMatch(() -> new Sgd(0.05, 0.9), "sgd.");
    }

    @Test
    void autoencoderAdamStepsMatchPyTorch() {
        optimiserStepsMatch(() -> new Adam(1e-2), "adam.");
    }

    private static void optimiserStepsMatch(Supplier<Optimizer> optimiser, String prefix) {
        Fixture f = Fixture.load("/parity/ae_squared_error.txt");
        Autoencoder ae = hintonStyleAutoencoder();
        loadParameters(ae, f, "");
        Optimizer opt = optimiser.get();
        for (int k = 0; k < 3; k++) {
            Loss loss = Steps.gradients(ae, f.tensor("x"), null, 1.0);
            assertClose(f.scalar(prefix + "loss" + k), loss.total(), prefix + "loss" + k);
            opt.step(ae.parameters());
        }
        assertParameters(ae, f, prefix);
    }

    /** 12-8-5-(3)-5-8-12, ReLU hidden, linear code, sigmoid output, squared error: the fixture's shape. */
    private static Autoencoder hintonStyleAutoencoder() {
        return Autoencoder.builder(12).hidden(8, 5).latent(3).build();
    }

    private static void loadParameters(LatentModel model, Fixture f, String prefix) {
        for (Parameter p : model.parameters()) {
            FMatrixRMaj ref = f.tensor(prefix + p.name());
            assertEquals(p.rows(), ref.numRows, p.name() + " rows");
            assertEquals(p.cols(), ref.numCols, p.name() + " cols");
            p.set(ref.data);
        }
    }

    private static void assertGradients(LatentModel model, Fixture f) {
        List<Parameter> ps = model.parameters();
        assertTrue(ps.size() >= 10, "every parameter is compared");
        for (Parameter p : ps) {
            assertTensor(f.tensor("grad." + p.name()), p.gradCopy(), "grad." + p.name());
        }
    }

    private static void assertParameters(LatentModel model, Fixture f, String prefix) {
        for (Parameter p : model.parameters()) {
            assertTensor(f.tensor(prefix + p.name()), p.valueCopy(), prefix + p.name());
        }
    }
}

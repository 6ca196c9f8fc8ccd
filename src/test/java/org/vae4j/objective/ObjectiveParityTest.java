package org.vae4j.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vae4j.Fixture.assertClose;
import static org.vae4j.objective.ObjectiveChecks.assertGradients;
import static org.vae4j.objective.ObjectiveChecks.gradients;
import static org.vae4j.objective.ObjectiveChecks.loadParameters;

import org.junit.jupiter.api.Test;
import org.vae4j.ConditionalVae;
import org.vae4j.Fixture;
import org.vae4j.Loss;
import org.vae4j.Vae;
import org.vae4j.loss.LearnedGaussianLikelihood;

/**
 * Parity with PyTorch for the objectives beyond the plain ELBO: the IWAE bound with K = 5 and
 * K = 1, of a conditional VAE and with a learned variance per column, and free bits; loss and
 * every gradient, on the fixed weights, inputs and noise of src/test/python/make_objective_fixtures.py
 * and make_cvae_fixtures.py (float32 PyTorch; autograd differentiates every path of log q and
 * log p), to ~1e-5 relative.
 */
class ObjectiveParityTest {

    @Test
    void iwaeBoundWithFiveSamplesMatchesPyTorchLossAndEveryGradient() {
        Fixture f = Fixture.load("/parity/iwae.txt");
        Vae vae = Vae.builder(12).hidden(8).latent(3).build();
        loadParameters(vae, f);
        int k = (int) f.scalar("samples");
        Loss loss = gradients(new NegativeIwaeBound(k), vae, f.tensor("x"), f.tensor("eps"), 1.0);

        assertClose(f.scalar("loss"), loss.total(), "loss");
        assertClose(f.scalar("recon"), loss.reconstruction(), "recon (sample mean of -log p(x|z))");
        assertClose(f.scalar("kl"), loss.kl(), "kl (sample mean of log q - log p)");
        assertGradients(vae, f, "grad.");
    }

    @Test
    void iwaeBoundWithOneSampleMatchesPyTorch() {
        Fixture f = Fixture.load("/parity/iwae.txt");
        Vae vae = Vae.builder(12).hidden(8).latent(3).build();
        loadParameters(vae, f);
        Loss loss = gradients(new NegativeIwaeBound(1), vae, f.tensor("x"), f.tensor("eps1"), 1.0);

        assertClose(f.scalar("k1.loss"), loss.total(), "k1.loss");
        assertGradients(vae, f, "grad1.");
    }

    @Test
    void iwaeBoundOfAConditionalVaeMatchesPyTorchLossAndEveryGradient() {
        Fixture f = Fixture.load("/parity/cvae_iwae.txt");
        ConditionalVae cvae = ConditionalVae.builder(6, 3).hidden(5).latent(2)
                .conditionScale(f.scalar("condition_scale")).build();
        loadParameters(cvae, f);
        int k = (int) f.scalar("samples");
        Loss loss = gradients(new NegativeIwaeBound(k), cvae, f.tensor("x"), f.tensor("c"), f.tensor("eps"), 1.0, 1);

        assertClose(f.scalar("loss"), loss.total(), "loss");
        assertClose(f.scalar("recon"), loss.reconstruction(), "recon (sample mean of -log p(x|z,c))");
        assertClose(f.scalar("kl"), loss.kl(), "kl (sample mean of log q(z|x,c) - log p(z))");
        assertGradients(cvae, f, "grad.");
    }

    @Test
    void iwaeBoundWithALearnedVariancePerColumnMatchesPyTorchIncludingTheLogVarianceGradient() {
        Fixture f = Fixture.load("/parity/iwae_learned_gaussian.txt");
        Vae vae = Vae.builder(12).hidden(8).latent(3).likelihood(LearnedGaussianLikelihood.perColumn(12)).build();
        loadParameters(vae, f);
        assertEquals("likelihood.log_var", vae.parameters().get(vae.parameters().size() - 1).name());
        int k = (int) f.scalar("samples");
        Loss loss = gradients(new NegativeIwaeBound(k), vae, f.tensor("x"), f.tensor("eps"), 1.0);

        assertClose(f.scalar("loss"), loss.total(), "loss");
        assertClose(f.scalar("recon"), loss.reconstruction(), "recon (sample mean of -log p(x|z))");
        assertClose(f.scalar("kl"), loss.kl(), "kl");
        assertGradients(vae, f, "grad.");
    }

    @Test
    void freeBitsMatchPyTorchLossAndEveryGradientWithDimensionsOnBothSidesOfLambda() {
        Fixture f = Fixture.load("/parity/free_bits.txt");
        Vae vae = Vae.builder(12).hidden(8).latent(4).build();
        loadParameters(vae, f);
        double lambda = f.scalar("lambda");
        Loss loss = gradients(new NegativeElbo(lambda), vae, f.tensor("x"), f.tensor("eps0"), f.scalar("beta"));

        assertClose(f.scalar("loss"), loss.total(), "loss");
        assertClose(f.scalar("recon"), loss.reconstruction(), "recon");
        assertClose(f.scalar("kl"), loss.kl(), "kl (unclamped)");
        assertGradients(vae, f, "grad.");
    }
}

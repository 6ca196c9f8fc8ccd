package org.vae4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vae4j.optim.ParityAssertions.assertClose;
import static org.vae4j.optim.ParityAssertions.assertTensor;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Autoencoder;
import org.vae4j.Fixture;
import org.vae4j.Loss;
import org.vae4j.nn.Parameter;

/**
 * End to end: the Java autoencoder's own gradients, clipped and stepped with AdamW, follow
 * PyTorch for 3 steps (adamw_clip.txt): losses, total norms and final parameters to ~1e-5.
 * The only test here that uses the model classes ({@code Autoencoder.builder},
 * {@code computeGradients}, {@code parameters}); {@code AdamWClipParityTest} is the model-free one.
 */
class AdamWClipAutoencoderParityTest {

    @Test
    void autoencoderTrainedWithClippingAndAdamWFollowsPyTorch() {
        Fixture f = Fixture.load("/parity/adamw_clip.txt");
        Autoencoder ae = Autoencoder.builder(12).hidden(8, 5).latent(3).build();
        for (Parameter p : ae.parameters()) {
            FMatrixRMaj ref = f.tensor(p.name());
            assertEquals(ref.getNumElements(), p.size(), p.name());
            p.set(ref.data);
        }
        AdamW opt = new AdamW(f.scalar("lr"), f.scalar("weight_decay"));
        for (int k = 0; k < 3; k++) {
            Loss loss = org.vae4j.Steps.gradients(ae, f.tensor("x"), null, 1.0);
            assertClose(f.scalar("loss" + k), loss.total(), "loss" + k);
            double norm = GradientClipping.clipGradNorm(ae.parameters(), f.scalar("max_norm"));
            assertClose(f.scalar("norm" + k), norm, "norm" + k);
            opt.step(ae.parameters());
        }
        assertEquals(ParityAssertions.AE_PARAMETERS.size(), ae.parameters().size());
        for (Parameter p : ae.parameters()) {
            assertTensor(f.tensor("adamw." + p.name()), p.valueCopy(), "adamw." + p.name());
        }
    }
}

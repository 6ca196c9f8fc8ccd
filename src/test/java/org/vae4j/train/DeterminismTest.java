package org.vae4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.vae4j.train.TrainerTest.prototypes;
import static org.vae4j.train.TrainerTest.smallVae;
import static org.vae4j.train.TrainerTest.snapshot;

import java.util.Arrays;
import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Autoencoder;
import org.vae4j.Vae;

/** The same seed gives the same numbers, run after run. */
class DeterminismTest {

    @Test
    void sameSeedGivesBitIdenticalParameters() {
        FMatrixRMaj x = prototypes(100, 20, 1);
        Trainer t = Trainer.builder().epochs(3).batchSize(16).seed(9).build();
        Vae a = smallVae();
        Vae b = smallVae();
        List<EpochStats> ha = t.train(a, x);
        List<EpochStats> hb = t.train(b, x);
        float[][] pa = snapshot(a);
        float[][] pb = snapshot(b);
        for (int i = 0; i < pa.length; i++) {
            assertArrayEquals(pa[i], pb[i], "parameter " + a.parameters().get(i).name());
        }
        for (int e = 0; e < 3; e++) {
            assertEquals(ha.get(e).trainLoss(), hb.get(e).trainLoss(), 0.0);
        }
    }

    @Test
    void differentSeedGivesDifferentParameters() {
        FMatrixRMaj x = prototypes(100, 20, 1);
        Vae a = smallVae();
        Vae b = smallVae();
        Trainer.builder().epochs(1).batchSize(16).seed(1).build().train(a, x);
        Trainer.builder().epochs(1).batchSize(16).seed(2).build().train(b, x);
        assertFalse(Arrays.equals(snapshot(a)[0], snapshot(b)[0]));
    }

    @Test
    void autoencoderTrainingIsRepeatable() {
        FMatrixRMaj x = prototypes(50, 20, 2);
        Trainer t = Trainer.builder().epochs(2).batchSize(8).build();
        Autoencoder a = Autoencoder.builder(20).hidden(12, 8).latent(3).seed(4).build();
        Autoencoder b = Autoencoder.builder(20).hidden(12, 8).latent(3).seed(4).build();
        t.train(a, x);
        t.train(b, x);
        float[][] pa = snapshot(a);
        float[][] pb = snapshot(b);
        for (int i = 0; i < pa.length; i++) {
            assertArrayEquals(pa[i], pb[i], "parameter " + a.parameters().get(i).name());
        }
    }
}

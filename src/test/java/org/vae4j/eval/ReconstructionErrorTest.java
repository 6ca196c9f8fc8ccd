package org.vae4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.Autoencoder;
import org.vae4j.Loss;
import org.vae4j.Vae;

class ReconstructionErrorTest {

    private static double naive(FMatrixRMaj r, FMatrixRMaj x) {
        double s = 0;
        for (int i = 0; i < x.numRows; i++) {
            for (int j = 0; j < x.numCols; j++) {
                double d = r.get(i, j) - x.get(i, j);
                s += d * d;
            }
        }
        return s / x.numRows;
    }

    @Test
    void matricesGiveTheSumOverPixelsAveragedOverImages() {
        FMatrixRMaj x = new FMatrixRMaj(new float[][] {{0, 1, 0.5f}, {1, 1, 1}});
        FMatrixRMaj r = new FMatrixRMaj(new float[][] {{0.5f, 1, 0}, {1, 0, 1}});
        assertEquals((0.25 + 0.25 + 1) / 2, ReconstructionError.squaredErrorPerImage(r, x), 1e-12);
        assertThrows(IllegalArgumentException.class,
                () -> ReconstructionError.squaredErrorPerImage(new FMatrixRMaj(2, 2), x));
    }

    @Test
    void vaeReconstructsThroughThePosteriorMean() {
        Vae vae = Vae.builder(9).hidden(6).latent(2).seed(1).build();
        FMatrixRMaj x = EvalFixtures.uniform(2300, 9, 2); // three chunks
        double expected = naive(vae.decodeMean(vae.encode(x).mu()), x);
        assertEquals(expected, ReconstructionError.squaredErrorPerImage(vae, x), 1e-9 * expected);
    }

    @Test
    void autoencoderErrorIsItsSquaredErrorLoss() {
        Autoencoder ae = Autoencoder.builder(9).hidden(6).latent(2).seed(1).build();
        FMatrixRMaj x = EvalFixtures.uniform(2300, 9, 3);
        double se = ReconstructionError.squaredErrorPerImage(ae, x);
        assertEquals(naive(ae.reconstruct(x), x), se, 1e-9 * se);
        Loss loss = ae.negativeElbo(x, new java.util.SplittableRandom(1)); // the default likelihood is the plain squared error
        assertEquals(loss.reconstruction(), se, 1e-9 * se);
    }
}

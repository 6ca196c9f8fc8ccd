package org.vae4j;

import java.util.List;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.nn.Activation;
import org.vae4j.nn.ActivationLayer;
import org.vae4j.nn.Dense;
import org.vae4j.nn.Dropout;
import org.vae4j.nn.Init;
import org.vae4j.nn.LayerNorm;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.Sequential;
import org.vae4j.prob.DiagonalGaussianPosterior;

/**
 * The model kinds the inference view tests run on, small and with non-trivial weights: a VAE, an
 * autoencoder, a conditional VAE, and a ComposedLatentModel of its own (LayerNorm, tanh, Dropout,
 * the composite table likelihood with a learned log-variance, missing cells), each with data.
 */
final class InferenceKinds {

    private InferenceKinds() {
    }

    /** A model with the data and conditions its calls use. */
    record Kind(String name, ComposedLatentModel model, FMatrixRMaj x, FMatrixRMaj c) {
        /** Rows [start, end) of the data. */
        FMatrixRMaj rows(int start, int end) {
            return org.vae4j.internal.Rows.copyRows(x, start, end, new FMatrixRMaj(1, 1));
        }

        /** Rows [start, end) of the conditions, or null. */
        FMatrixRMaj conditions(int start, int end) {
            return c == null ? null : org.vae4j.internal.Rows.copyRows(c, start, end, new FMatrixRMaj(1, 1));
        }
    }

    static List<Kind> all(int rows) {
        return List.of(vae(rows), autoencoder(rows), conditional(rows), composed(rows));
    }

    static Kind vae(int rows) {
        Vae m = Vae.builder(20).hidden(16).latent(4).seed(3).build();
        perturb(m, 1);
        return new Kind("vae", m, binary(rows, 20, 5), null);
    }

    static Kind autoencoder(int rows) {
        Autoencoder m = Autoencoder.builder(20).hidden(16, 8).latent(3).seed(4).build();
        perturb(m, 2);
        return new Kind("ae", m, binary(rows, 20, 6), null);
    }

    static Kind conditional(int rows) {
        ConditionalVae m = ConditionalVae.builder(20, 3).hidden(16).latent(4).seed(5).build();
        perturb(m, 3);
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = (r * 7) % 3;
        }
        return new Kind("cvae", m, binary(rows, 20, 7), ConditionalVae.oneHot(labels, 3));
    }

    /** Dense-LayerNorm-tanh-Dropout encoder, Gaussian posterior, Dense-relu-Dense decoder, table likelihood. */
    static Kind composed(int rows) {
        SplittableRandom rng = new SplittableRandom(8);
        Sequential encoder = new Sequential(List.of(new Dense(8, 12, Init.TORCH_DEFAULT, rng), new LayerNorm(12),
                new ActivationLayer(Activation.TANH, 12), new Dropout(12, 0.3, 9)));
        DiagonalGaussianPosterior q = new DiagonalGaussianPosterior(12, 3, Init.TORCH_DEFAULT, rng);
        Sequential decoder = Sequential.mlp(null, new int[] {3, 12, 9},
                new Activation[] {Activation.RELU, Activation.IDENTITY}, Init.TORCH_DEFAULT, rng);
        ComposedLatentModel m = new ComposedLatentModel("test-composed", "encoder", encoder, q, "decoder", decoder,
                CompositeModelTest.table());
        perturb(m, 4);
        return new Kind("composed", m, CompositeModelTest.mixedTable(rows, 0.1, 10), null);
    }

    /** Adds noise to every parameter (LayerNorm's gamma and beta and the log-variance included). */
    static void perturb(LatentModel m, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Parameter p : m.parameters()) {
            float[] v = new float[p.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = p.value(i) + (float) (0.2 * rng.nextGaussian());
            }
            p.set(v);
        }
    }

    static FMatrixRMaj binary(int rows, int cols, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        FMatrixRMaj x = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = rng.nextDouble() < 0.3 + 0.4 * ((i / cols) % 2) ? 1f : 0f;
        }
        return x;
    }
}

package org.vae4j.examples;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.Vae;
import org.vae4j.io.ModelFiles;
import org.vae4j.io.TrainingState;
import org.vae4j.optim.Adam;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;

/**
 * Trains a VAE on your own data given as {@code float[][]}: here 8x8 pictures of random bars,
 * made up on the spot. Prints the loss of every epoch, the loss on held-out rows, a few
 * reconstructions and samples as text, and saves the model.
 *
 * <pre>examples/run TrainOwnData [OUT.safetensors]     (default out/bars-vae.safetensors)</pre>
 */
public final class TrainOwnData {

    public static void main(String[] args) throws Exception {
        Path modelFile = Path.of(args.length > 0 ? args[0] : "out/bars-vae.safetensors");

        // 1. Data: one row per example, values in [0, 1] (the Bernoulli likelihood's range).
        float[][] train = bars(4000, new SplittableRandom(1));
        float[][] heldOut = bars(500, new SplittableRandom(2));

        // 2. The model: 64 inputs, one hidden layer of 128 ReLUs, a 4-dimensional latent space.
        Vae vae = Vae.builder(64).hidden(128).latent(4).seed(7).build();

        // 3. The trainer: Adam, 30 epochs of shuffled batches of 64; a listener prints every 5th epoch.
        Trainer trainer = Trainer.builder()
                .epochs(30).batchSize(64).seed(7)
                .optimizer(() -> new Adam(2e-3))
                .listener(s -> {
                    if (s.epoch() % 5 == 0) {
                        System.out.printf("epoch %2d  loss %.3f nats (reconstruction %.3f + KL %.3f)%n",
                                s.epoch(), s.trainLoss(), s.reconstruction(), s.kl());
                    }
                })
                .build();
        List<EpochStats> history = trainer.train(vae, train);

        // 4. Use it: the loss on rows it never saw (one z draw per row), reconstructions, samples.
        double negElbo = vae.negativeElbo(new FMatrixRMaj(heldOut), new SplittableRandom(3)).total();
        System.out.printf("held-out -ELBO: %.3f nats per example%n%n", negElbo);
        FMatrixRMaj some = new FMatrixRMaj(new float[][] {heldOut[0], heldOut[1], heldOut[2]});
        show("held-out rows", some);
        show("their reconstructions", vae.reconstruct(some)); // (3, 64): decodeMean(encodeMean(x))
        show("samples from the prior", vae.sample(3, new SplittableRandom(4))); // (3, 64): z ~ N(0, I), decoded

        // 5. Save it with its training history; it loads into vae4j or PyTorch (docs/MODEL_FILES.md).
        ModelFiles.save(vae, modelFile, TrainingState.of(trainer, history), Map.of("data", "8x8 bars"));
        System.out.println("saved " + modelFile);
    }

    /** n pictures of 8x8 pixels, each with one or two full horizontal or vertical bars. */
    static float[][] bars(int n, SplittableRandom rng) {
        float[][] x = new float[n][64];
        for (float[] img : x) {
            int count = 1 + rng.nextInt(2);
            for (int b = 0; b < count; b++) {
                int k = rng.nextInt(8);
                boolean horizontal = rng.nextBoolean();
                for (int i = 0; i < 8; i++) {
                    img[horizontal ? k * 8 + i : i * 8 + k] = 1f;
                }
            }
        }
        return x;
    }

    /** Prints 8x8 pictures side by side: '#' for a pixel above 0.5, '+' above 0.2. */
    private static void show(String title, FMatrixRMaj pictures) {
        System.out.println(title + ":");
        for (int i = 0; i < 8; i++) {
            StringBuilder line = new StringBuilder("  ");
            for (int p = 0; p < pictures.numRows; p++) {
                for (int j = 0; j < 8; j++) {
                    float v = pictures.get(p, i * 8 + j);
                    line.append(v > 0.5f ? '#' : v > 0.2f ? '+' : '.');
                }
                line.append("    ");
            }
            System.out.println(line);
        }
        System.out.println();
    }
}

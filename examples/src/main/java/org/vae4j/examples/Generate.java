package org.vae4j.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.io.ModelFiles;

/**
 * Loads a VAE from a model file and writes a grid of new images sampled from its prior.
 *
 * <pre>examples/run Generate MODEL.safetensors OUT.png [COUNT [SEED]]     (default 64 images, seed 1)</pre>
 */
public final class Generate {

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: examples/run Generate MODEL.safetensors OUT.png [COUNT [SEED]]");
            System.exit(2);
        }
        try {
            run(Path.of(args[0]), Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 64,
                    args.length > 3 ? Long.parseLong(args[3]) : 1L);
        } catch (IOException | IllegalArgumentException e) { // a missing or corrupt file, a bad number
            System.err.println("Generate: " + e.getMessage());
            System.exit(1);
        }
    }

    static void run(Path modelFile, Path png, int count, long seed) throws IOException {
        // The file holds the architecture; load() builds the right model (a file from PyTorch works too).
        LatentModel model = ModelFiles.load(modelFile);
        if (!model.hasStochasticPosterior()) {
            throw new IllegalArgumentException(modelFile + " holds an autoencoder, which has no prior to sample from");
        }
        // z ~ N(0, I), decoded to pixel probabilities: (count, 784) for MNIST.
        FMatrixRMaj images = model.sample(count, new SplittableRandom(seed));
        int side = Pictures.squareSide(model.inputSize());
        int cols = (int) Math.ceil(Math.sqrt(count));
        Pictures.writePng(Pictures.grid(images, side, side, cols, 2), png);
        System.out.printf("wrote %d samples of the VAE %s to %s%n", count, model.describe(), png);
    }
}

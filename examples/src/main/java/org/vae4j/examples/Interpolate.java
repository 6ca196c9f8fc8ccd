package org.vae4j.examples;

import java.io.IOException;
import java.nio.file.Path;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.data.DatasetSplits;
import org.vae4j.data.ImageDataset;
import org.vae4j.eval.Interpolation;
import org.vae4j.eval.LatentSpace;
import org.vae4j.io.ModelFiles;

/**
 * Interpolates between the codes of two test images and writes the decoded path as a PNG: the
 * first row linear, the second spherical, each between the two originals.
 *
 * <pre>examples/run Interpolate MODEL.safetensors OUT.png [FROM TO [STEPS]]
 *     FROM, TO: test image numbers (default 0 and 1), STEPS: points per path (default 10)</pre>
 *
 * The test images come from MNIST, found as by the trainer ($VAE4J_DATA, the cache, ...); set
 * {@code -Dvae4j.dataset=fashion-mnist} for Fashion-MNIST.
 */
public final class Interpolate {

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: examples/run Interpolate MODEL.safetensors OUT.png [FROM TO [STEPS]]");
            System.exit(2);
        }
        try {
            run(Path.of(args[0]), Path.of(args[1]), args.length > 3 ? Integer.parseInt(args[2]) : 0,
                    args.length > 3 ? Integer.parseInt(args[3]) : 1, args.length > 4 ? Integer.parseInt(args[4]) : 10);
        } catch (IOException | IllegalArgumentException e) { // a missing or corrupt file, a bad number
            System.err.println("Interpolate: " + e.getMessage());
            System.exit(1);
        }
    }

    static void run(Path modelFile, Path png, int from, int to, int steps) throws IOException {
        LatentModel model = ModelFiles.load(modelFile);
        DatasetSplits data = ExampleData.load(System.getProperty("vae4j.dataset", "mnist"), null);
        ImageDataset test = data.test();
        if (from < 0 || to < 0 || from >= test.size() || to >= test.size()) {
            throw new IllegalArgumentException("test images are numbered 0.." + (test.size() - 1));
        }
        FMatrixRMaj a = test.select(new int[] {from}).images(); // (1, 784)
        FMatrixRMaj b = test.select(new int[] {to}).images();

        // Encode both (the posterior mean for a VAE), walk from one code to the other, decode each point.
        FMatrixRMaj linear;
        FMatrixRMaj spherical;
        linear = LatentSpace.interpolate(model, a, b, steps, Interpolation.LINEAR);
        spherical = LatentSpace.interpolate(model, a, b, steps, Interpolation.SPHERICAL);

        // Two rows: original a, the path, original b.
        FMatrixRMaj grid = Pictures.stack(a, linear, b, a, spherical, b);
        Pictures.writePng(Pictures.grid(grid, test.rows(), test.cols(), steps + 2, 2, 1,
                new String[] {"linear", "spherical"}, 0, steps), png);
        System.out.printf("wrote the interpolations between test images %d (label %d) and %d (label %d) to %s%n",
                from, test.labels()[from], to, test.labels()[to], png);
    }
}

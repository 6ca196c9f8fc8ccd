package org.vae4j.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.data.ImageDataset;
import org.vae4j.eval.ActiveUnits;
import org.vae4j.eval.Elbo;
import org.vae4j.eval.ElboEstimate;
import org.vae4j.eval.ImportanceWeighted;
import org.vae4j.eval.LatentUsage;
import org.vae4j.eval.LogLikelihoodEstimate;
import org.vae4j.eval.ReconstructionError;
import org.vae4j.io.ModelFiles;

/**
 * Loads a model saved by PyTorch ({@code safetensors.torch.save_file(model.state_dict(), path)};
 * see examples/python/train_pytorch_vae.py) or by vae4j, and evaluates it on the MNIST test set:
 * for a VAE the negative ELBO, the importance-weighted log-likelihood and the active units, for an
 * autoencoder the squared reconstruction error.
 *
 * <pre>examples/run LoadPyTorchModel MODEL.safetensors</pre>
 */
public final class LoadPyTorchModel {

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: examples/run LoadPyTorchModel MODEL.safetensors");
            System.exit(2);
        }
        try {
            run(Path.of(args[0]));
        } catch (IOException | IllegalArgumentException e) { // a missing or corrupt file
            System.err.println("LoadPyTorchModel: " + e.getMessage());
            System.exit(1);
        }
    }

    static void run(Path file) throws IOException {
        // A file without vae4j metadata gets its architecture from the tensor names and shapes:
        // fc1, fc_mu, fc_logvar, fc3, fc4 is the seed VAE (ReLU, Bernoulli logits).
        Map<String, String> meta = ModelFiles.readMetadata(file);
        LatentModel model = ModelFiles.load(file);
        System.out.printf("%s: %s (%s)%n", file, (model.hasStochasticPosterior() ? "VAE " : "autoencoder ")
                + model.describe(),
                meta.containsKey("vae4j.model") ? "written by vae4j" : "no vae4j metadata: architecture from the tensors");

        ImageDataset test = ExampleData.load("mnist", null).test();
        FMatrixRMaj x = test.images(); // (10000, 784), pixels in [0, 1]
        if (model.hasStochasticPosterior()) {
                // -ELBO with 10 z draws per image, as the PyTorch reference evaluates it.
            ElboEstimate elbo = Elbo.estimate(model, x, 10, new SplittableRandom(1));
            System.out.printf("test -ELBO: %.3f +- %.3f nats (reconstruction %.3f + KL %.3f; 10 z samples)%n",
                    elbo.negativeElbo(), elbo.standardError(), elbo.reconstruction(), elbo.kl());
            // log p(x) >= ELBO; the importance-weighted bound with k = 100 is tighter.
            FMatrixRMaj head = test.head(1000).images();
            LogLikelihoodEstimate ll = ImportanceWeighted.logLikelihood(model, head, 100, new SplittableRandom(2));
            System.out.printf("test log p(x): %.3f +- %.3f nats (importance-weighted, k=100, first 1000 images)%n",
                    ll.logLikelihood(), ll.standardError());
            ActiveUnits au = LatentUsage.activeUnits(model, x);
            System.out.printf("active units: %d of %d (Var_x E[z_u|x] > %.2f)%n", au.count(), au.dimensions(),
                    au.threshold());
            System.out.printf("squared error per image (reconstructing through the mean): %.3f%n",
                    ReconstructionError.squaredErrorPerImage(model, x));
        } else {
            System.out.printf("test squared error per image: %.3f%n",
                    ReconstructionError.squaredErrorPerImage(model, x));
        }
    }
}

package org.vae4j.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
 * <pre>examples/run LoadPyTorchModel MODEL.safetensors [--names OLD=NEW,...]</pre>
 *
 * <p>{@code --names} maps the file's tensor or module names to vae4j's ({@code fc1, fc_mu,
 * fc_logvar, fc3, fc4}, {@code encoder.N}, {@code decoder.N}) for a state_dict whose layout no
 * rule knows ({@link ModelFiles#load(Path, Map)}); the known ones (pytorch/examples' {@code
 * fc21}/{@code fc22}, nn.Sequential indices, {@code encoder.}/{@code decoder.} prefixes) need none.
 */
public final class LoadPyTorchModel {

    static final String USAGE = "usage: examples/run LoadPyTorchModel MODEL.safetensors [--names OLD=NEW,...]";

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the program in this JVM (tests); returns the exit status: 0, 1 for a bad file, 2 for bad arguments. */
    static int execute(String... args) {
        Path file;
        Map<String, String> names;
        try {
            if (args.length != 1 && !(args.length == 3 && args[1].equals("--names"))) {
                throw new IllegalArgumentException(USAGE);
            }
            file = Path.of(args[0]);
            names = args.length == 3 ? names(args[2]) : Map.of();
        } catch (IllegalArgumentException e) {
            System.err.println("LoadPyTorchModel: " + e.getMessage());
            return 2;
        }
        try {
            run(file, names);
            return 0;
        } catch (IOException | IllegalArgumentException e) { // a missing or corrupt file
            System.err.println("LoadPyTorchModel: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Parses {@code --names}: comma-separated {@code OLD=NEW} pairs, e.g. {@code enc.mean=fc_mu,dec.out=fc4}.
     *
     * @throws IllegalArgumentException naming the flag and the pair that is not OLD=NEW, or a name given twice
     */
    static Map<String, String> names(String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : spec.split(",", -1)) {
            int eq = pair.indexOf('=');
            String from = eq < 0 ? "" : pair.substring(0, eq).trim();
            String to = eq < 0 ? "" : pair.substring(eq + 1).trim();
            if (from.isEmpty() || to.isEmpty() || to.contains("=")) {
                throw new IllegalArgumentException("--names: '" + pair + "' is not OLD=NEW (e.g. --names "
                        + "enc.mean=fc_mu,dec.out=fc4)");
            }
            if (m.put(from, to) != null) {
                throw new IllegalArgumentException("--names: '" + from + "' is given twice");
            }
        }
        return m;
    }

    static void run(Path file) throws IOException {
        run(file, Map.of());
    }

    static void run(Path file, Map<String, String> names) throws IOException {
        // A file without vae4j metadata gets its architecture from the tensor names and shapes:
        // fc1, fc_mu, fc_logvar, fc3, fc4 is the seed VAE (ReLU, Bernoulli logits).
        Map<String, String> meta = ModelFiles.readMetadata(file);
        LatentModel model = names.isEmpty() ? ModelFiles.load(file) : ModelFiles.load(file, names);
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

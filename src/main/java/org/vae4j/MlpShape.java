package org.vae4j;

import java.util.Arrays;
import java.util.random.RandomGenerator;

import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Sequential;

/**
 * The dense shape {@link Vae} and {@link Autoencoder} share: encoder and decoder hidden widths,
 * the hidden activation and the decoder's output activation; it builds their two MLPs and
 * describes them. Immutable (arrays copied in and out).
 */
final class MlpShape {

    private final int[] hidden;
    private final int[] decoderHidden;
    private final Activation activation;
    private final Activation outputActivation;

    MlpShape(ModelBuilder<?> b) {
        this.hidden = b.hidden.clone();
        this.decoderHidden = b.decoderWidths();
        this.activation = b.activation;
        this.outputActivation = b.resolvedOutputActivation();
    }

    int[] hidden() {
        return hidden.clone();
    }

    int[] decoderHidden() {
        return decoderHidden.clone();
    }

    Activation activation() {
        return activation;
    }

    Activation outputActivation() {
        return outputActivation;
    }

    /**
     * input -> hidden widths (-> code), every layer with the hidden activation except a linear code.
     *
     * @param code  the code width of a last linear layer, or 0 for none (a VAE's heads follow)
     * @param names the Dense layers' names, or null for nn.Sequential's indices
     */
    Sequential encoder(int input, int code, String[] names, ModelBuilder<?> b, RandomGenerator rng) {
        int n = hidden.length + (code > 0 ? 1 : 0);
        int[] sizes = new int[n + 1];
        sizes[0] = input;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        Activation[] acts = new Activation[n];
        Arrays.fill(acts, activation);
        if (code > 0) {
            sizes[n] = code;
            acts[n - 1] = Activation.IDENTITY;
        }
        return Sequential.mlp(names, sizes, acts, b.init, rng);
    }

    /**
     * latent -> decoder hidden widths -> the likelihood's output width for the input (the input
     * width, or more: a heteroscedastic Gaussian's mean and log-variance), the last layer with
     * the output activation.
     */
    Sequential decoder(int latent, int input, String[] names, ModelBuilder<?> b, RandomGenerator rng) {
        int[] sizes = new int[decoderHidden.length + 2];
        sizes[0] = latent;
        System.arraycopy(decoderHidden, 0, sizes, 1, decoderHidden.length);
        sizes[decoderHidden.length + 1] = b.likelihood.outputWidth(input);
        Activation[] acts = new Activation[decoderHidden.length + 1];
        Arrays.fill(acts, activation);
        acts[decoderHidden.length] = outputActivation;
        return Sequential.mlp(names, sizes, acts, b.init, rng);
    }

    /** E.g. {@code 784-512-(32)-512-784 relu bernoulli}. */
    String describe(int input, int latent, Likelihood likelihood) {
        StringBuilder s = new StringBuilder().append(input);
        for (int h : hidden) {
            s.append('-').append(h);
        }
        s.append("-(").append(latent).append(')');
        for (int h : decoderHidden) {
            s.append('-').append(h);
        }
        s.append('-').append(input);
        return s.append(' ').append(activation.name().toLowerCase()).append(' ').append(likelihood.describe())
                .toString();
    }
}

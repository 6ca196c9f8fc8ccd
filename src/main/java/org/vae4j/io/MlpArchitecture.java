package org.vae4j.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Activation;

/**
 * The architecture entries of the built-in dense models ({@code vae}, {@code ae}): widths,
 * activations and likelihood, as {@link VaeCodec} and {@link AutoencoderCodec} write and read
 * them, with the size bound they check before building, and the helpers that read widths from a
 * PyTorch state_dict's shapes. The tensor names and shapes themselves are the models'
 * ({@code model.parameters()}). Immutable.
 */
final class MlpArchitecture {

    static final String INPUT_SIZE = ModelFiles.PREFIX + "input_size";
    static final String HIDDEN_SIZES = ModelFiles.PREFIX + "hidden_sizes";
    static final String DECODER_HIDDEN_SIZES = ModelFiles.PREFIX + "decoder_hidden_sizes";
    static final String LATENT_SIZE = ModelFiles.PREFIX + "latent_size";
    static final String ACTIVATION = ModelFiles.PREFIX + "activation";
    static final String OUTPUT_ACTIVATION = ModelFiles.PREFIX + "output_activation";

    final int inputSize;
    final int[] hidden;        // encoder hidden widths, input side first
    final int[] decoderHidden; // decoder hidden widths, latent side first
    final int latent;
    final Activation activation;
    final Activation outputActivation;
    final Likelihood likelihood;

    MlpArchitecture(int inputSize, int[] hidden, int[] decoderHidden, int latent, Activation activation,
                    Activation outputActivation, Likelihood likelihood) {
        this.inputSize = inputSize;
        this.hidden = hidden.clone();
        this.decoderHidden = decoderHidden.clone();
        this.latent = latent;
        this.activation = activation;
        this.outputActivation = outputActivation;
        this.likelihood = likelihood;
    }

    /** Writes the entries (the likelihood's through its {@link LikelihoodCodec}). */
    void writeTo(Map<String, String> out) {
        out.put(INPUT_SIZE, Integer.toString(inputSize));
        out.put(HIDDEN_SIZES, MetadataJson.intArray(hidden));
        out.put(DECODER_HIDDEN_SIZES, MetadataJson.intArray(decoderHidden));
        out.put(LATENT_SIZE, Integer.toString(latent));
        out.put(ACTIVATION, ModelHeader.activationName(activation));
        out.put(OUTPUT_ACTIVATION, ModelHeader.activationName(outputActivation));
        LikelihoodCodecs.write(likelihood, out);
    }

    /** The entries of a file. */
    static MlpArchitecture read(ModelHeader h) throws ModelFileException {
        int input = h.positiveInt(INPUT_SIZE);
        int[] hidden = h.widths(HIDDEN_SIZES);
        int[] decoderHidden = h.widths(DECODER_HIDDEN_SIZES);
        int latent = h.positiveInt(LATENT_SIZE);
        Activation activation = h.activation(ACTIVATION);
        Activation output = h.activation(OUTPUT_ACTIVATION);
        Likelihood likelihood = h.likelihood();
        Activation required = likelihood.requiredOutputActivation();
        if (required != null && output != required) {
            throw h.error("metadata declares output activation " + ModelHeader.activationName(output)
                    + " but the " + likelihood.describe() + " likelihood needs " + ModelHeader.activationName(required));
        }
        return new MlpArchitecture(input, hidden, decoderHidden, latent, activation, output, likelihood);
    }

    /**
     * Refuses an architecture bigger than the file's tensors before it is allocated.
     *
     * @param heads whether q(z|x) has the VAE's two linear heads (else the encoder ends in a code layer)
     */
    void checkFits(ModelHeader h, String what, boolean heads) throws ModelFileException {
        List<long[]> weights = new ArrayList<>(); // (out, in) of every Dense layer
        int previous = inputSize;
        for (int w : hidden) {
            weights.add(new long[] {w, previous});
            previous = w;
        }
        if (heads) {
            weights.add(new long[] {latent, previous});
            weights.add(new long[] {latent, previous});
        } else {
            weights.add(new long[] {latent, previous});
        }
        previous = latent;
        for (int w : decoderHidden) {
            weights.add(new long[] {w, previous});
            previous = w;
        }
        int outputWidth;
        try {
            outputWidth = likelihood.outputWidth(inputSize);
        } catch (IllegalArgumentException e) {
            throw h.error("the " + likelihood.describe() + " likelihood does not fit input size " + inputSize + ": "
                    + e.getMessage());
        }
        weights.add(new long[] {outputWidth, previous});
        long total = 0;
        long[] largest = weights.get(0);
        long largestSize = 0;
        for (long[] w : weights) {
            long size = ModelHeader.saturatingMultiply(w[0], w[1]);
            if (size > largestSize) {
                largestSize = size;
                largest = w;
            }
            total = ModelHeader.saturatingAdd(total, ModelHeader.saturatingAdd(size, w[0]));
        }
        h.checkFits(what, total, largest);
    }

    /** E.g. {@code 784-512-(32)-512-784 relu bernoulli}. */
    String describe() {
        StringBuilder s = new StringBuilder().append(inputSize);
        for (int w : hidden) {
            s.append('-').append(w);
        }
        s.append("-(").append(latent).append(')');
        for (int w : decoderHidden) {
            s.append('-').append(w);
        }
        return s.append('-').append(inputSize).append(' ').append(ModelHeader.activationName(activation)).append(' ')
                .append(likelihood.describe()).toString();
    }

    // ------------------------------------------------------------------ PyTorch state_dicts

    /** The weights {@code prefix.N.weight}, by N, which must run 0, 2, 4, ... as nn.Sequential(Linear, act, ...) has them. */
    static List<TensorInfo> sequential(ModelHeader h, String prefix) throws ModelFileException {
        TreeMap<Integer, TensorInfo> byIndex = new TreeMap<>();
        for (TensorInfo t : h.tensors().values()) {
            String n = t.name();
            if (!n.startsWith(prefix + ".") || !n.endsWith(".weight")) {
                continue;
            }
            // "prefix.weight" itself starts with "prefix." and ends with ".weight", overlapping
            String index = n.length() < prefix.length() + 1 + ".weight".length() ? ""
                    : n.substring(prefix.length() + 1, n.length() - ".weight".length());
            if (!index.matches("[0-9]{1,6}")) {
                throw h.error("tensor '" + n + "' is not an nn.Sequential Linear weight");
            }
            byIndex.put(Integer.parseInt(index), requireMatrix(h, n));
        }
        int expected = 0;
        for (Map.Entry<Integer, TensorInfo> e : byIndex.entrySet()) {
            if (e.getKey() != expected) {
                throw h.error("tensor '" + e.getValue().name() + "': expected " + prefix + "."
                        + expected + ".weight next; vae4j reads nn.Sequential(Linear, activation, Linear, ...) with "
                        + "Linear layers at indices 0, 2, 4, ...");
            }
            expected += 2;
        }
        return new ArrayList<>(byIndex.values());
    }

    /** The output widths of the first {@code count} layers. */
    static int[] outputs(List<TensorInfo> layers, int count) {
        int[] widths = new int[count];
        for (int i = 0; i < count; i++) {
            widths[i] = (int) layers.get(i).shape()[0];
        }
        return widths;
    }

    /** A 2-D tensor whose dimensions are positive ints. */
    static TensorInfo requireMatrix(ModelHeader h, String name) throws ModelFileException {
        TensorInfo t = h.tensors().get(name);
        if (t == null) {
            throw h.error("missing tensor " + name + " (inferring the architecture from "
                    + "tensor names: the file has no vae4j metadata)");
        }
        long[] s = t.shape();
        if (s.length != 2 || s[0] <= 0 || s[1] <= 0 || s[0] > Integer.MAX_VALUE || s[1] > Integer.MAX_VALUE) {
            throw h.error("tensor " + name + " has shape " + Arrays.toString(s)
                    + "; a Linear weight is (out, in) with positive sizes");
        }
        return t;
    }

    static int dim(ModelHeader h, String name, int axis) {
        return (int) h.tensors().get(name).shape()[axis];
    }
}

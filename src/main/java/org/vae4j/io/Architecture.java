package org.vae4j.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.vae4j.Autoencoder;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Parameter;

/**
 * Everything needed to rebuild a model from its tensors: kind, widths, activations, likelihood.
 * Read from a file's metadata ({@link #fromMetadata}), inferred from the tensor names of a file
 * written by PyTorch ({@link #infer}), or taken from a model ({@link #of}). It gives the tensor
 * names and shapes the model has ({@link #expectedShapes}) without building it, so a file can be
 * checked before anything of its declared size is allocated. Immutable.
 */
final class Architecture {

    /** The two model kinds, as spelt in metadata. */
    enum Kind {
        VAE, AE;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final String MODEL = ModelFiles.PREFIX + "model";
    static final String INPUT_SIZE = ModelFiles.PREFIX + "input_size";
    static final String HIDDEN_SIZES = ModelFiles.PREFIX + "hidden_sizes";
    static final String DECODER_HIDDEN_SIZES = ModelFiles.PREFIX + "decoder_hidden_sizes";
    static final String LATENT_SIZE = ModelFiles.PREFIX + "latent_size";
    static final String ACTIVATION = ModelFiles.PREFIX + "activation";
    static final String OUTPUT_ACTIVATION = ModelFiles.PREFIX + "output_activation";
    static final String LIKELIHOOD = ModelFiles.PREFIX + "likelihood";
    static final String LIKELIHOOD_VARIANCE = ModelFiles.PREFIX + "likelihood_variance";
    static final String LIKELIHOOD_CONSTANT = ModelFiles.PREFIX + "likelihood_constant";

    private static final String[] SEED_VAE = {"fc1", "fc_mu", "fc_logvar", "fc3", "fc4"};

    final Kind kind;
    final int inputSize;
    final int[] hidden;        // encoder hidden widths, input side first
    final int[] decoderHidden; // decoder hidden widths, latent side first
    final int latent;
    final Activation activation;
    final Activation outputActivation;
    final Likelihood likelihood;

    Architecture(Kind kind, int inputSize, int[] hidden, int[] decoderHidden, int latent, Activation activation,
                 Activation outputActivation, Likelihood likelihood) {
        this.kind = kind;
        this.inputSize = inputSize;
        this.hidden = hidden.clone();
        this.decoderHidden = decoderHidden.clone();
        this.latent = latent;
        this.activation = activation;
        this.outputActivation = outputActivation;
        this.likelihood = likelihood;
    }

    /**
     * The architecture of a {@link Vae} or {@link Autoencoder}.
     *
     * @throws IllegalArgumentException for another model type or a likelihood model files cannot name
     */
    static Architecture of(LatentModel model) {
        if (!(model instanceof Vae) && !(model instanceof Autoencoder)) {
            throw new IllegalArgumentException("model files hold a Vae or an Autoencoder, got "
                    + (model == null ? "null" : model.getClass().getName()));
        }
        likelihoodName(model.likelihood()); // fails early for a likelihood files cannot name
        if (model instanceof Vae) {
            Vae v = (Vae) model;
            return new Architecture(Kind.VAE, v.inputSize(), v.hiddenSizes(), v.decoderHiddenSizes(), v.latentSize(),
                    v.activation(), v.outputActivation(), v.likelihood());
        }
        Autoencoder a = (Autoencoder) model;
        return new Architecture(Kind.AE, a.inputSize(), a.hiddenSizes(), a.decoderHiddenSizes(), a.codeSize(),
                a.activation(), a.outputActivation(), a.likelihood());
    }

    /** Writes this architecture's metadata entries into {@code out}. */
    void writeTo(Map<String, String> out) {
        out.put(MODEL, kind.key());
        out.put(INPUT_SIZE, Integer.toString(inputSize));
        out.put(HIDDEN_SIZES, MetadataJson.intArray(hidden));
        out.put(DECODER_HIDDEN_SIZES, MetadataJson.intArray(decoderHidden));
        out.put(LATENT_SIZE, Integer.toString(latent));
        out.put(ACTIVATION, activationName(activation));
        out.put(OUTPUT_ACTIVATION, activationName(outputActivation));
        out.put(LIKELIHOOD, likelihoodName(likelihood));
        if (likelihood instanceof GaussianLikelihood && !isSquaredError(likelihood)) {
            GaussianLikelihood g = (GaussianLikelihood) likelihood;
            out.put(LIKELIHOOD_VARIANCE, Double.toString(g.variance()));
            out.put(LIKELIHOOD_CONSTANT, Boolean.toString(g.includesConstant()));
        }
    }

    /**
     * The architecture a vae4j file declares in its metadata.
     *
     * @throws ModelFileException for a missing or malformed entry, or a combination no model allows
     */
    static Architecture fromMetadata(Map<String, String> meta, Path file) throws ModelFileException {
        String model = require(meta, MODEL, file);
        Kind kind;
        if (model.equals("vae")) {
            kind = Kind.VAE;
        } else if (model.equals("ae")) {
            kind = Kind.AE;
        } else {
            throw new ModelFileException(file, "metadata " + MODEL + " = '" + model + "': expected vae or ae");
        }
        int input = positiveInt(meta, INPUT_SIZE, file);
        int[] hidden = MetadataJson.parseWidths(require(meta, HIDDEN_SIZES, file), HIDDEN_SIZES, file);
        int[] decoderHidden = MetadataJson.parseWidths(require(meta, DECODER_HIDDEN_SIZES, file),
                DECODER_HIDDEN_SIZES, file);
        int latent = positiveInt(meta, LATENT_SIZE, file);
        Activation activation = activation(meta, ACTIVATION, file);
        Activation output = activation(meta, OUTPUT_ACTIVATION, file);
        Likelihood likelihood = likelihood(meta, file);
        Activation required = likelihood.requiredOutputActivation();
        if (required != null && output != required) {
            throw new ModelFileException(file, "metadata declares output activation " + activationName(output)
                    + " but the " + likelihood.describe() + " likelihood needs " + activationName(required));
        }
        return new Architecture(kind, input, hidden, decoderHidden, latent, activation, output, likelihood);
    }

    /**
     * The architecture of a file without vae4j metadata (e.g. written by PyTorch), from its tensor
     * names and shapes:
     * <ul>
     * <li>{@code fc1, fc_mu, fc_logvar, fc3, fc4}: the seed's one-hidden-layer VAE;</li>
     * <li>{@code encoder.N}, {@code fc_mu}, {@code fc_logvar}, {@code decoder.N}: a deeper VAE;</li>
     * <li>{@code encoder.N}, {@code decoder.N} and no heads: an autoencoder with a linear code layer
     * (the encoder's last Linear).</li>
     * </ul>
     * Hidden layers are taken to be ReLU; a VAE has a Bernoulli likelihood (the decoder gives
     * logits), an autoencoder a sigmoid output and the squared error. The widths are read from the
     * weights' shapes; the caller then checks every tensor against {@link #expectedShapes}.
     *
     * @throws ModelFileException when the names match none of the three patterns
     */
    static Architecture infer(Map<String, TensorInfo> tensors, Path file) throws ModelFileException {
        if (tensors.containsKey("fc1.weight")) {
            for (String layer : SEED_VAE) {
                requireMatrix(tensors, layer + ".weight", file);
            }
            return new Architecture(Kind.VAE, dim(tensors, "fc1.weight", 1), new int[] {dim(tensors, "fc1.weight", 0)},
                    new int[] {dim(tensors, "fc3.weight", 0)}, dim(tensors, "fc_mu.weight", 0), Activation.RELU,
                    Activation.IDENTITY, BernoulliLikelihood.INSTANCE);
        }
        List<TensorInfo> encoder = sequential(tensors, "encoder", file);
        List<TensorInfo> decoder = sequential(tensors, "decoder", file);
        if (encoder.isEmpty() || decoder.isEmpty()) {
            List<String> names = new ArrayList<>(tensors.keySet());
            throw new ModelFileException(file, "no vae4j metadata, and the tensor names match no known module: "
                    + "expected fc1/fc_mu/fc_logvar/fc3/fc4 (the seed VAE), encoder.N/fc_mu/fc_logvar/decoder.N (a deep "
                    + "VAE) or encoder.N/decoder.N (an autoencoder); found "
                    + (names.size() <= 8 ? names : names.subList(0, 8) + " and " + (names.size() - 8) + " more"));
        }
        int input = (int) encoder.get(0).shape()[1];
        if (tensors.containsKey("fc_mu.weight")) {
            requireMatrix(tensors, "fc_mu.weight", file);
            int[] hidden = outputs(encoder, encoder.size());
            int[] decoderHidden = outputs(decoder, decoder.size() - 1);
            if (hidden.length == 1 && decoderHidden.length == 1) {
                throw new ModelFileException(file, "a VAE with one hidden layer on each side must use the seed "
                        + "module's names fc1, fc_mu, fc_logvar, fc3, fc4 (rename encoder.0 to fc1, decoder.0 to fc3, "
                        + "decoder.2 to fc4)");
            }
            if (decoderHidden.length == 0) {
                throw new ModelFileException(file, "the decoder has no hidden layer; vae4j VAEs have at least one");
            }
            return new Architecture(Kind.VAE, input, hidden, decoderHidden, dim(tensors, "fc_mu.weight", 0),
                    Activation.RELU, Activation.IDENTITY, BernoulliLikelihood.INSTANCE);
        }
        if (encoder.size() < 2 || decoder.size() < 2) {
            throw new ModelFileException(file, "an autoencoder needs at least one hidden layer on each side: "
                    + "found " + encoder.size() + " encoder and " + decoder.size() + " decoder Linear layers");
        }
        int code = (int) encoder.get(encoder.size() - 1).shape()[0];
        return new Architecture(Kind.AE, input, outputs(encoder, encoder.size() - 1), outputs(decoder, decoder.size() - 1),
                code, Activation.RELU, Activation.SIGMOID, GaussianLikelihood.squaredError());
    }

    /** The weights {@code prefix.N.weight}, by N, which must run 0, 2, 4, ... as nn.Sequential(Linear, act, ...) has them. */
    private static List<TensorInfo> sequential(Map<String, TensorInfo> tensors, String prefix, Path file)
            throws ModelFileException {
        TreeMap<Integer, TensorInfo> byIndex = new TreeMap<>();
        for (TensorInfo t : tensors.values()) {
            String n = t.name();
            if (!n.startsWith(prefix + ".") || !n.endsWith(".weight")) {
                continue;
            }
            String index = n.substring(prefix.length() + 1, n.length() - ".weight".length());
            if (!index.matches("[0-9]{1,6}")) {
                throw new ModelFileException(file, "tensor '" + n + "' is not an nn.Sequential Linear weight");
            }
            byIndex.put(Integer.parseInt(index), requireMatrix(tensors, n, file));
        }
        int expected = 0;
        for (Map.Entry<Integer, TensorInfo> e : byIndex.entrySet()) {
            if (e.getKey() != expected) {
                throw new ModelFileException(file, "tensor '" + e.getValue().name() + "': expected " + prefix + "."
                        + expected + ".weight next; vae4j reads nn.Sequential(Linear, activation, Linear, ...) with "
                        + "Linear layers at indices 0, 2, 4, ...");
            }
            expected += 2;
        }
        return new ArrayList<>(byIndex.values());
    }

    private static int[] outputs(List<TensorInfo> layers, int count) {
        int[] widths = new int[count];
        for (int i = 0; i < count; i++) {
            widths[i] = (int) layers.get(i).shape()[0];
        }
        return widths;
    }

    /** A 2-D tensor whose dimensions are positive ints. */
    private static TensorInfo requireMatrix(Map<String, TensorInfo> tensors, String name, Path file)
            throws ModelFileException {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new ModelFileException(file, "missing tensor " + name + " (inferring the architecture from "
                    + "tensor names: the file has no vae4j metadata)");
        }
        long[] s = t.shape();
        if (s.length != 2 || s[0] <= 0 || s[1] <= 0 || s[0] > Integer.MAX_VALUE || s[1] > Integer.MAX_VALUE) {
            throw new ModelFileException(file, "tensor " + name + " has shape " + Arrays.toString(s)
                    + "; a Linear weight is (out, in) with positive sizes");
        }
        return t;
    }

    private static int dim(Map<String, TensorInfo> tensors, String name, int axis) {
        return (int) tensors.get(name).shape()[axis];
    }

    /**
     * The parameters of the model this architecture builds, by name, in the model's order, with
     * their shapes as PyTorch has them: weights (out, in), biases (out).
     */
    Map<String, long[]> expectedShapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        if (kind == Kind.VAE) {
            boolean seed = hidden.length == 1 && decoderHidden.length == 1;
            int last = hidden[hidden.length - 1];
            int[] dec = append(decoderHidden, inputSize);
            if (seed) {
                linear(shapes, "fc1", inputSize, hidden[0]);
            } else {
                chain(shapes, "encoder", inputSize, hidden);
            }
            linear(shapes, "fc_mu", last, latent);
            linear(shapes, "fc_logvar", last, latent);
            if (seed) {
                linear(shapes, "fc3", latent, decoderHidden[0]);
                linear(shapes, "fc4", decoderHidden[0], inputSize);
            } else {
                chain(shapes, "decoder", latent, dec);
            }
        } else {
            chain(shapes, "encoder", inputSize, append(hidden, latent));
            chain(shapes, "decoder", latent, append(decoderHidden, inputSize));
        }
        return shapes;
    }

    private static void chain(Map<String, long[]> shapes, String prefix, int in, int[] outs) {
        int previous = in;
        for (int i = 0; i < outs.length; i++) {
            linear(shapes, prefix + "." + (2 * i), previous, outs[i]);
            previous = outs[i];
        }
    }

    private static void linear(Map<String, long[]> shapes, String name, int in, int out) {
        shapes.put(name + ".weight", new long[] {out, in});
        shapes.put(name + ".bias", new long[] {out});
    }

    private static int[] append(int[] a, int v) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = v;
        return r;
    }

    /**
     * Builds the model (with throw-away initial weights). Only call after the file's tensors have
     * been checked against {@link #expectedShapes}: the model's size is then bounded by the file's.
     */
    LatentModel build() {
        LatentModel model;
        if (kind == Kind.VAE) {
            model = Vae.builder(inputSize).hidden(hidden).decoderHidden(decoderHidden).latent(latent)
                    .activation(activation).likelihood(likelihood).outputActivation(outputActivation).build();
        } else {
            model = Autoencoder.builder(inputSize).hidden(hidden).decoderHidden(decoderHidden).latent(latent)
                    .activation(activation).likelihood(likelihood).outputActivation(outputActivation).build();
        }
        Map<String, long[]> expected = expectedShapes();
        List<Parameter> ps = model.parameters();
        if (ps.size() != expected.size()) {
            throw new IllegalStateException("model has " + ps.size() + " parameters, architecture " + expected.size());
        }
        for (Parameter p : ps) {
            if (!Arrays.equals(expected.get(p.name()), ModelFiles.torchShape(p))) {
                throw new IllegalStateException("parameter " + p + " does not match the architecture's "
                        + Arrays.toString(expected.get(p.name())));
            }
        }
        return model;
    }

    /** E.g. {@code VAE 784-512-(32)-512-784 relu bernoulli}. */
    String describe() {
        StringBuilder s = new StringBuilder(kind == Kind.VAE ? "VAE " : "autoencoder ").append(inputSize);
        for (int h : hidden) {
            s.append('-').append(h);
        }
        s.append("-(").append(latent).append(')');
        for (int h : decoderHidden) {
            s.append('-').append(h);
        }
        return s.append('-').append(inputSize).append(' ').append(activationName(activation)).append(' ')
                .append(likelihood.describe()).toString();
    }

    /** Whether two architectures build the same model. */
    boolean sameAs(Architecture o) {
        return kind == o.kind && inputSize == o.inputSize && Arrays.equals(hidden, o.hidden)
                && Arrays.equals(decoderHidden, o.decoderHidden) && latent == o.latent && activation == o.activation
                && outputActivation == o.outputActivation && likelihoodName(likelihood).equals(likelihoodName(o.likelihood))
                && likelihood.describe().equals(o.likelihood.describe());
    }

    static String activationName(Activation a) {
        return a.name().toLowerCase(Locale.ROOT);
    }

    private static boolean isSquaredError(Likelihood l) {
        return l instanceof GaussianLikelihood && ((GaussianLikelihood) l).variance() == 0.5
                && !((GaussianLikelihood) l).includesConstant();
    }

    /** bernoulli, squared-error or gaussian; any other likelihood cannot be saved. */
    static String likelihoodName(Likelihood l) {
        if (l instanceof BernoulliLikelihood) {
            return "bernoulli";
        }
        if (isSquaredError(l)) {
            return "squared-error";
        }
        if (l instanceof GaussianLikelihood) {
            return "gaussian";
        }
        throw new IllegalArgumentException("model files know the bernoulli, gaussian and squared-error likelihoods, "
                + "got " + (l == null ? "null" : l.describe() + " (" + l.getClass().getName() + ")"));
    }

    private static Likelihood likelihood(Map<String, String> meta, Path file) throws ModelFileException {
        String name = require(meta, LIKELIHOOD, file);
        switch (name) {
            case "bernoulli":
                return BernoulliLikelihood.INSTANCE;
            case "squared-error":
                return GaussianLikelihood.squaredError();
            case "gaussian":
                double variance = ModelFiles.parseDouble(meta, LIKELIHOOD_VARIANCE, file);
                if (!(variance > 0) || !Double.isFinite(variance)) {
                    throw new ModelFileException(file, "metadata " + LIKELIHOOD_VARIANCE + " = " + variance
                            + ": must be positive and finite");
                }
                String constant = require(meta, LIKELIHOOD_CONSTANT, file);
                if (!constant.equals("true") && !constant.equals("false")) {
                    throw new ModelFileException(file, "metadata " + LIKELIHOOD_CONSTANT + " = '" + constant
                            + "': expected true or false");
                }
                return new GaussianLikelihood(variance, Boolean.parseBoolean(constant));
            default:
                throw new ModelFileException(file, "metadata " + LIKELIHOOD + " = '" + name
                        + "': expected bernoulli, gaussian or squared-error");
        }
    }

    private static Activation activation(Map<String, String> meta, String key, Path file) throws ModelFileException {
        String name = require(meta, key, file);
        for (Activation a : Activation.values()) {
            if (activationName(a).equals(name)) {
                return a;
            }
        }
        throw new ModelFileException(file, "metadata " + key + " = '" + name + "': expected one of "
                + Arrays.stream(Activation.values()).map(Architecture::activationName).toList());
    }

    private static int positiveInt(Map<String, String> meta, String key, Path file) throws ModelFileException {
        long v = ModelFiles.parseLong(meta, key, file);
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw new ModelFileException(file, "metadata " + key + " = " + v + ": must be a positive int");
        }
        return (int) v;
    }

    static String require(Map<String, String> meta, String key, Path file) throws ModelFileException {
        String v = meta.get(key);
        if (v == null) {
            throw new ModelFileException(file, "metadata lacks " + key);
        }
        return v;
    }
}

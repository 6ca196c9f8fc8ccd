package org.vae4j.io;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.vae4j.Vae;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.nn.Activation;

/**
 * The built-in codec of kind {@code vae}: {@link Vae}'s widths, activations and likelihood; and
 * the PyTorch state_dicts {@code fc1/fc_mu/fc_logvar/fc3/fc4} (the seed VAE) and
 * {@code encoder.N/fc_mu/fc_logvar/decoder.N} (a deeper one), read as ReLU Bernoulli VAEs.
 */
final class VaeCodec implements ModelCodec<Vae> {

    private static final String[] SEED_VAE = {"fc1", "fc_mu", "fc_logvar", "fc3", "fc4"};

    @Override
    public String kind() {
        return Vae.KIND;
    }

    @Override
    public Class<Vae> modelType() {
        return Vae.class;
    }

    @Override
    public void writeArchitecture(Vae v, Map<String, String> metadata) {
        new MlpArchitecture(v.inputSize(), v.hiddenSizes(), v.decoderHiddenSizes(), v.latentSize(), v.activation(),
                v.outputActivation(), v.likelihood()).writeTo(metadata);
    }

    @Override
    public Vae build(ModelHeader header) throws ModelFileException {
        MlpArchitecture a = MlpArchitecture.read(header);
        a.checkFits(header, "VAE " + a.describe(), true);
        return build(a);
    }

    private static Vae build(MlpArchitecture a) {
        return Vae.builder(a.inputSize).hidden(a.hidden).decoderHidden(a.decoderHidden).latent(a.latent)
                .activation(a.activation).likelihood(a.likelihood).outputActivation(a.outputActivation).build();
    }

    @Override
    public Optional<Vae> recognise(ModelHeader h) throws ModelFileException {
        MlpArchitecture a;
        if (h.tensors().containsKey("fc1.weight")) {
            for (String layer : SEED_VAE) {
                MlpArchitecture.requireMatrix(h, layer + ".weight");
            }
            a = new MlpArchitecture(MlpArchitecture.dim(h, "fc1.weight", 1),
                    new int[] {MlpArchitecture.dim(h, "fc1.weight", 0)}, new int[] {MlpArchitecture.dim(h, "fc3.weight", 0)},
                    MlpArchitecture.dim(h, "fc_mu.weight", 0), Activation.RELU, Activation.IDENTITY,
                    BernoulliLikelihood.INSTANCE);
        } else {
            if (!h.tensors().containsKey("fc_mu.weight")) {
                return Optional.empty();
            }
            List<TensorInfo> encoder = MlpArchitecture.sequential(h, "encoder");
            List<TensorInfo> decoder = MlpArchitecture.sequential(h, "decoder");
            if (encoder.isEmpty() || decoder.isEmpty()) {
                return Optional.empty();
            }
            MlpArchitecture.requireMatrix(h, "fc_mu.weight");
            int[] hidden = MlpArchitecture.outputs(encoder, encoder.size());
            int[] decoderHidden = MlpArchitecture.outputs(decoder, decoder.size() - 1);
            if (hidden.length == 1 && decoderHidden.length == 1) {
                throw h.error("a VAE with one hidden layer on each side must use the seed "
                        + "module's names fc1, fc_mu, fc_logvar, fc3, fc4 (rename encoder.0 to fc1, decoder.0 to fc3, "
                        + "decoder.2 to fc4)");
            }
            if (decoderHidden.length == 0) {
                throw h.error("the decoder has no hidden layer; vae4j VAEs have at least one");
            }
            a = new MlpArchitecture((int) encoder.get(0).shape()[1], hidden, decoderHidden,
                    MlpArchitecture.dim(h, "fc_mu.weight", 0), Activation.RELU, Activation.IDENTITY,
                    BernoulliLikelihood.INSTANCE);
        }
        a.checkFits(h, "VAE " + a.describe(), true);
        return Optional.of(build(a));
    }

    @Override
    public String recognisedNames() {
        return "fc1/fc_mu/fc_logvar/fc3/fc4 (the seed VAE), encoder.N/fc_mu/fc_logvar/decoder.N (a deep VAE)";
    }

    @Override
    public String describe(Vae v) {
        return "VAE " + v.describe();
    }
}

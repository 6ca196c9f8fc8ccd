package org.vae4j.io;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.vae4j.Autoencoder;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.nn.Activation;

/**
 * The built-in codec of kind {@code ae}: {@link Autoencoder}'s widths, activations and
 * likelihood; and the PyTorch state_dict {@code encoder.N/decoder.N} with no posterior heads, read
 * as a ReLU autoencoder with a linear code (the encoder's last Linear), a sigmoid output and the
 * squared error.
 */
final class AutoencoderCodec implements ModelCodec<Autoencoder> {

    @Override
    public String kind() {
        return Autoencoder.KIND;
    }

    @Override
    public Class<Autoencoder> modelType() {
        return Autoencoder.class;
    }

    @Override
    public void writeArchitecture(Autoencoder a, Map<String, String> metadata) {
        new MlpArchitecture(a.inputSize(), a.hiddenSizes(), a.decoderHiddenSizes(), a.codeSize(), a.activation(),
                a.outputActivation(), a.likelihood()).writeTo(metadata);
    }

    @Override
    public Autoencoder build(ModelHeader header) throws ModelFileException {
        MlpArchitecture a = MlpArchitecture.read(header);
        a.checkFits(header, "autoencoder " + a.describe(), false);
        return build(a);
    }

    private static Autoencoder build(MlpArchitecture a) {
        return Autoencoder.builder(a.inputSize).hidden(a.hidden).decoderHidden(a.decoderHidden).latent(a.latent)
                .activation(a.activation).likelihood(a.likelihood).outputActivation(a.outputActivation).build();
    }

    @Override
    public Optional<Autoencoder> recognise(ModelHeader h) throws ModelFileException {
        if (h.tensors().containsKey("fc_mu.weight") || h.tensors().containsKey("fc1.weight")) {
            return Optional.empty();
        }
        List<TensorInfo> encoder = MlpArchitecture.sequential(h, "encoder");
        List<TensorInfo> decoder = MlpArchitecture.sequential(h, "decoder");
        if (encoder.isEmpty() || decoder.isEmpty()) {
            return Optional.empty();
        }
        if (encoder.size() < 2 || decoder.size() < 2) {
            throw h.error("an autoencoder needs at least one hidden layer on each side: "
                    + "found " + encoder.size() + " encoder and " + decoder.size() + " decoder Linear layers");
        }
        int code = (int) encoder.get(encoder.size() - 1).shape()[0];
        MlpArchitecture a = new MlpArchitecture((int) encoder.get(0).shape()[1],
                MlpArchitecture.outputs(encoder, encoder.size() - 1), MlpArchitecture.outputs(decoder, decoder.size() - 1),
                code, Activation.RELU, Activation.SIGMOID, GaussianLikelihood.squaredError());
        a.checkFits(h, "autoencoder " + a.describe(), false);
        return Optional.of(build(a));
    }

    @Override
    public String recognisedNames() {
        return "encoder.N/decoder.N (an autoencoder)";
    }

    @Override
    public String describe(Autoencoder a) {
        return "autoencoder " + a.describe();
    }
}

package org.vae4j.io;

import java.util.Map;

import org.vae4j.ConditionalVae;

/**
 * The codec of kind {@code cvae}: {@link ConditionalVae}'s widths, activations and likelihood (the
 * entries of {@code vae}) plus {@code vae4j.condition_size}, the width of c, and
 * {@code vae4j.condition_scale}, the s of [x | s c] and [z | s c] (a file without it, written
 * before the scale existed or by a PyTorch module that joins c unscaled, has s = 1). The tensors are the
 * model's parameters under their state_dict names, those of the PyTorch {@code CVAE} module in
 * docs/MODEL_FILES.md. Registered through {@code META-INF/services/org.vae4j.io.ModelCodec},
 * like any codec from outside the library. A PyTorch file needs these metadata entries: with
 * only the tensors, its names are the seed VAE's and the {@code vae} codec claims it.
 *
 * <p>Stateless, thread-safe.
 */
public final class ConditionalVaeCodec implements ModelCodec<ConditionalVae> {

    /** The metadata key of the condition's width. */
    public static final String CONDITION_SIZE = ModelFiles.PREFIX + "condition_size";

    /** The metadata key of the condition's scale s; 1 when absent. */
    public static final String CONDITION_SCALE = ModelFiles.PREFIX + "condition_scale";

    /** For {@link java.util.ServiceLoader}. */
    public ConditionalVaeCodec() {
    }

    @Override
    public String kind() {
        return ConditionalVae.KIND;
    }

    @Override
    public Class<ConditionalVae> modelType() {
        return ConditionalVae.class;
    }

    @Override
    public void writeArchitecture(ConditionalVae v, Map<String, String> metadata) {
        new MlpArchitecture(v.inputSize(), v.hiddenSizes(), v.decoderHiddenSizes(), v.latentSize(), v.activation(),
                v.outputActivation(), v.likelihood()).writeTo(metadata);
        metadata.put(CONDITION_SIZE, Integer.toString(v.conditionSize()));
        metadata.put(CONDITION_SCALE, Float.toString(v.conditionScale()));
    }

    @Override
    public ConditionalVae build(ModelHeader header) throws ModelFileException {
        MlpArchitecture a = MlpArchitecture.read(header);
        int c = header.positiveInt(CONDITION_SIZE);
        double s = header.has(CONDITION_SCALE) ? header.number(CONDITION_SCALE) : 1;
        if (!(s > 0) || !Float.isFinite((float) s)) {
            throw header.error("metadata " + CONDITION_SCALE + " = " + header.metadata().get(CONDITION_SCALE)
                    + ": must be a finite number > 0");
        }
        // an upper bound of the parameters: the widths with the condition added on both sides
        new MlpArchitecture(a.inputSize + c, a.hidden, a.decoderHidden, a.latent + c, a.activation,
                a.outputActivation, a.likelihood).checkFits(header, "conditional VAE " + a.describe(), true);
        return ConditionalVae.builder(a.inputSize, c).hidden(a.hidden).decoderHidden(a.decoderHidden)
                .latent(a.latent).activation(a.activation).likelihood(a.likelihood)
                .outputActivation(a.outputActivation).conditionScale(s).build();
    }

    @Override
    public String describe(ConditionalVae v) {
        return "conditional VAE " + v.describe();
    }
}

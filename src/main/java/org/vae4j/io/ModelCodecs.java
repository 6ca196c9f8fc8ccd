package org.vae4j.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.vae4j.LatentModel;

/**
 * The {@link ModelCodec}s model files use, by kind: the built-in {@code vae} and {@code ae}, then
 * every codec named in a {@code META-INF/services/org.vae4j.io.ModelCodec} file on the class path
 * (found with {@link java.util.ServiceLoader} on first use), then those given to
 * {@link #register}. A file of a kind no codec stores is refused with a message that names the
 * kind and these two ways of registering one. Thread-safe.
 */
public final class ModelCodecs {

    /** Where {@link java.util.ServiceLoader} looks for model codecs. */
    public static final String SERVICE_FILE = "META-INF/services/" + ModelCodec.class.getName();

    private static final CodecRegistry<ModelCodec<?>> REGISTRY = new CodecRegistry<>(codecClass(),
            ModelCodec::kind, () -> List.of(new VaeCodec(), new AutoencoderCodec()));

    private ModelCodecs() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Class<ModelCodec<?>> codecClass() {
        return (Class) ModelCodec.class;
    }

    /**
     * Registers a codec for a new kind, for every model file written or read afterwards in this JVM.
     *
     * @param codec the codec, with a non-blank {@link ModelCodec#kind()}
     * @throws IllegalArgumentException for a null codec, a blank kind, or a kind that already has a codec
     */
    public static void register(ModelCodec<?> codec) {
        REGISTRY.register(codec);
    }

    /**
     * {@return the codec of a kind, if one is registered}
     *
     * @param kind a {@code vae4j.model} value, e.g. {@code vae}
     */
    public static Optional<ModelCodec<?>> forKind(String kind) {
        return REGISTRY.get(kind);
    }

    /**
     * {@return every registered codec, built-ins first (the order in which they try to recognise a PyTorch file)}
     */
    public static List<ModelCodec<?>> all() {
        return REGISTRY.all();
    }

    /** {@return the registered kinds, built-ins first} */
    public static List<String> kinds() {
        List<String> kinds = new ArrayList<>();
        for (ModelCodec<?> c : all()) {
            kinds.add(c.kind());
        }
        return kinds;
    }

    /** How to register a codec, for error messages. */
    static String howToRegister() {
        return "implement org.vae4j.io.ModelCodec for it and register it with ModelCodecs.register(codec) or by "
                + "naming the class in " + SERVICE_FILE;
    }

    /** The kinds for a message: {@code vae or ae} and the registered others. */
    static String knownKinds() {
        String s = String.join(" or ", REGISTRY.builtInNames());
        List<String> others = REGISTRY.otherNames();
        return others.isEmpty() ? s : s + ", or a registered kind (" + String.join(", ", others) + ")";
    }

    /**
     * The codec that stores {@code model}.
     *
     * @throws IllegalArgumentException when its kind has no codec, or the codec writes another class
     */
    static ModelCodec<?> codecFor(LatentModel model) {
        String kind = model == null ? null : model.kind();
        Optional<ModelCodec<?>> codec = kind == null ? Optional.empty() : forKind(kind);
        if (codec.isEmpty()) {
            throw new IllegalArgumentException("model files hold models whose kind has a registered ModelCodec "
                    + "(built in: a Vae or an Autoencoder); got "
                    + (model == null ? "null" : "kind " + (kind == null ? "null" : "'" + kind + "'") + " ("
                    + model.getClass().getName() + ")") + ": " + howToRegister());
        }
        ModelCodec<?> c = codec.get();
        if (!c.modelType().isInstance(model)) {
            throw new IllegalArgumentException("the codec of kind '" + kind + "' (" + c.getClass().getName()
                    + ") stores " + c.modelType().getName() + " models, got a " + model.getClass().getName()
                    + ": give the model its own kind and codec");
        }
        return c;
    }

    /**
     * {@return the architecture metadata the codec of {@code model}'s kind writes into its files (e.g.
     * {@code vae4j.hidden_sizes}), for programs that report a model's settings}
     *
     * @param model the model, not modified
     * @throws IllegalArgumentException when it is null, its kind has no codec, the codec stores another class,
     *                                  or the codec cannot store it
     */
    public static Map<String, String> architecture(LatentModel model) {
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        write(codecFor(model), model, meta);
        return meta;
    }

    /** {@code codec.writeArchitecture(model)}, typed. */
    static <M extends LatentModel> void write(ModelCodec<M> codec, LatentModel model, Map<String, String> metadata) {
        codec.writeArchitecture(codec.modelType().cast(model), metadata);
    }

    /** {@code codec.describe(model)}, typed. */
    static <M extends LatentModel> String describe(ModelCodec<M> codec, LatentModel model) {
        return codec.describe(codec.modelType().cast(model));
    }
}

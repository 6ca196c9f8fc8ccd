package org.vae4j.io;

import java.util.Map;
import java.util.Optional;

import org.vae4j.LatentModel;

/**
 * How model files store one kind of model: the kind named by the {@code vae4j.model} entry
 * ({@link LatentModel#kind()}), the architecture entries that rebuild it, and optionally how to
 * recognise a PyTorch {@code state_dict} of it that has no vae4j metadata.
 *
 * <p>A codec never names tensors: {@link ModelFiles} stores every {@link LatentModel#parameters()
 * parameter} under its own (module-composed) name and, on loading, checks each tensor of the file
 * against the rebuilt model's parameters by name, dtype and shape before copying any value. So a
 * codec only writes and reads what the parameters cannot say (widths, activations, likelihood,
 * ...) and builds the model with throw-away initial weights.
 *
 * <p>The built-in codecs ({@code vae} for {@link org.vae4j.Vae}, {@code ae} for
 * {@link org.vae4j.Autoencoder}) are registered by default, and the library's {@code cvae}
 * ({@link ConditionalVaeCodec}) through its own services file. Register another with
 * {@link ModelCodecs#register} or by naming its class (public, with a public no-argument
 * constructor) in {@code META-INF/services/org.vae4j.io.ModelCodec}, found by
 * {@link java.util.ServiceLoader}. Implementations must be stateless and thread-safe.
 *
 * @param <M> the model class this codec writes and builds
 */
public interface ModelCodec<M extends LatentModel> {

    /** {@return the kind this codec stores: {@link LatentModel#kind()} of its models, e.g. {@code vae}} */
    String kind();

    /**
     * {@return the class of the models it writes (a model of this kind that is not one is refused on saving)}
     */
    Class<M> modelType();

    /**
     * Writes the entries that, with the tensors' shapes, rebuild {@code model}'s architecture.
     * {@link ModelFiles} writes {@code vae4j.model} itself; keys should start with {@code vae4j.}
     * (reserved for the library and codecs: user metadata cannot clash with them).
     *
     * @param model    the model being saved, of this codec's kind and {@link #modelType()}
     * @param metadata the file's metadata, added to
     * @throws IllegalArgumentException when the model cannot be stored (e.g. a likelihood no
     *                                  {@link LikelihoodCodec} names)
     */
    void writeArchitecture(M model, Map<String, String> metadata);

    /**
     * Builds a model of this kind, with throw-away weights, from a file's architecture entries
     * (and if need be its tensors' shapes). Called before any value is read; the loader then
     * checks every tensor against the model's parameters. Before allocating a model whose size
     * comes from metadata, call {@link ModelHeader#checkFits}: a file cannot declare a model
     * bigger than its tensors.
     *
     * @param header the file's header: its metadata and tensor table
     * @return a new model of this kind whose parameters have the file's names and shapes
     * @throws ModelFileException for a missing or malformed entry, or a combination the model does not allow
     */
    M build(ModelHeader header) throws ModelFileException;

    /**
     * For a file without vae4j metadata (e.g. a PyTorch {@code save_file(model.state_dict())}):
     * the model if the tensor names are this kind's, else empty, so the next codec is asked.
     * By default no file is recognised.
     *
     * @param header the file's header: its (empty or foreign) metadata and tensor table
     * @return the model, with throw-away weights, if the tensors are this kind's; else empty
     * @throws ModelFileException when the names are this kind's but cannot be read (the message says why)
     */
    default Optional<M> recognise(ModelHeader header) throws ModelFileException {
        return Optional.empty();
    }

    /**
     * {@return the tensor names {@link #recognise} reads, for the error about a file no codec recognises,
     * e.g. {@code encoder.N/decoder.N (an autoencoder)}; {@code null} when it recognises none}
     */
    default String recognisedNames() {
        return null;
    }

    /**
     * {@return a one-line description for messages and logs, e.g. {@code VAE 784-512-(32)-512-784 relu bernoulli}}
     * By default the kind, a space and {@link LatentModel#describe()}.
     *
     * @param model a model of this codec's type
     */
    default String describe(M model) {
        return kind() + " " + model.describe();
    }
}

package org.vae4j.io;

import java.util.Map;

import org.vae4j.loss.Likelihood;

/**
 * How model files name one {@link Likelihood}: the value of {@code vae4j.likelihood} and any
 * entries of its own (e.g. the Gaussian's variance). The built-in {@code bernoulli},
 * {@code squared-error} and {@code gaussian} are registered by default; register another with
 * {@link LikelihoodCodecs#register} or in {@code META-INF/services/org.vae4j.io.LikelihoodCodec}.
 * Model codecs write and read a model's likelihood through {@link LikelihoodCodecs}, so a user
 * likelihood in a built-in model is saved once its codec is registered. Implementations must be
 * stateless and thread-safe.
 */
public interface LikelihoodCodec {

    /** {@return the value of {@code vae4j.likelihood}, e.g. {@code bernoulli}} */
    String name();

    /**
     * {@return whether this codec stores {@code likelihood} (the first registered codec that does names it)}
     *
     * @param likelihood a model's likelihood, not null
     */
    boolean handles(Likelihood likelihood);

    /**
     * Writes the likelihood's own entries (none by default); {@code vae4j.likelihood} is written by the caller.
     *
     * @param likelihood a likelihood this codec {@link #handles handles}
     * @param metadata   the file's metadata, added to
     */
    default void write(Likelihood likelihood, Map<String, String> metadata) {
    }

    /**
     * {@return the likelihood, from its own entries}
     *
     * @param header the file's header, whose {@code vae4j.likelihood} names this codec
     * @throws ModelFileException if the metadata is malformed (the message names the file)
     */
    Likelihood read(ModelHeader header) throws ModelFileException;
}

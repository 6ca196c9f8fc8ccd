package org.vae4j.spark;

import java.io.Serializable;
import java.util.UUID;

/**
 * The bytes of a model file as broadcast, with a token naming this copy: the executors' model and
 * scorer pools are keyed by the token (broadcast ids restart at 0 in each SparkContext).
 * Immutable by contract (the array is not copied).
 *
 * @param token unique per broadcast model
 * @param bytes the model file ({@link ModelBytes})
 */
record ModelFile(String token, byte[] bytes) implements Serializable {

    static ModelFile of(byte[] bytes) {
        return new ModelFile(UUID.randomUUID().toString(), bytes);
    }
}

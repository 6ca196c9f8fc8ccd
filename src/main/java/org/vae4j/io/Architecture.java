package org.vae4j.io;

import java.nio.file.Path;
import java.util.Map;

/**
 * The metadata entry that names a file's model kind, and the required-entry lookup the readers
 * share. What else rebuilds a model is its kind's {@link ModelCodec}'s business, and the tensor
 * names and shapes are the model's own ({@code model.parameters()}).
 */
final class Architecture {

    /** The model kind ({@link org.vae4j.LatentModel#kind()}), which selects the codec. */
    static final String MODEL = ModelFiles.PREFIX + "model";

    private Architecture() {
    }

    /** The value of {@code key}; a {@link ModelFileException} naming the key when it is missing. */
    static String require(Map<String, String> meta, String key, Path file) throws ModelFileException {
        String v = meta.get(key);
        if (v == null) {
            throw new ModelFileException(file, "metadata lacks " + key);
        }
        return v;
    }
}

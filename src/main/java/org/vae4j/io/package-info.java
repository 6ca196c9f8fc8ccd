/**
 * Model files: the safetensors format ({@link org.vae4j.io.SafeTensors}, read through
 * {@link org.vae4j.io.SafeTensorsFile}) and, on top of it, saving and loading vae4j models and
 * training checkpoints ({@link org.vae4j.io.ModelFiles}). Tensor names and shapes are those of a
 * PyTorch {@code state_dict}, taken from the models' own {@code parameters()}, so files move
 * between vae4j and PyTorch both ways. A file names its model's kind, and the kind's
 * {@link org.vae4j.io.ModelCodec} (registered in {@link org.vae4j.io.ModelCodecs}, built in or
 * found by {@link java.util.ServiceLoader}) writes and rebuilds the architecture; likelihoods are
 * named through {@link org.vae4j.io.LikelihoodCodecs}. Every file is validated before its values
 * are read, and every write is atomic. The format, the metadata
 * keys and the checks are described in docs/MODEL_FILES.md.
 */
package org.vae4j.io;

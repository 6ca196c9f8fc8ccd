/**
 * Model files: the safetensors format ({@link org.vae4j.io.SafeTensors}, read through
 * {@link org.vae4j.io.SafeTensorsFile}) and, on top of it, saving and loading vae4j models and
 * training checkpoints ({@link org.vae4j.io.ModelFiles}). Tensor names and shapes are those of a
 * PyTorch {@code state_dict}, so files move between vae4j and PyTorch both ways. Every file is
 * validated before any tensor is allocated, and every write is atomic. The format, the metadata
 * keys and the checks are described in docs/MODEL_FILES.md.
 */
package org.vae4j.io;

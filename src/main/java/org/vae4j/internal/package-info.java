/**
 * Helpers shared by vae4j's own packages and its example programs. <strong>Not API</strong>: the
 * classes here are public only so that other vae4j packages (and the {@code vae4j-examples}
 * module) can reach them. They may change or disappear in any release, without notice or
 * deprecation. Code outside vae4j should not use them.
 *
 * <p>{@link org.vae4j.internal.AtomicFiles} is the one atomic file writer: every file the library
 * and the examples write ({@code .safetensors} models and checkpoints, {@code .npy}, CSV, the
 * downloaded data sets, the example programs' pictures and {@code metrics.json}) goes through it.
 * {@link org.vae4j.internal.InputFiles} is the one check every loader (IDX, {@code .npy}, CSV, tables,
 * safetensors) makes before opening a file: a regular file, never a directory or a FIFO.
 */
package org.vae4j.internal;

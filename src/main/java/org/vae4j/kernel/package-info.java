/**
 * The matrix-multiply kernel interface ({@link org.vae4j.kernel.Gemm}) and its backends.
 * Every GEMM of a training step goes through {@link org.vae4j.kernel.Gemms#get()}.
 */
package org.vae4j.kernel;

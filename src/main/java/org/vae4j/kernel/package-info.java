/**
 * The kernels' API: the matrix-multiply interface {@link org.vae4j.kernel.Gemm} (one primitive
 * on arrays at offsets, and {@code FMatrixRMaj} defaults over it), the elementwise interface
 * {@link org.vae4j.kernel.Elementwise}, the per-model pair {@link org.vae4j.kernel.Kernels}, the
 * backend choice {@link org.vae4j.kernel.Gemms} and the reference backend
 * {@link org.vae4j.kernel.EjmlGemm}. Every GEMM of a training step goes through a model's
 * {@code Kernels}. The fast implementations are not API: they live in
 * {@code org.vae4j.internal.kernel} and are reached through {@code Kernels.defaults()} and
 * {@code Gemms}.
 */
package org.vae4j.kernel;

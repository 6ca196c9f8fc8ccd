/**
 * The kernel implementations. <strong>Not API</strong>: public only so that
 * {@link org.vae4j.kernel.Gemms} and {@link org.vae4j.kernel.Kernels} can hand them out; they may
 * change in any release. Reach them through {@code Kernels.defaults()}, {@code model.kernels()}
 * or {@code Gemms}, never by importing them.
 *
 * <ul>
 * <li>{@code VectorGemm}: the register-blocked SGEMM on the JDK Vector API (dispatch, threads,
 * warm-up), with {@code BlockedGemm} (packing and tile loops of one share), its generated
 * micro-kernels {@code GemmTiles} ({@code benchmarks/tools/gen_kernels.py}) and its thread pool
 * {@code SpinPool};</li>
 * <li>{@code VectorElementwise} and {@code ScalarElementwise}: the elementwise kernels, vector
 * and reference.</li>
 * </ul>
 * {@code VectorGemm} and {@code VectorElementwise} are the only classes of the library that
 * import {@code jdk.incubator.vector}; they are loaded by name, so the library runs without the
 * module. docs/ARCHITECTURE.md describes them.
 */
package org.vae4j.internal.kernel;

package org.vae4j.kernel;

import org.vae4j.internal.kernel.ScalarElementwise;

/**
 * The kernels one model's computations go through: the {@link Gemm} backend of every matrix
 * multiply and the {@link Elementwise} kernels (activations, likelihoods, optimiser, checks).
 * Modules, objectives and optimisers receive it as an argument; nothing on the training path
 * reads a JVM-wide kernel. Immutable and thread-safe (the kernels themselves are).
 *
 * @param gemm        the matrix-multiply backend
 * @param elementwise the elementwise kernels
 */
public record Kernels(Gemm gemm, Elementwise elementwise) {

    /**
     * Checks that both kernels are given.
     *
     * @param gemm        the matrix-multiply backend, not null
     * @param elementwise the elementwise kernels, not null
     * @throws IllegalArgumentException if {@code gemm} or {@code elementwise} is null
     */
    public Kernels {
        if (gemm == null || elementwise == null) {
            throw new IllegalArgumentException("kernels need a gemm and an elementwise backend, got "
                    + gemm + ", " + elementwise);
        }
    }

    /**
     * {@return the default kernels: {@link Gemms#get()} and the elementwise kernels that go with it
     * (Vector API when the {@code jdk.incubator.vector} module is present, else scalar)}
     */
    public static Kernels defaults() {
        return new Kernels(Gemms.get(), Gemms.elementwise());
    }

    /** {@return the reference kernels: EJML on one thread and the scalar elementwise code} */
    public static Kernels reference() {
        return new Kernels(EjmlGemm.withThreads(1), ScalarElementwise.INSTANCE);
    }

    /**
     * {@return these kernels with another GEMM backend and the same elementwise kernels}
     *
     * @param g the GEMM backend of the new pair, not null
     * @throws IllegalArgumentException if {@code g} is null
     */
    public Kernels withGemm(Gemm g) {
        return new Kernels(g, elementwise);
    }

    /** {@return the two kernels' names for logs, e.g. {@code vector-2t + vector}} */
    public String describe() {
        return gemm.name() + " + " + elementwise.name();
    }
}

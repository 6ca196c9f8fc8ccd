package org.vae4j.kernel;

import org.ejml.concurrency.EjmlConcurrency;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;

/**
 * The reference {@link Gemm}: delegates to EJML's {@link CommonOps_FDRM} (one thread) or
 * {@link CommonOps_MT_FDRM} (several; each output element is computed the same way whatever the
 * split, so results do not depend on the thread count). Correct on every shape, slow (EJML's
 * float multiply runs at a few GFLOP/s). Immutable and thread-safe.
 */
public final class EjmlGemm implements Gemm {

    /** The single-threaded instance. */
    public static final EjmlGemm INSTANCE = new EjmlGemm(1);

    private final int threads;

    private EjmlGemm(int threads) {
        this.threads = threads;
    }

    /**
     * An EJML backend using {@code threads} threads (EJML's pool is process-wide: this sets its
     * size with {@link EjmlConcurrency#setMaxThreads}).
     */
    public static EjmlGemm withThreads(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        if (threads == 1) {
            return INSTANCE;
        }
        EjmlConcurrency.setMaxThreads(threads);
        return new EjmlGemm(threads);
    }

    /** Number of threads this backend uses. */
    public int threads() {
        return threads;
    }

    @Override
    public void mult(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, false, b, false, c);
        if (threads > 1) {
            CommonOps_MT_FDRM.mult(a, b, c);
        } else {
            CommonOps_FDRM.mult(a, b, c);
        }
    }

    @Override
    public void multAdd(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, false, b, false, c);
        if (threads > 1) {
            CommonOps_MT_FDRM.multAdd(a, b, c);
        } else {
            CommonOps_FDRM.multAdd(a, b, c);
        }
    }

    @Override
    public void multTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, true, b, false, c);
        if (threads > 1) {
            CommonOps_MT_FDRM.multTransA(a, b, c);
        } else {
            CommonOps_FDRM.multTransA(a, b, c);
        }
    }

    @Override
    public void multAddTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, true, b, false, c);
        if (threads > 1) {
            CommonOps_MT_FDRM.multAddTransA(a, b, c);
        } else {
            CommonOps_FDRM.multAddTransA(a, b, c);
        }
    }

    @Override
    public void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, false, b, true, c);
        if (threads > 1) {
            CommonOps_MT_FDRM.multTransB(a, b, c);
        } else {
            CommonOps_FDRM.multTransB(a, b, c);
        }
    }

    @Override
    public void multAddTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, false, b, true, c);
        if (threads > 1) {
            CommonOps_MT_FDRM.multAddTransB(a, b, c);
        } else {
            CommonOps_FDRM.multAddTransB(a, b, c);
        }
    }

    @Override
    public String name() {
        return threads > 1 ? "ejml-mt" + threads : "ejml";
    }
}

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
 *
 * <p>The array primitive {@link #gemm} hands EJML the caller's arrays where an operand starts at
 * offset 0 (re-pointing a per-thread wrapper matrix, no copy), and otherwise copies the operand
 * into a per-thread scratch matrix (and C back out): allocation-free once the scratch has grown
 * to the largest size seen. It stays public so that a user can pick the reference backend by
 * type ({@link #INSTANCE}, {@link #withThreads}): tests and benchmarks compare against it.
 */
public final class EjmlGemm implements Gemm {

    /** The single-threaded instance. */
    public static final EjmlGemm INSTANCE = new EjmlGemm(1);

    private final int threads;

    private EjmlGemm(int threads) {
        this.threads = threads;
    }

    /**
     * {@return an EJML backend using {@code threads} threads (EJML's pool is process-wide: this sets its
     * size with {@link EjmlConcurrency#setMaxThreads})}
     * With 1, the shared {@link #INSTANCE}; otherwise a new instance.
     *
     * @param threads the number of threads, {@code > 0}
     * @throws IllegalArgumentException if {@code threads <= 0}
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

    /** Wrappers and scratch matrices of one calling thread. */
    private static final class Scratch {
        final FMatrixRMaj a = new FMatrixRMaj(1, 1);
        final FMatrixRMaj b = new FMatrixRMaj(1, 1);
        final FMatrixRMaj c = new FMatrixRMaj(1, 1);
        final FMatrixRMaj aCopy = new FMatrixRMaj(1, 1);
        final FMatrixRMaj bCopy = new FMatrixRMaj(1, 1);
        final FMatrixRMaj cCopy = new FMatrixRMaj(1, 1);
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    public void gemm(boolean transA, boolean transB, boolean accumulate, int m, int n, int k,
                     float[] a, int ao, float[] b, int bo, float[] c, int co) {
        Gemm.checkArrays(m, n, k, a, ao, b, bo, c, co);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                java.util.Arrays.fill(c, co, co + m * n, 0f);
            }
            return;
        }
        Scratch s = SCRATCH.get();
        FMatrixRMaj am = view(a, ao, transA ? k : m, transA ? m : k, s.a, s.aCopy, true);
        FMatrixRMaj bm = view(b, bo, transB ? n : k, transB ? k : n, s.b, s.bCopy, true);
        FMatrixRMaj cm = view(c, co, m, n, s.c, s.cCopy, accumulate);
        try {
            if (!transA && !transB) {
                if (accumulate) {
                    multAdd(am, bm, cm);
                } else {
                    mult(am, bm, cm);
                }
            } else if (transA && !transB) {
                if (accumulate) {
                    multAddTransA(am, bm, cm);
                } else {
                    multTransA(am, bm, cm);
                }
            } else if (!transA) {
                if (accumulate) {
                    multAddTransB(am, bm, cm);
                } else {
                    multTransB(am, bm, cm);
                }
            } else if (threads > 1) {
                if (accumulate) {
                    CommonOps_MT_FDRM.multAddTransAB(am, bm, cm);
                } else {
                    CommonOps_MT_FDRM.multTransAB(am, bm, cm);
                }
            } else if (accumulate) {
                CommonOps_FDRM.multAddTransAB(am, bm, cm);
            } else {
                CommonOps_FDRM.multTransAB(am, bm, cm);
            }
            if (cm == s.cCopy) {
                System.arraycopy(cm.data, 0, c, co, m * n);
            }
        } finally {
            s.a.data = EMPTY;
            s.b.data = EMPTY;
            s.c.data = EMPTY;
        }
    }

    private static final float[] EMPTY = new float[0];

    /**
     * A (rows, cols) matrix over x[offset ..]: the wrapper re-pointed at x when offset is 0 (EJML
     * reads only the first rows * cols floats), else the scratch matrix, filled when {@code load}.
     */
    private static FMatrixRMaj view(float[] x, int offset, int rows, int cols, FMatrixRMaj wrapper,
                                    FMatrixRMaj scratch, boolean load) {
        if (offset == 0) {
            wrapper.data = x;
            wrapper.numRows = rows;
            wrapper.numCols = cols;
            return wrapper;
        }
        scratch.reshape(rows, cols);
        if (load) {
            System.arraycopy(x, offset, scratch.data, 0, rows * cols);
        }
        return scratch;
    }

    /** {@return number of threads this backend uses} */
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

package org.vae4j.kernel;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * The reference {@link Gemm}: delegates to EJML's {@link CommonOps_FDRM}. Correct on every shape,
 * slow (EJML's float multiply runs at a few GFLOP/s). Stateless and thread-safe.
 */
public final class EjmlGemm implements Gemm {

    /** The shared instance. */
    public static final EjmlGemm INSTANCE = new EjmlGemm();

    private EjmlGemm() {
    }

    @Override
    public void mult(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, false, b, false, c);
        CommonOps_FDRM.mult(a, b, c);
    }

    @Override
    public void multAdd(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, false, b, false, c);
        CommonOps_FDRM.multAdd(a, b, c);
    }

    @Override
    public void multTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, true, b, false, c);
        CommonOps_FDRM.multTransA(a, b, c);
    }

    @Override
    public void multAddTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, true, b, false, c);
        CommonOps_FDRM.multAddTransA(a, b, c);
    }

    @Override
    public void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, false, b, true, c);
        CommonOps_FDRM.multTransB(a, b, c);
    }

    @Override
    public void multAddTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, false, b, true, c);
        CommonOps_FDRM.multAddTransB(a, b, c);
    }

    @Override
    public String name() {
        return "ejml";
    }
}

package org.vae4j.kernel;

import org.ejml.data.FMatrixRMaj;

/**
 * The one matrix-multiply interface of the training path. Every GEMM of a training step goes
 * through an instance of this interface, so a faster backend can replace the reference one
 * ({@link EjmlGemm}) without touching the layers.
 *
 * <p>All matrices are row-major float32. The caller owns the output: it must already have the
 * right shape (implementations check shapes and throw {@link IllegalArgumentException} rather
 * than reshaping silently). Inputs are not modified. The output must not alias an input.
 *
 * <p>Implementations are stateless or internally synchronised; they may be shared between
 * models but a single call is not re-entrant on the same output.
 */
public interface Gemm {

    /** C = A * B. A (m, k) not modified, B (k, n) not modified, C (m, n) modified. */
    void mult(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c);

    /** C += A * B. Shapes as {@link #mult}. */
    void multAdd(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c);

    /** C = A<sup>T</sup> * B. A (k, m) not modified, B (k, n) not modified, C (m, n) modified. */
    void multTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c);

    /** C += A<sup>T</sup> * B. Shapes as {@link #multTransA}. */
    void multAddTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c);

    /** C = A * B<sup>T</sup>. A (m, k) not modified, B (n, k) not modified, C (m, n) modified. */
    void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c);

    /** C += A * B<sup>T</sup>. Shapes as {@link #multTransB}. */
    void multAddTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c);

    /** A short name for logs and benchmarks, e.g. {@code "ejml"}. */
    String name();

    /** Checks C = op(A) op(B) shapes; {@code ta}/{@code tb} say whether A/B are transposed. */
    static void checkShapes(FMatrixRMaj a, boolean ta, FMatrixRMaj b, boolean tb, FMatrixRMaj c) {
        int m = ta ? a.numCols : a.numRows;
        int ka = ta ? a.numRows : a.numCols;
        int kb = tb ? b.numCols : b.numRows;
        int n = tb ? b.numRows : b.numCols;
        if (ka != kb || c.numRows != m || c.numCols != n) {
            throw new IllegalArgumentException(String.format(
                    "GEMM shape mismatch: op(A) is (%d, %d), op(B) is (%d, %d), C is (%d, %d)",
                    m, ka, kb, n, c.numRows, c.numCols));
        }
        if (c == a || c == b) {
            throw new IllegalArgumentException("GEMM output must not alias an input");
        }
    }
}

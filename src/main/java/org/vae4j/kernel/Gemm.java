package org.vae4j.kernel;

import org.ejml.data.FMatrixRMaj;

/**
 * The one matrix-multiply interface of the training path. Every GEMM of a training step goes
 * through an instance of this interface, so a faster backend can replace the reference one
 * ({@link EjmlGemm}) without touching the layers.
 *
 * <p>One primitive, {@link #gemm}, works on arrays at offsets, as BLAS's {@code sgemm} does with
 * row-major storage and contiguous rows: it is how a layer multiplies by a parameter that lives at
 * an offset inside the model's flat parameter array. The six {@code FMatrixRMaj} operations are
 * defaults over it that check the matrices' shapes first.
 *
 * <p>All matrices are row-major float32. The caller owns the output: it must already have the
 * right shape (implementations check shapes and throw {@link IllegalArgumentException} rather
 * than reshaping silently). Inputs are not modified. The output must not alias an input.
 *
 * <p>Implementations are stateless or internally synchronised; they may be shared between
 * models but a single call is not re-entrant on the same output.
 */
public interface Gemm {

    /**
     * C = op(A) op(B), or C += op(A) op(B) when {@code accumulate}; row-major, each operand's rows
     * contiguous (leading dimension = its stored column count):
     * <ul>
     * <li>op(A) is (m, k): A stored (m, k) from {@code a[ao]}, or with {@code transA} A stored
     * (k, m) and read transposed;</li>
     * <li>op(B) is (k, n): B stored (k, n) from {@code b[bo]}, or with {@code transB} B stored
     * (n, k) and read transposed;</li>
     * <li>C is (m, n), stored from {@code c[co]}, modified; the other elements of {@code c} are not
     * touched.</li>
     * </ul>
     * With k = 0, C is set to zero (or left alone when accumulating).
     *
     * @param transA whether A is stored (k, m) and read transposed, rather than stored (m, k)
     * @param transB whether B is stored (n, k) and read transposed, rather than stored (k, n)
     * @param accumulate whether to add op(A) op(B) to C's current values instead of overwriting them
     * @param m rows of op(A) and of C, {@code >= 0}
     * @param n columns of op(B) and of C, {@code >= 0}
     * @param k the inner dimension (columns of op(A), rows of op(B)), {@code >= 0}
     * @param a the array holding A's m k floats, row-major, not modified
     * @param ao the index of A's first element in {@code a}
     * @param b the array holding B's k n floats, row-major, not modified
     * @param bo the index of B's first element in {@code b}
     * @param c the array holding C's m n floats, row-major; only that range is written
     * @param co the index of C's first element in {@code c}
     * @throws IllegalArgumentException for a negative size or offset, an operand that does not
     *         fit its array, or C overlapping A or B (see {@link #checkArrays})
     */
    void gemm(boolean transA, boolean transB, boolean accumulate, int m, int n, int k,
              float[] a, int ao, float[] b, int bo, float[] c, int co);

    /**
     * Prepares a right factor B = op(b), (k, n), for many products that use it unchanged (an
     * inference view's weights): see {@link PreparedB}. This default keeps where B is; the vector
     * backend packs it into its micro-panels once (about k n floats more), so that its products
     * skip the packing. B must not change while the result is in use.
     *
     * @param transB whether B is stored (n, k) and read transposed, rather than stored (k, n)
     * @param k rows of op(B), the products' inner dimension, {@code >= 0}
     * @param n columns of op(B), {@code >= 0}
     * @param b the array holding B's k n floats, row-major, not modified
     * @param bo the index of B's first element in {@code b}
     * @return the prepared B, for {@link #gemm(boolean, boolean, int, float[], int, PreparedB, float[], int)}
     * @throws IllegalArgumentException for a negative size or offset, or B not fitting its array
     */
    default PreparedB prepare(boolean transB, int k, int n, float[] b, int bo) {
        return PreparedB.of(transB, k, n, b, bo);
    }

    /**
     * {@link #gemm(boolean, boolean, boolean, int, int, int, float[], int, float[], int, float[], int)}
     * with B prepared by {@link #prepare}: C (m, n) = op(A) B, or C += op(A) B. The result is the
     * same, bit for bit, as the call with B itself. This default makes that call; a backend that
     * prepared B in its own layout uses it.
     *
     * @param transA whether A is stored (k, m) and read transposed, rather than stored (m, k)
     * @param accumulate whether to add op(A) B to C's current values instead of overwriting them
     * @param m rows of op(A) and of C, {@code >= 0}
     * @param a the array holding A's m k floats, row-major, not modified
     * @param ao the index of A's first element in {@code a}
     * @param b B, (k, n), prepared by any backend
     * @param c the array holding C's m n floats, row-major; only that range is written
     * @param co the index of C's first element in {@code c}
     * @throws IllegalArgumentException as the call with B itself
     */
    default void gemm(boolean transA, boolean accumulate, int m, float[] a, int ao, PreparedB b, float[] c, int co) {
        gemm(transA, b.transposed(), accumulate, m, b.columns(), b.rows(), a, ao, b.array(), b.offset(), c, co);
    }

    /**
     * C = A * B.
     *
     * @param a the left factor, (m, k), not modified
     * @param b the right factor, (k, n), not modified
     * @param c the output, (m, n), overwritten; must not be {@code a} or {@code b}
     * @throws IllegalArgumentException if the shapes do not match or {@code c} is {@code a} or {@code b}
     */
    default void mult(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        checkShapes(a, false, b, false, c);
        gemm(false, false, false, c.numRows, c.numCols, a.numCols, a.data, 0, b.data, 0, c.data, 0);
    }

    /**
     * C += A * B.
     *
     * @param a the left factor, (m, k), not modified
     * @param b the right factor, (k, n), not modified
     * @param c the accumulator, (m, n), to which A B is added; must not be {@code a} or {@code b}
     * @throws IllegalArgumentException if the shapes do not match or {@code c} is {@code a} or {@code b}
     */
    default void multAdd(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        checkShapes(a, false, b, false, c);
        gemm(false, false, true, c.numRows, c.numCols, a.numCols, a.data, 0, b.data, 0, c.data, 0);
    }

    /**
     * C = A<sup>T</sup> * B.
     *
     * @param a the left factor as stored, (k, m), read transposed, not modified
     * @param b the right factor, (k, n), not modified
     * @param c the output, (m, n), overwritten; must not be {@code a} or {@code b}
     * @throws IllegalArgumentException if the shapes do not match or {@code c} is {@code a} or {@code b}
     */
    default void multTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        checkShapes(a, true, b, false, c);
        gemm(true, false, false, c.numRows, c.numCols, a.numRows, a.data, 0, b.data, 0, c.data, 0);
    }

    /**
     * C += A<sup>T</sup> * B.
     *
     * @param a the left factor as stored, (k, m), read transposed, not modified
     * @param b the right factor, (k, n), not modified
     * @param c the accumulator, (m, n), to which A<sup>T</sup> B is added; must not be {@code a} or
     *        {@code b}
     * @throws IllegalArgumentException if the shapes do not match or {@code c} is {@code a} or {@code b}
     */
    default void multAddTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        checkShapes(a, true, b, false, c);
        gemm(true, false, true, c.numRows, c.numCols, a.numRows, a.data, 0, b.data, 0, c.data, 0);
    }

    /**
     * C = A * B<sup>T</sup>.
     *
     * @param a the left factor, (m, k), not modified
     * @param b the right factor as stored, (n, k), read transposed, not modified
     * @param c the output, (m, n), overwritten; must not be {@code a} or {@code b}
     * @throws IllegalArgumentException if the shapes do not match or {@code c} is {@code a} or {@code b}
     */
    default void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        checkShapes(a, false, b, true, c);
        gemm(false, true, false, c.numRows, c.numCols, a.numCols, a.data, 0, b.data, 0, c.data, 0);
    }

    /**
     * C += A * B<sup>T</sup>.
     *
     * @param a the left factor, (m, k), not modified
     * @param b the right factor as stored, (n, k), read transposed, not modified
     * @param c the accumulator, (m, n), to which A B<sup>T</sup> is added; must not be {@code a} or
     *        {@code b}
     * @throws IllegalArgumentException if the shapes do not match or {@code c} is {@code a} or {@code b}
     */
    default void multAddTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        checkShapes(a, false, b, true, c);
        gemm(false, true, true, c.numRows, c.numCols, a.numCols, a.data, 0, b.data, 0, c.data, 0);
    }

    /** {@return a short name for logs and benchmarks, e.g. {@code "ejml"}} */
    String name();

    /**
     * One range [from, to) of an elementwise pass that {@link #forEachRange} splits over a
     * backend's threads. An implementation is usually a reusable object whose fields hold the
     * pass's arrays and constants, so that a training step allocates nothing.
     */
    @FunctionalInterface
    interface RangeTask {
        /**
         * Processes the elements with index in [from, to).
         *
         * @param from the first index of the range, inclusive, {@code >= 0}
         * @param to the end of the range, exclusive, {@code >= from}
         */
        void run(int from, int to);
    }

    /**
     * Runs {@code task} over [0, n) in consecutive, disjoint ranges that cover it, on this
     * backend's threads (the caller's among them), and returns when all are done. For elementwise
     * passes (an optimiser's update over a model's flat parameter arrays): what an element
     * computes must not depend on the range it falls in, so the result does not depend on the
     * thread count or on which thread runs which range. The task must not call back into this
     * backend. The default runs {@code task.run(0, n)} on the caller; a multi-threaded backend
     * splits large passes (ranges start at multiples of 64 elements, cache-line aligned for
     * 64-byte lines) and runs small ones on the caller.
     *
     * @param n the number of elements of the pass, {@code >= 0}; nothing runs when it is 0
     * @param task the work for one range; called once per range, possibly concurrently from several
     *        threads for disjoint ranges
     * @throws IllegalArgumentException for a negative n
     */
    default void forEachRange(int n, RangeTask task) {
        if (n < 0) {
            throw new IllegalArgumentException("a range pass needs n >= 0, got " + n);
        }
        if (n > 0) {
            task.run(0, n);
        }
    }

    /**
     * Checks the shapes of C = op(A) op(B): op(A)'s columns equal op(B)'s rows, and C is (rows of
     * op(A), columns of op(B)); also that C is neither A nor B (the same object).
     *
     * @param a the left factor as stored
     * @param ta whether {@code a} is read transposed (op(A) = A<sup>T</sup>)
     * @param b the right factor as stored
     * @param tb whether {@code b} is read transposed (op(B) = B<sup>T</sup>)
     * @param c the output
     * @throws IllegalArgumentException if the shapes do not match (the message gives all three) or
     *         {@code c} is {@code a} or {@code b}
     */
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

    /**
     * Checks the operands of {@link #gemm}: sizes and offsets non-negative, A's m k floats from
     * {@code ao} within {@code a} (likewise B's k n and C's m n), and C's range disjoint from A's
     * and B's when they share an array. The message names the sizes and the operand.
     *
     * @param m rows of op(A) and of C
     * @param n columns of op(B) and of C
     * @param k the inner dimension
     * @param a the array holding A
     * @param ao the index of A's first element in {@code a}
     * @param b the array holding B
     * @param bo the index of B's first element in {@code b}
     * @param c the array holding C
     * @param co the index of C's first element in {@code c}
     * @throws IllegalArgumentException for a negative size, a null array, a negative offset, an
     *         operand whose floats do not fit its array, or C's range overlapping A's or B's
     */
    static void checkArrays(int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c, int co) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("GEMM sizes must be >= 0, got m=" + m + ", n=" + n + ", k=" + k);
        }
        checkRange("A", a, ao, (long) m * k, m, n, k);
        checkRange("B", b, bo, (long) k * n, m, n, k);
        checkRange("C", c, co, (long) m * n, m, n, k);
        if (overlaps(c, co, (long) m * n, a, ao, (long) m * k) || overlaps(c, co, (long) m * n, b, bo, (long) k * n)) {
            throw new IllegalArgumentException("GEMM output must not alias an input (m=" + m + ", n=" + n + ", k="
                    + k + ", C at " + co + ", A at " + ao + ", B at " + bo + ")");
        }
    }

    private static void checkRange(String what, float[] x, int offset, long size, int m, int n, int k) {
        if (x == null || offset < 0 || offset + size > x.length) {
            throw new IllegalArgumentException(String.format(
                    "GEMM operand %s (m=%d, n=%d, k=%d): %d floats from offset %d do not fit an array of %s",
                    what, m, n, k, size, offset, x == null ? "null" : Integer.toString(x.length)));
        }
    }

    private static boolean overlaps(float[] c, int co, long cn, float[] x, int xo, long xn) {
        return c == x && cn > 0 && xn > 0 && co < xo + xn && xo < co + cn;
    }
}

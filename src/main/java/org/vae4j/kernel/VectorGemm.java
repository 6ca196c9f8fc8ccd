package org.vae4j.kernel;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ejml.data.FMatrixRMaj;

/**
 * A register-blocked SGEMM on the JDK Vector API ({@code jdk.incubator.vector}), the fast
 * {@link Gemm} backend. Needs the JVM flag {@code --add-modules jdk.incubator.vector}; load it
 * through {@link Gemms}, which falls back to {@link EjmlGemm} when the module is absent.
 *
 * <p>One micro-kernel, written straight-line with no helper calls in its hot loop (a helper
 * taking vectors can get un-inlined, and its vectors boxed): C (+)= A B with A[i, p] read through
 * strides, so it serves {@code A B} and {@code A^T B} alike. A 4-row by 4-vector tile of C (16
 * accumulators) stays in registers while p runs over k; each step broadcasts 4 values of A and
 * loads 4 vectors of row p of B. Narrower panels (2 vectors, 1 vector, then scalars) finish the
 * columns. (Half- and quarter-width panels for the last columns were tried: on JDK 17 they made
 * C2 box vectors, allocating on every call.) Every C element is {@code fma}-accumulated in ascending p, whichever path computes it.
 *
 * <p>{@code A B^T} is turned into that kernel's form by transposing whichever side is cheaper:
 * B (when k or n is small), or A and the result (C^T = B A^T; the batch side is small). On
 * several threads the second case instead uses a dot-product kernel (a 4x4 tile of C as 16 vector
 * accumulators over p, reduced across lanes at the end): its lane reductions are slow (JDK 17
 * reduces a float vector lane by lane) but it needs no serial transposes between parallel parts.
 *
 * Each C element is computed by one thread, with the same instruction sequence whatever the work
 * split, so results are identical run to run; {@code A B} and {@code A^T B} are also identical
 * across thread counts, {@code A B^T} only across counts above one (one thread takes the transpose
 * route). Large GEMMs are split
 * between {@code threads} threads by a fixed partition (rows, or columns when there are few rows);
 * small ones run on the caller's thread. Thread-safe: parallel calls are serialised.
 */
public final class VectorGemm implements Gemm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Transposes with fewer elements than this run on one thread. */
    static final int PARALLEL_MIN_TRANSPOSE = 1 << 15;
    /** Side of the square blocks a transpose walks. */
    private static final int TRANSPOSE_BLOCK = 32;
    /** Rows of B per block in the dot kernel: 128 rows of up to 1000 floats stay in L2. */
    private static final int DOT_BLOCK = 128;
    /** GEMMs with fewer multiply-adds than this run on one thread (the hand-off costs more). */
    static final long PARALLEL_MIN_MACS = 1L << 19;

    private static final int NN = 0;
    private static final int TN = 1;
    private static final int NT = 2;

    private final SpinPool pool;
    // Transposed operands of A B^T, per calling thread, grown to the largest size seen.
    private final ThreadLocal<FMatrixRMaj> packedA = ThreadLocal.withInitial(() -> new FMatrixRMaj(1, 1));
    private final ThreadLocal<FMatrixRMaj> packedB = ThreadLocal.withInitial(() -> new FMatrixRMaj(1, 1));
    private final ThreadLocal<FMatrixRMaj> packedC = ThreadLocal.withInitial(() -> new FMatrixRMaj(1, 1));

    // The call being run in parallel (guarded by the pool's lock; set before pool.run).
    private int callMode;
    private boolean callOverwrite;
    private FMatrixRMaj callA;
    private FMatrixRMaj callB;
    private FMatrixRMaj callC;
    private final SpinPool.Body body = this::runPart;
    private FMatrixRMaj transposeSrc;
    private FMatrixRMaj transposeDst;
    private final SpinPool.Body transposeBody = this::transposePart;

    private VectorGemm(int threads) {
        this.pool = new SpinPool(threads);
    }

    /** A backend using {@code threads} threads (1 = the caller's only). */
    public static VectorGemm create(int threads) {
        VectorGemm g = new VectorGemm(threads);
        g.warmUp();
        return g;
    }

    /**
     * Runs every path of the kernels (full tiles, row and column tails, each variant, overwrite
     * and accumulate) on small matrices, so the JIT's first profile has seen them all. Without
     * this, the first short batch of a training run took a path the compiled code had never seen,
     * the kernel was deoptimised, and training ran ~25% slower for several epochs until it was
     * compiled again. Takes a few milliseconds.
     */
    private void warmUp() {
        int[][] shapes = {{13, 70, 37}, {9, 131, 5}, {6, 37, 70}};
        for (int rep = 0; rep < 40; rep++) {
            for (int[] sh : shapes) {
                FMatrixRMaj a = new FMatrixRMaj(sh[0], sh[1]);
                FMatrixRMaj at = new FMatrixRMaj(sh[1], sh[0]);
                FMatrixRMaj b = new FMatrixRMaj(sh[1], sh[2]);
                FMatrixRMaj bt = new FMatrixRMaj(sh[2], sh[1]);
                FMatrixRMaj c = new FMatrixRMaj(sh[0], sh[2]);
                mult(a, b, c);
                multAdd(a, b, c);
                multTransA(at, b, c);
                multAddTransA(at, b, c);
                multTransB(a, bt, c);
                multAddTransB(a, bt, c);
                for (int mode = NN; mode <= NT; mode++) {
                    FMatrixRMaj x = mode == TN ? at : a;
                    FMatrixRMaj y = mode == NT ? bt : b;
                    compute(mode, rep % 2 == 0, x, y, c, 0, c.numRows, 0, c.numCols);
                }
            }
        }
    }

    /** Number of threads. */
    public int threads() {
        return pool.threads();
    }

    /** Vector width in floats (16 with AVX-512). */
    public static int lanes() {
        return L;
    }

    @Override
    public void mult(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, false, b, false, c);
        run(NN, true, a, b, c);
    }

    @Override
    public void multAdd(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, false, b, false, c);
        run(NN, false, a, b, c);
    }

    @Override
    public void multTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, true, b, false, c);
        run(TN, true, a, b, c);
    }

    @Override
    public void multAddTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, true, b, false, c);
        run(TN, false, a, b, c);
    }

    @Override
    public void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, false, b, true, c);
        run(NT, true, a, b, c);
    }

    @Override
    public void multAddTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        Gemm.checkShapes(a, false, b, true, c);
        run(NT, false, a, b, c);
    }

    @Override
    public String name() {
        return "vector" + (pool.threads() > 1 ? "-" + pool.threads() + "t" : "");
    }

    private void run(int mode, boolean overwrite, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        int m = c.numRows;
        int n = c.numCols;
        int k = mode == TN ? a.numRows : a.numCols;
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (overwrite) {
                Arrays.fill(c.data, 0, m * n, 0f);
            }
            return;
        }
        if (mode == NT) {
            // A B^T through the axpy kernel, transposing whichever side is cheaper to move:
            // B (n x k floats), or A and the result (m x k + m x n; the batch side is small).
            if (pool.threads() > 1 && (long) n * k > (long) m * (k + n)) {
                // On several threads the transposes below are serial work between parallel
                // GEMMs; the dot kernel needs none and ran ~5% faster per training step there.
                dispatch(NT, overwrite, a, b, c);
            } else if ((long) n * k <= (long) m * (k + n)) {
                FMatrixRMaj bt = packedB.get();
                bt.reshape(k, n);
                transpose(b, bt);
                dispatch(NN, overwrite, a, bt, c);
            } else {
                FMatrixRMaj at = packedA.get();
                at.reshape(k, m);
                transpose(a, at);
                FMatrixRMaj ct = packedC.get();
                ct.reshape(n, m);
                dispatch(NN, true, b, at, ct); // C^T = B A^T
                if (overwrite) {
                    transpose(ct, c);
                } else {
                    addTransposed(ct, c);
                }
            }
            return;
        }
        dispatch(mode, overwrite, a, b, c);
    }

    /** dst = src^T (dst already shaped), split over the pool when it is large. */
    private void transpose(FMatrixRMaj src, FMatrixRMaj dst) {
        if (pool.threads() == 1 || src.getNumElements() < PARALLEL_MIN_TRANSPOSE) {
            // not EJML's transpose: it goes multi-threaded, and allocates, once any EJML
            // multi-threaded op has been set up in the process
            transposeRows(src.data, src.numRows, src.numCols, dst.data, 0, src.numRows);
            return;
        }
        synchronized (pool) {
            transposeSrc = src;
            transposeDst = dst;
            try {
                pool.run(transposeBody);
            } finally {
                transposeSrc = null;
                transposeDst = null;
            }
        }
    }

    private void transposePart(int part, int parts) {
        FMatrixRMaj src = transposeSrc;
        int blocks = (src.numRows + TRANSPOSE_BLOCK - 1) / TRANSPOSE_BLOCK;
        int r0 = Math.min(src.numRows, TRANSPOSE_BLOCK * (int) ((long) blocks * part / parts));
        int r1 = Math.min(src.numRows, TRANSPOSE_BLOCK * (int) ((long) blocks * (part + 1) / parts));
        transposeRows(src.data, src.numRows, src.numCols, transposeDst.data, r0, r1);
    }

    /** Rows [r0, r1) of src (rows, cols) into columns of dst (cols, rows), in cache-sized blocks. */
    static void transposeRows(float[] src, int rows, int cols, float[] dst, int r0, int r1) {
        for (int rb = r0; rb < r1; rb += TRANSPOSE_BLOCK) {
            final int re = Math.min(r1, rb + TRANSPOSE_BLOCK);
            for (int cb = 0; cb < cols; cb += TRANSPOSE_BLOCK) {
                final int ce = Math.min(cols, cb + TRANSPOSE_BLOCK);
                for (int c = cb; c < ce; c++) {
                    final int d = c * rows;
                    for (int r = rb; r < re; r++) {
                        dst[d + r] = src[r * cols + c]; // contiguous writes: 3x faster than contiguous reads
                    }
                }
            }
        }
    }

    /** c += t^T, with t (n, m) and c (m, n). */
    private static void addTransposed(FMatrixRMaj t, FMatrixRMaj c) {
        final int m = c.numRows;
        final int n = c.numCols;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c.data[i * n + j] += t.data[j * m + i];
            }
        }
    }

    /** Runs an NN or TN product on this thread or split over the pool. */
    private void dispatch(int mode, boolean overwrite, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        int m = c.numRows;
        int n = c.numCols;
        int k = mode == TN ? a.numRows : a.numCols;
        if (pool.threads() == 1 || (long) m * n * k < PARALLEL_MIN_MACS) {
            compute(mode, overwrite, a, b, c, 0, m, 0, n);
            return;
        }
        synchronized (pool) {
            callMode = mode;
            callOverwrite = overwrite;
            callA = a;
            callB = b;
            callC = c;
            try {
                pool.run(body);
            } finally {
                callA = null;
                callB = null;
                callC = null;
            }
        }
    }

    /** One thread's share: a fixed slice of C's rows (in whole 4-row tiles), or of its columns. */
    private void runPart(int part, int parts) {
        FMatrixRMaj c = callC;
        int m = c.numRows;
        int n = c.numCols;
        if (m >= 8 * parts) {
            int tiles = (m + 3) / 4;
            int t0 = (int) ((long) tiles * part / parts);
            int t1 = (int) ((long) tiles * (part + 1) / parts);
            compute(callMode, callOverwrite, callA, callB, c, Math.min(m, 4 * t0), Math.min(m, 4 * t1), 0, n);
        } else {
            int unit = callMode == NT ? 4 : 4 * L;
            int units = (n + unit - 1) / unit;
            int u0 = (int) ((long) units * part / parts);
            int u1 = (int) ((long) units * (part + 1) / parts);
            compute(callMode, callOverwrite, callA, callB, c, 0, m, Math.min(n, unit * u0), Math.min(n, unit * u1));
        }
    }

    /** C[i0:i1, j0:j1] (+)= op(A) op(B) for the rows and columns given. */
    static void compute(int mode, boolean overwrite, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c,
                        int i0, int i1, int j0, int j1) {
        if (i0 >= i1 || j0 >= j1) {
            return;
        }
        if (mode == NT) {
            dot(a.data, b.data, c.data, a.numCols, c.numCols, overwrite, i0, i1, j0, j1);
        } else if (mode == NN) {
            int k = a.numCols;
            axpy(a.data, k, 1, b.data, c.data, k, c.numCols, overwrite, i0, i1, j0, j1);
        } else {
            int k = a.numRows;
            axpy(a.data, 1, a.numCols, b.data, c.data, k, c.numCols, overwrite, i0, i1, j0, j1);
        }
    }

    /**
     * C[i, j] (+)= sum_p A[i, p] B[p, j] with A[i, p] = a[i * ars + p * aps] and B row-major (k, n).
     */
    private static void axpy(float[] a, int ars, int aps, float[] b, float[] c, int k, int n, boolean overwrite,
                             int i0, int i1, int j0, int j1) {
        if (overwrite) {
            // Zero C first so that every tile only accumulates: a tile choosing between zero and
            // loaded accumulators merges vectors across branches, and C2 then boxes them.
            for (int i = i0; i < i1; i++) {
                Arrays.fill(c, i * n + j0, i * n + j1, 0f);
            }
        }
        // One method per tile width: each compiles on its own, small enough for C2 to keep every
        // vector in registers.
        int j = axpy4(a, ars, aps, b, c, k, n, i0, i1, j0, j1);
        j = axpy2(a, ars, aps, b, c, k, n, i0, i1, j, j1);
        j = axpy1(a, ars, aps, b, c, k, n, i0, i1, j, j1);
        if (j < j1) {
            axpyScalar(a, ars, aps, b, c, k, n, i0, i1, j, j1);
        }
    }

    /** Columns [j, ...) in panels of 4 vectors; returns the first column not done. */
    private static int axpy4(float[] a, int ars, int aps, float[] b, float[] c, int k, int n,
                               int i0, int i1, int j, int j1) {
        for (; j + 4 * L <= j1; j += 4 * L) {
            int i = i0;
            for (; i + 4 <= i1; i += 4) {
                final int c0 = i * n + j;
                final int c1 = c0 + n;
                final int c2 = c1 + n;
                final int c3 = c2 + n;
                FloatVector s00;
                FloatVector s01;
                FloatVector s02;
                FloatVector s03;
                FloatVector s10;
                FloatVector s11;
                FloatVector s12;
                FloatVector s13;
                FloatVector s20;
                FloatVector s21;
                FloatVector s22;
                FloatVector s23;
                FloatVector s30;
                FloatVector s31;
                FloatVector s32;
                FloatVector s33;
                s00 = FloatVector.fromArray(S, c, c0);
                s01 = FloatVector.fromArray(S, c, c0 + L);
                s02 = FloatVector.fromArray(S, c, c0 + 2 * L);
                s03 = FloatVector.fromArray(S, c, c0 + 3 * L);
                s10 = FloatVector.fromArray(S, c, c1);
                s11 = FloatVector.fromArray(S, c, c1 + L);
                s12 = FloatVector.fromArray(S, c, c1 + 2 * L);
                s13 = FloatVector.fromArray(S, c, c1 + 3 * L);
                s20 = FloatVector.fromArray(S, c, c2);
                s21 = FloatVector.fromArray(S, c, c2 + L);
                s22 = FloatVector.fromArray(S, c, c2 + 2 * L);
                s23 = FloatVector.fromArray(S, c, c2 + 3 * L);
                s30 = FloatVector.fromArray(S, c, c3);
                s31 = FloatVector.fromArray(S, c, c3 + L);
                s32 = FloatVector.fromArray(S, c, c3 + 2 * L);
                s33 = FloatVector.fromArray(S, c, c3 + 3 * L);
                int ai = i * ars;
                int bi = j;
                for (int p = 0; p < k; p++) {
                    FloatVector b0 = FloatVector.fromArray(S, b, bi);
                    FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
                    FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * L);
                    FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * L);
                    FloatVector a0 = FloatVector.broadcast(S, a[ai]);
                    s00 = a0.fma(b0, s00);
                    s01 = a0.fma(b1, s01);
                    s02 = a0.fma(b2, s02);
                    s03 = a0.fma(b3, s03);
                    FloatVector a1 = FloatVector.broadcast(S, a[ai + ars]);
                    s10 = a1.fma(b0, s10);
                    s11 = a1.fma(b1, s11);
                    s12 = a1.fma(b2, s12);
                    s13 = a1.fma(b3, s13);
                    FloatVector a2 = FloatVector.broadcast(S, a[ai + 2 * ars]);
                    s20 = a2.fma(b0, s20);
                    s21 = a2.fma(b1, s21);
                    s22 = a2.fma(b2, s22);
                    s23 = a2.fma(b3, s23);
                    FloatVector a3 = FloatVector.broadcast(S, a[ai + 3 * ars]);
                    s30 = a3.fma(b0, s30);
                    s31 = a3.fma(b1, s31);
                    s32 = a3.fma(b2, s32);
                    s33 = a3.fma(b3, s33);
                    ai += aps;
                    bi += n;
                }
                s00.intoArray(c, c0);
                s01.intoArray(c, c0 + L);
                s02.intoArray(c, c0 + 2 * L);
                s03.intoArray(c, c0 + 3 * L);
                s10.intoArray(c, c1);
                s11.intoArray(c, c1 + L);
                s12.intoArray(c, c1 + 2 * L);
                s13.intoArray(c, c1 + 3 * L);
                s20.intoArray(c, c2);
                s21.intoArray(c, c2 + L);
                s22.intoArray(c, c2 + 2 * L);
                s23.intoArray(c, c2 + 3 * L);
                s30.intoArray(c, c3);
                s31.intoArray(c, c3 + L);
                s32.intoArray(c, c3 + 2 * L);
                s33.intoArray(c, c3 + 3 * L);
            }
            for (; i < i1; i++) {
                final int c0 = i * n + j;
                FloatVector s00 = FloatVector.fromArray(S, c, c0);
                FloatVector s01 = FloatVector.fromArray(S, c, c0 + L);
                FloatVector s02 = FloatVector.fromArray(S, c, c0 + 2 * L);
                FloatVector s03 = FloatVector.fromArray(S, c, c0 + 3 * L);
                int ai = i * ars;
                int bi = j;
                for (int p = 0; p < k; p++) {
                    FloatVector a0 = FloatVector.broadcast(S, a[ai]);
                    s00 = a0.fma(FloatVector.fromArray(S, b, bi), s00);
                    s01 = a0.fma(FloatVector.fromArray(S, b, bi + L), s01);
                    s02 = a0.fma(FloatVector.fromArray(S, b, bi + 2 * L), s02);
                    s03 = a0.fma(FloatVector.fromArray(S, b, bi + 3 * L), s03);
                    ai += aps;
                    bi += n;
                }
                s00.intoArray(c, c0);
                s01.intoArray(c, c0 + L);
                s02.intoArray(c, c0 + 2 * L);
                s03.intoArray(c, c0 + 3 * L);
            }
        }
        return j;
    }

    /** Columns [j, ...) in panels of 2 vectors; returns the first column not done. */
    private static int axpy2(float[] a, int ars, int aps, float[] b, float[] c, int k, int n,
                               int i0, int i1, int j, int j1) {
        for (; j + 2 * L <= j1; j += 2 * L) {
            int i = i0;
            for (; i + 4 <= i1; i += 4) {
                final int c0 = i * n + j;
                final int c1 = c0 + n;
                final int c2 = c1 + n;
                final int c3 = c2 + n;
                FloatVector s00;
                FloatVector s01;
                FloatVector s10;
                FloatVector s11;
                FloatVector s20;
                FloatVector s21;
                FloatVector s30;
                FloatVector s31;
                s00 = FloatVector.fromArray(S, c, c0);
                s01 = FloatVector.fromArray(S, c, c0 + L);
                s10 = FloatVector.fromArray(S, c, c1);
                s11 = FloatVector.fromArray(S, c, c1 + L);
                s20 = FloatVector.fromArray(S, c, c2);
                s21 = FloatVector.fromArray(S, c, c2 + L);
                s30 = FloatVector.fromArray(S, c, c3);
                s31 = FloatVector.fromArray(S, c, c3 + L);
                int ai = i * ars;
                int bi = j;
                for (int p = 0; p < k; p++) {
                    FloatVector b0 = FloatVector.fromArray(S, b, bi);
                    FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
                    FloatVector a0 = FloatVector.broadcast(S, a[ai]);
                    s00 = a0.fma(b0, s00);
                    s01 = a0.fma(b1, s01);
                    FloatVector a1 = FloatVector.broadcast(S, a[ai + ars]);
                    s10 = a1.fma(b0, s10);
                    s11 = a1.fma(b1, s11);
                    FloatVector a2 = FloatVector.broadcast(S, a[ai + 2 * ars]);
                    s20 = a2.fma(b0, s20);
                    s21 = a2.fma(b1, s21);
                    FloatVector a3 = FloatVector.broadcast(S, a[ai + 3 * ars]);
                    s30 = a3.fma(b0, s30);
                    s31 = a3.fma(b1, s31);
                    ai += aps;
                    bi += n;
                }
                s00.intoArray(c, c0);
                s01.intoArray(c, c0 + L);
                s10.intoArray(c, c1);
                s11.intoArray(c, c1 + L);
                s20.intoArray(c, c2);
                s21.intoArray(c, c2 + L);
                s30.intoArray(c, c3);
                s31.intoArray(c, c3 + L);
            }
            for (; i < i1; i++) {
                final int c0 = i * n + j;
                FloatVector s00 = FloatVector.fromArray(S, c, c0);
                FloatVector s01 = FloatVector.fromArray(S, c, c0 + L);
                int ai = i * ars;
                int bi = j;
                for (int p = 0; p < k; p++) {
                    FloatVector a0 = FloatVector.broadcast(S, a[ai]);
                    s00 = a0.fma(FloatVector.fromArray(S, b, bi), s00);
                    s01 = a0.fma(FloatVector.fromArray(S, b, bi + L), s01);
                    ai += aps;
                    bi += n;
                }
                s00.intoArray(c, c0);
                s01.intoArray(c, c0 + L);
            }
        }
        return j;
    }

    /** Columns [j, ...) in panels of 1 vector; returns the first column not done. */
    private static int axpy1(float[] a, int ars, int aps, float[] b, float[] c, int k, int n,
                               int i0, int i1, int j, int j1) {
        for (; j + L <= j1; j += L) {
            int i = i0;
            for (; i + 4 <= i1; i += 4) {
                final int c0 = i * n + j;
                FloatVector s0 = FloatVector.fromArray(S, c, c0);
                FloatVector s1 = FloatVector.fromArray(S, c, c0 + n);
                FloatVector s2 = FloatVector.fromArray(S, c, c0 + 2 * n);
                FloatVector s3 = FloatVector.fromArray(S, c, c0 + 3 * n);
                int ai = i * ars;
                int bi = j;
                for (int p = 0; p < k; p++) {
                    FloatVector b0 = FloatVector.fromArray(S, b, bi);
                    s0 = FloatVector.broadcast(S, a[ai]).fma(b0, s0);
                    s1 = FloatVector.broadcast(S, a[ai + ars]).fma(b0, s1);
                    s2 = FloatVector.broadcast(S, a[ai + 2 * ars]).fma(b0, s2);
                    s3 = FloatVector.broadcast(S, a[ai + 3 * ars]).fma(b0, s3);
                    ai += aps;
                    bi += n;
                }
                s0.intoArray(c, c0);
                s1.intoArray(c, c0 + n);
                s2.intoArray(c, c0 + 2 * n);
                s3.intoArray(c, c0 + 3 * n);
            }
            for (; i < i1; i++) {
                final int c0 = i * n + j;
                FloatVector s0 = FloatVector.fromArray(S, c, c0);
                int ai = i * ars;
                int bi = j;
                for (int p = 0; p < k; p++) {
                    s0 = FloatVector.broadcast(S, a[ai]).fma(FloatVector.fromArray(S, b, bi), s0);
                    ai += aps;
                    bi += n;
                }
                s0.intoArray(c, c0);
            }
        }
        return j;
    }

    /** The last fewer-than-L columns [j, j1): scalar, the same fma sequence as a vector lane. */
    private static void axpyScalar(float[] a, int ars, int aps, float[] b, float[] c, int k, int n,
                               int i0, int i1, int j, int j1) {
        // Fewer than L columns left: scalar, same fma sequence as the vector lanes.
        for (int i = i0; i < i1; i++) {
            for (int jj = j; jj < j1; jj++) {
                float s = c[i * n + jj];
                int ai = i * ars;
                int bi = jj;
                for (int p = 0; p < k; p++) {
                    s = Math.fma(a[ai], b[bi], s);
                    ai += aps;
                    bi += n;
                }
                c[i * n + jj] = s;
            }
        }
    }

    /**
     * C[i, j] (+)= sum_p A[i, p] B[j, p], A (m, k) and B (n, k) row-major: lane-wise fma over p in
     * whole vectors, a lane reduction, then the last k mod L products in ascending p.
     */
    private static void dot(float[] a, float[] b, float[] c, int k, int n, boolean overwrite,
                            int i0, int i1, int j0, int j1) {
        final int kv = k - k % L;
        for (int jb = j0; jb < j1; jb += DOT_BLOCK) {
            final int je = Math.min(j1, jb + DOT_BLOCK);
            int i = i0;
            for (; i + 4 <= i1; i += 4) {
                int j = jb;
                for (; j + 4 <= je; j += 4) {
                    final int a0 = i * k;
                    final int a1 = a0 + k;
                    final int a2 = a1 + k;
                    final int a3 = a2 + k;
                    final int b0 = j * k;
                    final int b1 = b0 + k;
                    final int b2 = b1 + k;
                    final int b3 = b2 + k;
                    FloatVector s00 = FloatVector.zero(S);
                    FloatVector s01 = s00;
                    FloatVector s02 = s00;
                    FloatVector s03 = s00;
                    FloatVector s10 = s00;
                    FloatVector s11 = s00;
                    FloatVector s12 = s00;
                    FloatVector s13 = s00;
                    FloatVector s20 = s00;
                    FloatVector s21 = s00;
                    FloatVector s22 = s00;
                    FloatVector s23 = s00;
                    FloatVector s30 = s00;
                    FloatVector s31 = s00;
                    FloatVector s32 = s00;
                    FloatVector s33 = s00;
                    for (int p = 0; p < kv; p += L) {
                        FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
                        FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
                        FloatVector x2 = FloatVector.fromArray(S, a, a2 + p);
                        FloatVector x3 = FloatVector.fromArray(S, a, a3 + p);
                        FloatVector y = FloatVector.fromArray(S, b, b0 + p);
                        s00 = x0.fma(y, s00);
                        s10 = x1.fma(y, s10);
                        s20 = x2.fma(y, s20);
                        s30 = x3.fma(y, s30);
                        y = FloatVector.fromArray(S, b, b1 + p);
                        s01 = x0.fma(y, s01);
                        s11 = x1.fma(y, s11);
                        s21 = x2.fma(y, s21);
                        s31 = x3.fma(y, s31);
                        y = FloatVector.fromArray(S, b, b2 + p);
                        s02 = x0.fma(y, s02);
                        s12 = x1.fma(y, s12);
                        s22 = x2.fma(y, s22);
                        s32 = x3.fma(y, s32);
                        y = FloatVector.fromArray(S, b, b3 + p);
                        s03 = x0.fma(y, s03);
                        s13 = x1.fma(y, s13);
                        s23 = x2.fma(y, s23);
                        s33 = x3.fma(y, s33);
                    }
                    final int c0 = i * n + j;
                    store(c, c0, overwrite, s00.reduceLanes(VectorOperators.ADD), a, a0, b, b0, kv, k);
                    store(c, c0 + 1, overwrite, s01.reduceLanes(VectorOperators.ADD), a, a0, b, b1, kv, k);
                    store(c, c0 + 2, overwrite, s02.reduceLanes(VectorOperators.ADD), a, a0, b, b2, kv, k);
                    store(c, c0 + 3, overwrite, s03.reduceLanes(VectorOperators.ADD), a, a0, b, b3, kv, k);
                    store(c, c0 + n, overwrite, s10.reduceLanes(VectorOperators.ADD), a, a1, b, b0, kv, k);
                    store(c, c0 + n + 1, overwrite, s11.reduceLanes(VectorOperators.ADD), a, a1, b, b1, kv, k);
                    store(c, c0 + n + 2, overwrite, s12.reduceLanes(VectorOperators.ADD), a, a1, b, b2, kv, k);
                    store(c, c0 + n + 3, overwrite, s13.reduceLanes(VectorOperators.ADD), a, a1, b, b3, kv, k);
                    store(c, c0 + 2 * n, overwrite, s20.reduceLanes(VectorOperators.ADD), a, a2, b, b0, kv, k);
                    store(c, c0 + 2 * n + 1, overwrite, s21.reduceLanes(VectorOperators.ADD), a, a2, b, b1, kv, k);
                    store(c, c0 + 2 * n + 2, overwrite, s22.reduceLanes(VectorOperators.ADD), a, a2, b, b2, kv, k);
                    store(c, c0 + 2 * n + 3, overwrite, s23.reduceLanes(VectorOperators.ADD), a, a2, b, b3, kv, k);
                    store(c, c0 + 3 * n, overwrite, s30.reduceLanes(VectorOperators.ADD), a, a3, b, b0, kv, k);
                    store(c, c0 + 3 * n + 1, overwrite, s31.reduceLanes(VectorOperators.ADD), a, a3, b, b1, kv, k);
                    store(c, c0 + 3 * n + 2, overwrite, s32.reduceLanes(VectorOperators.ADD), a, a3, b, b2, kv, k);
                    store(c, c0 + 3 * n + 3, overwrite, s33.reduceLanes(VectorOperators.ADD), a, a3, b, b3, kv, k);
                }
                for (; j < je; j++) {
                    for (int r = 0; r < 4; r++) {
                        dot1(a, b, c, k, kv, n, overwrite, i + r, j);
                    }
                }
            }
            for (; i < i1; i++) {
                for (int j = jb; j < je; j++) {
                    dot1(a, b, c, k, kv, n, overwrite, i, j);
                }
            }
        }
    }

    /** One element of the dot kernel: lane-wise fma over p, a lane reduction, the scalar tail. */
    private static void dot1(float[] a, float[] b, float[] c, int k, int kv, int n, boolean overwrite, int i, int j) {
        final int ao = i * k;
        final int bo = j * k;
        FloatVector s = FloatVector.zero(S);
        for (int p = 0; p < kv; p += L) {
            s = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), s);
        }
        store(c, i * n + j, overwrite, s.reduceLanes(VectorOperators.ADD), a, ao, b, bo, kv, k);
    }

    /** c[ci] (+)= lanes + sum_{p >= kv} a[ao + p] b[bo + p]. Scalar only: no vectors cross this call. */
    private static void store(float[] c, int ci, boolean overwrite, float lanes, float[] a, int ao, float[] b, int bo,
                              int kv, int k) {
        float s = lanes;
        for (int p = kv; p < k; p++) {
            s = Math.fma(a[ao + p], b[bo + p], s);
        }
        c[ci] = overwrite ? s : c[ci] + s;
    }
}

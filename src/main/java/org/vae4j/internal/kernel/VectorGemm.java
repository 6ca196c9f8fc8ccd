package org.vae4j.internal.kernel;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.EjmlGemm;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Gemms;

/**
 * A register-blocked SGEMM on the JDK Vector API ({@code jdk.incubator.vector}), the fast
 * {@link Gemm} backend. Needs the JVM flag {@code --add-modules jdk.incubator.vector}; load it
 * through {@link Gemms}, which falls back to {@link EjmlGemm} when the module is absent.
 *
 * <p>One micro-kernel form ({@link GemmTiles}): C (+)= A B with A[i, p] read through strides, so
 * it serves {@code A B} and {@code A^T B} alike. A tile of C (rows x vectors) stays in vector
 * registers while p runs over k. The tile is sized to the register file, chosen once per JVM
 * ({@link #describe()}): 6 rows x 2 vectors (12 accumulators, 2 B vectors, 1 broadcast: 15 of 16
 * registers) where the machine has 16 vector registers (x86 AVX2 and below), 4 x 4 (16
 * accumulators + 5) where it has 32 (AVX-512, AArch64 NEON/SVE). Shorter row tiles (4 rows, or
 * the last tile with its missing rows repeating the last real row), narrower column panels and
 * then scalar fma finish the edges.
 *
 * <p>Blocked as BLIS does: k in blocks of about {@value #KC}, B packed into micro-panels (vector
 * copies, or a gather for {@code A B^T}), A packed into micro-panels when the product has at
 * least 3 column panels (else read in place). {@code A B^T} packs B^T straight from B when n k is
 * small; otherwise it computes C^T = B A^T into a buffer and transposes it into C.
 *
 * <p>Results: every C element is fma-accumulated in ascending p from its starting value (0 for
 * the overwriting calls), whichever tile, panel or scalar tail computes it, on whichever thread.
 * So results are bit-identical run to run, across thread counts, tile shapes and vector widths
 * (and equal to a scalar {@code Math.fma} loop). Large GEMMs are split between {@code threads}
 * threads by a fixed partition; small ones run on the caller's thread. Thread-safe: parallel calls
 * are serialised.
 *
 * <p>System properties, read once: {@value #LANES_PROPERTY} = 4, 8 or 16 (floats per vector;
 * capped at the machine's preferred width) and {@value #TILE_PROPERTY} = a tile such as
 * {@code 6x2}, {@code 4x4}, {@code 4x3}, {@code 8x2}, {@code 6x4} (rows x vectors).
 */
public final class VectorGemm implements Gemm {

    /** System property forcing the vector width in floats: 4, 8 or 16 (capped at the preferred width). */
    public static final String LANES_PROPERTY = "vae4j.gemm.lanes";
    /** System property forcing the micro-tile, rows x vectors, e.g. {@code 6x2}. */
    public static final String TILE_PROPERTY = "vae4j.gemm.tile";
    /**
     * System property forcing the packed-A kernels' addressing: {@code base} (one base, A[t, p] at
     * ao + p * stride + t) or {@code rows} (one base per row). Default: rows from JDK 25 on, base
     * before. C2 schedules a tile's loads differently in the two: with 6 rows x 2 vectors (15 of
     * 16 registers) JDK 25 spills an accumulator in the base form (~40 instead of ~90 GFLOP/s),
     * and JDK 17 spends twice the integer instructions on the rows form.
     */
    public static final String FORM_PROPERTY = "vae4j.gemm.form";
    /** The packed kernels' form (see {@link #FORM_PROPERTY}): true = one base per row. */
    static final boolean ROW_BASES = chooseForm(System.getProperty(FORM_PROPERTY));

    /** The species of every kernel: the preferred one unless {@value #LANES_PROPERTY} narrows it. */
    static final VectorSpecies<Float> SPECIES = chooseSpecies();
    private static final int L = SPECIES.length();
    /** Vector registers the tile choice assumed (16 or 32), and why. */
    private static final int REGISTERS;
    private static final String REGISTERS_WHY;
    /** The default tile, rows x vectors. */
    private static final int[] DEFAULT_TILE;

    static {
        String why;
        int regs;
        String arch = System.getProperty("os.arch", "");
        if (arch.equals("aarch64") || arch.equals("arm64")) {
            regs = 32;
            why = "aarch64: 32 NEON/SVE registers";
        } else if (arch.equals("amd64") || arch.equals("x86_64")) {
            String avx = vmOption("UseAVX");
            int useAvx = avx == null ? -1 : parseInt(avx, -1);
            // AVX-512 (UseAVX=3) gives 32 registers (EVEX encodings) at every width.
            regs = useAvx >= 3 ? 32 : 16;
            why = "amd64 UseAVX=" + (avx == null ? "?" : avx);
        } else {
            regs = 16;
            why = arch + ": assumed 16";
        }
        REGISTERS = regs;
        REGISTERS_WHY = why;
        DEFAULT_TILE = chooseTile(System.getProperty(TILE_PROPERTY), regs);
    }

    /** Transposes with fewer elements than this run on one thread. */
    static final int PARALLEL_MIN_TRANSPOSE = 1 << 15;
    /** Side of the square blocks a transpose walks. */
    private static final int TRANSPOSE_BLOCK = 32;
    /** GEMMs with fewer multiply-adds than this run on one thread (the hand-off costs more). */
    static final long PARALLEL_MIN_MACS = 1L << 19;
    /** Target depth of a k block: a 16-column B micro-panel of 256 rows is 16 KB, half of L1. */
    static final int KC = 256;
    /** Rows of A packed at a time (A^T B only): 144 x 256 floats, ~150 KB, stay in L2. */
    static final int MC = 144;
    /** Column panels from which A (read along p) is packed rather than read in place. */
    static final int PACK_A_MIN_PANELS = 3;
    /** The starting accumulators of an overwriting tile (the widest tile row is 4 x 16 floats). */
    private static final float[] ZERO = new float[64];

    private final SpinPool pool;
    /** Main tile rows and vectors of this instance. */
    private final int tileRows;
    private final int tileVectors;
    // C^T of A B^T and the packing buffers of serial calls, per calling thread.
    private final ThreadLocal<FMatrixRMaj> packedC = ThreadLocal.withInitial(() -> new FMatrixRMaj(1, 1));
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);
    /** Packing buffers of each part of a parallel call. */
    private final Buffers[] partBuffers;

    // The call being run in parallel (guarded by the pool's lock; set before pool.run).
    private boolean callOverwrite;
    private float[] callA;
    private int callAo;
    private int callArs;
    private int callAps;
    private float[] callB;
    private int callBo;
    private int callBrs;
    private int callBcs;
    private float[] callC;
    private int callCo;
    private int callLdc;
    private int callK;
    private int callM;
    private int callN;
    private final SpinPool.Body body = this::runPart;
    private float[] transposeSrc;
    private int transposeSrcOff;
    private int transposeRowsN;
    private int transposeCols;
    private float[] transposeDst;
    private int transposeDstOff;
    private final SpinPool.Body transposeBody = this::transposePart;

    private VectorGemm(int threads, int[] tile) {
        this.pool = new SpinPool(threads);
        this.tileRows = tile[0];
        this.tileVectors = tile[1];
        this.partBuffers = new Buffers[threads];
        for (int i = 0; i < threads; i++) {
            partBuffers[i] = new Buffers();
        }
    }

    /** A backend using {@code threads} threads (1 = the caller's only), with the default tile. */
    public static VectorGemm create(int threads) {
        return create(threads, DEFAULT_TILE[0], DEFAULT_TILE[1]);
    }

    /** A backend with a given tile (rows x vectors; see {@link #TILE_PROPERTY}), for tests and benchmarks. */
    static VectorGemm create(int threads, int rows, int vectors) {
        checkTile(rows, vectors);
        VectorGemm g = new VectorGemm(threads, new int[] {rows, vectors});
        g.warmUp();
        return g;
    }

    /**
     * Runs every path of the kernels (full tiles, row and column tails, each variant, overwrite
     * and accumulate, transposed output) on small matrices, so the JIT's first profile has seen
     * them all. Without this, the first short batch of a training run took a path the compiled
     * code had never seen, the kernel was deoptimised, and training ran ~25% slower for several
     * epochs until it was compiled again. Takes a few milliseconds.
     */
    private void warmUp() {
        int[][] shapes = {{13, 70, 37}, {9, 131, 5}, {6, 37, 70}, {30, 20, 130}};
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
                Buffers buf = buffers.get();
                int m = sh[0];
                int k = sh[1];
                int n = sh[2];
                boolean ow = rep % 2 == 0;
                // every operand form directly, whichever route the calls above took
                compute(ow, a.data, 0, k, 1, b.data, 0, n, 1, c.data, 0, n, buf, k, 0, m, 0, n);
                compute(ow, at.data, 0, 1, m, b.data, 0, n, 1, c.data, 0, n, buf, k, 0, m, 0, n);
                compute(ow, a.data, 0, k, 1, bt.data, 0, 1, k, c.data, 0, n, buf, k, 0, m, 0, n);
            }
        }
    }

    /** Number of threads. */
    public int threads() {
        return pool.threads();
    }

    /** Vector width in floats (16 with AVX-512, 8 with AVX2, 4 with 128-bit vectors). */
    public static int lanes() {
        return L;
    }

    /** This instance's main tile, e.g. {@code "6x2"} (rows x vectors). */
    public String tile() {
        return tileRows + "x" + tileVectors;
    }

    /**
     * What the default kernel is on this JVM, for logs and checkpoints, e.g.
     * {@code "lanes=8 (256-bit) tile=6x2 (16 vector registers: amd64 UseAVX=2)"}.
     */
    public static String describe() {
        return "lanes=" + L + " (" + L * 32 + "-bit) tile=" + DEFAULT_TILE[0] + "x" + DEFAULT_TILE[1]
                + (System.getProperty(TILE_PROPERTY) != null ? " (forced)" : "")
                + " (" + REGISTERS + " vector registers: " + REGISTERS_WHY + ")"
                + " packed-A form=" + (ROW_BASES ? "rows" : "base")
                + (System.getProperty(FORM_PROPERTY) != null ? " (forced)" : "")
                + "; results: fma in ascending k per element, independent of lanes, tile and threads";
    }

    /** This instance: {@link #describe()} with its tile and thread count. */
    public String describeInstance() {
        return "lanes=" + L + " tile=" + tile() + " threads=" + threads();
    }

    @Override
    public void gemm(boolean transA, boolean transB, boolean accumulate, int m, int n, int k,
                     float[] a, int ao, float[] b, int bo, float[] c, int co) {
        Gemm.checkArrays(m, n, k, a, ao, b, bo, c, co);
        final boolean overwrite = !accumulate;
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (overwrite) {
                Arrays.fill(c, co, co + m * n, 0f);
            }
            return;
        }
        // A[i, p] = a[ao + i ars + p aps], B[p, j] = b[bo + p brs + j bcs]
        final int ars = transA ? 1 : k;
        final int aps = transA ? m : 1;
        if (!transB) {
            dispatch(overwrite, a, ao, ars, aps, b, bo, n, 1, c, co, n, k, m, n);
        } else if (!transA) {
            runNT(overwrite, m, n, k, a, ao, b, bo, c, co);
        } else {
            dispatch(overwrite, a, ao, ars, aps, b, bo, 1, k, c, co, n, k, m, n);
        }
    }

    @Override
    public String name() {
        return "vector" + (pool.threads() > 1 ? "-" + pool.threads() + "t" : "");
    }

    /**
     * C (m, n) (+)= A B^T with A (m, k) at a[ao], B (n, k) at b[bo], C at c[co]. When n k is
     * small, B^T is packed straight from B (the kernel packs B anyway). Otherwise C^T = B A^T is
     * computed into a buffer, B read in place as the kernel's A and A packed as its B (m x k
     * floats moved, the batch side is small), then transposed into C (m x n more, and as many
     * again for multAddTransB). The choice depends on the shape only.
     */
    private void runNT(boolean overwrite, int m, int n, int k, float[] a, int ao, float[] b, int bo,
                       float[] c, int co) {
        if ((long) n * k <= (long) m * k + (overwrite ? 1L : 2L) * m * n) {
            dispatch(overwrite, a, ao, k, 1, b, bo, 1, k, c, co, n, k, m, n);
        } else {
            FMatrixRMaj ct = packedC.get();
            ct.reshape(n, m);
            if (!overwrite) {
                transpose(c, co, m, n, ct.data, 0);
            }
            // C^T (n, m) = B (n, k) A^T (k, m): A^T[p, i] = a[ao + i k + p]
            dispatch(overwrite, b, bo, k, 1, a, ao, 1, k, ct.data, 0, m, k, n, m);
            transpose(ct.data, 0, n, m, c, co);
        }
    }

    /** dst (cols, rows) at dst[dstOff] = src^T, src (rows, cols) at src[srcOff]; split over the pool when large. */
    private void transpose(float[] src, int srcOff, int rows, int cols, float[] dst, int dstOff) {
        if (pool.threads() == 1 || rows * cols < PARALLEL_MIN_TRANSPOSE) {
            // not EJML's transpose: it goes multi-threaded, and allocates, once any EJML
            // multi-threaded op has been set up in the process
            transposeRows(src, srcOff, rows, cols, dst, dstOff, 0, rows);
            return;
        }
        synchronized (pool) {
            transposeSrc = src;
            transposeSrcOff = srcOff;
            transposeRowsN = rows;
            transposeCols = cols;
            transposeDst = dst;
            transposeDstOff = dstOff;
            try {
                pool.run(transposeBody);
            } finally {
                transposeSrc = null;
                transposeDst = null;
            }
        }
    }

    private void transposePart(int part, int parts) {
        int rows = transposeRowsN;
        int blocks = (rows + TRANSPOSE_BLOCK - 1) / TRANSPOSE_BLOCK;
        int r0 = Math.min(rows, TRANSPOSE_BLOCK * (int) ((long) blocks * part / parts));
        int r1 = Math.min(rows, TRANSPOSE_BLOCK * (int) ((long) blocks * (part + 1) / parts));
        transposeRows(transposeSrc, transposeSrcOff, rows, transposeCols, transposeDst, transposeDstOff, r0, r1);
    }

    /** Rows [r0, r1) of src (rows, cols) at so into columns of dst (cols, rows) at dso, in cache-sized blocks. */
    static void transposeRows(float[] src, int so, int rows, int cols, float[] dst, int dso, int r0, int r1) {
        for (int rb = r0; rb < r1; rb += TRANSPOSE_BLOCK) {
            final int re = Math.min(r1, rb + TRANSPOSE_BLOCK);
            for (int cb = 0; cb < cols; cb += TRANSPOSE_BLOCK) {
                final int ce = Math.min(cols, cb + TRANSPOSE_BLOCK);
                for (int c = cb; c < ce; c++) {
                    final int d = dso + c * rows;
                    for (int r = rb; r < re; r++) {
                        dst[d + r] = src[so + r * cols + c]; // contiguous writes: 3x faster than contiguous reads
                    }
                }
            }
        }
    }

    /**
     * Runs the kernel on a (km, kn) product with inner dimension k, on this thread or split over
     * the pool. Operands as in {@link #compute}.
     */
    private void dispatch(boolean overwrite, float[] a, int ao, int ars, int aps, float[] b, int bo, int brs,
                          int bcs, float[] c, int co, int ldc, int k, int km, int kn) {
        if (pool.threads() == 1 || (long) km * kn * k < PARALLEL_MIN_MACS) {
            compute(overwrite, a, ao, ars, aps, b, bo, brs, bcs, c, co, ldc, buffers.get(), k, 0, km, 0, kn);
            return;
        }
        synchronized (pool) {
            callOverwrite = overwrite;
            callA = a;
            callAo = ao;
            callArs = ars;
            callAps = aps;
            callB = b;
            callBo = bo;
            callBrs = brs;
            callBcs = bcs;
            callC = c;
            callCo = co;
            callLdc = ldc;
            callK = k;
            callM = km;
            callN = kn;
            try {
                pool.run(body);
            } finally {
                callA = null;
                callB = null;
                callC = null;
            }
        }
    }

    /** One thread's share: a fixed slice of the rows (in pairs), or of the columns when there are few rows. */
    private void runPart(int part, int parts) {
        int m = callM;
        int n = callN;
        int i0 = 0;
        int i1 = m;
        int j0 = 0;
        int j1 = n;
        if (m >= 8 * parts) {
            int units = (m + 1) / 2;
            i0 = Math.min(m, 2 * (int) ((long) units * part / parts));
            i1 = Math.min(m, 2 * (int) ((long) units * (part + 1) / parts));
        } else {
            int unit = tileVectors * L;
            int units = (n + unit - 1) / unit;
            j0 = Math.min(n, unit * (int) ((long) units * part / parts));
            j1 = Math.min(n, unit * (int) ((long) units * (part + 1) / parts));
        }
        compute(callOverwrite, callA, callAo, callArs, callAps, callB, callBo, callBrs, callBcs, callC, callCo,
                callLdc, partBuffers[part], callK, i0, i1, j0, j1);
    }

    /** Packing buffers of one thread, grown to the largest size seen. */
    static final class Buffers {
        float[] ap = new float[0];
        float[] bp = new float[0];
        /** The packed kernels' row stride: 1, from a field so that C2 cannot fold it (see gen_kernels.py). */
        int one = 1;
    }

    /** Rows of the tile that starts {@code rem} rows before the end of its block. */
    private int tileRowsFor(int rem) {
        final int rows = tileRows;
        // whole main tiles, but end on 4-row tiles rather than leave 1-3 rows
        // (6x2: 128 rows = 20 x 6 + 2 x 4); the last tile may repeat rows
        return rows == 4 || (rem < rows && rem <= 4) || (rem == 8 && rows == 6) ? 4 : rows;
    }

    /**
     * Rows [i0, i1) x columns [j0, j1) of C (+)= A B, with A[i, p] = a[ao + i ars + p aps],
     * B[p, j] = b[bo + p brs + j bcs], C[i, j] = c[co + i ldc + j]. Blocked as BLIS does: k in
     * blocks of about {@value #KC}; per block, the columns' B packed into micro-panels (vector
     * copies when bcs = 1), then A in blocks of {@value #MC} rows (read in place when aps = 1,
     * else packed), then each micro-panel of B against every row tile.
     */
    void compute(boolean overwrite, float[] a, int ao, int ars, int aps, float[] b, int bo, int brs, int bcs,
                 float[] c, int co, int ldc, Buffers buf, int k, int i0, int i1, int j0, int j1) {
        if (i0 >= i1 || j0 >= j1) {
            return;
        }
        // columns the vector panels cover
        int jv = j0;
        int panels = 0;
        for (int v = tileVectors; v >= 1; v = narrower(v)) {
            final int w = v * L;
            panels += (j1 - jv) / w;
            jv += (j1 - jv) / w * w;
        }
        // A read along p (A B, and B A^T for A B^T): in place (r kernels) in the rows form; in
        // the base form JDK 17 spends ~1.5x the integer instructions on the in-place kernel, and
        // copying the rows to a panel of constant row stride (s kernels) pays from 3 column
        // panels on. (Gathering A into the p-major panels of A^T B took ~1 ns per element.)
        final boolean aInPlace = aps == 1 && (ROW_BASES || panels < PACK_A_MIN_PANELS);
        final boolean aCopy = aps == 1 && !aInPlace;
        final int blocks = (k + KC - 1) / KC;
        if (jv > j0) {
            final int kcMax = (k + blocks - 1) / blocks;
            if (buf.bp.length < kcMax * (jv - j0)) {
                buf.bp = new float[kcMax * (jv - j0)];
            }
            final int apNeed = aCopy ? (MC + 8) * GemmTiles.KS : kcMax * 2 * (MC + 8) + L;
            if (!aInPlace && buf.ap.length < apNeed) {
                buf.ap = new float[apNeed];
            }
            final float[] bp = buf.bp;
            final float[] ap = buf.ap;
            for (int blk = 0; blk < blocks; blk++) {
                final int pc = (int) ((long) k * blk / blocks);
                final int kc = (int) ((long) k * (blk + 1) / blocks) - pc;
                final float[] cl = blk == 0 && overwrite ? ZERO : c;
                packB(b, bo + pc * brs, brs, bcs, bp, kc, j0, j1);
                for (int ic = i0; ic < i1; ic += MC) {
                    final int ie = Math.min(i1, ic + MC);
                    if (aCopy) {
                        copyA(a, ao + pc, ars, ap, kc, ic, ie);
                    } else if (!aInPlace) {
                        packA(a, ao + pc * aps, ars, aps, ap, kc, ic, ie);
                    }
                    final int form = aCopy ? COPIED : aInPlace ? IN_PLACE : PACKED;
                    if (kc * (j1 - j0) <= ROWS_OUTER_MAX_B) {
                        // row tiles outer when the packed B block is small (k = 32: C traffic
                        // weighs most): each row band walks C along its rows, sequential lines
                        // the prefetcher follows, and the whole packed B stays in L2
                        int i = ic;
                        int apo = 0;
                        while (i < ie) {
                            final int r = tileRowsFor(ie - i);
                            int j = j0;
                            int bpo = 0;
                            for (int v = tileVectors; v >= 1; v = narrower(v)) {
                                final int w = v * L;
                                for (; j + w <= j1; j += w) {
                                    tile(form, r, v, a, ao + pc, ars, ap, apo, bp, bpo, cl, c, co, ldc, kc, i, ie - 1, j, buf);
                                    bpo += w * kc;
                                }
                            }
                            apo += form == COPIED ? r * GemmTiles.KS : GemmTiles.packStride(r) * kc;
                            i += r;
                        }
                        continue;
                    }
                    int j = j0;
                    int bpo = 0;
                    for (int v = tileVectors; v >= 1; v = narrower(v)) {
                        final int w = v * L;
                        for (; j + w <= j1; j += w) {
                            int i = ic;
                            int apo = 0;
                            while (i < ie) {
                                final int r = tileRowsFor(ie - i);
                                tile(form, r, v, a, ao + pc, ars, ap, apo, bp, bpo, cl, c, co, ldc, kc, i, ie - 1, j, buf);
                                apo += form == COPIED ? r * GemmTiles.KS : GemmTiles.packStride(r) * kc;
                                i += r;
                            }
                            bpo += w * kc;
                        }
                    }
                }
            }
        }
        if (jv < j1) {
            scalarTail(overwrite, a, ao, ars, aps, b, bo, brs, bcs, c, co, ldc, k, i0, i1, jv, j1);
        }
    }

    private static final int IN_PLACE = 0;
    private static final int COPIED = 1;
    private static final int PACKED = 2;
    /** Packed B blocks of at most this many floats (64 KB) are walked with row tiles outer. */
    static final int ROWS_OUTER_MAX_B = 1 << 14;

    /** One micro-tile at (i, j): A in place (a at the block's first column), row-copied or packed (ap at apo). */
    private static void tile(int form, int r, int v, float[] a, int ao, int ars, float[] ap, int apo, float[] bp,
                             int bpo, float[] cl, float[] c, int co, int ldc, int kc, int i, int il, int j, Buffers buf) {
        if (form == COPIED) {
            GemmTiles.copied(r, v, ap, apo, bp, bpo, cl, c, co, ldc, kc, i, il, j);
        } else if (form == IN_PLACE) {
            GemmTiles.rows(r, v, a, ao, ars, bp, bpo, cl, c, co, ldc, kc, i, il, j);
        } else {
            GemmTiles.packed(r, v, ap, apo, buf.one, bp, bpo, cl, c, co, ldc, kc, i, il, j);
        }
    }

    /** B's columns [j0, j1) and rows [0, kc) (b at the block's first row) into micro-panels, widest first. */
    private void packB(float[] b, int bo, int brs, int bcs, float[] bp, int kc, int j0, int j1) {
        int j = j0;
        int o = 0;
        for (int v = tileVectors; v >= 1; v = narrower(v)) {
            final int w = v * L;
            for (; j + w <= j1; j += w) {
                if (bcs == 1) {
                    for (int p = 0; p < kc; p++) {
                        final int src = bo + p * brs + j;
                        final int dst = o + p * w;
                        for (int x = 0; x < w; x += L) {
                            FloatVector.fromArray(SPECIES, b, src + x).intoArray(bp, dst + x);
                        }
                    }
                } else {
                    for (int x = 0; x < w; x++) {
                        final int src = bo + (j + x) * bcs;
                        for (int p = 0; p < kc; p++) {
                            bp[o + p * w + x] = b[src + p * brs];
                        }
                    }
                }
                o += w * kc;
            }
        }
    }

    /** A's rows [ic, ie) (a at the block's first column, A[i, p] = a[ao + i ars + p]) copied into row micro-panels of row stride KS, rows clamped. */
    private void copyA(float[] a, int ao, int ars, float[] ap, int kc, int ic, int ie) {
        int i = ic;
        int o = 0;
        final int il = ie - 1;
        while (i < ie) {
            final int r = tileRowsFor(ie - i);
            for (int t = 0; t < r; t++) {
                System.arraycopy(a, ao + Math.min(i + t, il) * ars, ap, o + t * GemmTiles.KS, kc);
            }
            o += r * GemmTiles.KS;
            i += r;
        }
    }

    /** A's rows [ic, ie) (a at the block's first column) into micro-panels, one per row tile, rows clamped. */
    private void packA(float[] a, int ao, int ars, int aps, float[] ap, int kc, int ic, int ie) {
        int i = ic;
        int o = 0;
        while (i < ie) {
            final int r = tileRowsFor(ie - i);
            final int st = GemmTiles.packStride(r);
            final int il = ie - 1;
            final int rv = (r + L - 1) / L * L;
            if (ars == 1 && i + rv <= ie) {
                // A^T B: a tile's rows are contiguous for each p: vector copies (lanes past the
                // tile's rows land in the padding, or in the next p's slots, which are written
                // next; the buffer has L floats of slack)
                for (int p = 0; p < kc; p++) {
                    final int src = ao + p * aps + i;
                    final int dst = o + p * st;
                    for (int x = 0; x < rv; x += L) {
                        FloatVector.fromArray(SPECIES, a, src + x).intoArray(ap, dst + x);
                    }
                }
            } else if (ars == 1) {
                for (int p = 0; p < kc; p++) {
                    final int src = ao + p * aps;
                    final int dst = o + p * st;
                    for (int t = 0; t < r; t++) {
                        ap[dst + t] = a[src + Math.min(i + t, il)];
                    }
                }
            } else {
                for (int t = 0; t < r; t++) {
                    final int src = ao + Math.min(i + t, il) * ars;
                    for (int p = 0; p < kc; p++) {
                        ap[o + p * st + t] = a[src + p * aps];
                    }
                }
            }
            o += st * kc;
            i += r;
        }
    }

    /** The column panel after one of {@code v} vectors: the next narrower tile that exists. */
    private static int narrower(int v) {
        return v == 4 ? 2 : (v == 3 ? 1 : v - 1);
    }

    /** The last fewer-than-L columns [j, j1): scalar, the same fma sequence as a vector lane. */
    private static void scalarTail(boolean overwrite, float[] a, int ao, int ars, int aps, float[] b, int bo,
                                   int brs, int bcs, float[] c, int co, int ldc, int k, int i0, int i1,
                                   int j, int j1) {
        for (int i = i0; i < i1; i++) {
            for (int jj = j; jj < j1; jj++) {
                final int ci = co + i * ldc + jj;
                float s = overwrite ? 0f : c[ci];
                int ai = ao + i * ars;
                int bi = bo + jj * bcs;
                for (int p = 0; p < k; p++) {
                    s = Math.fma(a[ai], b[bi], s);
                    ai += aps;
                    bi += brs;
                }
                c[ci] = s;
            }
        }
    }

    private static VectorSpecies<Float> chooseSpecies() {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        String s = System.getProperty(LANES_PROPERTY);
        if (s == null || s.isBlank()) {
            return preferred;
        }
        int lanes = parseInt(s.trim(), -1);
        if (lanes != 4 && lanes != 8 && lanes != 16) {
            throw new IllegalArgumentException("-D" + LANES_PROPERTY + "=" + s + ": expected 4, 8 or 16");
        }
        lanes = Math.min(lanes, preferred.length());
        return FloatVector.SPECIES_PREFERRED.length() == lanes ? preferred
                : VectorSpecies.of(float.class, VectorShape.forBitSize(lanes * 32));
    }

    private static boolean chooseForm(String forced) {
        if (forced == null || forced.isBlank()) {
            return Runtime.version().feature() >= 25;
        }
        switch (forced.trim()) {
            case "rows":
                return true;
            case "base":
                return false;
            default:
                throw new IllegalArgumentException("-D" + FORM_PROPERTY + "=" + forced + ": expected rows or base");
        }
    }

    private static int[] chooseTile(String forced, int registers) {
        if (forced != null && !forced.isBlank()) {
            String[] rv = forced.trim().toLowerCase(Locale.ROOT).split("x");
            int r = rv.length == 2 ? parseInt(rv[0], -1) : -1;
            int v = rv.length == 2 ? parseInt(rv[1], -1) : -1;
            checkTile(r, v);
            return new int[] {r, v};
        }
        return registers >= 32 ? new int[] {4, 4} : new int[] {6, 2};
    }

    private static void checkTile(int rows, int vectors) {
        // a main tile needs its row tail (4 rows) and every narrower column panel
        boolean ok = GemmTiles.exists(rows, vectors) && GemmTiles.exists(4, vectors);
        for (int v = vectors; ok && v >= 1; v = v == 4 ? 2 : (v == 3 ? 1 : v - 1)) {
            ok = GemmTiles.exists(rows, v) && GemmTiles.exists(4, v);
        }
        if (!ok) {
            throw new IllegalArgumentException("-D" + TILE_PROPERTY + ": no tile " + rows + "x" + vectors
                    + " (rows x vectors); expected 6x2, 4x4, 4x3, 8x2, 6x4 or 6x3");
        }
    }

    private static int parseInt(String s, int dflt) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** A HotSpot VM option's value, or null when it cannot be read (another VM, no management). */
    private static String vmOption(String name) {
        try {
            com.sun.management.HotSpotDiagnosticMXBean mx =
                    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return mx == null ? null : mx.getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}

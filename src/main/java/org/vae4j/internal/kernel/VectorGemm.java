package org.vae4j.internal.kernel;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.EjmlGemm;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Gemms;
import org.vae4j.kernel.PreparedB;

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
 * a zero-padded panel for the last fewer-than-L columns (its tiles write to a scratch C) finish
 * the edges.
 *
 * <p>Blocked as BLIS does: k in blocks of about {@value #KC}, B packed into micro-panels (vector
 * copies, or a gather for {@code A B^T}), A packed into micro-panels when the product has at
 * least 3 column panels (else read in place). {@code A B^T} packs B^T straight from B when n k is
 * small; otherwise it computes C^T = B A^T into a buffer and transposes it into C.
 *
 * <p>Results: every C element is fma-accumulated in ascending p from its starting value (0 for
 * the overwriting calls), whichever tile or panel computes it, on whichever thread.
 * So results are bit-identical run to run, across thread counts, tile shapes and vector widths
 * (and equal to a scalar {@code Math.fma} loop). Large GEMMs are split between {@code threads}
 * threads: with enough rows, B is packed once (each thread packing a share of its panels) and the
 * rows go in chunks that the threads claim as they finish, so a thread slowed by another process
 * or a slower core takes fewer; with few rows, the columns by a fixed partition. Small GEMMs run
 * on the caller's thread. Thread-safe: parallel calls are serialised.
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

    /**
     * Range passes ({@link #forEachRange}) over fewer elements than this run on the caller: an
     * Adam update of 2^15 floats takes ~20 us, a hand-off to a spinning worker ~1 us.
     */
    static final int PARALLEL_MIN_RANGE = 1 << 15;
    /** Range passes split at multiples of this many elements (a 64-byte cache line is 16 floats). */
    static final int RANGE_ALIGN = 64;
    /** Transposes with fewer elements than this run on one thread. */
    static final int PARALLEL_MIN_TRANSPOSE = 1 << 15;
    /** Side of the square blocks a transpose walks. */
    private static final int TRANSPOSE_BLOCK = 32;
    /** GEMMs with fewer multiply-adds than this run on one thread (the hand-off costs more). */
    static final long PARALLEL_MIN_MACS = 1L << 19;
    /** Target depth of a k block: a 16-column B micro-panel of 256 rows is 16 KB, half of L1. */
    static final int KC = 256;

    private final SpinPool pool;
    /** Main tile rows and vectors of this instance. */
    private final int tileRows;
    private final int tileVectors;
    /** The blocked product on one thread's share: packing, micro-tiles, the tail panel. */
    private final BlockedGemm kernel;
    // C^T of A B^T and the packing buffers of serial calls, per calling thread.
    private final ThreadLocal<FMatrixRMaj> packedC = ThreadLocal.withInitial(() -> new FMatrixRMaj(1, 1));
    private final ThreadLocal<BlockedGemm.Buffers> buffers = ThreadLocal.withInitial(BlockedGemm.Buffers::new);
    /** Packing buffers of each part of a parallel call. */
    private final BlockedGemm.Buffers[] partBuffers;

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
    /** B of the current row-split call, packed once for all its rows ({@link BlockedGemm#packAll}). */
    private float[] sharedB = new float[0];
    /** The packed B the current row-split call's chunks read: {@link #sharedB} or a prepared B's. */
    private float[] callPackedB;
    private final SpinPool.Body packBody = this::packPart;
    /** The current row-split call's rows per claimed chunk, chunk count, and next unclaimed chunk. */
    private boolean callRowChunks;
    private int callChunkRows;
    private int callChunks;
    private final AtomicInteger nextChunk = new AtomicInteger();
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
        this.kernel = new BlockedGemm(tile[0], tile[1]);
        this.partBuffers = new BlockedGemm.Buffers[threads];
        for (int i = 0; i < threads; i++) {
            partBuffers[i] = new BlockedGemm.Buffers();
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
                BlockedGemm.Buffers buf = buffers.get();
                int m = sh[0];
                int k = sh[1];
                int n = sh[2];
                boolean ow = rep % 2 == 0;
                // every operand form directly, whichever route the calls above took
                kernel.compute(ow, a.data, 0, k, 1, b.data, 0, n, 1, c.data, 0, n, buf, k, 0, m, 0, n);
                kernel.compute(ow, at.data, 0, 1, m, b.data, 0, n, 1, c.data, 0, n, buf, k, 0, m, 0, n);
                kernel.compute(ow, a.data, 0, k, 1, bt.data, 0, 1, k, c.data, 0, n, buf, k, 0, m, 0, n);
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

    /**
     * Splits [0, n) over the pool in {@code threads} ranges of whole {@value #RANGE_ALIGN}-element
     * units (the split depends on n and the thread count only); passes under
     * {@value #PARALLEL_MIN_RANGE} elements run on the caller.
     */
    @Override
    public void forEachRange(int n, Gemm.RangeTask task) {
        if (n < 0) {
            throw new IllegalArgumentException("a range pass needs n >= 0, got " + n);
        }
        if (pool.threads() == 1 || n < PARALLEL_MIN_RANGE) {
            if (n > 0) {
                task.run(0, n);
            }
            return;
        }
        pool.runRanges(n, RANGE_ALIGN, task);
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
            kernel.compute(overwrite, a, ao, ars, aps, b, bo, brs, bcs, c, co, ldc, buffers.get(), k, 0, km, 0, kn);
            return;
        }
        synchronized (pool) {
            setCall(overwrite, a, ao, ars, aps, b, bo, brs, bcs, c, co, ldc, k, km, kn);
            try {
                long need = kernel.packedSize(k, 0, kn);
                callRowChunks = km >= 8 * pool.threads() && need <= SHARED_B_MAX;
                if (callRowChunks) {
                    // rows split: B packed once (its panels shared out), then the rows in chunks
                    // that the threads claim as they finish, so a thread slowed by another
                    // process (or a slower core) takes fewer of them
                    if (sharedB.length < need) {
                        sharedB = new float[(int) need];
                    }
                    pool.run(packBody);
                    callPackedB = sharedB;
                    setChunks(km);
                    nextChunk.set(0);
                }
                pool.run(body);
            } finally {
                clearCall();
            }
        }
    }

    /**
     * Packs B once into the kernel's micro-panels ({@link BlockedGemm#packAll}: every k block, the
     * tail panel zero-padded), for products that reuse it; a B too large for one array is kept
     * where it is.
     */
    @Override
    public PreparedB prepare(boolean transB, int k, int n, float[] b, int bo) {
        PreparedB raw = PreparedB.of(transB, k, n, b, bo);
        long size = kernel.packedSize(k, 0, n);
        if (k == 0 || n == 0 || size > Integer.MAX_VALUE - 8) {
            return raw;
        }
        float[] bp = new float[(int) size];
        kernel.packAll(b, bo, transB ? 1 : n, transB ? k : 1, bp, k, 0, n, 0, 1);
        return PreparedB.withLayout(this, transB, k, n, b, bo, bp);
    }

    /**
     * The product with a B this instance packed: the packing skipped, otherwise as the call with
     * B itself (the same fma sequence per element, so the same bits). Rows split over the
     * threads in claimed chunks against the one packed B; a product with too few rows to split
     * that way, or a B another backend prepared, takes the ordinary call.
     */
    @Override
    public void gemm(boolean transA, boolean accumulate, int m, float[] a, int ao, PreparedB pb, float[] c, int co) {
        final int n = pb.columns();
        final int k = pb.rows();
        final Object layout = pb.layoutFor(this);
        final int threads = pool.threads();
        final boolean serial = threads == 1 || (long) m * n * k < PARALLEL_MIN_MACS;
        if (!(layout instanceof float[]) || (!serial && m < 8 * threads)) {
            Gemm.super.gemm(transA, accumulate, m, a, ao, pb, c, co);
            return;
        }
        final float[] bp = (float[]) layout;
        final float[] b = pb.array();
        final int bo = pb.offset();
        Gemm.checkArrays(m, n, k, a, ao, b, bo, c, co);
        if (m == 0) {
            return;
        }
        final boolean overwrite = !accumulate;
        final int ars = transA ? 1 : k;
        final int aps = transA ? m : 1;
        final int brs = pb.transposed() ? 1 : n;
        final int bcs = pb.transposed() ? k : 1;
        if (serial) {
            kernel.computePacked(overwrite, a, ao, ars, aps, b, bo, brs, bcs, bp, c, co, n, buffers.get(), k, 0, m,
                    0, n);
            return;
        }
        synchronized (pool) {
            setCall(overwrite, a, ao, ars, aps, b, bo, brs, bcs, c, co, n, k, m, n);
            try {
                callRowChunks = true;
                callPackedB = bp;
                setChunks(m);
                nextChunk.set(0);
                pool.run(body);
            } finally {
                clearCall();
            }
        }
    }

    /** The operands of the call about to run in parallel (the caller holds the pool's lock). */
    private void setCall(boolean overwrite, float[] a, int ao, int ars, int aps, float[] b, int bo, int brs, int bcs,
                         float[] c, int co, int ldc, int k, int km, int kn) {
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
    }

    /** Drops the finished call's arrays, so the backend does not keep them reachable. */
    private void clearCall() {
        callA = null;
        callB = null;
        callC = null;
        callPackedB = null;
    }

    /**
     * Largest shared packed B, in floats (32 MB): a row-split call packs all of B at once (every
     * k block), where a thread packing for itself holds one block; beyond this the call splits
     * the columns instead, each thread packing only its own.
     */
    static final long SHARED_B_MAX = 1L << 23;

    /** Chunks per thread of a row-split call: enough that a thread running at half speed costs little. */
    static final int CHUNKS_PER_THREAD = 6;

    /**
     * Splits m rows into chunks of whole main tiles ({@value #CHUNKS_PER_THREAD} per thread, at
     * least 2 tiles each); a remainder shorter than a tile joins the last chunk.
     */
    private void setChunks(int m) {
        int tiles = m / tileRows;
        int perChunk = Math.max(2, (tiles + CHUNKS_PER_THREAD * pool.threads() - 1)
                / (CHUNKS_PER_THREAD * pool.threads()));
        int rows = perChunk * tileRows;
        int chunks = Math.max(1, m / rows);
        if (m - chunks * rows >= tileRows) {
            chunks++;
        }
        callChunkRows = rows;
        callChunks = chunks;
    }

    /** Part of packing the shared B of a row-split call. */
    private void packPart(int part, int parts) {
        kernel.packAll(callB, callBo, callBrs, callBcs, sharedB, callK, 0, callN, part, parts);
    }

    /**
     * One thread's share. Rows split (m at least 8 per thread, B at most {@link #SHARED_B_MAX}):
     * chunks of rows claimed one at a time until none is left, against the shared packed B.
     * Otherwise a fixed slice of the columns. Which thread computes a chunk does not change its
     * bits (every element is the same fma sequence whatever the tile), so results do not depend
     * on timing.
     */
    private void runPart(int part, int parts) {
        int m = callM;
        int n = callN;
        if (callRowChunks) {
            int chunk;
            while ((chunk = nextChunk.getAndIncrement()) < callChunks) {
                int i0 = chunk * callChunkRows;
                int i1 = chunk == callChunks - 1 ? m : i0 + callChunkRows;
                kernel.computePacked(callOverwrite, callA, callAo, callArs, callAps, callB, callBo, callBrs, callBcs,
                        callPackedB, callC, callCo, callLdc, partBuffers[part], callK, i0, i1, 0, n);
            }
            return;
        }
        int unit = tileVectors * L;
        int units = (n + unit - 1) / unit;
        int j0 = Math.min(n, unit * (int) ((long) units * part / parts));
        int j1 = Math.min(n, unit * (int) ((long) units * (part + 1) / parts));
        kernel.compute(callOverwrite, callA, callAo, callArs, callAps, callB, callBo, callBrs, callBcs, callC, callCo,
                callLdc, partBuffers[part], callK, 0, m, j0, j1);
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

package org.vae4j.internal.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The blocked product of {@link VectorGemm} on one thread's share of C: k in blocks of about
 * {@value VectorGemm#KC}, B packed into micro-panels, A read in place, row-copied or packed, then
 * each micro-panel of B against every row tile ({@link GemmTiles}); the last fewer-than-L
 * columns form one more panel, zero-padded, whose tiles write to a scratch C.
 * {@code VectorGemm} keeps the dispatch (the transpose cases, the thread split, the warm-up) and
 * the choice of tile; this class the loops over one share. Immutable (the packing buffers are the
 * caller's) and thread-safe.
 */
final class BlockedGemm {

    private static final VectorSpecies<Float> SPECIES = VectorGemm.SPECIES;
    private static final int L = SPECIES.length();
    private static final boolean ROW_BASES = VectorGemm.ROW_BASES;
    private static final int KC = VectorGemm.KC;
    /** Rows of A packed at a time (A^T B only): 144 x 256 floats, ~150 KB, stay in L2. */
    static final int MC = 144;
    /** Column panels from which A (read along p) is packed rather than read in place. */
    static final int PACK_A_MIN_PANELS = 3;
    /** The starting accumulators of an overwriting tile (the widest tile row is 4 x 16 floats). */
    private static final float[] ZERO = new float[64];

    /** Main tile rows and vectors. */
    private final int tileRows;
    private final int tileVectors;

    BlockedGemm(int tileRows, int tileVectors) {
        this.tileRows = tileRows;
        this.tileVectors = tileVectors;
    }

    /** Packing buffers of one thread, grown to the largest size seen. */
    static final class Buffers {
        float[] ap = new float[0];
        float[] bp = new float[0];
        /** C of the tail panel (rows x L), see {@link BlockedGemm#run}. */
        float[] tailC = new float[0];
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
        run(overwrite, a, ao, ars, aps, b, bo, brs, bcs, null, c, co, ldc, buf, k, i0, i1, j0, j1);
    }

    /**
     * {@link #compute} with B already packed into {@code packedB} by {@link #packAll} for the
     * same k and columns [j0, j1): the rows of a parallel call share one packed B.
     */
    void computePacked(boolean overwrite, float[] a, int ao, int ars, int aps, float[] b, int bo, int brs, int bcs,
                       float[] packedB, float[] c, int co, int ldc, Buffers buf, int k, int i0, int i1, int j0,
                       int j1) {
        run(overwrite, a, ao, ars, aps, b, bo, brs, bcs, packedB, c, co, ldc, buf, k, i0, i1, j0, j1);
    }

    /** The end of the columns [j0, j1) that whole vector panels cover (the rest is the tail panel). */
    int vectorEnd(int j0, int j1) {
        int jv = j0;
        for (int v = tileVectors; v >= 1; v = narrower(v)) {
            final int w = v * L;
            jv += (j1 - jv) / w * w;
        }
        return jv;
    }

    /**
     * Columns of a packed B block for columns [j0, j1): the vector panels, plus one panel of L
     * for the last fewer-than-L columns (zero-padded) when there are any.
     */
    int packedWidth(int j0, int j1) {
        final int jv = vectorEnd(j0, j1);
        return jv - j0 + (jv < j1 ? L : 0);
    }

    /** Floats {@link #packAll} writes for inner dimension k and columns [j0, j1). */
    long packedSize(int k, int j0, int j1) {
        return (long) k * packedWidth(j0, j1);
    }

    /**
     * Part {@code part} of {@code parts} of packing B's columns [j0, j1) for every k block into
     * {@code bp}, in the layout {@link #computePacked} reads: block {@code blk} (first row pc)
     * at {@code pc} times {@link #packedWidth}, each laid out as {@link #packB} lays out one
     * block. The parts split the widest panels (the narrower ones and the tail panel go with the
     * last part); together they pack it all, each float by exactly one part.
     */
    void packAll(float[] b, int bo, int brs, int bcs, float[] bp, int k, int j0, int j1, int part, int parts) {
        final int pw = packedWidth(j0, j1);
        final int wide = tileVectors * L;
        final int widePanels = (j1 - j0) / wide;
        final int units = widePanels + 1; // the last unit: the narrower panels and the tail, maybe none
        final int u0 = (int) ((long) units * part / parts);
        final int u1 = (int) ((long) units * (part + 1) / parts);
        if (u0 >= u1) {
            return;
        }
        final int ja = j0 + Math.min(u0, widePanels) * wide;
        final int jb = u1 == units ? j1 : j0 + u1 * wide;
        if (ja >= jb) {
            return;
        }
        final int blocks = (k + KC - 1) / KC;
        for (int blk = 0; blk < blocks; blk++) {
            final int pc = (int) ((long) k * blk / blocks);
            final int kc = (int) ((long) k * (blk + 1) / blocks) - pc;
            packB(b, bo + pc * brs, brs, bcs, bp, pc * pw + (ja - j0) * kc, kc, ja, jb);
        }
    }

    private void run(boolean overwrite, float[] a, int ao, int ars, int aps, float[] b, int bo, int brs, int bcs,
                     float[] packedB, float[] c, int co, int ldc, Buffers buf, int k, int i0, int i1, int j0,
                     int j1) {
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
        // the last fewer-than-L columns: one more panel, zero-padded, whose tiles write to a
        // scratch C of L columns (copied back at the end), so every column runs vector code
        final boolean tail = jv < j1;
        if (tail) {
            panels++;
        }
        final int pw = jv - j0 + (tail ? L : 0);
        final boolean prepacked = packedB != null;
        // A read along p (A B, and B A^T for A B^T): in place (r kernels) in the rows form; in
        // the base form JDK 17 spends ~1.5x the integer instructions on the in-place kernel, and
        // copying the rows to a panel of constant row stride (s kernels) pays from 3 column
        // panels on. (Gathering A into the p-major panels of A^T B took ~1 ns per element.)
        final boolean aInPlace = aps == 1 && (ROW_BASES || panels < PACK_A_MIN_PANELS);
        final boolean aCopy = aps == 1 && !aInPlace;
        final int blocks = (k + KC - 1) / KC;
        if (pw > 0) {
            final int kcMax = (k + blocks - 1) / blocks;
            if (!prepacked && buf.bp.length < kcMax * pw) {
                buf.bp = new float[kcMax * pw];
            }
            final float[] tc = tail ? tailScratch(buf, i1 - i0) : null;
            final int tco = -i0 * L; // scratch row i at (i - i0) L
            if (tail && !overwrite) {
                for (int i = i0; i < i1; i++) {
                    System.arraycopy(c, co + i * ldc + jv, tc, (i - i0) * L, j1 - jv);
                }
            }
            final int apNeed = aCopy ? (MC + 8) * GemmTiles.KS : kcMax * 2 * (MC + 8);
            if (!aInPlace && buf.ap.length < apNeed) {
                buf.ap = new float[apNeed];
            }
            final float[] bp = prepacked ? packedB : buf.bp;
            final float[] ap = buf.ap;
            for (int blk = 0; blk < blocks; blk++) {
                final int pc = (int) ((long) k * blk / blocks);
                final int kc = (int) ((long) k * (blk + 1) / blocks) - pc;
                final float[] cl = blk == 0 && overwrite ? ZERO : c;
                final float[] tcl = blk == 0 && overwrite ? ZERO : tc;
                final int bpBlock = prepacked ? pc * pw : 0;
                if (!prepacked) {
                    packB(b, bo + pc * brs, brs, bcs, bp, 0, kc, j0, j1);
                }
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
                            int bpo = bpBlock;
                            for (int v = tileVectors; v >= 1; v = narrower(v)) {
                                final int w = v * L;
                                for (; j + w <= j1; j += w) {
                                    tile(form, r, v, a, ao + pc, ars, ap, apo, bp, bpo, cl, c, co, ldc, kc, i, ie - 1, j, buf);
                                    bpo += w * kc;
                                }
                            }
                            if (tail) {
                                tile(form, r, 1, a, ao + pc, ars, ap, apo, bp, bpo, tcl, tc, tco, L, kc, i, ie - 1, 0, buf);
                            }
                            apo += aStep(form, r, kc);
                            i += r;
                        }
                        continue;
                    }
                    int j = j0;
                    int bpo = bpBlock;
                    for (int v = tileVectors; v >= 1; v = narrower(v)) {
                        final int w = v * L;
                        for (; j + w <= j1; j += w) {
                            panelDown(form, v, a, ao + pc, ars, ap, bp, bpo, cl, c, co, ldc, kc, ic, ie, j, buf);
                            bpo += w * kc;
                        }
                    }
                    if (tail) {
                        panelDown(form, 1, a, ao + pc, ars, ap, bp, bpo, tcl, tc, tco, L, kc, ic, ie, 0, buf);
                    }
                }
            }
            if (tail) {
                for (int i = i0; i < i1; i++) {
                    System.arraycopy(tc, (i - i0) * L, c, co + i * ldc + jv, j1 - jv);
                }
            }
        }
    }

    /** One B micro-panel (v vectors wide, at bp[bpo]) against every row tile of rows [ic, ie). */
    private void panelDown(int form, int v, float[] a, int ao, int ars, float[] ap, float[] bp, int bpo, float[] cl,
                           float[] c, int co, int ldc, int kc, int ic, int ie, int j, Buffers buf) {
        int i = ic;
        int apo = 0;
        while (i < ie) {
            final int r = tileRowsFor(ie - i);
            tile(form, r, v, a, ao, ars, ap, apo, bp, bpo, cl, c, co, ldc, kc, i, ie - 1, j, buf);
            apo += aStep(form, r, kc);
            i += r;
        }
    }

    /** Floats of the A panel of one r-row tile: r rows of stride KS when row-copied, else the packed tile. */
    private static int aStep(int form, int r, int kc) {
        return form == COPIED ? r * GemmTiles.KS : GemmTiles.packStride(r) * kc;
    }

    /** The tail panel's scratch C of {@code rows} x L floats, grown as needed. */
    private static float[] tailScratch(Buffers buf, int rows) {
        if (buf.tailC.length < rows * L) {
            buf.tailC = new float[rows * L];
        }
        return buf.tailC;
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

    /** B's columns [j0, j1) and rows [0, kc) (b at the block's first row) into micro-panels at bp[bpo], widest first. */
    private void packB(float[] b, int bo, int brs, int bcs, float[] bp, int bpo, int kc, int j0, int j1) {
        int j = j0;
        int o = bpo;
        for (int v = tileVectors; v >= 1; v = narrower(v)) {
            final int w = v * L;
            for (; j + w <= j1; j += w) {
                if (bcs == 1) {
                    o += w * kc;
                    continue; // packed below, p-chunk outer
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
        if (bcs == 1 && j > j0) {
            packRowsB(b, bo, brs, bp, bpo, kc, j0, j);
        }
        if (j < j1) {
            // the last fewer-than-L columns, zero-padded to one panel of L
            final int t = j1 - j;
            for (int p = 0; p < kc; p++) {
                final int dst = o + p * L;
                final int src = bo + p * brs + j * bcs;
                for (int x = 0; x < t; x++) {
                    bp[dst + x] = b[src + x * bcs];
                }
                for (int x = t; x < L; x++) {
                    bp[dst + x] = 0f;
                }
            }
        }
    }

    /** Rows copied per chunk by the packs: a chunk's source rows stay in L1 while every panel takes its part. */
    static final int PACK_P_CHUNK = 8;

    /**
     * B's columns [j0, j1) (bcs = 1, whole vector panels only) into the micro-panels of
     * {@link #packB}, in chunks of {@value #PACK_P_CHUNK} rows of B, each chunk copied panel by
     * panel. Walking each panel down all kc rows instead reads one cache line per row at a stride
     * of brs floats: with brs = 512 (2 KB) those lines fall into 2 of L1's 64 sets, and every read
     * missed (a third of head.dW's time went there).
     */
    private void packRowsB(float[] b, int bo, int brs, float[] bp, int bpo, int kc, int j0, int j1) {
        for (int p0 = 0; p0 < kc; p0 += PACK_P_CHUNK) {
            final int pe = Math.min(kc, p0 + PACK_P_CHUNK);
            int j = j0;
            int o = bpo;
            for (int v = tileVectors; v >= 1; v = narrower(v)) {
                final int w = v * L;
                for (; j + w <= j1; j += w) {
                    int src = bo + p0 * brs + j;
                    final int end = o + pe * w;
                    if (v == 2) {
                        for (int dst = o + p0 * w; dst < end; dst += w) {
                            FloatVector.fromArray(SPECIES, b, src).intoArray(bp, dst);
                            FloatVector.fromArray(SPECIES, b, src + L).intoArray(bp, dst + L);
                            src += brs;
                        }
                    } else {
                        for (int dst = o + p0 * w; dst < end; dst += w) {
                            for (int x = 0; x < w; x += L) {
                                FloatVector.fromArray(SPECIES, b, src + x).intoArray(bp, dst + x);
                            }
                            src += brs;
                        }
                    }
                    o += w * kc;
                }
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
        if (ars == 1) {
            packRowsA(a, ao, aps, ap, kc, ic, ie);
            return;
        }
        int i = ic;
        int o = 0;
        final int il = ie - 1;
        while (i < ie) {
            final int r = tileRowsFor(ie - i);
            final int st = GemmTiles.packStride(r);
            for (int t = 0; t < r; t++) {
                final int src = ao + Math.min(i + t, il) * ars;
                for (int p = 0; p < kc; p++) {
                    ap[o + p * st + t] = a[src + p * aps];
                }
            }
            o += st * kc;
            i += r;
        }
    }

    /**
     * {@link #packA} for A^T B (ars = 1: A[i, p] = a[ao + p aps + i], a tile's rows contiguous
     * for each p; aps is the full row length of the stored A^T), in chunks of
     * {@value #PACK_P_CHUNK} p, each chunk copied tile by tile, for the reason of
     * {@link #packRowsB}. Each p's slot of packStride(r) floats is filled by vector copies of
     * the whole slot (the rows past r land in the slot's padding, which no kernel reads) when
     * the slot is a multiple of L, its floats are inside A's row and the tile's rows are real;
     * else element by element with the rows clamped. Walking one tile down all kc rows (the old
     * order) took ~1 ns per element.
     */
    private void packRowsA(float[] a, int ao, int aps, float[] ap, int kc, int ic, int ie) {
        final int il = ie - 1;
        for (int p0 = 0; p0 < kc; p0 += PACK_P_CHUNK) {
            final int pe = Math.min(kc, p0 + PACK_P_CHUNK);
            int i = ic;
            int o = 0;
            while (i < ie) {
                final int r = tileRowsFor(ie - i);
                final int st = GemmTiles.packStride(r);
                final boolean whole = i + r <= ie && i + st <= aps;
                if (whole && st == L) {
                    int src = ao + p0 * aps + i;
                    for (int dst = o + p0 * L, end = o + pe * L; dst < end; dst += L) {
                        FloatVector.fromArray(SPECIES, a, src).intoArray(ap, dst);
                        src += aps;
                    }
                } else if (whole && st % L == 0) {
                    for (int p = p0; p < pe; p++) {
                        final int src = ao + p * aps + i;
                        final int dst = o + p * st;
                        for (int x = 0; x < st; x += L) {
                            FloatVector.fromArray(SPECIES, a, src + x).intoArray(ap, dst + x);
                        }
                    }
                } else {
                    // (no narrower species here: a second vector class in the kernels' call
                    // sites made C2 stop intrinsifying them, 10-20x slower)
                    for (int p = p0; p < pe; p++) {
                        final int src = ao + p * aps;
                        final int dst = o + p * st;
                        for (int t = 0; t < r; t++) {
                            ap[dst + t] = a[src + Math.min(i + t, il)];
                        }
                    }
                }
                o += st * kc;
                i += r;
            }
        }
    }

    /** The column panel after one of {@code v} vectors: the next narrower tile that exists. */
    private static int narrower(int v) {
        return v == 4 ? 2 : (v == 3 ? 1 : v - 1);
    }

}

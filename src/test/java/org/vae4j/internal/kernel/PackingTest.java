package org.vae4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.vae4j.kernel.EjmlGemm;

/**
 * The p-chunked packing of {@link BlockedGemm}: A^T's rows packed chunk by chunk for A^T B
 * (whole-slot vector copies where a tile's rows are real and inside A^T's row, element copies
 * with clamped rows elsewhere), and B's rows for A B and A^T B. Every m from 1 to 40 (each
 * combination of 6-, 8- and 4-row tiles, clamped last tiles, tiles whose slot reaches past A^T's
 * last column), k around the chunk of 8 and across k blocks, n with and without a scalar column
 * tail, each tile, overwrite and accumulate, operands at offsets inside NaN-filled arrays: the
 * bits of a scalar fma loop in ascending p, and EJML's values within the usual float bound.
 */
@EnabledIf("org.vae4j.kernel.Gemms#vectorAvailable")
class PackingTest {

    private static final int[] KS = {1, 7, 8, 9, 17, 130, 300};
    private static final int[] NS = {17, 32};

    @Test
    void transposedAAndPackedBGiveTheBitsOfTheFmaLoopForEveryRowCountAndDepth() {
        SplittableRandom rng = new SplittableRandom(21);
        VectorGemm[] gs = new VectorGemm[VectorGemmTest.TILES.length];
        for (int t = 0; t < gs.length; t++) {
            gs[t] = VectorGemm.create(1, VectorGemmTest.TILES[t][0], VectorGemmTest.TILES[t][1]);
        }
        for (int m = 1; m <= 40; m++) {
            for (int k : KS) {
                for (int n : NS) {
                    for (boolean ta : new boolean[] {true, false}) {
                        check(gs, rng, ta, m, n, k);
                    }
                }
            }
        }
    }

    @Test
    void theStepShapesWithOneSmallDimensionGiveTheBitsOfTheFmaLoop() {
        SplittableRandom rng = new SplittableRandom(22);
        VectorGemm[] gs = {VectorGemm.create(1), VectorGemm.create(1, 4, 4), VectorGemm.create(2)};
        // fc3.dW and head.dW (A^T B, k = 128), head.dx (A B, k = 32), and near them
        int[][] shapes = {{512, 32, 128}, {32, 512, 128}, {128, 512, 32}, {511, 33, 129}, {31, 513, 127}};
        for (int[] s : shapes) {
            for (boolean ta : new boolean[] {true, false}) {
                check(gs, rng, ta, s[0], s[1], s[2]);
            }
        }
    }

    private static void check(VectorGemm[] gs, SplittableRandom rng, boolean ta, int m, int n, int k) {
        FMatrixRMaj a = ta ? VectorGemmTest.random(k, m, rng) : VectorGemmTest.random(m, k, rng);
        FMatrixRMaj b = VectorGemmTest.random(k, n, rng);
        FMatrixRMaj c0 = VectorGemmTest.random(m, n, rng);
        float[] af = VectorGemmTest.embed(a.data, 5, 9, Float.NaN);
        float[] bf = VectorGemmTest.embed(b.data, 2, 3, Float.NaN);
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] expected = VectorGemmTest.fmaProduct(ta, false, accumulate, a, b, c0, m, n, k);
            FMatrixRMaj ejml = accumulate ? c0.copy() : new FMatrixRMaj(m, n);
            EjmlGemm.INSTANCE.gemm(ta, false, true, m, n, k, a.data, 0, b.data, 0, ejml.data, 0);
            for (VectorGemm g : gs) {
                float[] cf = VectorGemmTest.embed(c0.data, 4, 4, 7f);
                g.gemm(ta, false, accumulate, m, n, k, af, 5, bf, 2, cf, 4);
                String what = g.describeInstance() + (ta ? " A^T B " : " A B ") + m + "x" + n + "x" + k
                        + (accumulate ? " accumulate" : " overwrite");
                float[] got = Arrays.copyOfRange(cf, 4, 4 + m * n);
                assertArrayEquals(expected, got, what);
                VectorGemmTest.assertClose(ejml, FMatrixRMaj.wrap(m, n, got), k, what + " vs EJML");
                assertArrayEquals(new float[] {7f, 7f, 7f, 7f}, Arrays.copyOfRange(cf, 0, 4), what + ": before C");
                assertArrayEquals(new float[] {7f, 7f, 7f, 7f}, Arrays.copyOfRange(cf, 4 + m * n, cf.length),
                        what + ": after C");
            }
        }
    }
}

package org.vae4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The generated micro-kernels one by one, below {@link VectorGemm}'s blocking: every tile, in each
 * of its forms (A in place; packed with one base, packed with a base per row, whichever of the two
 * {@link VectorGemm#ROW_BASES} selects), overwriting and accumulating, with the last rows repeated,
 * must equal a scalar {@code Math.fma} loop in ascending p bit for bit.
 */
@EnabledIf("org.vae4j.kernel.Gemms#vectorAvailable")
class GemmTilesTest {

    private static final int[][] TILES = {{6, 2}, {4, 2}, {6, 1}, {4, 1}, {4, 4}, {4, 3}, {8, 2}, {8, 1}, {6, 4}, {6, 3}};

    @Test
    void everyTileInEveryFormEqualsAScalarFmaLoop() {
        final int l = GemmTiles.L;
        SplittableRandom rng = new SplittableRandom(7);
        for (int[] t : TILES) {
            int rows = t[0];
            int w = t[1] * l;
            for (int kc : new int[] {1, 3, 37}) {
                for (int real = rows; real >= rows - 2; real--) { // rows past il repeat row il
                    int ldc = w + 3;
                    int ars = kc + 5;
                    int st = GemmTiles.packStride(rows);
                    float[] a = new float[rows * ars + 2];
                    float[] ap = new float[st * kc + 1];
                    float[] bp = new float[w * kc + 4];
                    float[] c0 = new float[rows * ldc + 6];
                    fill(a, rng);
                    fill(bp, rng);
                    fill(c0, rng);
                    final int il = real - 1;
                    for (int p = 0; p < kc; p++) {
                        for (int r = 0; r < rows; r++) {
                            ap[1 + p * st + r] = a[2 + Math.min(r, il) * ars + p];
                        }
                    }
                    for (boolean overwrite : new boolean[] {true, false}) {
                        float[] expected = c0.clone();
                        for (int r = 0; r < real; r++) {
                            for (int x = 0; x < w; x++) {
                                float s = overwrite ? 0f : c0[2 + r * ldc + 4 + x];
                                for (int p = 0; p < kc; p++) {
                                    s = Math.fma(a[2 + r * ars + p], bp[4 + p * w + x], s);
                                }
                                expected[2 + r * ldc + 4 + x] = s;
                            }
                        }
                        float[] zero = new float[64];
                        for (int form = 0; form < 3; form++) {
                            float[] c = c0.clone();
                            float[] cl = overwrite ? zero : c;
                            switch (form) {
                                case 0 -> GemmTiles.rows(rows, t[1], a, 2, ars, bp, 4, cl, c, 2, ldc, kc, 0, il, 4);
                                case 1 -> call(rows, t[1], false, ap, bp, cl, c, ldc, kc, il);
                                default -> call(rows, t[1], true, ap, bp, cl, c, ldc, kc, il);
                            }
                            for (int e = 0; e < c.length; e++) {
                                assertEquals(Float.floatToIntBits(expected[e]), Float.floatToIntBits(c[e]),
                                        "tile " + rows + "x" + t[1] + " form " + form + " kc " + kc + " rows " + real
                                                + (overwrite ? " overwrite" : " accumulate") + " element " + e);
                            }
                        }
                    }
                }
            }
        }
    }

    /** The packed kernel of one form directly (the dispatcher takes the JVM's form). */
    private static void call(int rows, int vectors, boolean rowBases, float[] ap, float[] bp, float[] cl, float[] c,
                             int ldc, int kc, int il) {
        if (rowBases == VectorGemm.ROW_BASES) {
            GemmTiles.packed(rows, vectors, ap, 1, 1, bp, 4, cl, c, 2, ldc, kc, 0, il, 4);
            return;
        }
        java.lang.reflect.Method m;
        try {
            m = GemmTiles.class.getDeclaredMethod("t" + rows + "x" + vectors + (rowBases ? "q" : "p"), float[].class,
                    int.class, int.class, float[].class, int.class, float[].class, float[].class, int.class, int.class,
                    int.class, int.class, int.class, int.class);
            m.invoke(null, ap, 1, 1, bp, 4, cl, c, 2, ldc, kc, 0, il, 4);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static void fill(float[] x, SplittableRandom rng) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * rng.nextDouble() - 1);
        }
    }
}

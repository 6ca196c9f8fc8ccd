package org.vae4j.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class EjmlGemmTest {


    /** (m, k, n): C (m, n) = op(A) (m, k) op(B) (k, n). Vectors, scalars and odd sizes. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 7, 1}, {7, 1, 7}, {1, 7, 5}, {6, 7, 1}, {13, 5, 9}, {4, 16, 3}, {32, 33, 31}, {70, 65, 67},
    };

    /** The six methods, each with whether it transposes A, transposes B and accumulates into C. */
    enum Op {
        MULT(false, false, false) {
            @Override
            void run(Gemm gemm, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
                gemm.mult(a, b, c);
            }
        },
        MULT_ADD(false, false, true) {
            @Override
            void run(Gemm gemm, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
                gemm.multAdd(a, b, c);
            }
        },
        MULT_TRANS_A(true, false, false) {
            @Override
            void run(Gemm gemm, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
                gemm.multTransA(a, b, c);
            }
        },
        MULT_ADD_TRANS_A(true, false, true) {
            @Override
            void run(Gemm gemm, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
                gemm.multAddTransA(a, b, c);
            }
        },
        MULT_TRANS_B(false, true, false) {
            @Override
            void run(Gemm gemm, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
                gemm.multTransB(a, b, c);
            }
        },
        MULT_ADD_TRANS_B(false, true, true) {
            @Override
            void run(Gemm gemm, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
                gemm.multAddTransB(a, b, c);
            }
        };

        final boolean transA;
        final boolean transB;
        final boolean add;

        Op(boolean transA, boolean transB, boolean add) {
            this.transA = transA;
            this.transB = transB;
            this.add = add;
        }

        abstract void run(Gemm gemm, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c);

        /** A stored as (m, k), or (k, m) when transposed. */
        FMatrixRMaj a(int m, int k, SplittableRandom rng) {
            return transA ? random(k, m, rng) : random(m, k, rng);
        }

        /** B stored as (k, n), or (n, k) when transposed. */
        FMatrixRMaj b(int k, int n, SplittableRandom rng) {
            return transB ? random(n, k, rng) : random(k, n, rng);
        }
    }

    private static FMatrixRMaj random(int rows, int cols, SplittableRandom rng) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = (float) rng.nextDouble(-1, 1);
        }
        return m;
    }

    /** Every method, on EJML's single-threaded kernels and on its multi-threaded ones. */
    static Stream<Arguments> opsAndThreadCounts() {
        return Stream.of(1, 3).flatMap(threads -> Stream.of(Op.values()).map(op -> Arguments.of(op, threads)));
    }

    @ParameterizedTest(name = "{0}, {1} threads")
    @MethodSource("opsAndThreadCounts")
    void matchesNaiveLoopOnEveryShape(Op op, int threads) {
        Gemm gemm = EjmlGemm.withThreads(threads);
        SplittableRandom rng = new SplittableRandom(7);
        for (int[] s : SHAPES) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            FMatrixRMaj a = op.a(m, k, rng);
            FMatrixRMaj b = op.b(k, n, rng);
            FMatrixRMaj c = random(m, n, rng); // garbage for the overwriting ops, a start value for the others
            FMatrixRMaj c0 = c.copy();
            FMatrixRMaj a0 = a.copy();
            FMatrixRMaj b0 = b.copy();

            op.run(gemm, a, b, c);

            String where = op + " " + m + "x" + k + "x" + n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = op.add ? c0.get(i, j) : 0;
                    for (int p = 0; p < k; p++) {
                        double aip = op.transA ? a.get(p, i) : a.get(i, p);
                        double bpj = op.transB ? b.get(j, p) : b.get(p, j);
                        sum += aip * bpj;
                    }
                    assertEquals(sum, c.get(i, j), 1e-5 * (k + 1), where + " C[" + i + ", " + j + "]");
                }
            }
            assertEquals(m, c.numRows, where);
            assertEquals(n, c.numCols, where);
            assertArrayEquals(a0.data, a.data, where + ": A modified");
            assertArrayEquals(b0.data, b.data, where + ": B modified");
        }
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void shapeMismatchThrowsInsteadOfReshaping(Op op) {
        SplittableRandom rng = new SplittableRandom(3);
        FMatrixRMaj a = op.a(4, 3, rng);
        FMatrixRMaj badB = op.b(2, 5, rng); // inner size 2 != 3
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> op.run(EjmlGemm.INSTANCE, a, badB, new FMatrixRMaj(4, 5)));
        assertTrue(e.getMessage().contains("shape mismatch"), e.getMessage());

        FMatrixRMaj b = op.b(3, 5, rng);
        FMatrixRMaj badC = new FMatrixRMaj(5, 4);
        e = assertThrows(IllegalArgumentException.class, () -> op.run(EjmlGemm.INSTANCE, a, b, badC));
        assertTrue(e.getMessage().contains("C is (5, 4)"), e.getMessage());
        assertEquals(5, badC.numRows);
        assertEquals(4, badC.numCols);
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void outputAliasingAnInputThrows(Op op) {
        SplittableRandom rng = new SplittableRandom(5);
        FMatrixRMaj a = random(3, 3, rng);
        FMatrixRMaj b = random(3, 3, rng);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> op.run(EjmlGemm.INSTANCE, a, b, a));
        assertTrue(e.getMessage().contains("alias"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> op.run(EjmlGemm.INSTANCE, a, b, b));
        assertTrue(e.getMessage().contains("alias"), e.getMessage());
    }

    /**
     * The array primitive, every transpose combination (A^T B^T too) and both modes, at offset 0
     * (EJML reads the caller's arrays, which are longer than the operands) and at other offsets
     * (copied through scratch matrices): the bits of the matrix methods, the floats around C
     * untouched, and a second call with other shapes reuses the scratch correctly.
     */
    @ParameterizedTest(name = "{0} threads")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3})
    void theArrayPrimitiveAtOffsetsGivesTheMatrixMethodsBits(int threads) {
        Gemm gemm = EjmlGemm.withThreads(threads);
        SplittableRandom rng = new SplittableRandom(11);
        for (int[] s : SHAPES) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                FMatrixRMaj a = ta ? random(k, m, rng) : random(m, k, rng);
                FMatrixRMaj b = tb ? random(n, k, rng) : random(k, n, rng);
                FMatrixRMaj c0 = random(m, n, rng);
                for (boolean add : new boolean[] {false, true}) {
                    FMatrixRMaj expected = c0.copy();
                    if (ta && tb) {
                        if (add) {
                            org.ejml.dense.row.CommonOps_FDRM.multAddTransAB(a, b, expected);
                        } else {
                            org.ejml.dense.row.CommonOps_FDRM.multTransAB(a, b, expected);
                        }
                    } else {
                        for (Op op : Op.values()) {
                            if (op.transA == ta && op.transB == tb && op.add == add) {
                                op.run(gemm, a, b, expected);
                            }
                        }
                    }
                    for (int off : new int[] {0, 3}) {
                        float[] af = place(a.data, off, 2, Float.NaN);
                        float[] bf = place(b.data, 2 * off, 1, Float.NaN);
                        float[] cf = place(c0.data, off + 1, 3, 42f);
                        gemm.gemm(ta, tb, add, m, n, k, af, off, bf, 2 * off, cf, off + 1);
                        String where = "transA " + ta + " transB " + tb + " add " + add + " offset " + off + " "
                                + m + "x" + k + "x" + n;
                        assertArrayEquals(expected.data, java.util.Arrays.copyOfRange(cf, off + 1, off + 1 + m * n),
                                where);
                        assertEquals(42f, cf[off], where);
                        assertEquals(42f, cf[cf.length - 1], where);
                    }
                }
            }
        }
    }

    private static float[] place(float[] x, int at, int after, float fill) {
        float[] out = new float[at + x.length + after];
        java.util.Arrays.fill(out, fill);
        System.arraycopy(x, 0, out, at, x.length);
        return out;
    }
}

package org.vae4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import org.ejml.data.FMatrixRMaj;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vae4j.kernel.EjmlGemm;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Gemms;

/**
 * The 12 GEMMs of one training step of the seed VAE (784-512-32, batch 128), see
 * {@link GemmShapes}, on each backend:
 * <ul>
 * <li>{@code ejml}: {@link EjmlGemm}, one thread (the reference);</li>
 * <li>{@code vector1}, {@code vector2}: {@code VectorGemm} with 1 and 2 threads;</li>
 * <li>{@code netlib}: {@code dev.ludovic.netlib.blas.BLAS.getInstance().sgemm} on the same
 * row-major arrays (row-major C = A B is column-major C^T = B^T A^T, so A and B swap places and
 * keep their transpose flags). getInstance() prefers a native BLAS (JNIBLAS over the system's
 * {@code libblas.so.3}; on Debian with OpenBLAS installed, that is OpenBLAS, whose thread count
 * comes from {@code OMP_NUM_THREADS} or {@code OPENBLAS_NUM_THREADS}) and falls back to the pure
 * Java one; the implementation picked is printed at setup;</li>
 * <li>{@code netlib-java}: {@code JavaBLAS.getInstance()}, netlib's pure-Java BLAS (VectorBLAS
 * when the incubator module is there, one thread).</li>
 * </ul>
 * Every backend's result is checked against EJML once in {@link #setup()}; a mismatch throws.
 * Run through {@link GemmReport} for a GFLOP/s table.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBenchmark {

    @Param({"fc1.fwd", "head.fwd", "fc3.fwd", "fc4.fwd", "fc4.dW", "fc4.dx", "fc3.dW", "fc3.dx",
            "head.dW", "head.dx", "head.dxAdd", "fc1.dW"})
    public String op;

    @Param({"ejml", "vector1", "vector2", "netlib", "netlib-java"})
    public String backend;

    private GemmShapes.Shape shape;
    private FMatrixRMaj a;
    private FMatrixRMaj b;
    private FMatrixRMaj c;
    private Gemm gemm;        // null for netlib
    private BLAS blas;        // netlib only
    private String transA;    // netlib: flags in column-major terms, see sgemm()
    private String transB;

    @Setup(Level.Trial)
    public void setup() {
        shape = GemmShapes.get(op);
        SplittableRandom rng = new SplittableRandom(op.hashCode());
        a = random(shape.aRows(), shape.aCols(), rng);
        b = random(shape.bRows(), shape.bCols(), rng);
        c = random(shape.m(), shape.n(), rng);
        switch (backend) {
            case "ejml" -> gemm = EjmlGemm.INSTANCE;
            case "vector1" -> gemm = Gemms.create("vector", 1);
            case "vector2" -> gemm = Gemms.create("vector", 2);
            case "netlib", "netlib-java" -> {
                blas = backend.equals("netlib") ? BLAS.getInstance() : JavaBLAS.getInstance();
                transA = shape.kind().transA ? "T" : "N";
                transB = shape.kind().transB ? "T" : "N";
                System.out.println("# " + backend + " implementation: " + blas.getClass().getName()
                        + " (OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS") + ")");
            }
            default -> throw new IllegalArgumentException("unknown backend '" + backend
                    + "'; expected ejml, vector1, vector2, netlib or netlib-java");
        }
        verify();
    }

    @Benchmark
    public FMatrixRMaj gemm() {
        if (blas != null) {
            sgemm(c);
        } else {
            call(gemm, c);
        }
        return c;
    }

    /** C (+)= op(A) op(B) on the Gemm interface, with the method a training step uses for this op. */
    private void call(Gemm g, FMatrixRMaj out) {
        switch (shape.kind()) {
            case MULT_TRANS_B -> g.multTransB(a, b, out);
            case MULT_ADD_TRANS_A -> g.multAddTransA(a, b, out);
            case MULT -> g.mult(a, b, out);
            case MULT_ADD -> g.multAdd(a, b, out);
            default -> throw new AssertionError(shape.kind());
        }
    }

    /**
     * Row-major C (m, n) = op(A) op(B) is column-major C^T (n, m) = op(B)^T op(A)^T, and a
     * row-major (r, c) array read column-major is its transpose (c, r) with leading dimension c.
     * So sgemm gets B first, then A, each with its own transpose flag unchanged.
     */
    private void sgemm(FMatrixRMaj out) {
        float beta = shape.kind().accumulate ? 1f : 0f;
        blas.sgemm(transB, transA, shape.n(), shape.m(), shape.k(), 1f,
                b.data, b.numCols, a.data, a.numCols, beta, out.data, shape.n());
    }

    /** This backend's result against EJML's, from the same starting C (it matters for multAdd*). */
    private void verify() {
        FMatrixRMaj expected = c.copy();
        call(EjmlGemm.INSTANCE, expected);
        FMatrixRMaj actual = c.copy();
        if (blas != null) {
            sgemm(actual);
        } else {
            call(gemm, actual);
        }
        double maxRef = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.getNumElements(); i++) {
            maxRef = Math.max(maxRef, Math.abs(expected.data[i]));
            maxDiff = Math.max(maxDiff, Math.abs(expected.data[i] - actual.data[i]));
        }
        // Float32 sums of up to 784 products of values in [-1, 1]: a few ulps of the largest entry.
        double tol = 1e-4 * Math.max(1, maxRef);
        if (!(maxDiff <= tol)) {
            throw new IllegalStateException(String.format(
                    "%s on %s (%s) differs from EJML: max |diff| %.3g > %.3g (max |C| %.3g)",
                    backend, op, shape.describe(), maxDiff, tol, maxRef));
        }
    }

    private static FMatrixRMaj random(int rows, int cols, SplittableRandom rng) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return m;
    }
}

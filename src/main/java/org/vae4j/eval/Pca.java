package org.vae4j.eval;

import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.Rows;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Principal component analysis with k components: the linear baseline for an autoencoder's
 * squared reconstruction error (Hinton &amp; Salakhutdinov 2006 compare their 30-unit code with
 * PCA-30). Fitted in double:
 * <pre>
 *   m = (1/n) sum_i x_i                               mean (d)
 *   C = sum_i (x_i - m)^T (x_i - m)                   scatter matrix (d, d), in blocks of 1000 rows
 *   C = V S V^T                                       EJML SVD; V's columns sorted by decreasing S
 *   W = first k columns of V, transposed              components (k, d)
 *   project(x)     = (x - m) W^T                      (n, k)
 *   reconstruct(x) = project(x) W + m                 (n, d)
 * </pre>
 * The SVD of the (d, d) scatter matrix costs O(n d^2 + d^3) and memory O(d^2), much less than
 * the SVD of the (n, d) data for n &gt;&gt; d (MNIST: 60,000 x 784). Each component's sign is
 * fixed so that its largest-magnitude entry is positive, so a fit is reproducible.
 *
 * <p>Immutable and thread-safe; arrays are copied in and out.
 */
public final class Pca {

    private static final Logger LOG = LoggerFactory.getLogger(Pca.class);

    private final double[] mean;          // (d)
    private final DMatrixRMaj components; // (k, d), orthonormal rows
    private final double[] variances;     // (k) variance along each component, S_c / (n - 1)
    private final double totalVariance;   // trace(C) / (n - 1)

    private Pca(double[] mean, DMatrixRMaj components, double[] variances, double totalVariance) {
        this.mean = mean;
        this.components = components;
        this.variances = variances;
        this.totalVariance = totalVariance;
    }

    /**
     * Fits k principal components to the rows of {@code x}.
     *
     * @param x (n, d) training data, n &gt;= 2, not modified
     * @param k 1 &lt;= k &lt;= d
     * @return the fitted mean, k components and their variances
     * @throws IllegalArgumentException for null data, fewer than 2 rows, k out of range or non-finite data
     * @throws IllegalStateException    when the SVD of the scatter matrix does not converge
     */
    public static Pca fit(FMatrixRMaj x, int k) {
        if (x == null || x.numRows < 2) {
            throw new IllegalArgumentException("PCA needs at least 2 rows of data, got " + (x == null ? 0 : x.numRows));
        }
        final int n = x.numRows;
        final int d = x.numCols;
        if (k < 1 || k > d) {
            throw new IllegalArgumentException("number of components must be in [1, " + d + "], got " + k);
        }
        long t0 = System.nanoTime();
        double[] mean = columnMeans(x);
        DMatrixRMaj scatter = scatter(x, mean);
        double trace = CommonOps_DDRM.trace(scatter);

        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(d, d, false, true, true);
        if (!svd.decompose(scatter)) {
            throw new IllegalStateException("the SVD of the " + d + "x" + d + " scatter matrix did not converge");
        }
        DMatrixRMaj s = svd.getW(null);
        DMatrixRMaj v = svd.getV(null, false); // (d, d), columns are right singular vectors
        SingularOps_DDRM.descendingOrder(null, false, s, v, false);

        DMatrixRMaj components = new DMatrixRMaj(k, d);
        double[] variances = new double[k];
        for (int c = 0; c < k; c++) {
            int largest = 0;
            for (int j = 0; j < d; j++) {
                if (Math.abs(v.get(j, c)) > Math.abs(v.get(largest, c))) {
                    largest = j;
                }
            }
            double sign = v.get(largest, c) < 0 ? -1 : 1;
            for (int j = 0; j < d; j++) {
                components.set(c, j, sign * v.get(j, c));
            }
            variances[c] = s.get(c, c) / (n - 1);
        }
        Pca pca = new Pca(mean, components, variances, trace / (n - 1));
        if (LOG.isDebugEnabled()) {
            LOG.debug(String.format("PCA-%d on %d x %d in %.2f s, explained variance %.4f", k, n, d,
                    (System.nanoTime() - t0) / 1e9, pca.explainedVarianceRatio()));
        }
        return pca;
    }

    private static double[] columnMeans(FMatrixRMaj x) {
        final int d = x.numCols;
        double[] mean = new double[d];
        for (int i = 0; i < x.numRows; i++) {
            for (int j = 0; j < d; j++) {
                float v = x.data[i * d + j];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("PCA data has a non-finite value " + v + " at row " + i
                            + ", column " + j);
                }
                mean[j] += v;
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= x.numRows;
        }
        return mean;
    }

    /** C = sum_i (x_i - m)^T (x_i - m), accumulated over blocks of centred rows in double. */
    private static DMatrixRMaj scatter(FMatrixRMaj x, double[] mean) {
        final int d = x.numCols;
        DMatrixRMaj total = new DMatrixRMaj(d, d);
        DMatrixRMaj block = new DMatrixRMaj(1, d);   // (rows, d) centred
        DMatrixRMaj product = new DMatrixRMaj(d, d); // block^T block
        for (int start = 0; start < x.numRows; start += Rows.CHUNK_ROWS) {
            int rows = Math.min(Rows.CHUNK_ROWS, x.numRows - start);
            centre(x, start, rows, mean, block);
            CommonOps_DDRM.multInner(block, product);
            CommonOps_DDRM.addEquals(total, product);
        }
        return total;
    }

    /** block = rows [start, start + rows) of x minus the mean, in double. */
    private static void centre(FMatrixRMaj x, int start, int rows, double[] mean, DMatrixRMaj block) {
        final int d = x.numCols;
        block.reshape(rows, d);
        for (int r = 0; r < rows; r++) {
            int off = (start + r) * d;
            for (int j = 0; j < d; j++) {
                block.data[r * d + j] = x.data[off + j] - mean[j];
            }
        }
    }

    /** {@return number of components k} */
    public int componentCount() {
        return components.numRows;
    }

    /** {@return the input width d} */
    public int inputSize() {
        return mean.length;
    }

    /** {@return the training mean m (d), a copy} */
    public double[] mean() {
        return mean.clone();
    }

    /** {@return the components W (k, d) as rows, by decreasing variance; a copy} */
    public DMatrixRMaj components() {
        return components.copy();
    }

    /** {@return the variance of the training data along each component (k), S_c / (n - 1), decreasing; a copy} */
    public double[] variances() {
        return variances.clone();
    }

    /** {@return the fraction of the training data's total variance the k components keep} */
    public double explainedVarianceRatio() {
        double kept = 0;
        for (double v : variances) {
            kept += v;
        }
        return totalVariance > 0 ? kept / totalVariance : 1.0;
    }

    /**
     * The codes (x - m) W^T.
     *
     * @param x (n, d), not modified
     * @return a new (n, k) matrix
     * @throws IllegalArgumentException for null, empty or wrong-width input
     */
    public FMatrixRMaj project(FMatrixRMaj x) {
        Rows.checkWidth(x, inputSize(), "PCA input");
        final int k = componentCount();
        FMatrixRMaj codes = new FMatrixRMaj(x.numRows, k);
        DMatrixRMaj block = new DMatrixRMaj(1, inputSize());
        DMatrixRMaj blockCodes = new DMatrixRMaj(1, k);
        for (int start = 0; start < x.numRows; start += Rows.CHUNK_ROWS) {
            int rows = Math.min(Rows.CHUNK_ROWS, x.numRows - start);
            centre(x, start, rows, mean, block);
            blockCodes.reshape(rows, k);
            CommonOps_DDRM.multTransB(block, components, blockCodes);
            for (int i = 0; i < rows * k; i++) {
                codes.data[start * k + i] = (float) blockCodes.data[i];
            }
        }
        return codes;
    }

    /**
     * The reconstruction from codes, codes W + m.
     *
     * @param codes (n, k), not modified
     * @return a new (n, d) matrix
     * @throws IllegalArgumentException for null, empty or wrong-width codes
     */
    public FMatrixRMaj decode(FMatrixRMaj codes) {
        Rows.checkWidth(codes, componentCount(), "PCA codes");
        final int d = inputSize();
        final int k = componentCount();
        FMatrixRMaj out = new FMatrixRMaj(codes.numRows, d);
        for (int i = 0; i < codes.numRows; i++) {
            for (int j = 0; j < d; j++) {
                double sum = mean[j];
                for (int c = 0; c < k; c++) {
                    sum += (double) codes.data[i * k + c] * components.data[c * d + j];
                }
                out.data[i * d + j] = (float) sum;
            }
        }
        return out;
    }

    /**
     * The projection onto the component subspace, (x - m) W^T W + m, in double.
     *
     * @param x (n, d), not modified
     * @return a new (n, d) matrix
     * @throws IllegalArgumentException for null, empty or wrong-width input
     */
    public FMatrixRMaj reconstruct(FMatrixRMaj x) {
        Rows.checkWidth(x, inputSize(), "PCA input");
        final int d = inputSize();
        final int k = componentCount();
        FMatrixRMaj out = new FMatrixRMaj(x.numRows, d);
        DMatrixRMaj block = new DMatrixRMaj(1, d);
        DMatrixRMaj codes = new DMatrixRMaj(1, k);
        DMatrixRMaj back = new DMatrixRMaj(1, d);
        for (int start = 0; start < x.numRows; start += Rows.CHUNK_ROWS) {
            int rows = Math.min(Rows.CHUNK_ROWS, x.numRows - start);
            centre(x, start, rows, mean, block);
            codes.reshape(rows, k);
            back.reshape(rows, d);
            CommonOps_DDRM.multTransB(block, components, codes);
            CommonOps_DDRM.mult(codes, components, back);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < d; j++) {
                    out.data[(start + r) * d + j] = (float) (back.data[r * d + j] + mean[j]);
                }
            }
        }
        return out;
    }

    /**
     * {@return the squared reconstruction error per image of {@link #reconstruct}, (1/n) sum_i |r_i - x_i|^2,
     * the figure to compare with an autoencoder's ({@link ReconstructionError})}
     *
     * @param x (n, d), not modified
     * @throws IllegalArgumentException for null, empty or wrong-width input
     */
    public double squaredErrorPerImage(FMatrixRMaj x) {
        return ReconstructionError.squaredErrorPerImage(this::reconstruct, x);
    }
}

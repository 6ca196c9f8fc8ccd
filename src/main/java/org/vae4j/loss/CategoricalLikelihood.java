package org.vae4j.loss;

import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Elementwise;
import org.vae4j.nn.Activation;

/**
 * One categorical column of K categories, one-hot encoded over a row of width K: the decoder
 * outputs K logits l and p = softmax(l). With the target x (one-hot, or any probability vector):
 * <pre>
 *   lse             = max(l) + log sum_k exp(l_k - max(l))        log-softmax with the max shift
 *   -log p          = sum_k x_k (lse - l_k)                         forward (cross-entropy)
 *   d(-log p)/dl_j  = (sum_k x_k) softmax(l)_j - x_j                backward (= p_j - x_j for a one-hot)
 * </pre>
 * The column is missing in a row when any cell of its span is masked (or NaN); then it
 * contributes nothing, and its neutral encoder input is 1/K in every cell. It is one column of
 * {@link #negLogLikelihoodPerColumn}. In a table, put it on its span of a
 * {@link CompositeLikelihood}. Immutable and thread-safe.
 */
public final class CategoricalLikelihood implements Likelihood {

    /** How far a target row's sum may be from 1 in {@link #validate}. */
    public static final float SUM_TOLERANCE = 1e-3f;

    private final int categories;

    /**
     * A categorical likelihood over one-hot spans of {@code categories} columns.
     *
     * @param categories K &gt;= 2, the width of the one-hot span
     * @throws IllegalArgumentException when {@code categories < 2}
     */
    public CategoricalLikelihood(int categories) {
        if (categories < 2) {
            throw new IllegalArgumentException("a categorical column needs at least 2 categories, got " + categories);
        }
        this.categories = categories;
    }

    /** {@return K, the number of categories (the width of the one-hot span, &gt;= 2)} */
    public int categories() {
        return categories;
    }

    @Override
    public Activation requiredOutputActivation() {
        return Activation.IDENTITY;
    }

    @Override
    public Activation defaultOutputActivation() {
        return Activation.IDENTITY;
    }

    @Override
    public int outputWidth(int dataWidth) {
        if (dataWidth != categories) {
            throw new IllegalArgumentException("the " + describe() + " likelihood models a one-hot span of "
                    + categories + ", got rows of " + dataWidth);
        }
        return categories;
    }

    @Override
    public int columnCount(int dataWidth) {
        return 1;
    }

    @Override
    public boolean acceptsMissing() {
        return true;
    }

    private void checkShapes(FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask) {
        if (x.numCols != categories || out.numCols != categories || out.numRows != x.numRows) {
            throw new IllegalArgumentException(String.format(
                    "the %s likelihood needs data and output (batch, %d), got (%d, %d) and (%d, %d)",
                    describe(), categories, x.numRows, x.numCols, out.numRows, out.numCols));
        }
        MissingCells.checkMask(mask, x);
    }

    /** Whether row r is observed: no mask, or every cell of its span nonzero. */
    private boolean rowObserved(FMatrixRMaj mask, int r) {
        if (mask == null) {
            return true;
        }
        for (int k = 0; k < categories; k++) {
            if (mask.data[r * categories + k] == 0f) {
                return false;
            }
        }
        return true;
    }

    /** log sum_k exp(l_k) of row r, with the max shift. */
    private double logSumExp(float[] l, int o) {
        double max = l[o];
        for (int k = 1; k < categories; k++) {
            max = Math.max(max, l[o + k]);
        }
        double s = 0;
        for (int k = 0; k < categories; k++) {
            s += Math.exp(l[o + k] - max);
        }
        return max + Math.log(s);
    }

    /** -log p of row r: sum_k x_k (lse - l_k). */
    private double row(FMatrixRMaj out, FMatrixRMaj x, int r) {
        int o = r * categories;
        double lse = logSumExp(out.data, o);
        double s = 0;
        for (int k = 0; k < categories; k++) {
            float t = x.data[o + k];
            if (t != 0f) {
                s += t * (lse - out.data[o + k]);
            }
        }
        return s;
    }

    @Override
    public double negLogLikelihood(FMatrixRMaj out, FMatrixRMaj x, float scale, FMatrixRMaj dout) {
        return negLogLikelihood(Elementwise.get(), out, x, null, scale, dout);
    }

    @Override
    public double negLogLikelihood(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask,
                                   float scale, FMatrixRMaj dout) {
        checkShapes(out, x, mask);
        GaussianKl.checkShape(out, dout);
        double sum = 0;
        for (int r = 0; r < x.numRows; r++) {
            int o = r * categories;
            if (!rowObserved(mask, r)) {
                java.util.Arrays.fill(dout.data, o, o + categories, 0f);
                continue;
            }
            double lse = logSumExp(out.data, o);
            double total = 0;
            for (int k = 0; k < categories; k++) {
                float t = x.data[o + k];
                total += t;
                if (t != 0f) {
                    sum += t * (lse - out.data[o + k]);
                }
            }
            for (int k = 0; k < categories; k++) {
                double p = Math.exp(out.data[o + k] - lse);
                dout.data[o + k] = (float) (scale * (total * p - x.data[o + k]));
            }
        }
        return sum;
    }

    @Override
    public void negLogLikelihoodPerRow(FMatrixRMaj out, FMatrixRMaj x, double[] perRow) {
        negLogLikelihoodPerRow(out, x, null, perRow);
    }

    @Override
    public void negLogLikelihoodPerRow(FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask, double[] perRow) {
        checkShapes(out, x, mask);
        for (int r = 0; r < x.numRows; r++) {
            perRow[r] = rowObserved(mask, r) ? row(out, x, r) : 0;
        }
    }

    @Override
    public void negLogLikelihoodPerColumn(FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask, double[] perRowPerColumn) {
        negLogLikelihoodPerRow(out, x, mask, perRowPerColumn);
    }

    /** meanOut = softmax(out) row by row (may be {@code out}). */
    @Override
    public void mean(FMatrixRMaj out, FMatrixRMaj meanOut) {
        GaussianKl.checkShape(out, meanOut);
        checkWidth(out);
        for (int r = 0; r < out.numRows; r++) {
            int o = r * categories;
            double lse = logSumExp(out.data, o);
            for (int k = 0; k < categories; k++) {
                meanOut.data[o + k] = (float) Math.exp(out.data[o + k] - lse);
            }
        }
    }

    /** The one-hot of each row's argmax (the lowest index on ties). */
    @Override
    public void mode(FMatrixRMaj out, FMatrixRMaj modeOut) {
        GaussianKl.checkShape(out, modeOut);
        checkWidth(out);
        for (int r = 0; r < out.numRows; r++) {
            int o = r * categories;
            int best = 0;
            for (int k = 1; k < categories; k++) {
                if (out.data[o + k] > out.data[o + best]) {
                    best = k;
                }
            }
            for (int k = 0; k < categories; k++) {
                modeOut.data[o + k] = k == best ? 1f : 0f;
            }
        }
    }

    /** A one-hot draw per row from softmax(out), by the inverse of its distribution function. */
    @Override
    public void sample(FMatrixRMaj out, RandomGenerator rng, FMatrixRMaj sampleOut) {
        GaussianKl.checkShape(out, sampleOut);
        checkWidth(out);
        for (int r = 0; r < out.numRows; r++) {
            int o = r * categories;
            double lse = logSumExp(out.data, o);
            double u = rng.nextDouble();
            int pick = categories - 1;
            double c = 0;
            for (int k = 0; k < categories; k++) {
                c += Math.exp(out.data[o + k] - lse);
                if (u < c) {
                    pick = k;
                    break;
                }
            }
            for (int k = 0; k < categories; k++) {
                sampleOut.data[o + k] = k == pick ? 1f : 0f;
            }
        }
    }

    private void checkWidth(FMatrixRMaj out) {
        if (out.numCols != categories) {
            throw new IllegalArgumentException("the " + describe() + " likelihood needs (batch, " + categories
                    + "), got (" + out.numRows + ", " + out.numCols + ")");
        }
    }

    /** A row with any NaN cell is missing: every cell 1/K, mask 0 over the span. */
    @Override
    public void fillMissing(FMatrixRMaj x, FMatrixRMaj mask) {
        MissingCells.checkMask(mask, x);
        checkWidth(x);
        for (int r = 0; r < x.numRows; r++) {
            int o = r * categories;
            boolean missing = false;
            for (int k = 0; k < categories; k++) {
                missing |= Float.isNaN(x.data[o + k]);
            }
            for (int k = 0; k < categories; k++) {
                if (missing) {
                    x.data[o + k] = 1f / categories;
                }
                mask.data[o + k] = missing ? 0f : 1f;
            }
        }
    }

    /** Each row: values in [0, 1] summing to 1 (within {@link #SUM_TOLERANCE}). */
    @Override
    public void validate(FMatrixRMaj x, String what) {
        checkWidth(x);
        for (int r = 0; r < x.numRows; r++) {
            double s = 0;
            for (int k = 0; k < categories; k++) {
                float v = x.data[r * categories + k];
                if (!(v >= 0f && v <= 1f)) {
                    throw new IllegalArgumentException(what + " has value " + v + " at row " + r + ", column " + k
                            + ": a categorical column's one-hot cells must be in [0, 1]");
                }
                s += v;
            }
            if (Math.abs(s - 1) > SUM_TOLERANCE) {
                throw new IllegalArgumentException(what + " row " + r + ": the " + categories
                        + " one-hot cells of a categorical column sum to " + s + ", not 1");
            }
        }
    }

    @Override
    public String describe() {
        return "categorical(" + categories + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}

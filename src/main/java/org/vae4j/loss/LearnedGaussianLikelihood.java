package org.vae4j.loss;

import java.util.List;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Elementwise;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Parameter;

/**
 * Gaussian columns whose variance is learned: N(x; m, exp(s)) per cell, with the mean m from the
 * decoder and the log-variance s either one trainable parameter per column
 * ({@link #perColumn}, the tensor {@code log_var} (1, columns)) or output by the decoder next to
 * the mean ({@link #heteroscedastic}: the output row is [m_1 .. m_w, v_1 .. v_w]).
 *
 * <p>Numerically safe: the raw log-variance v (parameter or decoder output) is soft-bounded,
 * s = B tanh(v / B) with B = {@link #logVarBound()} (default {@value #DEFAULT_LOG_VAR_BOUND}), so
 * exp(-s) is at most e^B and no cell's -log p goes to -infinity (a variance collapsing on a
 * column the model predicts exactly) or overflows; near v = 0, s = v. Gradients are of this
 * bounded function ({@code docs/MATH.md}, "Learned Gaussian"):
 * <pre>
 *   s              = B tanh(v / B)
 *   -log p         = (log(2 pi) + s + (x - m)^2 exp(-s)) / 2                    forward
 *   d(-log p)/dm   = (m - x) exp(-s)                                            backward
 *   d(-log p)/dv   = (1 - (x - m)^2 exp(-s)) / 2 * (1 - (s / B)^2)             backward
 * </pre>
 * A masked cell contributes nothing; its neutral encoder input is 0 (the mean of a standardised
 * column). The per-column form is mutable (its parameter) and belongs to one model; the
 * heteroscedastic form is immutable and thread-safe.
 */
public final class LearnedGaussianLikelihood implements Likelihood {

    /** The default bound B of the log-variance: variances in [e^-6, e^6] (sd 0.05 .. 20). */
    public static final double DEFAULT_LOG_VAR_BOUND = 6.0;
    /** The name of the per-column log-variance tensor (a model stores it as {@code likelihood.log_var}). */
    public static final String LOG_VAR = "log_var";

    static final double LOG_2PI = Math.log(2 * Math.PI);

    private final int columns;
    private final boolean heteroscedastic;
    private final double bound;
    private final Parameter logVar; // (1, columns), or null when heteroscedastic
    private final double[] dRaw;    // (columns) the log_var gradient of one call, or null when heteroscedastic

    private LearnedGaussianLikelihood(int columns, boolean heteroscedastic, double bound) {
        if (columns <= 0) {
            throw new IllegalArgumentException("a Gaussian likelihood needs at least one column, got " + columns);
        }
        if (!(bound > 0) || !Double.isFinite(bound) || bound > 30) {
            throw new IllegalArgumentException("the log-variance bound must be in (0, 30], got " + bound);
        }
        this.columns = columns;
        this.heteroscedastic = heteroscedastic;
        this.bound = bound;
        this.logVar = heteroscedastic ? null : new Parameter(LOG_VAR, 1, columns);
        this.dRaw = heteroscedastic ? null : new double[columns];
    }

    /**
     * {@code columns} Gaussian columns with one trainable log-variance each (initially 0: variance 1),
     * bounded by {@value #DEFAULT_LOG_VAR_BOUND}.
     *
     * @param columns number of data columns (&gt;= 1); the decoder outputs one mean per column
     * @return a new likelihood with its own {@code log_var} tensor (1, columns)
     * @throws IllegalArgumentException when {@code columns < 1}
     */
    public static LearnedGaussianLikelihood perColumn(int columns) {
        return new LearnedGaussianLikelihood(columns, false, DEFAULT_LOG_VAR_BOUND);
    }

    /**
     * As {@link #perColumn(int)} with log-variance bound B.
     *
     * @param columns     number of data columns (&gt;= 1)
     * @param logVarBound B in (0, 30]: the effective log-variance is B tanh(v / B), so the variance
     *                    stays in [e^-B, e^B]
     * @return a new likelihood with its own {@code log_var} tensor (1, columns)
     * @throws IllegalArgumentException when {@code columns < 1} or B is outside (0, 30]
     */
    public static LearnedGaussianLikelihood perColumn(int columns, double logVarBound) {
        return new LearnedGaussianLikelihood(columns, false, logVarBound);
    }

    /**
     * {@code columns} Gaussian columns whose log-variance the decoder outputs (output width 2 columns:
     * the means, then the raw log-variances), bounded by {@value #DEFAULT_LOG_VAR_BOUND}.
     *
     * @param columns number of data columns (&gt;= 1)
     * @return a new immutable likelihood without parameters
     * @throws IllegalArgumentException when {@code columns < 1}
     */
    public static LearnedGaussianLikelihood heteroscedastic(int columns) {
        return new LearnedGaussianLikelihood(columns, true, DEFAULT_LOG_VAR_BOUND);
    }

    /**
     * As {@link #heteroscedastic(int)} with log-variance bound B.
     *
     * @param columns     number of data columns (&gt;= 1)
     * @param logVarBound B in (0, 30]: the effective log-variance is B tanh(v / B), so the variance
     *                    stays in [e^-B, e^B]
     * @return a new immutable likelihood without parameters
     * @throws IllegalArgumentException when {@code columns < 1} or B is outside (0, 30]
     */
    public static LearnedGaussianLikelihood heteroscedastic(int columns, double logVarBound) {
        return new LearnedGaussianLikelihood(columns, true, logVarBound);
    }

    /** {@return the number of columns} */
    public int columns() {
        return columns;
    }

    /** {@return whether the decoder outputs the log-variance (else it is a parameter per column)} */
    public boolean isHeteroscedastic() {
        return heteroscedastic;
    }

    /** {@return B, in (0, 30]: the effective log-variance is B tanh(v / B)} */
    public double logVarBound() {
        return bound;
    }

    /**
     * {@return the per-column log-variance tensor (1, columns) before the bound, or {@code null} when heteroscedastic}
     */
    public Parameter logVar() {
        return logVar;
    }

    /**
     * {@return the bounded log-variance s = B tanh(v / B) of a raw value v, in (-B, B)}
     *
     * @param v     the raw log-variance (a {@code log_var} entry or a decoder output)
     * @param bound B &gt; 0, as {@link #logVarBound()}
     */
    public static double boundedLogVar(double v, double bound) {
        return bound * Math.tanh(v / bound);
    }

    /** -log N(x; m, exp(s)) of one cell with bounded log-variance s. */
    static double cell(double m, double x, double s) {
        double r = x - m;
        return 0.5 * (LOG_2PI + s + r * r * Math.exp(-s));
    }

    @Override
    public Activation requiredOutputActivation() {
        return heteroscedastic ? Activation.IDENTITY : null;
    }

    @Override
    public Activation defaultOutputActivation() {
        return Activation.IDENTITY;
    }

    @Override
    public int outputWidth(int dataWidth) {
        if (dataWidth != columns) {
            throw new IllegalArgumentException("the " + describe() + " likelihood models " + columns
                    + " columns, got rows of " + dataWidth);
        }
        return heteroscedastic ? 2 * columns : columns;
    }

    @Override
    public List<Parameter> parameters() {
        return heteroscedastic ? List.of() : List.of(logVar);
    }

    @Override
    public Likelihood forModel() {
        if (heteroscedastic) {
            return this;
        }
        LearnedGaussianLikelihood copy = new LearnedGaussianLikelihood(columns, false, bound);
        float[] v = new float[columns];
        System.arraycopy(logVar.valueArray(), logVar.offset(), v, 0, columns);
        copy.logVar.set(v);
        return copy;
    }

    @Override
    public boolean acceptsMissing() {
        return true;
    }

    /** The raw log-variance v of cell (r, j). */
    private double raw(FMatrixRMaj out, int r, int j) {
        return heteroscedastic ? out.data[r * 2 * columns + columns + j] : logVar.valueArray()[logVar.offset() + j];
    }

    private int outCols() {
        return heteroscedastic ? 2 * columns : columns;
    }

    private void checkShapes(FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask) {
        if (x.numCols != columns || out.numCols != outCols() || out.numRows != x.numRows) {
            throw new IllegalArgumentException(String.format(
                    "the %s likelihood needs data (batch, %d) and output (batch, %d), got (%d, %d) and (%d, %d)",
                    describe(), columns, outCols(), x.numRows, x.numCols, out.numRows, out.numCols));
        }
        MissingCells.checkMask(mask, x);
    }

    @Override
    public double negLogLikelihood(FMatrixRMaj out, FMatrixRMaj x, float scale, FMatrixRMaj dout) {
        return negLogLikelihood(Elementwise.get(), out, x, null, scale, dout);
    }

    @Override
    public double negLogLikelihood(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask,
                                   float scale, FMatrixRMaj dout) {
        return negLogLikelihood(out, x, mask, scale, null, dout);
    }

    /**
     * Each row's gradient, of the mean and the log-variance (the decoder's output or the
     * {@code log_var} parameter), weighted by its {@code rowScales[r]}: the log_var gradient is
     * {@code sum_r rowScales[r] d(-log p_r)/dv} (docs/MATH.md, section 27).
     */
    @Override
    public double weightedNegLogLikelihood(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask,
                                           float[] rowScales, FMatrixRMaj dout) {
        if (rowScales == null || rowScales.length < x.numRows) {
            throw new IllegalArgumentException("the " + describe() + " likelihood needs a weight for each of the "
                    + x.numRows + " rows, got " + (rowScales == null ? "none" : rowScales.length));
        }
        return negLogLikelihood(out, x, mask, 1f, rowScales, dout);
    }

    /** The loss and its gradient, row r's scaled by {@code rowScales[r]}, or all by {@code scale} without them. */
    private double negLogLikelihood(FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask, float scale, float[] rowScales,
                                    FMatrixRMaj dout) {
        checkShapes(out, x, mask);
        GaussianKl.checkShape(out, dout);
        final int oc = outCols();
        final int rows = x.numRows;
        final double[] dRawParam = dRaw;
        if (dRawParam != null) {
            java.util.Arrays.fill(dRawParam, 0.0);
        }
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            final float rowScale = rowScales == null ? scale : rowScales[r];
            for (int j = 0; j < columns; j++) {
                int i = r * columns + j;
                int mi = r * oc + j;
                if (!MissingCells.observed(mask, i)) {
                    dout.data[mi] = 0f;
                    if (heteroscedastic) {
                        dout.data[mi + columns] = 0f;
                    }
                    continue;
                }
                double m = out.data[mi];
                double v = raw(out, r, j);
                double s = boundedLogVar(v, bound);
                double precision = Math.exp(-s);
                double res = x.data[i] - m;
                sum += 0.5 * (LOG_2PI + s + res * res * precision);
                dout.data[mi] = (float) (rowScale * (-res * precision));
                double t = s / bound;
                double dv = 0.5 * (1 - res * res * precision) * (1 - t * t);
                if (heteroscedastic) {
                    dout.data[mi + columns] = (float) (rowScale * dv);
                } else {
                    dRawParam[j] += rowScales == null ? dv : rowScale * dv;
                }
            }
        }
        if (!heteroscedastic) {
            float[] g = logVar.gradArray();
            int o = logVar.offset();
            double outer = rowScales == null ? scale : 1; // the row weights are inside dRawParam
            for (int j = 0; j < columns; j++) {
                g[o + j] += (float) (outer * dRawParam[j]);
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
            double sum = 0;
            for (int j = 0; j < columns; j++) {
                sum += cellOf(out, x, mask, r, j);
            }
            perRow[r] = sum;
        }
    }

    @Override
    public void negLogLikelihoodPerColumn(FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask, double[] perRowPerColumn) {
        checkShapes(out, x, mask);
        for (int r = 0; r < x.numRows; r++) {
            for (int j = 0; j < columns; j++) {
                perRowPerColumn[r * columns + j] = cellOf(out, x, mask, r, j);
            }
        }
    }

    private double cellOf(FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask, int r, int j) {
        int i = r * columns + j;
        if (!MissingCells.observed(mask, i)) {
            return 0;
        }
        return cell(out.data[r * outCols() + j], x.data[i], boundedLogVar(raw(out, r, j), bound));
    }

    @Override
    public void mean(FMatrixRMaj out, FMatrixRMaj meanOut) {
        checkMeanShapes(out, meanOut);
        final int oc = outCols();
        if (meanOut == out) {
            return;
        }
        for (int r = 0; r < out.numRows; r++) {
            System.arraycopy(out.data, r * oc, meanOut.data, r * columns, columns);
        }
    }

    @Override
    public void sample(FMatrixRMaj out, RandomGenerator rng, FMatrixRMaj sampleOut) {
        checkMeanShapes(out, sampleOut);
        final int oc = outCols();
        for (int r = 0; r < out.numRows; r++) {
            for (int j = 0; j < columns; j++) {
                double sd = Math.exp(0.5 * boundedLogVar(raw(out, r, j), bound));
                sampleOut.data[r * columns + j] = (float) (out.data[r * oc + j] + sd * rng.nextGaussian());
            }
        }
    }

    private void checkMeanShapes(FMatrixRMaj out, FMatrixRMaj meanOut) {
        if (out.numCols != outCols() || meanOut.numCols != columns || meanOut.numRows != out.numRows) {
            throw new IllegalArgumentException(String.format("the %s likelihood maps (batch, %d) to (batch, %d), "
                    + "got (%d, %d) to (%d, %d)", describe(), outCols(), columns, out.numRows, out.numCols,
                    meanOut.numRows, meanOut.numCols));
        }
        if (meanOut == out && heteroscedastic) {
            throw new IllegalArgumentException("the heteroscedastic mean needs an output matrix of its own");
        }
    }

    @Override
    public void validate(FMatrixRMaj x, String what) {
        Likelihood.checkFinite(x, what);
    }

    @Override
    public String describe() {
        return (heteroscedastic ? "gaussian-heteroscedastic" : "gaussian-learned") + "(" + columns
                + (bound != DEFAULT_LOG_VAR_BOUND ? ", bound=" + bound : "") + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}

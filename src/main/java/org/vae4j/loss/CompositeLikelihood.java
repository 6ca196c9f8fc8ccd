package org.vae4j.loss;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.Rows;
import org.vae4j.kernel.Elementwise;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Parameter;

/**
 * A table's likelihood: an ordered list of spans (start, width, column likelihood) that cover the
 * data row [0, d) without gap or overlap, each applying its own likelihood to its columns (e.g.
 * {@link LearnedGaussianLikelihood} on the numeric columns, {@link BernoulliLikelihood} on the
 * binary ones, a {@link CategoricalLikelihood} on each one-hot span). -log p of a row is the sum of
 * its spans'; each span reads its own block of the decoder output, of width
 * {@code likelihood.outputWidth(width)}, the blocks laid out in span order.
 * <pre>
 *   -log p(x | out)  = sum_spans -log p_span(x[start, start + width) | out[oStart, oStart + oWidth))
 *   d(-log p)/d out  = the spans' gradients, each in its block
 * </pre>
 * A span's parameters are named by its index, as an {@code nn.ModuleList} names them:
 * {@code 2.log_var} (a model stores it as {@code likelihood.2.log_var}). Missing cells: NaN in
 * data is a missing cell (each span's own rule; a categorical span is missing as a whole); the
 * columns of {@link #negLogLikelihoodPerColumn} are the spans' columns in order.
 *
 * <p>Mutable (the spans' parameters, and the work buffers of the loss with its gradient, which
 * one training thread uses); the other methods (per row, per column, mean, mode, sample, fill,
 * validate) allocate their own buffers and may be called from several threads at once while
 * the parameters do not change. A model takes a {@link #forModel() copy}.
 */
public final class CompositeLikelihood implements Likelihood {

    /**
     * One span: the columns [start, start + width) of a data row, modelled by {@code likelihood}.
     *
     * @param start      first column
     * @param width      number of data columns (the likelihood's data width)
     * @param likelihood the column likelihood
     */
    public record Span(int start, int width, Likelihood likelihood) {
        /**
         * Checks the components; the span's position among the others is checked by
         * {@link CompositeLikelihood#CompositeLikelihood(List)}.
         *
         * @param start      first column (&gt;= 0)
         * @param width      number of data columns (&gt;= 1)
         * @param likelihood the column likelihood, not null
         * @throws IllegalArgumentException when {@code start < 0}, {@code width < 1} or
         *                                  {@code likelihood} is null
         */
        public Span {
            if (start < 0 || width <= 0 || likelihood == null) {
                throw new IllegalArgumentException("a span needs start >= 0, width >= 1 and a likelihood, got start "
                        + start + ", width " + width + ", " + likelihood);
            }
        }
    }

    private final List<Span> spans;
    private final int width;          // d
    private final int outputWidth;    // sum of the spans' output widths
    private final int columns;        // sum of the spans' column counts
    private final int[] outStart;     // per span: first output column
    private final int[] outWidth;     // per span
    private final int[] columnStart;  // per span: first original column
    private final List<Parameter> parameters;

    // Work buffers of negLogLikelihood (the training path), reshaped per call.
    private final FMatrixRMaj bufOut = new FMatrixRMaj(1, 1);  // (batch, span output width)
    private final FMatrixRMaj bufX = new FMatrixRMaj(1, 1);    // (batch, span width)
    private final FMatrixRMaj bufMask = new FMatrixRMaj(1, 1); // (batch, span width)
    private final FMatrixRMaj bufDout = new FMatrixRMaj(1, 1); // (batch, span output width)

    /**
     * A composite likelihood of the given spans, in column order.
     *
     * @param spans in order, covering [0, d) without gap or overlap
     * @throws IllegalArgumentException for no span, a gap, an overlap, a span whose likelihood
     *                                  cannot take its width, or one that needs a final activation other than identity
     */
    public CompositeLikelihood(List<Span> spans) {
        if (spans == null || spans.isEmpty()) {
            throw new IllegalArgumentException("a composite likelihood needs at least one span");
        }
        this.spans = List.copyOf(spans);
        int n = this.spans.size();
        outStart = new int[n];
        outWidth = new int[n];
        columnStart = new int[n];
        int next = 0;
        int o = 0;
        int c = 0;
        List<Parameter> ps = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Span s = this.spans.get(k);
            if (s.start() != next) {
                throw new IllegalArgumentException("span " + k + " (" + s.likelihood().describe() + ") starts at column "
                        + s.start() + " but the spans before it end at " + next + ": spans must cover the row in order, "
                        + (s.start() > next ? "no gap" : "no overlap"));
            }
            Activation required = s.likelihood().requiredOutputActivation();
            if (required != null && required != Activation.IDENTITY) {
                throw new IllegalArgumentException("span " + k + ": the " + s.likelihood().describe()
                        + " likelihood needs output activation " + required
                        + ", but a composite's decoder output is linear (identity)");
            }
            int w;
            try {
                w = s.likelihood().outputWidth(s.width());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("span " + k + " (columns " + s.start() + ".." + (s.start() + s.width() - 1)
                        + "): " + e.getMessage(), e);
            }
            outStart[k] = o;
            outWidth[k] = w;
            columnStart[k] = c;
            o += w;
            c += s.likelihood().columnCount(s.width());
            next += s.width();
            for (Parameter p : s.likelihood().parameters()) {
                ps.add(p.withPrefix(Integer.toString(k)));
            }
        }
        this.width = next;
        this.outputWidth = o;
        this.columns = c;
        this.parameters = Collections.unmodifiableList(ps);
    }

    /** {@return a builder that appends spans left to right} */
    public static Builder builder() {
        return new Builder();
    }

    /** Appends spans left to right. Not thread-safe. */
    public static final class Builder {
        private final List<Span> spans = new ArrayList<>();
        private int next;

        /** An empty builder; {@link CompositeLikelihood#builder()} gives the same. */
        public Builder() {
        }

        /**
         * Appends a span of {@code width} columns modelled by {@code likelihood}, starting where the
         * previous span ends (column 0 for the first).
         *
         * @param width      number of data columns of the span (&gt;= 1; the likelihood's data width)
         * @param likelihood the span's column likelihood; its width is checked by {@link #build()}
         * @return this builder
         * @throws IllegalArgumentException when {@code width < 1} or {@code likelihood} is null
         */
        public Builder add(int width, Likelihood likelihood) {
            spans.add(new Span(next, width, likelihood));
            next += width;
            return this;
        }

        /**
         * {@code columns} Gaussian columns with a learned log-variance each ({@link LearnedGaussianLikelihood#perColumn}).
         *
         * @param columns number of numeric columns of the span (&gt;= 1)
         * @return this builder
         */
        public Builder gaussian(int columns) {
            return add(columns, LearnedGaussianLikelihood.perColumn(columns));
        }

        /**
         * {@code columns} Gaussian columns whose log-variance the decoder outputs.
         *
         * @param columns number of numeric columns of the span (&gt;= 1); the decoder outputs 2 *
         *                columns values for it (the means, then the log-variances)
         * @return this builder
         */
        public Builder heteroscedasticGaussian(int columns) {
            return add(columns, LearnedGaussianLikelihood.heteroscedastic(columns));
        }

        /**
         * {@code columns} binary columns (Bernoulli from logits).
         *
         * @param columns number of binary (0/1) columns of the span (&gt;= 1)
         * @return this builder
         */
        public Builder bernoulli(int columns) {
            return add(columns, BernoulliLikelihood.INSTANCE);
        }

        /**
         * One categorical column of {@code categories} one-hot cells.
         *
         * @param categories K &gt;= 2, the number of categories and the width of the one-hot span
         * @return this builder
         */
        public Builder categorical(int categories) {
            return add(categories, new CategoricalLikelihood(categories));
        }

        /**
         * {@return a composite likelihood of the spans added so far, in order}
         *
         * @throws IllegalArgumentException when no span was added, or a span's likelihood cannot
         *                                  take its width or needs a final activation other than identity
         */
        public CompositeLikelihood build() {
            return new CompositeLikelihood(spans);
        }
    }

    /** {@return the spans, in order} */
    public List<Span> spans() {
        return spans;
    }

    /** {@return d, the data width the spans cover (the sum of their widths)} */
    public int width() {
        return width;
    }

    /**
     * {@return the first decoder-output column of span {@code k}}
     *
     * @param k the span's index, 0 &lt;= k &lt; {@code spans().size()}
     * @throws ArrayIndexOutOfBoundsException when {@code k} is out of range
     */
    public int outputStart(int k) {
        return outStart[k];
    }

    /**
     * {@return the first original column (of {@link #negLogLikelihoodPerColumn}) of span {@code k}}
     *
     * @param k the span's index, 0 &lt;= k &lt; {@code spans().size()}
     * @throws ArrayIndexOutOfBoundsException when {@code k} is out of range
     */
    public int columnStart(int k) {
        return columnStart[k];
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
        checkDataWidth(dataWidth);
        return outputWidth;
    }

    @Override
    public int columnCount(int dataWidth) {
        checkDataWidth(dataWidth);
        return columns;
    }

    private void checkDataWidth(int dataWidth) {
        if (dataWidth != width) {
            throw new IllegalArgumentException("the composite likelihood's spans cover " + width
                    + " columns, got rows of " + dataWidth);
        }
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public Likelihood forModel() {
        List<Span> copies = new ArrayList<>(spans.size());
        for (Span s : spans) {
            copies.add(new Span(s.start(), s.width(), s.likelihood().forModel()));
        }
        return new CompositeLikelihood(copies);
    }

    @Override
    public boolean acceptsMissing() {
        return true;
    }

    private void checkShapes(FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask) {
        if (x.numCols != width || out.numCols != outputWidth || out.numRows != x.numRows) {
            throw new IllegalArgumentException(String.format(
                    "the composite likelihood needs data (batch, %d) and output (batch, %d), got (%d, %d) and (%d, %d)",
                    width, outputWidth, x.numRows, x.numCols, out.numRows, out.numCols));
        }
        MissingCells.checkMask(mask, x);
    }

    @Override
    public double negLogLikelihood(FMatrixRMaj out, FMatrixRMaj x, float scale, FMatrixRMaj dout) {
        return negLogLikelihood(Elementwise.get(), out, x, null, scale, dout);
    }

    @Override
    public double negLogLikelihood(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, float scale, FMatrixRMaj dout) {
        return negLogLikelihood(kernel, out, x, null, scale, dout);
    }

    @Override
    public double negLogLikelihood(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask,
                                   float scale, FMatrixRMaj dout) {
        return perSpanLoss(kernel, out, x, mask, scale, null, dout);
    }

    /** Each span's {@link Likelihood#weightedNegLogLikelihood} with the same row weights, in its block. */
    @Override
    public double weightedNegLogLikelihood(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask,
                                           float[] rowScales, FMatrixRMaj dout) {
        return perSpanLoss(kernel, out, x, mask, 1f, rowScales, dout);
    }

    /** The spans' losses and gradients, weighted by {@code rowScales} when given, else scaled by {@code scale}. */
    private double perSpanLoss(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask, float scale,
                               float[] rowScales, FMatrixRMaj dout) {
        checkShapes(out, x, mask);
        GaussianKl.checkShape(out, dout);
        double sum = 0;
        for (int k = 0; k < spans.size(); k++) {
            Span s = spans.get(k);
            Rows.columnsOf(out, outStart[k], outWidth[k], bufOut);
            Rows.columnsOf(x, s.start(), s.width(), bufX);
            FMatrixRMaj m = mask == null ? null : Rows.columnsOf(mask, s.start(), s.width(), bufMask);
            bufDout.reshape(x.numRows, outWidth[k]);
            sum += rowScales == null ? s.likelihood().negLogLikelihood(kernel, bufOut, bufX, m, scale, bufDout)
                    : s.likelihood().weightedNegLogLikelihood(kernel, bufOut, bufX, m, rowScales, bufDout);
            Rows.putColumns(bufDout, dout, outStart[k]);
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
        final int rows = x.numRows;
        double[] part = new double[rows];
        java.util.Arrays.fill(perRow, 0, rows, 0.0);
        FMatrixRMaj o = new FMatrixRMaj(1, 1);
        FMatrixRMaj t = new FMatrixRMaj(1, 1);
        FMatrixRMaj mk = new FMatrixRMaj(1, 1);
        for (int k = 0; k < spans.size(); k++) {
            Span s = spans.get(k);
            Rows.columnsOf(out, outStart[k], outWidth[k], o);
            Rows.columnsOf(x, s.start(), s.width(), t);
            s.likelihood().negLogLikelihoodPerRow(o, t, mask == null ? null : Rows.columnsOf(mask, s.start(), s.width(), mk),
                    part);
            for (int r = 0; r < rows; r++) {
                perRow[r] += part[r];
            }
        }
    }

    @Override
    public void negLogLikelihoodPerColumn(FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask, double[] perRowPerColumn) {
        checkShapes(out, x, mask);
        final int rows = x.numRows;
        FMatrixRMaj o = new FMatrixRMaj(1, 1);
        FMatrixRMaj t = new FMatrixRMaj(1, 1);
        FMatrixRMaj mk = new FMatrixRMaj(1, 1);
        for (int k = 0; k < spans.size(); k++) {
            Span s = spans.get(k);
            int c = s.likelihood().columnCount(s.width());
            double[] part = new double[rows * c];
            Rows.columnsOf(out, outStart[k], outWidth[k], o);
            Rows.columnsOf(x, s.start(), s.width(), t);
            s.likelihood().negLogLikelihoodPerColumn(o, t,
                    mask == null ? null : Rows.columnsOf(mask, s.start(), s.width(), mk), part);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(part, r * c, perRowPerColumn, r * columns + columnStart[k], c);
            }
        }
    }

    private interface SpanMap {
        void apply(Likelihood l, FMatrixRMaj out, FMatrixRMaj result);
    }

    /** Maps each span's output block to its data columns of {@code result} (batch, d). */
    private void perSpan(FMatrixRMaj out, FMatrixRMaj result, SpanMap f) {
        if (out.numCols != outputWidth || result.numCols != width || result.numRows != out.numRows) {
            throw new IllegalArgumentException(String.format(
                    "the composite likelihood maps (batch, %d) to (batch, %d), got (%d, %d) to (%d, %d)",
                    outputWidth, width, out.numRows, out.numCols, result.numRows, result.numCols));
        }
        if (result == out) {
            throw new IllegalArgumentException("the composite likelihood needs a result matrix apart from its input");
        }
        FMatrixRMaj o = new FMatrixRMaj(1, 1);
        FMatrixRMaj t = new FMatrixRMaj(1, 1);
        for (int k = 0; k < spans.size(); k++) {
            Span s = spans.get(k);
            Rows.columnsOf(out, outStart[k], outWidth[k], o);
            t.reshape(out.numRows, s.width());
            f.apply(s.likelihood(), o, t);
            Rows.putColumns(t, result, s.start());
        }
    }

    @Override
    public void mean(FMatrixRMaj out, FMatrixRMaj meanOut) {
        perSpan(out, meanOut, Likelihood::mean);
    }

    @Override
    public void mode(FMatrixRMaj out, FMatrixRMaj modeOut) {
        perSpan(out, modeOut, Likelihood::mode);
    }

    @Override
    public void sample(FMatrixRMaj out, RandomGenerator rng, FMatrixRMaj sampleOut) {
        perSpan(out, sampleOut, (l, o, t) -> l.sample(o, rng, t));
    }

    /** Each span's own rule (numeric 0, binary 0.5, a categorical span 1/K as a whole). */
    @Override
    public void fillMissing(FMatrixRMaj x, FMatrixRMaj mask) {
        MissingCells.checkMask(mask, x);
        checkDataWidth(x.numCols);
        FMatrixRMaj t = new FMatrixRMaj(1, 1);
        FMatrixRMaj m = new FMatrixRMaj(1, 1);
        for (Span s : spans) {
            Rows.columnsOf(x, s.start(), s.width(), t);
            m.reshape(x.numRows, s.width());
            s.likelihood().fillMissing(t, m);
            Rows.putColumns(t, x, s.start());
            Rows.putColumns(m, mask, s.start());
        }
    }

    /** Each span's check; the error names the span and the data's column. */
    @Override
    public void validate(FMatrixRMaj x, String what) {
        checkDataWidth(x.numCols);
        FMatrixRMaj t = new FMatrixRMaj(1, 1);
        for (int k = 0; k < spans.size(); k++) {
            Span s = spans.get(k);
            Rows.columnsOf(x, s.start(), s.width(), t);
            s.likelihood().validate(t, what + ", span " + k + " (data columns " + s.start() + ".."
                    + (s.start() + s.width() - 1) + ", " + s.likelihood().describe() + "; column numbers below are "
                    + "within the span)");
        }
    }

    @Override
    public String describe() {
        StringBuilder b = new StringBuilder("composite[");
        for (int k = 0; k < spans.size(); k++) {
            Span s = spans.get(k);
            b.append(k == 0 ? "" : ", ").append(s.likelihood().describe()).append('@').append(s.start());
        }
        return b.append(']').toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}

package org.vae4j.loss;

import java.util.List;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.Rows;
import org.vae4j.kernel.Elementwise;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Parameter;

/**
 * The decoder's observation model p(x|z), seen from its parameters {@code out} (the decoder's
 * output after its final activation).
 *
 * <p><b>Widths.</b> A data row has d columns; the decoder's output has
 * {@link #outputWidth(int) outputWidth(d)} (d for the elementwise likelihoods, 2d for a
 * heteroscedastic Gaussian that outputs a mean and a log-variance per column). The
 * <em>columns</em> of {@link #negLogLikelihoodPerColumn} are the table's original columns: a
 * categorical column's whole one-hot span is one column, so there are
 * {@link #columnCount(int) columnCount(d)} of them.
 *
 * <p><b>Missing cells.</b> A mask is a (batch, d) matrix, 1 where a cell is observed and 0 where
 * it is missing, or {@code null} for complete data. A masked cell contributes exactly nothing to
 * the loss, its gradient, the per-row or the per-column values (skipped, not multiplied by 0, so
 * whatever value the cell holds is harmless). A likelihood that {@link #acceptsMissing() accepts
 * missing cells} reads NaN in data as "missing": {@link MissingCells#split} turns such data into
 * a mask and a copy with a neutral value in each missing cell ({@link #fillMissing}) for the
 * encoder's input. Models, the trainer and evaluation do this themselves.
 *
 * <p><b>Parameters.</b> A likelihood may own trainable tensors ({@link #parameters()}, e.g. a
 * log-variance per column); a model lists them after the decoder's under the prefix
 * {@code likelihood} ({@code likelihood.log_var}), so optimisers, files and gradient checks see
 * them. The loss methods add their gradient to those tensors' gradients, as a module's backward
 * does: at one scale for every row, or with a weight per row ({@link #weightedNegLogLikelihood},
 * the IWAE bound's normalised importance weights). A model takes {@link #forModel()} of the
 * likelihood it is given, so two models never share a tensor.
 *
 * <p>Thread-safety: a likelihood without parameters or work buffers is immutable and
 * thread-safe (the built-in Bernoulli, fixed-variance Gaussian); one with parameters or buffers
 * is mutable, belongs to one model and is used from one thread at a time.
 */
public interface Likelihood {

    /**
     * {@return the final activation the decoder must apply to produce this likelihood's parameters, or
     * {@code null} when any is allowed (e.g. a Gaussian mean)}
     */
    Activation requiredOutputActivation();

    /** {@return the activation used when the user does not choose one} */
    Activation defaultOutputActivation();

    /**
     * The negative log-likelihood summed over all elements and rows, and its gradient.
     *
     * @param out   (batch, outputWidth(d)) decoder output, not modified
     * @param x     (batch, d) data, not modified
     * @param scale factor applied to the gradient (1 / batch for a per-example mean)
     * @param dout  (batch, outputWidth(d)) modified: scale * d(-log p)/d out
     * @return -log p(x|z) summed over the batch, in nats
     */
    double negLogLikelihood(FMatrixRMaj out, FMatrixRMaj x, float scale, FMatrixRMaj dout);

    /**
     * {@link #negLogLikelihood(FMatrixRMaj, FMatrixRMaj, float, FMatrixRMaj)} with the model's
     * elementwise kernels (the training path calls this form). By default the kernels are unused.
     *
     * @param kernel the model's elementwise kernels (e.g. the Bernoulli's fused loss over logits),
     *               used by likelihoods that override this form
     * @param out    (batch, outputWidth(d)) decoder output, not modified
     * @param x      (batch, d) data, not modified
     * @param scale  factor applied to the gradient (1 / batch for a per-example mean)
     * @param dout   (batch, outputWidth(d)) modified: scale * d(-log p)/d out
     * @return -log p(x|z) summed over the batch, in nats
     */
    default double negLogLikelihood(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, float scale,
                                    FMatrixRMaj dout) {
        return negLogLikelihood(out, x, scale, dout);
    }

    /**
     * The negative log-likelihood of the observed cells, summed over the batch, and its gradient;
     * also adds {@code scale} times its gradient to each of {@link #parameters()}' gradients.
     *
     * @param kernel the model's elementwise kernels
     * @param out   (batch, outputWidth(d)) decoder output, not modified
     * @param x     (batch, d) data, not modified; masked cells may hold anything
     * @param mask  (batch, d) 1 = observed, 0 = missing; or {@code null} for complete data
     * @param scale factor applied to every gradient (1 / batch for a per-example mean)
     * @param dout  (batch, outputWidth(d)) modified: scale * d(-log p)/d out (0 for a masked cell's outputs)
     * @return -log p(x_observed|z) summed over the batch, in nats
     * @throws UnsupportedOperationException when a mask is given to a likelihood that takes none
     */
    default double negLogLikelihood(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask,
                                    float scale, FMatrixRMaj dout) {
        if (mask == null) {
            return negLogLikelihood(kernel, out, x, scale, dout);
        }
        throw new UnsupportedOperationException("the " + describe() + " likelihood takes no missing-cell mask");
    }

    /**
     * As {@link #negLogLikelihood(Elementwise, FMatrixRMaj, FMatrixRMaj, FMatrixRMaj, float, FMatrixRMaj)}
     * with a weight for each row instead of one scale (the IWAE bound weighs each sample's
     * gradient by its normalised importance weight; docs/MATH.md, section 27):
     * <pre>
     *   dout[r]       = rowScales[r] * d(-log p(x_r | out_r)) / d out_r
     *   grad(theta)  += sum_r rowScales[r] * d(-log p(x_r | out_r)) / d theta     for each of parameters()
     * </pre>
     * By default, a likelihood without parameters computes the gradient at scale 1 and scales
     * dout's rows; one with parameters makes one call of the scaled form per row, each with its
     * row's weight (correct for any likelihood whose loss is a sum over rows, but allocating).
     * The built-in likelihoods with parameters override it without either.
     *
     * @param kernel    the model's elementwise kernels
     * @param out       (batch, outputWidth(d)) decoder output, not modified
     * @param x         (batch, d) data, not modified; masked cells may hold anything
     * @param mask      (batch, d) 1 = observed, 0 = missing; or {@code null} for complete data
     * @param rowScales (batch) the weight of each row's gradient, not modified; may be longer than batch
     * @param dout      (batch, outputWidth(d)) modified: rowScales[r] * d(-log p)/d out in row r
     * @return -log p(x_observed|z) summed over the batch (unweighted), in nats
     * @throws IllegalArgumentException when {@code rowScales} has fewer than batch entries or
     *                                  {@code dout} is not the shape of {@code out}
     * @throws UnsupportedOperationException when a mask is given to a likelihood that takes none
     */
    default double weightedNegLogLikelihood(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask,
                                            float[] rowScales, FMatrixRMaj dout) {
        final int rows = x.numRows;
        if (rowScales.length < rows || dout.numRows != out.numRows || dout.numCols != out.numCols) {
            throw new IllegalArgumentException("row weights (" + rowScales.length + ") and dout (" + dout.numRows + ", "
                    + dout.numCols + ") must cover the output (" + out.numRows + ", " + out.numCols + ")");
        }
        if (parameters().isEmpty()) {
            double sum = negLogLikelihood(kernel, out, x, mask, 1f, dout);
            final int cols = dout.numCols;
            for (int r = 0; r < rows; r++) {
                float s = rowScales[r];
                for (int j = r * cols; j < (r + 1) * cols; j++) {
                    dout.data[j] *= s;
                }
            }
            return sum;
        }
        FMatrixRMaj o = new FMatrixRMaj(1, out.numCols);
        FMatrixRMaj t = new FMatrixRMaj(1, x.numCols);
        FMatrixRMaj m = mask == null ? null : new FMatrixRMaj(1, mask.numCols);
        FMatrixRMaj d = new FMatrixRMaj(1, out.numCols);
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            Rows.copyRows(out, r, r + 1, o);
            Rows.copyRows(x, r, r + 1, t);
            if (m != null) {
                Rows.copyRows(mask, r, r + 1, m);
            }
            sum += negLogLikelihood(kernel, o, t, m, rowScales[r], d);
            System.arraycopy(d.data, 0, dout.data, r * dout.numCols, dout.numCols);
        }
        return sum;
    }

    /**
     * The negative log-likelihood of each row, -log p(x_r | out_r) in nats; no gradient.
     *
     * @param out    (batch, outputWidth(d)) decoder output, not modified
     * @param x      (batch, d) data, not modified
     * @param perRow modified: {@code perRow[r]} for r &lt; batch
     */
    void negLogLikelihoodPerRow(FMatrixRMaj out, FMatrixRMaj x, double[] perRow);

    /**
     * The negative log-likelihood of each row's observed cells. By default, with a mask, the
     * sum over columns of {@link #negLogLikelihoodPerColumn}.
     *
     * @param out    (batch, outputWidth(d)) decoder output, not modified
     * @param x      (batch, d) data, not modified; masked cells may hold anything
     * @param mask   (batch, d) 1 = observed, 0 = missing; or {@code null} for complete data
     * @param perRow modified: {@code perRow[r]} for r &lt; batch, in nats
     * @throws UnsupportedOperationException by default, when a mask is given to a likelihood that
     *                                       does not split by column
     */
    default void negLogLikelihoodPerRow(FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask, double[] perRow) {
        if (mask == null) {
            negLogLikelihoodPerRow(out, x, perRow);
            return;
        }
        int c = columnCount(x.numCols);
        double[] cells = new double[x.numRows * c];
        negLogLikelihoodPerColumn(out, x, mask, cells);
        for (int r = 0; r < x.numRows; r++) {
            double s = 0;
            for (int j = 0; j < c; j++) {
                s += cells[r * c + j];
            }
            perRow[r] = s;
        }
    }

    /**
     * The negative log-likelihood of each row split by original column: the scorer's "each
     * column's share of the reconstruction term". A missing column contributes 0.
     *
     * @param out             (batch, outputWidth(d)), not modified
     * @param x               (batch, d), not modified
     * @param mask            (batch, d) or {@code null}
     * @param perRowPerColumn modified: {@code [r * columnCount(d) + c]} for r &lt; batch, c &lt; columnCount(d)
     * @throws UnsupportedOperationException when this likelihood does not split by column
     */
    default void negLogLikelihoodPerColumn(FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask,
                                           double[] perRowPerColumn) {
        throw new UnsupportedOperationException("the " + describe() + " likelihood does not split by column");
    }

    /**
     * meanOut = E[x | out]: (batch, outputWidth(d)) to (batch, d), e.g. sigmoid of logits, the
     * softmax of a categorical span, the mean part of a heteroscedastic Gaussian. {@code meanOut}
     * may be {@code out} when the widths are equal.
     *
     * @param out     (batch, outputWidth(d)) decoder output, not modified unless it is {@code meanOut}
     * @param meanOut (batch, d) modified: the mean of each cell
     */
    void mean(FMatrixRMaj out, FMatrixRMaj meanOut);

    /**
     * The most likely value of each cell, (batch, outputWidth(d)) to (batch, d): the mean of a
     * Gaussian, 1 where a Bernoulli's logit is &gt; 0 (else 0), the one-hot of a categorical span's
     * argmax (the lowest index on ties). By default the mean.
     *
     * @param out     (batch, outputWidth(d)) decoder output, not modified unless it is {@code modeOut}
     * @param modeOut (batch, d) modified: the mode of each cell
     */
    default void mode(FMatrixRMaj out, FMatrixRMaj modeOut) {
        mean(out, modeOut);
    }

    /**
     * One draw x ~ p(x | out) for each row, (batch, outputWidth(d)) to (batch, d): synthetic rows.
     *
     * @param out       (batch, outputWidth(d)) decoder output, not modified
     * @param rng       the source of the draws
     * @param sampleOut (batch, d) modified: the drawn rows
     * @throws UnsupportedOperationException when this likelihood cannot draw
     */
    default void sample(FMatrixRMaj out, RandomGenerator rng, FMatrixRMaj sampleOut) {
        throw new UnsupportedOperationException("the " + describe() + " likelihood cannot draw samples");
    }

    /**
     * Checks that data is in this likelihood's support (NaN cells are left to
     * {@link #acceptsMissing()}: a caller validates a {@link #fillMissing filled} copy).
     *
     * @param x    (batch, d) data, not modified
     * @param what names the data in the error, e.g. "training data"
     * @throws IllegalArgumentException naming the first bad row, column and value
     */
    void validate(FMatrixRMaj x, String what);

    /** {@return a short description for logs and model metadata, e.g. {@code bernoulli}} */
    String describe();

    /**
     * {@return the trainable tensors of this likelihood, named relative to it (e.g. {@code log_var}; a
     * model puts them under {@code likelihood.})} None by default.
     */
    default List<Parameter> parameters() {
        return List.of();
    }

    /**
     * {@return the instance a new model uses: a likelihood with parameters or work buffers returns a fresh
     * copy (same settings, its parameters copied), so that models never share them; an immutable
     * one returns itself (the default)}
     */
    default Likelihood forModel() {
        return this;
    }

    /**
     * {@return the decoder's output width for data rows of width {@code dataWidth}: by default the same}
     *
     * @param dataWidth d, the number of cells in a data row (&gt; 0)
     * @throws IllegalArgumentException when {@code dataWidth} is not positive, or this likelihood
     *                                  cannot model rows of that width (e.g.
     *                                  it has one parameter per column and a different number of columns)
     */
    default int outputWidth(int dataWidth) {
        if (dataWidth <= 0) {
            throw new IllegalArgumentException("data width must be positive, got " + dataWidth);
        }
        return dataWidth;
    }

    /**
     * {@return the number of original columns in a row of width {@code dataWidth} (by default one per
     * element; a categorical span counts once)}
     *
     * @param dataWidth d, the number of cells in a data row
     */
    default int columnCount(int dataWidth) {
        return dataWidth;
    }

    /**
     * {@return whether NaN in data means a missing cell (masked out of the loss) rather than an
     * error} False by default, so a NaN in image data stays an error.
     */
    default boolean acceptsMissing() {
        return false;
    }

    /**
     * Replaces each missing cell (NaN) of {@code x} by this likelihood's neutral value for the
     * encoder's input, and sets {@code mask} to 1 for an observed cell and 0 for a missing one.
     * By default the neutral value is 0 (the mean of a standardised column), elementwise.
     *
     * @param x    (batch, d) modified
     * @param mask (batch, d) modified
     */
    default void fillMissing(FMatrixRMaj x, FMatrixRMaj mask) {
        MissingCells.fillElementwise(x, mask, 0f);
    }

    /**
     * Checks every value is finite (no NaN, no infinity); a helper for {@link #validate}.
     *
     * @param x    the matrix to check, not modified
     * @param what names the data in the error, e.g. "training data"
     * @throws IllegalArgumentException naming the first non-finite value, its row and column
     */
    static void checkFinite(FMatrixRMaj x, String what) {
        int n = x.getNumElements();
        if (org.vae4j.kernel.Elementwise.get().allFinite(x.data, n)) {
            return;
        }
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(x.data[i])) {
                throw new IllegalArgumentException(what + " has a non-finite value " + x.data[i]
                        + " at row " + (i / x.numCols) + ", column " + (i % x.numCols));
            }
        }
    }
}

package org.vae4j.loss;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Elementwise;
import org.vae4j.nn.Activation;

/**
 * The decoder's observation model p(x|z), seen from its parameters {@code out} (the decoder's
 * output after its final activation). Implementations are immutable and thread-safe.
 */
public interface Likelihood {

    /**
     * The final activation the decoder must apply to produce this likelihood's parameters, or
     * {@code null} when any is allowed (e.g. a Gaussian mean).
     */
    Activation requiredOutputActivation();

    /** The activation used when the user does not choose one. */
    Activation defaultOutputActivation();

    /**
     * The negative log-likelihood summed over all elements and rows, and its gradient.
     *
     * @param out   (batch, d) decoder output, not modified
     * @param x     (batch, d) data, not modified
     * @param scale factor applied to the gradient (1 / batch for a per-example mean)
     * @param dout  (batch, d) modified: scale * d(-log p)/d out
     * @return -log p(x|z) summed over the batch, in nats
     */
    double negLogLikelihood(FMatrixRMaj out, FMatrixRMaj x, float scale, FMatrixRMaj dout);

    /**
     * {@link #negLogLikelihood(FMatrixRMaj, FMatrixRMaj, float, FMatrixRMaj)} with the model's
     * elementwise kernels (the training path calls this form). By default the kernels are unused.
     */
    default double negLogLikelihood(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, float scale,
                                    FMatrixRMaj dout) {
        return negLogLikelihood(out, x, scale, dout);
    }

    /**
     * The negative log-likelihood of each row.
     *
     * @param perRow modified: {@code perRow[r]} for r &lt; batch
     */
    void negLogLikelihoodPerRow(FMatrixRMaj out, FMatrixRMaj x, double[] perRow);

    /** meanOut = E[x | out], elementwise (e.g. sigmoid of logits). {@code meanOut} may be {@code out}. */
    void mean(FMatrixRMaj out, FMatrixRMaj meanOut);

    /**
     * Checks that data is in this likelihood's support.
     *
     * @param what names the data in the error, e.g. "training data"
     * @throws IllegalArgumentException naming the first bad row, column and value
     */
    void validate(FMatrixRMaj x, String what);

    /** A short description for logs and model metadata, e.g. {@code bernoulli}. */
    String describe();

    /** Checks every value is finite; the error names the first bad one. */
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

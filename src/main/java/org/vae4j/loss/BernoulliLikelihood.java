package org.vae4j.loss;

import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Elementwise;
import org.vae4j.nn.Activation;

/**
 * Independent Bernoulli pixels parameterised by logits l (the decoder's output with no final
 * activation): p(x|z) = prod sigmoid(l)^x (1 - sigmoid(l))^(1-x), for x in [0, 1] (grey values
 * are allowed, as in the usual binary cross-entropy on MNIST). Computed from logits in the stable
 * form, so saturated outputs give no log(0) and no NaN:
 * <pre>
 *   -log p = max(l, 0) - x l + log1p(exp(-|l|))          forward
 *   d(-log p)/dl = sigmoid(l) - x                          backward
 * </pre>
 * With a missing-cell mask a masked cell contributes nothing (its gradient is 0); its neutral
 * encoder input is 1/2. NaN in data stays an error ({@link #acceptsMissing()} is false, so that
 * a NaN pixel is not silently dropped); inside a {@link CompositeLikelihood} NaN is a missing
 * cell. Immutable and thread-safe.
 */
public final class BernoulliLikelihood implements Likelihood {

    /** The shared instance. */
    public static final BernoulliLikelihood INSTANCE = new BernoulliLikelihood();

    private BernoulliLikelihood() {
    }

    @Override
    public Activation requiredOutputActivation() {
        return Activation.IDENTITY;
    }

    @Override
    public Activation defaultOutputActivation() {
        return Activation.IDENTITY;
    }

    /** -log p of one pixel with logit l and target x. */
    static double nll(float l, float x) {
        return Math.max(l, 0.0) - (double) x * l + Math.log1p(Math.exp(-Math.abs((double) l)));
    }

    @Override
    public double negLogLikelihood(FMatrixRMaj out, FMatrixRMaj x, float scale, FMatrixRMaj dout) {
        return negLogLikelihood(Elementwise.get(), out, x, scale, dout);
    }

    @Override
    public double negLogLikelihood(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, float scale,
                                   FMatrixRMaj dout) {
        GaussianKl.checkShape(out, x);
        GaussianKl.checkShape(out, dout);
        return kernel.bernoulliFromLogits(out.data, x.data, out.getNumElements(), scale, dout.data);
    }

    @Override
    public double negLogLikelihood(Elementwise kernel, FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask,
                                   float scale, FMatrixRMaj dout) {
        if (mask == null) {
            return negLogLikelihood(kernel, out, x, scale, dout);
        }
        GaussianKl.checkShape(out, x);
        GaussianKl.checkShape(out, dout);
        MissingCells.checkMask(mask, x);
        double sum = 0;
        for (int i = 0, n = out.getNumElements(); i < n; i++) {
            if (mask.data[i] == 0f) {
                dout.data[i] = 0f;
                continue;
            }
            float l = out.data[i];
            sum += nll(l, x.data[i]);
            dout.data[i] = scale * (Activation.sigmoid(l) - x.data[i]);
        }
        return sum;
    }

    @Override
    public void negLogLikelihoodPerColumn(FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask, double[] perRowPerColumn) {
        GaussianKl.checkShape(out, x);
        MissingCells.checkMask(mask, x);
        for (int i = 0, n = out.getNumElements(); i < n; i++) {
            perRowPerColumn[i] = MissingCells.observed(mask, i) ? nll(out.data[i], x.data[i]) : 0.0;
        }
    }

    /** 1 where the logit is &gt; 0, else 0. */
    @Override
    public void mode(FMatrixRMaj out, FMatrixRMaj modeOut) {
        GaussianKl.checkShape(out, modeOut);
        for (int i = 0; i < out.getNumElements(); i++) {
            modeOut.data[i] = out.data[i] > 0f ? 1f : 0f;
        }
    }

    /** 1 with probability sigmoid(logit), else 0. */
    @Override
    public void sample(FMatrixRMaj out, RandomGenerator rng, FMatrixRMaj sampleOut) {
        GaussianKl.checkShape(out, sampleOut);
        for (int i = 0; i < out.getNumElements(); i++) {
            sampleOut.data[i] = rng.nextDouble() < Activation.sigmoid(out.data[i]) ? 1f : 0f;
        }
    }

    /** NaN cells become 1/2 (mask 0). */
    @Override
    public void fillMissing(FMatrixRMaj x, FMatrixRMaj mask) {
        MissingCells.fillElementwise(x, mask, 0.5f);
    }

    @Override
    public void negLogLikelihoodPerRow(FMatrixRMaj out, FMatrixRMaj x, double[] perRow) {
        GaussianKl.checkShape(out, x);
        final int cols = out.numCols;
        for (int r = 0; r < out.numRows; r++) {
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += nll(out.data[r * cols + j], x.data[r * cols + j]);
            }
            perRow[r] = sum;
        }
    }

    @Override
    public void mean(FMatrixRMaj out, FMatrixRMaj meanOut) {
        GaussianKl.checkShape(out, meanOut);
        Elementwise.get().sigmoid(out.data, meanOut.data, out.getNumElements());
    }

    @Override
    public void validate(FMatrixRMaj x, String what) {
        int n = x.getNumElements();
        if (Elementwise.get().allWithin(x.data, n, 0f, 1f)) {
            return;
        }
        for (int i = 0; i < n; i++) {
            float v = x.data[i];
            if (!(v >= 0f && v <= 1f)) {
                throw new IllegalArgumentException(what + " has value " + v + " at row " + (i / x.numCols)
                        + ", column " + (i % x.numCols) + ": the Bernoulli likelihood needs values in [0, 1]");
            }
        }
    }

    @Override
    public String describe() {
        return "bernoulli";
    }

    @Override
    public String toString() {
        return describe();
    }
}

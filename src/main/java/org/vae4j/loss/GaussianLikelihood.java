package org.vae4j.loss;

import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Elementwise;
import org.vae4j.nn.Activation;

/**
 * Independent Gaussian pixels with fixed variance s^2 and mean m given by the decoder output:
 * <pre>
 *   -log p = (x - m)^2 / (2 s^2) + log(2 pi s^2) / 2       forward (constant optional)
 *   d(-log p)/dm = (m - x) / s^2                             backward
 * </pre>
 * {@link #squaredError()} is the plain squared error sum (x - m)^2 (s^2 = 1/2 without the
 * constant), the deterministic autoencoder's loss. With a missing-cell mask a masked cell
 * contributes nothing (gradient 0); NaN in data stays an error outside a
 * {@link CompositeLikelihood}. Immutable and thread-safe.
 */
public final class GaussianLikelihood implements Likelihood {

    private final double variance;
    private final boolean includeConstant;
    private final double constant; // log(2 pi s^2) / 2 per element, or 0

    /**
     * A Gaussian likelihood with fixed variance s^2 = {@code variance}.
     *
     * @param variance        s^2 &gt; 0
     * @param includeConstant whether -log p includes log(2 pi s^2)/2 per element (it does not
     *                        change gradients, only the reported value)
     * @throws IllegalArgumentException when the variance is not positive and finite
     */
    public GaussianLikelihood(double variance, boolean includeConstant) {
        if (!(variance > 0) || !Double.isFinite(variance)) {
            throw new IllegalArgumentException("Gaussian variance must be positive and finite, got " + variance);
        }
        this.variance = variance;
        this.includeConstant = includeConstant;
        this.constant = includeConstant ? 0.5 * Math.log(2 * Math.PI * variance) : 0.0;
    }

    /**
     * {@return a normalised Gaussian density with variance s^2 (the constant included)}
     *
     * @param variance s^2, positive and finite
     * @throws IllegalArgumentException when the variance is not positive and finite
     */
    public static GaussianLikelihood withVariance(double variance) {
        return new GaussianLikelihood(variance, true);
    }

    /** {@return the squared error sum (x - m)^2: variance 1/2, no constant} */
    public static GaussianLikelihood squaredError() {
        return new GaussianLikelihood(0.5, false);
    }

    /** {@return the variance s^2 (&gt; 0)} */
    public double variance() {
        return variance;
    }

    /** {@return whether -log p includes the constant log(2 pi s^2)/2 per element} */
    public boolean includesConstant() {
        return includeConstant;
    }

    @Override
    public Activation requiredOutputActivation() {
        return null;
    }

    @Override
    public Activation defaultOutputActivation() {
        return Activation.SIGMOID;
    }

    @Override
    public double negLogLikelihood(FMatrixRMaj out, FMatrixRMaj x, float scale, FMatrixRMaj dout) {
        GaussianKl.checkShape(out, x);
        GaussianKl.checkShape(out, dout);
        final float[] m = out.data;
        final float[] t = x.data;
        final float[] d = dout.data;
        final int n = out.getNumElements();
        final float g = (float) (scale / variance);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float diff = m[i] - t[i];
            sum += (double) diff * diff;
            d[i] = g * diff;
        }
        return sum / (2 * variance) + n * constant;
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
        final float g = (float) (scale / variance);
        double sum = 0;
        int observed = 0;
        for (int i = 0, n = out.getNumElements(); i < n; i++) {
            if (mask.data[i] == 0f) {
                dout.data[i] = 0f;
                continue;
            }
            float diff = out.data[i] - x.data[i];
            sum += (double) diff * diff;
            dout.data[i] = g * diff;
            observed++;
        }
        return sum / (2 * variance) + observed * constant;
    }

    @Override
    public void negLogLikelihoodPerColumn(FMatrixRMaj out, FMatrixRMaj x, FMatrixRMaj mask, double[] perRowPerColumn) {
        GaussianKl.checkShape(out, x);
        MissingCells.checkMask(mask, x);
        for (int i = 0, n = out.getNumElements(); i < n; i++) {
            double diff = out.data[i] - x.data[i];
            perRowPerColumn[i] = MissingCells.observed(mask, i) ? diff * diff / (2 * variance) + constant : 0.0;
        }
    }

    /** mean + s * N(0, 1) per cell. */
    @Override
    public void sample(FMatrixRMaj out, RandomGenerator rng, FMatrixRMaj sampleOut) {
        GaussianKl.checkShape(out, sampleOut);
        double sd = Math.sqrt(variance);
        for (int i = 0; i < out.getNumElements(); i++) {
            sampleOut.data[i] = (float) (out.data[i] + sd * rng.nextGaussian());
        }
    }

    @Override
    public void negLogLikelihoodPerRow(FMatrixRMaj out, FMatrixRMaj x, double[] perRow) {
        GaussianKl.checkShape(out, x);
        final int cols = out.numCols;
        for (int r = 0; r < out.numRows; r++) {
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                double diff = out.data[r * cols + j] - x.data[r * cols + j];
                sum += diff * diff;
            }
            perRow[r] = sum / (2 * variance) + cols * constant;
        }
    }

    @Override
    public void mean(FMatrixRMaj out, FMatrixRMaj meanOut) {
        GaussianKl.checkShape(out, meanOut);
        if (meanOut != out) {
            System.arraycopy(out.data, 0, meanOut.data, 0, out.getNumElements());
        }
    }

    @Override
    public void validate(FMatrixRMaj x, String what) {
        Likelihood.checkFinite(x, what);
    }

    @Override
    public String describe() {
        return includeConstant ? "gaussian(variance=" + variance + ")" : "squared-error";
    }

    @Override
    public String toString() {
        return describe();
    }
}

package org.vae4j.prob;

import java.util.Arrays;
import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Kernels;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.TensorMap;

/**
 * The degenerate posterior of a deterministic autoencoder: z = h, the encoder's output itself,
 * with no noise and no KL term. Mutable (it keeps the last h), not thread-safe.
 */
public final class DeltaPosterior implements Posterior {

    private final int width;
    private FMatrixRMaj h; // (batch, width), referenced

    /**
     * A point mass at the encoder's output.
     *
     * @param width the width of h and z, &gt; 0
     * @throws IllegalArgumentException if {@code width <= 0}
     */
    public DeltaPosterior(int width) {
        if (width <= 0) {
            throw new IllegalArgumentException("latent width must be positive, got " + width);
        }
        this.width = width;
    }

    @Override
    public DeltaPosterior replicate(TensorMap tensors) {
        return new DeltaPosterior(width);
    }

    @Override
    public int inputSize() {
        return width;
    }

    @Override
    public int latentSize() {
        return width;
    }

    @Override
    public int noiseWidth() {
        return 0;
    }

    @Override
    public void forward(Kernels kernels, FMatrixRMaj h) {
        if (h.numCols != width) {
            throw new IllegalArgumentException("posterior input has " + h.numCols + " columns, expected " + width);
        }
        this.h = h;
    }

    @Override
    public FMatrixRMaj mean() {
        return h;
    }

    @Override
    public FMatrixRMaj sample(FMatrixRMaj eps) {
        return h;
    }

    @Override
    public double klToPrior() {
        return 0;
    }

    @Override
    public void klToPriorPerRow(double[] perRow) {
        Arrays.fill(perRow, 0, h.numRows, 0.0);
    }

    /** Adds nothing: no KL. */
    @Override
    public void addKlToPriorPerDimension(double[] sums) {
    }

    @Override
    public void logDensityPerRow(FMatrixRMaj z, double[] perRow) {
        throw new UnsupportedOperationException("a deterministic posterior has no density");
    }

    @Override
    public FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dz, float klScale, boolean inputGradient) {
        return inputGradient ? dz : null;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public String describe() {
        return "delta";
    }
}

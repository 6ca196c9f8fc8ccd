package org.vae4j.nn;

import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Kernels;

/**
 * Joins a condition to the input along columns, y = [x | s c], as {@code torch.cat([x, s * c], 1)}:
 * the first layer of a conditional model's encoder (x the data, c e.g. a one-hot label) or
 * decoder (x the latent code). Backward: the columns of dy split back,
 * <pre>
 *   y[r, :]  = x[r, 0..dx) followed by s c[r, 0..dc)          (batch, dx + dc)
 *   dX[r, j] = dy[r, j],   dC[r, j] = s dy[r, dx + j]
 * </pre>
 * The condition scale s is 1 unless given ({@link #Concat(int, int, float)}); no parameters. A
 * Dense layer after the Concat computes the same functions for every s (its condition columns
 * W_c s c = (s W_c) c), but s scales the Adam step those columns take in the condition's
 * direction by s: a conditional VAE learns to use its label sooner (docs/MATH.md, section 26).
 *
 * <p><b>Why a {@link Module} over x with the condition set beforehand.</b> A {@link Sequential}
 * passes one matrix from module to module, so a two-input class would have to sit outside it
 * and every conditional model would wire its first layer by hand. As a one-input module with
 * {@link #setCondition} it is simply the first child:
 * <pre>
 *   Concat cat = new Concat(784, 10);
 *   Sequential encoder = new Sequential(List.of("", "0", "1", "2"),
 *           List.of(cat, new Dense(794, 512, init, rng), new ActivationLayer(RELU, 512), new Dense(512, 2 * k, init, rng)));
 *   cat.setCondition(batch.condition());
 *   FMatrixRMaj h = encoder.forward(kernels, batch.input());
 * </pre>
 * and the containers, the Module contract and the parameter names stay as they are (naming the
 * Concat {@code ""} keeps PyTorch's names for {@code nn.Sequential} applied to
 * {@code torch.cat([x, c], 1)}: {@code 0.weight}, ...; with the default indices the Dense layers
 * would be {@code 1.*}, {@code 3.*}). The decoder's Concat takes z as its input, so the backward
 * returns dz, which the posterior needs, through the usual {@code inputGradient}.
 *
 * <p><b>The condition.</b> {@link #setCondition} keeps {@code c} by reference (it is not copied)
 * until it is replaced; the caller must not change it before the backward, and must set the next
 * batch's condition before the next forward (a condition with another row count than x is
 * rejected, one with the same count is not detectable). dC is usually not needed (the condition
 * is data); it is computed by the backward, whatever {@code inputGradient} says, only after
 * {@link #setConditionGradient}{@code (true)}, and read with {@link #conditionGradient()}.
 *
 * <p>The forward copies rows (no arithmetic for s = 1, one float product s c per entry otherwise),
 * so [x | c] is exact; the buffers are reused, so the steady state allocates nothing. Mutable, not thread-safe.
 */
public final class Concat implements Module {

    private final int inputWidth;
    private final int conditionWidth;
    private final int width;          // inputWidth + conditionWidth
    private final float scale;        // s in y = [x | s c]
    private FMatrixRMaj condition;    // (batch, conditionWidth), referenced
    private boolean conditionGradient;
    private int batch = -1;           // rows of the last forward
    private FMatrixRMaj y;            // (batch, width)
    private FMatrixRMaj dx;           // (batch, inputWidth)
    private FMatrixRMaj dc;           // (batch, conditionWidth)

    /**
     * A concat with condition scale s = 1, y = [x | c].
     *
     * @param inputWidth     width of x, &gt; 0
     * @param conditionWidth width of c, &gt; 0
     * @throws IllegalArgumentException when a width is not positive
     */
    public Concat(int inputWidth, int conditionWidth) {
        this(inputWidth, conditionWidth, 1f);
    }

    /**
     * A join of a {@code conditionWidth}-wide condition, scaled by {@code scale}, to a {@code inputWidth}-wide input.
     *
     * @param inputWidth     width of x, &gt; 0
     * @param conditionWidth width of c, &gt; 0
     * @param scale          s of y = [x | s c], finite and &gt; 0
     * @throws IllegalArgumentException when a width is not positive or the scale is not finite and &gt; 0
     */
    public Concat(int inputWidth, int conditionWidth, float scale) {
        if (inputWidth <= 0 || conditionWidth <= 0) {
            throw new IllegalArgumentException("a concat needs positive widths, got input " + inputWidth
                    + ", condition " + conditionWidth);
        }
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("a concat's condition scale must be finite and > 0, got " + scale);
        }
        this.inputWidth = inputWidth;
        this.conditionWidth = conditionWidth;
        this.width = inputWidth + conditionWidth;
        this.scale = scale;
    }

    /** A new Concat of the same widths and scale, without a condition (the caller sets the replica's own). */
    @Override
    public Concat replicate(TensorMap tensors) {
        return new Concat(inputWidth, conditionWidth, scale);
    }

    /** {@return the condition scale s of y = [x | s c] (1 unless given)} */
    public float conditionScale() {
        return scale;
    }

    /** {@return the width of the condition c, &gt; 0} */
    public int conditionSize() {
        return conditionWidth;
    }

    /**
     * Sets the condition the next forwards join to their input, kept by reference.
     *
     * @param c the condition, (batch, {@link #conditionSize()})
     * @return this module
     * @throws IllegalArgumentException when {@code c} is null or its width is not {@link #conditionSize()}
     */
    public Concat setCondition(FMatrixRMaj c) {
        if (c == null || c.numCols != conditionWidth) {
            throw new IllegalArgumentException(describe() + " needs a (batch, " + conditionWidth + ") condition, got "
                    + (c == null ? "null" : "(" + c.numRows + ", " + c.numCols + ")"));
        }
        this.condition = c;
        return this;
    }

    /** {@return the current condition, or {@code null} before {@link #setCondition}} */
    public FMatrixRMaj condition() {
        return condition;
    }

    /**
     * Sets whether the backward computes dC, read with {@link #conditionGradient()} (initially false).
     *
     * @param enabled true to compute dL/dc in every following backward
     */
    public void setConditionGradient(boolean enabled) {
        this.conditionGradient = enabled;
    }

    /** {@return whether the backward computes dC ({@link #setConditionGradient})} */
    public boolean computesConditionGradient() {
        return conditionGradient;
    }

    /**
     * {@return dL/dc of the last backward, (batch, {@link #conditionSize()}), owned by this module and
     * overwritten by the next backward}
     *
     * @throws IllegalStateException unless {@link #setConditionGradient}{@code (true)} was called
     *                               and a backward ran since
     */
    public FMatrixRMaj conditionGradient() {
        if (!conditionGradient || dc == null || dc.numRows != batch) {
            throw new IllegalStateException(describe() + ": no condition gradient; call setConditionGradient(true)"
                    + " before the backward");
        }
        return dc;
    }

    @Override
    public int inputSize() {
        return inputWidth;
    }

    @Override
    public int outputSize() {
        return width;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    /**
     * {@code setCondition(c)}, then {@code forward(kernels, x)}.
     *
     * @param kernels the kernels to run on (the forward only copies rows)
     * @param x       (batch, {@link #inputSize()}), not modified
     * @param c       (batch, {@link #conditionSize()}) the condition, kept by reference
     * @return (batch, inputSize + conditionSize) y = [x | s c], owned by this module
     * @throws IllegalArgumentException when a shape does not fit
     */
    public FMatrixRMaj forward(Kernels kernels, FMatrixRMaj x, FMatrixRMaj c) {
        setCondition(c);
        return forward(kernels, x);
    }

    @Override
    public FMatrixRMaj forward(Kernels kernels, FMatrixRMaj x) {
        Module.checkInput(this, x);
        if (condition == null) {
            throw new IllegalStateException(describe() + " forward called before setCondition");
        }
        final int rows = x.numRows;
        if (condition.numRows != rows) {
            throw new IllegalArgumentException(describe() + ": the condition has " + condition.numRows
                    + " rows, the input " + rows);
        }
        batch = rows;
        y = Module.reshape(y, rows, width);
        final float[] xd = x.data;
        final float[] cd = condition.data;
        final float[] yd = y.data;
        final float s = scale;
        for (int r = 0; r < rows; r++) {
            System.arraycopy(xd, r * inputWidth, yd, r * width, inputWidth);
            if (s == 1f) {
                System.arraycopy(cd, r * conditionWidth, yd, r * width + inputWidth, conditionWidth);
            } else {
                for (int j = 0, o = r * width + inputWidth, i = r * conditionWidth; j < conditionWidth; j++) {
                    yd[o + j] = s * cd[i + j];
                }
            }
        }
        return y;
    }

    /**
     * Splits dy: returns dX (when {@code inputGradient}) and, after
     * {@link #setConditionGradient}{@code (true)}, fills {@link #conditionGradient()}.
     */
    @Override
    public FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dy, boolean inputGradient) {
        if (batch < 0) {
            throw new IllegalStateException(describe() + " backward called before forward");
        }
        Module.checkGradient(this, dy, batch);
        final int rows = batch;
        final float[] g = dy.data;
        if (conditionGradient) {
            dc = Module.reshape(dc, rows, conditionWidth);
            final float s = scale;
            final float[] dcd = dc.data;
            for (int r = 0; r < rows; r++) {
                for (int j = 0, o = r * width + inputWidth, i = r * conditionWidth; j < conditionWidth; j++) {
                    dcd[i + j] = s * g[o + j];
                }
            }
        }
        if (!inputGradient) {
            return null;
        }
        dx = Module.reshape(dx, rows, inputWidth);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(g, r * width, dx.data, r * inputWidth, inputWidth);
        }
        return dx;
    }

    @Override
    public String describe() {
        return "Concat(" + inputWidth + " + " + (scale == 1f ? "" : scale + " * ") + conditionWidth + " -> " + width + ")";
    }
}

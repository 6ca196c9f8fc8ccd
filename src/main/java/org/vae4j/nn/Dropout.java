package org.vae4j.nn;

import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Kernels;
import org.vae4j.random.CounterRandom;
import org.vae4j.random.Noise;

/**
 * Inverted dropout, as PyTorch's {@code nn.Dropout(p)} (Srivastava et al. 2014): in training
 * mode
 * <pre>
 *   y  = x * m / (1 - p),   m ~ Bernoulli(1 - p) independently per element
 *   dx = dy * m / (1 - p)   (the same mask)
 * </pre>
 * so E[y] = x; in evaluation mode (and for p = 0) it is the identity and returns {@code x}
 * itself from the forward and {@code dy} itself from the backward, without a copy. No
 * parameters.
 *
 * <p><b>Where the mask comes from.</b> Not from a global generator: from the counter-based
 * {@link Noise} of the module's seed. Element j of row r of the t-th training-mode forward
 * (t = 0, 1, 2, ... counted by this module, {@link #calls()}) is dropped when the j-th
 * {@code nextDouble()} of {@code new Noise(seed).stream(scratch, PURPOSE, t, r, 0)} is below p.
 * The stream is reset per row in a {@link CounterRandom} scratch the module keeps, so a forward
 * allocates nothing. The mask is therefore a function of (seed, call count, row position in the
 * batch) and of nothing else:
 * <ul>
 * <li>It is deterministic run to run, and across thread counts and GEMM backends (the draws do
 * not depend on either).</li>
 * <li>It is <em>not</em> keyed by the data-set row id, which a module does not see: row r is the
 * r-th row of the batch it is given. Unlike the reparameterisation and corruption noise of the
 * objectives (keyed by row id), the masks change when the same data are batched differently
 * (another batch size, micro-batches, a different shuffle), and an example gets a new mask each
 * call, as it should in training. A resumed run reproduces the masks only if it restores the
 * count ({@link #setCalls}).</li>
 * <li>Two dropout modules with the same seed draw the same masks for the same (call, row):
 * give each its own seed.</li>
 * </ul>
 * Masks cannot match PyTorch's (a different generator); the distribution does. Mutable, not
 * thread-safe.
 */
public final class Dropout implements Module {

    /**
     * The {@link Noise} purpose of dropout masks: {@code 0x44524F50} ("DROP" in ASCII), chosen
     * far from {@link Noise}'s small constants (1 to 6) so that a purpose added there cannot
     * collide with it.
     */
    public static final long PURPOSE = 0x44524F50L;

    private final int width;
    private final double p;
    private final float scale;     // 1 / (1 - p)
    private final Noise noise;
    private final CounterRandom scratch = new CounterRandom();
    private boolean training = true;
    private long calls;            // training-mode forwards so far
    private int batch = -1;        // rows of the last forward
    private boolean identity;      // whether the last forward passed x through
    private FMatrixRMaj mask;      // (batch, width): m / (1 - p), 0 or scale
    private FMatrixRMaj y;         // (batch, width)
    private FMatrixRMaj dx;        // (batch, width)

    /**
     * A dropout layer over rows of {@code width}, dropping each element with probability {@code p}.
     *
     * @param width the row width, &gt; 0
     * @param p     the probability of dropping an element, 0 &lt;= p &lt; 1
     * @param seed  the seed of the masks' {@link Noise}
     * @throws IllegalArgumentException when {@code width <= 0} or p is outside [0, 1)
     */
    public Dropout(int width, double p, long seed) {
        if (width <= 0) {
            throw new IllegalArgumentException("a dropout layer needs a positive width, got " + width);
        }
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability p must be in [0, 1), got " + p
                    + (p == 1 ? " (p = 1 would drop everything and divide by 0)" : ""));
        }
        this.width = width;
        this.p = p;
        this.scale = (float) (1.0 / (1.0 - p));
        this.noise = new Noise(seed);
    }

    /**
     * The same width, p and seed, with a call count of its own from 0, in this module's mode (in
     * evaluation mode, where inference views run it, it is the identity).
     */
    @Override
    public Dropout replicate(TensorMap tensors) {
        Dropout d = new Dropout(width, p, noise.seed());
        d.setTraining(training);
        return d;
    }

    /** {@return the drop probability p, in [0, 1)} */
    public double p() {
        return p;
    }

    /** {@return the seed of the masks' {@link Noise}} */
    public long seed() {
        return noise.seed();
    }

    /**
     * {@return the number of training-mode forwards so far: the next one draws the masks of call {@code calls()}}
     */
    public long calls() {
        return calls;
    }

    /**
     * Sets the call count, e.g. to resume a run with the masks it would have drawn.
     *
     * @param calls the number of training-mode forwards already run, &gt;= 0: the next forward draws
     *              the masks of call {@code calls}
     * @throws IllegalArgumentException when {@code calls < 0}
     */
    public void setCalls(long calls) {
        if (calls < 0) {
            throw new IllegalArgumentException("the call count must be >= 0, got " + calls);
        }
        this.calls = calls;
    }

    /** {@return whether this module is in training mode (dropping elements; the initial mode)} */
    public boolean isTraining() {
        return training;
    }

    @Override
    public void setTraining(boolean training) {
        this.training = training;
    }

    @Override
    public int inputSize() {
        return width;
    }

    @Override
    public int outputSize() {
        return width;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public FMatrixRMaj forward(Kernels kernels, FMatrixRMaj x) {
        Module.checkInput(this, x);
        final int rows = x.numRows;
        batch = rows;
        if (!training) {
            identity = true;
            return x;
        }
        final long t = calls++;
        if (p == 0) {
            identity = true;
            return x;
        }
        identity = false;
        mask = Module.reshape(mask, rows, width);
        y = Module.reshape(y, rows, width);
        final float[] m = mask.data;
        final float[] xd = x.data;
        final float[] yd = y.data;
        for (int r = 0; r < rows; r++) {
            CounterRandom rng = noise.stream(scratch, PURPOSE, t, r, 0);
            final int off = r * width;
            for (int j = 0; j < width; j++) {
                final float k = rng.nextDouble() < p ? 0f : scale;
                m[off + j] = k;
                yd[off + j] = xd[off + j] * k;
            }
        }
        return y;
    }

    @Override
    public FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dy, boolean inputGradient) {
        if (batch < 0) {
            throw new IllegalStateException(describe() + " backward called before forward");
        }
        Module.checkGradient(this, dy, batch);
        if (!inputGradient) {
            return null;
        }
        if (identity) {
            return dy;
        }
        dx = Module.reshape(dx, batch, width);
        final float[] m = mask.data;
        final float[] g = dy.data;
        final float[] d = dx.data;
        final int n = batch * width;
        for (int i = 0; i < n; i++) {
            d[i] = g[i] * m[i];
        }
        return dx;
    }

    /**
     * {@return the scaled mask m / (1 - p) of the last training-mode forward with p &gt; 0, or {@code null} before one}
     */
    public FMatrixRMaj mask() {
        return mask;
    }

    @Override
    public String describe() {
        return "Dropout(" + width + ", p=" + p + ")";
    }
}

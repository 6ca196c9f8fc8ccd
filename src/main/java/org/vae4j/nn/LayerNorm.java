package org.vae4j.nn;

import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Kernels;

/**
 * Layer normalisation over the columns of each row, exactly as PyTorch's
 * {@code nn.LayerNorm(width, eps=1e-5, elementwise_affine=True)} (Ba, Kiros &amp; Hinton 2016):
 * <pre>
 *   mean = (1/n) sum_j x_j,   var = (1/n) sum_j (x_j - mean)^2     per row, biased variance
 *   rstd = 1 / sqrt(var + eps)
 *   xhat = (x - mean) rstd
 *   y    = xhat * gamma + beta
 * </pre>
 * with gamma ({@code weight}, initialised to 1) and beta ({@code bias}, initialised to 0), both
 * (1, width), named as in PyTorch's {@code state_dict}. Backward (derived in docs/MATH.md,
 * "LayerNorm"), with g = dy * gamma:
 * <pre>
 *   dgamma += sum_rows dy * xhat
 *   dbeta  += sum_rows dy
 *   dx      = rstd (g - mean_j(g) - xhat mean_j(g xhat))
 * </pre>
 *
 * <p>Precision: the row statistics (mean and variance, two passes) and the two row means of the
 * backward are accumulated in double, and xhat = (x - mean) rstd is computed in double from them
 * and rounded once to float; the rest (y, dx, the parameter gradients, the cached rstd) is
 * float32. So xhat is correctly rounded even for a row whose mean is large against its spread,
 * where a float mean would cost digits (x = 40 + 0.1 noise: a float mean is off by up to half an
 * ulp of 40, 2e-6, i.e. 2.5e-5 of the spread). PyTorch computes its row moments in float, so the
 * results agree with it to float rounding on well-conditioned rows, not bit for bit, and are
 * closer to the exact (float64) values than PyTorch's on ill-conditioned ones. The forward
 * caches xhat (batch, width) and rstd per row for the backward; the buffers grow to the
 * largest batch seen and are reused, so the steady state allocates nothing. Mutable, not
 * thread-safe.
 */
public final class LayerNorm implements Module {

    /** PyTorch's default epsilon. */
    public static final double DEFAULT_EPS = 1e-5;

    private final int width;
    private final double eps;
    private final Parameter weight; // gamma (1, width)
    private final Parameter bias;   // beta  (1, width)
    private final List<Parameter> parameters;
    private int batch = -1;         // rows of the last forward; -1 before the first
    private FMatrixRMaj y;          // (batch, width)
    private FMatrixRMaj xhat;       // (batch, width)
    private FMatrixRMaj dx;         // (batch, width)
    private float[] rstd = new float[0]; // rstd[r] of the last forward, capacity >= batch

    /**
     * {@code nn.LayerNorm(width)}: eps 1e-5, gamma 1, beta 0.
     *
     * @param width the normalised (last) dimension, &gt; 0
     * @throws IllegalArgumentException when {@code width <= 0}
     */
    public LayerNorm(int width) {
        this(width, DEFAULT_EPS);
    }

    /**
     * A layer norm over rows of {@code width}, with gamma 1 and beta 0 to start.
     *
     * @param width the normalised (last) dimension, &gt; 0
     * @param eps   added to the variance, finite and &gt; 0
     * @throws IllegalArgumentException when {@code width <= 0} or eps is not finite and &gt; 0
     */
    public LayerNorm(int width, double eps) {
        if (width <= 0) {
            throw new IllegalArgumentException("a layer norm needs a positive width, got " + width);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("a layer norm needs a finite eps > 0, got " + eps);
        }
        this.width = width;
        this.eps = eps;
        this.weight = new Parameter("weight", 1, width);
        this.bias = new Parameter("bias", 1, width);
        this.parameters = List.of(weight, bias);
        java.util.Arrays.fill(weight.valueArray(), weight.offset(), weight.offset() + width, 1f);
    }

    /** A replica: the same width and eps, the mapped gamma and beta ({@link Module#replicate}). */
    private LayerNorm(LayerNorm source, TensorMap tensors) {
        this.width = source.width;
        this.eps = source.eps;
        this.weight = tensors.get(source.weight);
        this.bias = tensors.get(source.bias);
        this.parameters = List.of(weight, bias);
    }

    @Override
    public LayerNorm replicate(TensorMap tensors) {
        return new LayerNorm(this, tensors);
    }

    /** {@return gamma, (1, width), named {@code weight}} */
    public Parameter weight() {
        return weight;
    }

    /** {@return beta, (1, width), named {@code bias}} */
    public Parameter bias() {
        return bias;
    }

    /** {@return the epsilon added to the variance} */
    public double eps() {
        return eps;
    }

    @Override
    public int inputSize() {
        return width;
    }

    @Override
    public int outputSize() {
        return width;
    }

    /** The weight (gamma) and the bias (beta), in that order. */
    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public FMatrixRMaj forward(Kernels kernels, FMatrixRMaj x) {
        Module.checkInput(this, x);
        final int rows = x.numRows;
        final int n = width;
        batch = rows;
        y = Module.reshape(y, rows, n);
        xhat = Module.reshape(xhat, rows, n);
        if (rstd.length < rows) {
            rstd = new float[rows];
        }
        final float[] xd = x.data;
        final float[] yd = y.data;
        final float[] hd = xhat.data;
        final float[] g = weight.valueArray();
        final int go = weight.offset();
        final float[] b = bias.valueArray();
        final int bo = bias.offset();
        for (int r = 0; r < rows; r++) {
            final int off = r * n;
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += xd[off + j];
            }
            final double meanD = sum / n;
            double sq = 0;
            for (int j = 0; j < n; j++) {
                double c = xd[off + j] - meanD;
                sq += c * c;
            }
            final double rs = 1.0 / Math.sqrt(sq / n + eps);
            rstd[r] = (float) rs;
            for (int j = 0; j < n; j++) {
                final float h = (float) ((xd[off + j] - meanD) * rs);
                hd[off + j] = h;
                yd[off + j] = h * g[go + j] + b[bo + j];
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
        weight.requireGradients();
        bias.requireGradients();
        final int rows = batch;
        final int n = width;
        final float[] gd = dy.data;
        final float[] hd = xhat.data;
        final float[] gamma = weight.valueArray();
        final float[] dgamma = weight.gradArray();
        final int go = weight.offset();
        final float[] dbeta = bias.gradArray();
        final int bo = bias.offset();
        for (int r = 0; r < rows; r++) {
            final int off = r * n;
            for (int j = 0; j < n; j++) {
                final float d = gd[off + j];
                dgamma[go + j] += d * hd[off + j];
                dbeta[bo + j] += d;
            }
        }
        if (!inputGradient) {
            return null;
        }
        dx = Module.reshape(dx, rows, n);
        final float[] dxd = dx.data;
        for (int r = 0; r < rows; r++) {
            final int off = r * n;
            double sumG = 0;
            double sumGH = 0;
            for (int j = 0; j < n; j++) {
                final float g = gd[off + j] * gamma[go + j];
                sumG += g;
                sumGH += (double) g * hd[off + j];
            }
            final float meanG = (float) (sumG / n);
            final float meanGH = (float) (sumGH / n);
            final float rs = rstd[r];
            for (int j = 0; j < n; j++) {
                final float g = gd[off + j] * gamma[go + j];
                dxd[off + j] = rs * (g - meanG - hd[off + j] * meanGH);
            }
        }
        return dx;
    }

    @Override
    public String describe() {
        return "LayerNorm(" + width + ")";
    }
}

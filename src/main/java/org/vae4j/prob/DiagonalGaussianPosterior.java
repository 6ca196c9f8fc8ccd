package org.vae4j.prob;

import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Kernels;
import org.vae4j.loss.GaussianKl;
import org.vae4j.loss.GaussianSampler;
import org.vae4j.nn.Dense;
import org.vae4j.nn.Init;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.TensorMap;

/**
 * The VAE's q(z|x) = N(mu, diag(exp(logvar))) with two linear heads on the encoder output h
 * (Kingma &amp; Welling 2013, appendix C.2):
 * <pre>
 *   mu     = h W_mu^T + b_mu            (batch, latent)
 *   logvar = h W_lv^T + b_lv            (batch, latent)
 *   z      = mu + exp(logvar / 2) * eps GaussianSampler (the reparameterisation trick)
 *   KL     = -1/2 sum(1 + logvar - mu^2 - exp(logvar))   GaussianKl, closed form
 * </pre>
 * The backward is the forward's calls in reverse: the KL's and the sampler's gradients into
 * dmu and dlogvar, then both heads into one dh. The heads' parameters are named
 * {@code <muName>.weight}, ... ({@code fc_mu} and {@code fc_logvar} by default). Mutable, not
 * thread-safe.
 */
public final class DiagonalGaussianPosterior implements Posterior {

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final Dense muHead;     // (batch, in) -> (batch, latent)
    private final Dense logvarHead; // (batch, in) -> (batch, latent)
    private final List<Parameter> parameters;
    private final int latent;
    private FMatrixRMaj h;                                     // (batch, in), referenced
    private final FMatrixRMaj mu = new FMatrixRMaj(1, 1);      // (batch, latent)
    private final FMatrixRMaj logvar = new FMatrixRMaj(1, 1);  // (batch, latent)
    private FMatrixRMaj eps;                                   // (batch, latent), referenced
    private final FMatrixRMaj z = new FMatrixRMaj(1, 1);       // (batch, latent)
    private final FMatrixRMaj dmu = new FMatrixRMaj(1, 1);     // (batch, latent)
    private final FMatrixRMaj dlogvar = new FMatrixRMaj(1, 1); // (batch, latent)
    private final FMatrixRMaj dh = new FMatrixRMaj(1, 1);      // (batch, in)

    /**
     * A posterior with heads named {@code fc_mu} and {@code fc_logvar}, as the PyTorch reference
     * VAE names them.
     *
     * @param in     the width of the encoder output h, &gt; 0
     * @param latent the width of z, &gt; 0
     * @param init   the heads' weight initialisation
     * @param rng    the source of the initial weights: the mu head is drawn first, then the logvar head
     * @throws IllegalArgumentException if a width is not positive, or {@code init} is null or
     *                                  {@link Init#BY_ACTIVATION} (see {@link Dense})
     */
    public DiagonalGaussianPosterior(int in, int latent, Init init, RandomGenerator rng) {
        this("fc_mu", "fc_logvar", in, latent, init, rng);
    }

    /**
     * A posterior with heads of the given names; their parameters are {@code <muName>.weight},
     * {@code <muName>.bias}, {@code <logvarName>.weight} and {@code <logvarName>.bias}.
     *
     * @param muName     the mu head's name, prefixed to its parameters' names; not null (empty: no prefix)
     * @param logvarName the logvar head's name, prefixed to its parameters' names; not null (empty: no prefix)
     * @param in         the width of the encoder output h, &gt; 0
     * @param latent     the width of z, &gt; 0
     * @param init       the heads' weight initialisation
     * @param rng        the source of the initial weights: the mu head is drawn first, then the logvar head
     * @throws IllegalArgumentException if a head name is null, a width is not positive, or {@code init}
     *                                  is null or {@link Init#BY_ACTIVATION} (see {@link Dense})
     */
    public DiagonalGaussianPosterior(String muName, String logvarName, int in, int latent, Init init,
                                     RandomGenerator rng) {
        if (muName == null || logvarName == null) {
            throw new IllegalArgumentException("a posterior head needs a name (empty for none), got muName="
                    + (muName == null ? "null" : "\"" + muName + "\"") + ", logvarName="
                    + (logvarName == null ? "null" : "\"" + logvarName + "\""));
        }
        this.latent = latent;
        this.muHead = new Dense(in, latent, init, rng);
        this.logvarHead = new Dense(in, latent, init, rng);
        this.parameters = List.of(muHead.weight().withPrefix(muName), muHead.bias().withPrefix(muName),
                logvarHead.weight().withPrefix(logvarName), logvarHead.bias().withPrefix(logvarName));
    }

    /** A replica: the heads' replicas on the mapped tensors, the same names, buffers of its own. */
    private DiagonalGaussianPosterior(DiagonalGaussianPosterior source, TensorMap tensors) {
        this.latent = source.latent;
        this.muHead = source.muHead.replicate(tensors);
        this.logvarHead = source.logvarHead.replicate(tensors);
        List<Parameter> ps = new java.util.ArrayList<>(source.parameters.size());
        for (Parameter p : source.parameters) {
            ps.add(tensors.get(p));
        }
        this.parameters = List.copyOf(ps);
    }

    @Override
    public DiagonalGaussianPosterior replicate(TensorMap tensors) {
        return new DiagonalGaussianPosterior(this, tensors);
    }

    /** {@return the mu head} */
    public Dense muHead() {
        return muHead;
    }

    /** {@return the logvar head} */
    public Dense logvarHead() {
        return logvarHead;
    }

    @Override
    public int inputSize() {
        return muHead.inputSize();
    }

    @Override
    public int latentSize() {
        return latent;
    }

    @Override
    public int noiseWidth() {
        return latent;
    }

    @Override
    public void forward(Kernels kernels, FMatrixRMaj h) {
        if (h.numCols != inputSize() || h.numRows == 0) {
            throw new IllegalArgumentException("posterior input must be (batch >= 1, " + inputSize() + "), got ("
                    + h.numRows + ", " + h.numCols + ")");
        }
        this.h = h;
        mu.reshape(h.numRows, latent);
        logvar.reshape(h.numRows, latent);
        muHead.forward(kernels.gemm(), h, mu);
        logvarHead.forward(kernels.gemm(), h, logvar);
    }

    @Override
    public FMatrixRMaj mean() {
        return mu;
    }

    /** {@return the log-variances of the last forward, (batch, latent), owned by this posterior} */
    public FMatrixRMaj logVariance() {
        return logvar;
    }

    @Override
    public FMatrixRMaj sample(FMatrixRMaj eps) {
        if (eps == null || eps.numRows != mu.numRows || eps.numCols != latent) {
            throw new IllegalArgumentException("noise must be (" + mu.numRows + ", " + latent + "), got "
                    + (eps == null ? "null" : "(" + eps.numRows + ", " + eps.numCols + ")"));
        }
        this.eps = eps;
        z.reshape(mu.numRows, latent);
        GaussianSampler.forward(mu, logvar, eps, z);
        return z;
    }

    @Override
    public double klToPrior() {
        return GaussianKl.forward(mu, logvar);
    }

    @Override
    public void klToPriorPerRow(double[] perRow) {
        GaussianKl.forwardPerRow(mu, logvar, perRow);
    }

    @Override
    public void addKlToPriorPerDimension(double[] sums) {
        for (int r = 0; r < mu.numRows; r++) {
            for (int j = 0; j < latent; j++) {
                double m = mu.data[r * latent + j];
                double lv = logvar.data[r * latent + j];
                sums[j] += -0.5 * (1 + lv - m * m - Math.exp(lv));
            }
        }
    }

    @Override
    public void logDensityPerRow(FMatrixRMaj zs, double[] perRow) {
        for (int r = 0; r < mu.numRows; r++) {
            double s = 0;
            for (int j = 0; j < latent; j++) {
                int i = r * latent + j;
                double lv = logvar.data[i];
                double d = zs.data[i] - mu.data[i];
                s += -0.5 * (LOG_2PI + lv + d * d * Math.exp(-lv));
            }
            perRow[r] = s;
        }
    }

    @Override
    public FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dz, float klScale, boolean inputGradient) {
        zeroHeadGradients();
        GaussianKl.backward(mu, logvar, klScale, dmu, dlogvar);
        return backwardThroughSample(kernels, dz, inputGradient);
    }

    /** Free bits: the KL's gradient weighted per dimension ({@link #klBackwardPerDimension}). */
    @Override
    public FMatrixRMaj backwardPerDimensionKl(Kernels kernels, FMatrixRMaj dz, float[] klScales,
                                              boolean inputGradient) {
        if (klScales.length < latent) {
            throw new IllegalArgumentException("need " + latent + " KL scales, got " + klScales.length);
        }
        zeroHeadGradients();
        klBackwardPerDimension(mu, logvar, klScales, dmu, dlogvar);
        return backwardThroughSample(kernels, dz, inputGradient);
    }

    /** IWAE: the log density's total gradient ({@link #logDensityBackward}) instead of the KL's. */
    @Override
    public FMatrixRMaj backwardWithLogDensity(Kernels kernels, FMatrixRMaj dz, float[] logDensityScales,
                                              boolean inputGradient) {
        if (logDensityScales.length < mu.numRows) {
            throw new IllegalArgumentException("need " + mu.numRows + " log-density scales, got "
                    + logDensityScales.length);
        }
        zeroHeadGradients();
        logDensityBackward(logDensityScales, dlogvar);
        return backwardThroughSample(kernels, dz, inputGradient);
    }

    /**
     * The gradient of {@code sum_j s_j sum_r KL_rj}, each dimension with its own weight (free bits):
     * <pre>
     *   dmu_rj     += s_j mu_rj
     *   dlogvar_rj += s_j (exp(logvar_rj) - 1) / 2
     * </pre>
     *
     * @param scales (latent) s_j, not modified
     * @param dmu     (batch, latent), modified
     * @param dlogvar (batch, latent), modified
     */
    static void klBackwardPerDimension(FMatrixRMaj mu, FMatrixRMaj logvar, float[] scales, FMatrixRMaj dmu,
                                       FMatrixRMaj dlogvar) {
        final int cols = mu.numCols;
        for (int r = 0; r < mu.numRows; r++) {
            for (int j = 0; j < cols; j++) {
                int i = r * cols + j;
                float s = scales[j];
                dmu.data[i] += s * mu.data[i];
                dlogvar.data[i] += 0.5f * s * ((float) Math.exp(logvar.data[i]) - 1f);
            }
        }
    }

    /**
     * The total gradient of {@code sum_r s_r log q(z_r | x_r)} for z = mu + exp(logvar / 2) eps with
     * eps held fixed. Since (z - mu) / sigma = eps, log q(z|x) = -1/2 sum_j (log 2 pi + logvar_j +
     * eps_j^2): the paths through z cancel the direct ones in mu, and leave -1/2 in logvar:
     * <pre>
     *   dmu_rj     += 0
     *   dlogvar_rj += -s_r / 2
     * </pre>
     * (docs/MATH.md, section 27).
     *
     * @param scales  (batch) s_r, not modified
     * @param dlogvar (batch, latent), modified
     */
    static void logDensityBackward(float[] scales, FMatrixRMaj dlogvar) {
        final int cols = dlogvar.numCols;
        for (int r = 0; r < dlogvar.numRows; r++) {
            float d = -0.5f * scales[r];
            for (int j = 0; j < cols; j++) {
                dlogvar.data[r * cols + j] += d;
            }
        }
    }

    private void zeroHeadGradients() {
        dmu.reshape(mu.numRows, latent);
        dlogvar.reshape(mu.numRows, latent);
        Arrays.fill(dlogvar.data, 0, dlogvar.getNumElements(), 0f);
        Arrays.fill(dmu.data, 0, dmu.getNumElements(), 0f);
    }

    /** The sampler's gradient into dmu and dlogvar, then both heads: the end of every backward. */
    private FMatrixRMaj backwardThroughSample(Kernels kernels, FMatrixRMaj dz, boolean inputGradient) {
        if (dz != null) {
            GaussianSampler.backward(dz, logvar, eps, dmu, dlogvar);
        }
        FMatrixRMaj d = null;
        if (inputGradient) {
            dh.reshape(h.numRows, h.numCols);
            d = dh;
        }
        logvarHead.backward(kernels.gemm(), h, dlogvar, d, false);
        muHead.backward(kernels.gemm(), h, dmu, d, true);
        return d;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public String describe() {
        return "gaussian";
    }
}

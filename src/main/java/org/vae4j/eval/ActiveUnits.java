package org.vae4j.eval;

import java.util.Arrays;

/**
 * Which latent dimensions a VAE uses (Burda, Grosse &amp; Salakhutdinov 2016, section 5.2):
 * dimension u is active when A_u = Var_x(E_q[z_u | x]) exceeds a threshold (0.01 in the paper).
 * Immutable; arrays are copied in and out.
 */
public final class ActiveUnits {

    /** The paper's threshold on the variance of the posterior mean. */
    public static final double DEFAULT_THRESHOLD = 0.01;

    private final double[] variances;
    private final double threshold;
    private final int count;

    /**
     * The active units of a latent space with activities {@code variances}: u is active when A_u &gt; {@code threshold}.
     *
     * @param variances A_u for each latent dimension u
     * @param threshold a dimension is active when A_u &gt; threshold
     */
    public ActiveUnits(double[] variances, double threshold) {
        if (!(threshold >= 0) || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("active-unit threshold must be finite and >= 0, got " + threshold);
        }
        this.variances = variances.clone();
        this.threshold = threshold;
        int c = 0;
        for (double v : variances) {
            if (v > threshold) {
                c++;
            }
        }
        this.count = c;
    }

    /** {@return the number of active dimensions} */
    public int count() {
        return count;
    }

    /** {@return the number of latent dimensions} */
    public int dimensions() {
        return variances.length;
    }

    /**
     * {@return whether dimension u is active, i.e. A_u &gt; {@link #threshold()}}
     *
     * @param u the latent dimension, 0 &lt;= u &lt; {@link #dimensions()}
     * @throws ArrayIndexOutOfBoundsException for u outside that range
     */
    public boolean isActive(int u) {
        return variances[u] > threshold;
    }

    /** {@return A_u = Var_x(E_q[z_u | x]) for each dimension u, length {@link #dimensions()} (a copy)} */
    public double[] variances() {
        return variances.clone();
    }

    /** {@return the variance above which a dimension counts as active} */
    public double threshold() {
        return threshold;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActiveUnits a && a.threshold == threshold && Arrays.equals(a.variances, variances);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(variances) + Double.hashCode(threshold);
    }

    @Override
    public String toString() {
        return count + " of " + variances.length + " latent dimensions active (Var_x E[z_u|x] > " + threshold + ")";
    }
}

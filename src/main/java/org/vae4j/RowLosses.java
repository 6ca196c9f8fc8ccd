package org.vae4j;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.random.Noise;

/**
 * Per-row losses of {@link InferenceView#negativeElbo}: for row r, -log p(x_r|z_r) ({@code reconstruction[r]})
 * and KL(q(z|x_r) || p(z)) ({@code kl[r]}), in nats, z_r one draw from q(z|x_r). Arrays public
 * for speed, owned by this object; not thread-safe.
 */
public final class RowLosses {
    /** -log p(x_r | z_r) of row r, in nats (missing cells left out), one entry per row. */
    public final double[] reconstruction;
    /** KL(q(z|x_r) || p(z)) of row r, in nats (0 for an autoencoder), one entry per row. */
    public final double[] kl;

    RowLosses(int rows) {
        reconstruction = new double[rows];
        kl = new double[rows];
    }

    /** {@return the number of rows} */
    public int rows() {
        return kl.length;
    }

    /**
     * {@return reconstruction[r] + kl[r]: the negative ELBO of row r with one z (beta = 1), in nats}
     *
     * @param r the row, in [0, {@link #rows()})
     */
    public double total(int r) {
        return reconstruction[r] + kl[r];
    }

    /**
     * {@return the mean over rows, each term summed in row order in double (so it does not depend on
     * a split): {@link LatentModel#negativeElbo(FMatrixRMaj, Noise)}'s value, whose KL the model
     * sums per chunk instead (the same to double rounding)}
     */
    public Loss mean() {
        double recon = 0;
        double k = 0;
        for (int r = 0; r < kl.length; r++) {
            recon += reconstruction[r];
            k += kl[r];
        }
        recon /= kl.length;
        k /= kl.length;
        return new Loss(recon + k, recon, k);
    }
}

package org.vae4j.objective;

import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;

/**
 * Input corruption for denoising training (Vincent et al. 2008, 2010): the encoder sees a
 * corrupted copy of each batch and the model learns to reconstruct the clean batch (see
 * {@link org.vae4j.train.Trainer.Builder#corruption} and {@link Denoising}, which corrupts each row
 * with {@link #applyRow} from the row's own noise stream).
 * <pre>
 *   none              x~ = x
 *   masking(p)        x~_ij = 0 with probability p, else x_ij
 *   gaussian(sigma)   x~_ij = clamp(x_ij + sigma * n_ij, 0, 1),   n_ij ~ N(0, 1)
 *   gaussianUnclamped x~_ij = x_ij + sigma * n_ij                  (real-valued data)
 * </pre>
 * The clamped Gaussian keeps pixel data in [0, 1], the range the encoder sees at test time (and
 * the Bernoulli likelihood's support). Implementations are immutable records and thread-safe.
 */
public sealed interface Corruption permits Corruption.None, Corruption.Masking, Corruption.Gaussian {

    /** {@return no corruption: the trainer passes the clean batch as input and target} */
    static Corruption none() {
        return None.INSTANCE;
    }

    /**
     * {@return masking noise: each value set to 0 independently with probability p}
     *
     * @param p the drop probability, 0 &lt;= p &lt; 1
     * @throws IllegalArgumentException if {@code p} is outside [0, 1)
     */
    static Corruption masking(double p) {
        return new Masking(p);
    }

    /**
     * {@return additive Gaussian noise N(0, sigma^2), the result clamped to [0, 1] (pixel data)}
     *
     * @param sigma the noise's standard deviation, in the data's units, finite and &gt;= 0
     * @throws IllegalArgumentException if {@code sigma} is negative, NaN or infinite
     */
    static Corruption gaussian(double sigma) {
        return new Gaussian(sigma, true);
    }

    /**
     * {@return additive Gaussian noise N(0, sigma^2) without clamping (real-valued data)}
     *
     * @param sigma the noise's standard deviation, in the data's units, finite and &gt;= 0
     * @throws IllegalArgumentException if {@code sigma} is negative, NaN or infinite
     */
    static Corruption gaussianUnclamped(double sigma) {
        return new Gaussian(sigma, false);
    }

    /**
     * Writes a corrupted copy of {@code clean} into {@code corrupted}, drawing from {@code rng}
     * (values in row-major order). Allocates nothing.
     *
     * @param clean     (batch, d), not modified
     * @param corrupted (batch, d), modified; must not be {@code clean}
     * @param rng       the source of the draws (masking: one {@code nextDouble} per value; Gaussian:
     *                  one {@code nextGaussian} per value; none: no draws)
     * @throws IllegalArgumentException when the shapes differ or the two are the same matrix
     */
    void apply(FMatrixRMaj clean, FMatrixRMaj corrupted, RandomGenerator rng);

    /**
     * Corrupts {@code n} values {@code clean[offset ..]} into {@code corrupted[offset ..]} with
     * draws from {@code rng}: one row, so that each row can draw from its own stream
     * ({@link org.vae4j.random.Noise#CORRUPTION}). Sizes are not checked beyond the arrays' bounds.
     *
     * @param clean     the array holding the clean values, not modified
     * @param corrupted the array receiving the corrupted values at the same indices
     * @param offset    the index of the first value in both arrays
     * @param n         the number of values, &gt;= 0
     * @param rng       the source of the draws, as for {@link #apply}
     */
    void applyRow(float[] clean, float[] corrupted, int offset, int n, RandomGenerator rng);

    /** {@return whether this is {@link #none()}} */
    default boolean isNone() {
        return this instanceof None;
    }

    /** {@return a short description for logs, e.g. {@code masking(p=0.25)}} */
    String describe();

    /** The identity. */
    record None() implements Corruption {
        static final None INSTANCE = new None();

        @Override
        public void apply(FMatrixRMaj clean, FMatrixRMaj corrupted, RandomGenerator rng) {
            checkShapes(clean, corrupted);
            System.arraycopy(clean.data, 0, corrupted.data, 0, clean.getNumElements());
        }

        @Override
        public void applyRow(float[] clean, float[] corrupted, int offset, int n, RandomGenerator rng) {
            System.arraycopy(clean, offset, corrupted, offset, n);
        }

        @Override
        public String describe() {
            return "none";
        }
    }

    /**
     * Masking noise with drop probability p.
     *
     * @param p the probability that a value is set to 0, in [0, 1)
     */
    record Masking(double p) implements Corruption {
        /**
         * Checks the probability.
         *
         * @param p the probability that a value is set to 0, in [0, 1)
         * @throws IllegalArgumentException if {@code p} is outside [0, 1)
         */
        public Masking {
            if (!(p >= 0 && p < 1)) {
                throw new IllegalArgumentException("masking probability must be in [0, 1), got " + p);
            }
        }

        @Override
        public void apply(FMatrixRMaj clean, FMatrixRMaj corrupted, RandomGenerator rng) {
            checkShapes(clean, corrupted);
            final float[] in = clean.data;
            final float[] out = corrupted.data;
            final int n = clean.getNumElements();
            for (int i = 0; i < n; i++) {
                out[i] = rng.nextDouble() < p ? 0f : in[i];
            }
        }

        @Override
        public void applyRow(float[] in, float[] out, int offset, int n, RandomGenerator rng) {
            for (int i = offset; i < offset + n; i++) {
                out[i] = rng.nextDouble() < p ? 0f : in[i];
            }
        }

        @Override
        public String describe() {
            return "masking(p=" + p + ")";
        }
    }

    /**
     * Additive Gaussian noise with standard deviation sigma, optionally clamped to [0, 1].
     *
     * @param sigma               the noise's standard deviation, in the data's units, finite and &gt;= 0
     * @param clampToUnitInterval whether each corrupted value is clamped to [0, 1]
     */
    record Gaussian(double sigma, boolean clampToUnitInterval) implements Corruption {
        /**
         * Checks sigma.
         *
         * @param sigma               the noise's standard deviation, finite and &gt;= 0
         * @param clampToUnitInterval whether each corrupted value is clamped to [0, 1]
         * @throws IllegalArgumentException if {@code sigma} is negative, NaN or infinite
         */
        public Gaussian {
            if (!(sigma >= 0) || !Double.isFinite(sigma)) {
                throw new IllegalArgumentException("Gaussian noise sigma must be finite and >= 0, got " + sigma);
            }
        }

        @Override
        public void apply(FMatrixRMaj clean, FMatrixRMaj corrupted, RandomGenerator rng) {
            checkShapes(clean, corrupted);
            final float[] in = clean.data;
            final float[] out = corrupted.data;
            final int n = clean.getNumElements();
            for (int i = 0; i < n; i++) {
                float v = (float) (in[i] + sigma * rng.nextGaussian());
                out[i] = clampToUnitInterval ? Math.min(1f, Math.max(0f, v)) : v;
            }
        }

        @Override
        public void applyRow(float[] in, float[] out, int offset, int n, RandomGenerator rng) {
            for (int i = offset; i < offset + n; i++) {
                float v = (float) (in[i] + sigma * rng.nextGaussian());
                out[i] = clampToUnitInterval ? Math.min(1f, Math.max(0f, v)) : v;
            }
        }

        @Override
        public String describe() {
            return "gaussian(sigma=" + sigma + (clampToUnitInterval ? ", clamped to [0, 1])" : ")");
        }
    }

    private static void checkShapes(FMatrixRMaj clean, FMatrixRMaj corrupted) {
        if (clean == corrupted) {
            throw new IllegalArgumentException("corruption writes a copy: the output must not be the clean batch");
        }
        if (clean.numRows != corrupted.numRows || clean.numCols != corrupted.numCols) {
            throw new IllegalArgumentException(String.format("corrupted batch is (%d, %d) but the clean batch is (%d, %d)",
                    corrupted.numRows, corrupted.numCols, clean.numRows, clean.numCols));
        }
    }
}

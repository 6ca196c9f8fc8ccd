package org.vae4j.eval;

import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.Vae;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.nn.Activation;

/**
 * A VAE whose log p(x) is known in closed form: linear layers (identity activations), one latent
 * dimension and a Gaussian likelihood, i.e. probabilistic PCA,
 * <pre>
 *   z ~ N(0, 1),  x | z ~ N(a z + c, s^2 I)   =>   x ~ N(c, a a^T + s^2 I)
 *   p(z | x) = N(a.(x - c) / (s^2 P), 1 / P),  P = 1 + |a|^2 / s^2
 * </pre>
 * The encoder is set to the exact posterior (optionally shifted), so every importance weight is
 * p(x) and the ELBO is log p(x).
 */
final class LinearGaussianModel {

    static final double[] A = {1.0, -0.5, 0.8, 0.3};
    static final double[] C = {0.2, -0.1, 0.4, 0.0};
    static final double S2 = 0.5;
    static final int D = A.length;

    private LinearGaussianModel() {
    }

    static double precision() {
        double aa = 0;
        for (double v : A) {
            aa += v * v;
        }
        return 1 + aa / S2;
    }

    /**
     * The model with the exact posterior as encoder, its mean moved by {@code muShift} and its
     * log-variance by {@code logvarShift} (0, 0: exact).
     */
    static Vae build(double muShift, double logvarShift) {
        Vae vae = Vae.builder(D).hidden(1).latent(1).activation(Activation.IDENTITY)
                .likelihood(GaussianLikelihood.withVariance(S2)).outputActivation(Activation.IDENTITY).build();
        double p = precision();
        float[] w1 = new float[D];
        double ac = 0;
        for (int j = 0; j < D; j++) {
            w1[j] = (float) (A[j] / (S2 * p));
            ac += A[j] * C[j];
        }
        float[] w4 = new float[D];
        float[] b4 = new float[D];
        for (int j = 0; j < D; j++) {
            w4[j] = (float) A[j];
            b4[j] = (float) C[j];
        }
        set(vae, "fc1.weight", w1);
        set(vae, "fc1.bias", (float) (-ac / (S2 * p)));
        set(vae, "fc_mu.weight", 1f);
        set(vae, "fc_mu.bias", (float) muShift);
        set(vae, "fc_logvar.weight", 0f);
        set(vae, "fc_logvar.bias", (float) (-Math.log(p) + logvarShift));
        set(vae, "fc3.weight", 1f);
        set(vae, "fc3.bias", 0f);
        set(vae, "fc4.weight", w4);
        set(vae, "fc4.bias", b4);
        return vae;
    }

    private static void set(Vae vae, String name, float... values) {
        EvalFixtures.parameter(vae, name).set(values);
    }

    /** log N(x; c, a a^T + s^2 I), by the determinant lemma and Sherman-Morrison. */
    static double logPx(FMatrixRMaj x, int row) {
        double aa = 0;
        double ar = 0;
        double rr = 0;
        for (int j = 0; j < D; j++) {
            double r = x.get(row, j) - C[j];
            aa += A[j] * A[j];
            ar += A[j] * r;
            rr += r * r;
        }
        double logDet = D * Math.log(S2) + Math.log(1 + aa / S2);
        double quad = (rr - ar * ar / (S2 + aa)) / S2;
        return -0.5 * (D * Math.log(2 * Math.PI) + logDet + quad);
    }

    /** The mean of {@link #logPx} over the rows. */
    static double meanLogPx(FMatrixRMaj x) {
        double s = 0;
        for (int i = 0; i < x.numRows; i++) {
            s += logPx(x, i);
        }
        return s / x.numRows;
    }

    /** n draws from the model: x = a z + c + s e. */
    static FMatrixRMaj sample(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        FMatrixRMaj x = new FMatrixRMaj(n, D);
        for (int i = 0; i < n; i++) {
            double z = rng.nextGaussian();
            for (int j = 0; j < D; j++) {
                x.set(i, j, (float) (A[j] * z + C[j] + Math.sqrt(S2) * rng.nextGaussian()));
            }
        }
        return x;
    }
}

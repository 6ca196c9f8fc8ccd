package org.vae4j;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.objective.Batch;
import org.vae4j.objective.NegativeElbo;
import org.vae4j.objective.StepContext;
import org.vae4j.random.Noise;
import org.vae4j.train.GradientFunction;

/** One gradient computation of the negative ELBO, as tests need it. */
public final class Steps {

    private Steps() {
    }

    /**
     * Checks x as the trainer does, then leaves the gradient of the negative ELBO with weight
     * {@code beta} in every parameter, with the given noise (null for an autoencoder).
     */
    public static Loss gradients(LatentModel model, FMatrixRMaj x, FMatrixRMaj eps, double beta) {
        model.checkData(x, "batch");
        StepContext ctx = new StepContext(new Noise(1)).set(1, 0, beta, x.numRows).fixedNoise(eps);
        return new GradientFunction(new NegativeElbo(), 1).compute(model, Batch.of(x), ctx);
    }

    /** As {@link #gradients(LatentModel, FMatrixRMaj, FMatrixRMaj, double)} with noise from the seed. */
    public static Loss gradients(LatentModel model, FMatrixRMaj x, double beta, long seed) {
        model.checkData(x, "batch");
        StepContext ctx = new StepContext(new Noise(seed)).set(1, 0, beta, x.numRows);
        return new GradientFunction(new NegativeElbo(), 1).compute(model, Batch.of(x), ctx);
    }
}

package org.vae4j.objective;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.random.CounterRandom;
import org.vae4j.random.Noise;

/**
 * Denoising (Vincent et al. 2008; Im et al. 2017 for VAEs): the encoder sees a corrupted copy of
 * each row and the inner objective scores the reconstruction against the clean row. Row r is
 * corrupted with draws from the stream ({@link Noise#CORRUPTION}, epoch, row id), so its
 * corruption does not depend on the batch it is in. Mutable (the corrupted buffer), not thread-safe.
 */
public final class Denoising implements Objective {

    private final Corruption corruption;
    private final Objective inner;
    private final FMatrixRMaj corrupted = new FMatrixRMaj(1, 1); // (batch, d)
    private final Batch view = new Batch();

    /**
     * Denoising around an objective.
     *
     * @param corruption the corruption applied to each row of the input, not null
     * @param inner      the objective computed on the corrupted input against the clean target, not null
     * @throws IllegalArgumentException if either is null
     */
    public Denoising(Corruption corruption, Objective inner) {
        if (corruption == null || inner == null) {
            throw new IllegalArgumentException("denoising needs a corruption and an inner objective");
        }
        this.corruption = corruption;
        this.inner = inner;
    }

    /** {@return the corruption applied to the input} */
    public Corruption corruption() {
        return corruption;
    }

    /** {@return the objective computed on the corrupted input against the clean target} */
    public Objective inner() {
        return inner;
    }

    @Override
    public Loss computeGradients(LatentModel model, Batch batch, StepContext context) {
        FMatrixRMaj clean = batch.input();
        final int d = clean.numCols;
        corrupted.reshape(clean.numRows, d);
        for (int r = 0; r < clean.numRows; r++) {
            CounterRandom rng = context.stream(Noise.CORRUPTION, batch.rowId(r), 0);
            corruption.applyRow(clean.data, corrupted.data, r * d, d, rng);
        }
        view.set(corrupted, batch.target(), batch.condition(), batch.mask(), batch.rowIds(), batch.rowOffset());
        return inner.computeGradients(model, view, context);
    }

    @Override
    public void checkModel(LatentModel model) {
        inner.checkModel(model);
    }

    @Override
    public String describe() {
        return inner.describe() + ", denoising " + corruption.describe();
    }
}

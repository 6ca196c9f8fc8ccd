package org.vae4j.train;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.ParameterStore;
import org.vae4j.objective.Batch;
import org.vae4j.objective.Objective;
import org.vae4j.objective.StepContext;

/**
 * The gradient of one batch, outside any training loop: (the model's parameters, the batch's
 * rows, the step context) to the loss and d(loss)/d(parameter) in every
 * {@link Parameter#gradArray()}. The {@link Trainer} is a loop over it plus the optimiser; a
 * data-parallel worker can call it with its own copy of the model.
 *
 * <p>With {@code microBatches} N &gt; 1 the batch of B rows is split into N consecutive
 * micro-batches whose sizes differ by at most one (the earlier ones larger). Each micro-batch's
 * gradient is computed into zeroed gradients, scaled by 1/B (not by its own size), and the N
 * gradients are summed in index order, ((g0 + g1) + g2) + ..., in float32. N = 1 is one pass
 * over the whole batch. This is the exact definition that a distributed run reproduces.
 *
 * <p>Mutable (its buffers), not thread-safe: one per thread.
 */
public final class GradientFunction {

    private final Objective objective;
    private final int microBatches;
    private final Batch part = new Batch();
    private final FMatrixRMaj partInput = new FMatrixRMaj(1, 1);  // (micro rows, d)
    private final FMatrixRMaj partTarget = new FMatrixRMaj(1, 1); // (micro rows, d)
    private final FMatrixRMaj partCondition = new FMatrixRMaj(1, 1); // (micro rows, c)
    private final FMatrixRMaj partMask = new FMatrixRMaj(1, 1);   // (micro rows, d)
    private float[] sums = new float[0];                          // (parameters) flat, the running sum

    /**
     * A gradient function over {@code objective}, splitting each batch into {@code microBatches} micro-batches.
     *
     * @param objective    computes each (micro-)batch's loss and gradients
     * @param microBatches N &gt;= 1
     * @throws IllegalArgumentException when the objective is null or N &lt; 1
     */
    public GradientFunction(Objective objective, int microBatches) {
        if (objective == null) {
            throw new IllegalArgumentException("objective must not be null");
        }
        if (microBatches <= 0) {
            throw new IllegalArgumentException("micro-batches must be positive, got " + microBatches);
        }
        this.objective = objective;
        this.microBatches = microBatches;
    }

    /** {@return the objective whose gradient is computed} */
    public Objective objective() {
        return objective;
    }

    /** {@return the number of micro-batches a batch is split into} */
    public int microBatches() {
        return microBatches;
    }

    /**
     * Zeroes every gradient, then leaves the batch's gradient in them.
     *
     * @param model   the model whose parameters' gradients are overwritten; its
     *                {@link LatentModel#inputSize()} must be the batch's width
     * @param batch   the batch's rows (input, target, condition, mask, row ids), not modified; a
     *                batch of fewer rows than micro-batches is split into one-row micro-batches
     * @param context its {@link StepContext#batchSize()} must be the batch's row count
     * @return the loss per example of the batch
     * @throws IllegalArgumentException for a batch of the wrong width or empty, or a context of
     *         another batch size; its values are not checked here (the trainer checks the whole
     *         data set once)
     */
    public Loss compute(LatentModel model, Batch batch, StepContext context) {
        final int rows = batch.rows();
        if (batch.input().numCols != model.inputSize()) {
            throw new IllegalArgumentException("batch has " + batch.input().numCols
                    + " columns but the model's input size is " + model.inputSize());
        }
        if (rows == 0) {
            throw new IllegalArgumentException("batch is empty (0 rows)");
        }
        if (context.batchSize() != rows) {
            throw new IllegalArgumentException("the step context's batch size is " + context.batchSize()
                    + " but the batch has " + rows + " rows");
        }
        ParameterStore store = model.parameterStore();
        model.zeroGrad();
        int n = Math.min(microBatches, rows);
        if (n == 1) {
            return objective.computeGradients(model, batch, context);
        }
        if (sums.length != store.size()) {
            sums = new float[store.size()];
        }
        double total = 0;
        double recon = 0;
        double kl = 0;
        int start = 0;
        for (int i = 0; i < n; i++) {
            int size = rows / n + (i < rows % n ? 1 : 0);
            if (i > 0) {
                model.zeroGrad();
            }
            Batch b = slice(batch, start, size);
            Loss l = objective.computeGradients(model, b, context);
            total += l.total();
            recon += l.reconstruction();
            kl += l.kl();
            if (i == 0) {
                store.copyGradientsTo(sums, 0);
            } else {
                store.addGradientsTo(sums, 0);
            }
            start += size;
        }
        store.setGradients(sums, 0);
        return new Loss(total, recon, kl);
    }

    private Batch slice(Batch batch, int start, int size) {
        FMatrixRMaj in = batch.input();
        int d = in.numCols;
        partInput.reshape(size, d);
        System.arraycopy(in.data, start * d, partInput.data, 0, size * d);
        FMatrixRMaj target = partInput;
        if (batch.target() != in) {
            partTarget.reshape(size, d);
            System.arraycopy(batch.target().data, start * d, partTarget.data, 0, size * d);
            target = partTarget;
        }
        FMatrixRMaj condition = null;
        if (batch.condition() != null) {
            FMatrixRMaj c = batch.condition();
            partCondition.reshape(size, c.numCols);
            System.arraycopy(c.data, start * c.numCols, partCondition.data, 0, size * c.numCols);
            condition = partCondition;
        }
        FMatrixRMaj mask = null;
        if (batch.mask() != null) {
            partMask.reshape(size, d);
            System.arraycopy(batch.mask().data, start * d, partMask.data, 0, size * d);
            mask = partMask;
        }
        return part.set(partInput, target, condition, mask, batch.rowIds(), batch.rowOffset() + start);
    }
}

package org.vae4j.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The position of a {@link TrainingRun} beyond the optimiser's step count: the validation
 * best and the early-stopping counter, and the best epoch's parameters, so that a checkpointed run
 * resumes exactly ({@link TrainingRun#restore}). Immutable (the arrays are copied on the way in and out).
 *
 * @param bestEpoch      the epoch of the lowest validation value (the earliest on ties); 0 before any
 * @param bestValue      its validation value (+infinity before any)
 * @param reference      the validation value of the last improvement of more than min-delta, which
 *                       the next must beat by min-delta (+infinity before any)
 * @param epochsWithoutImprovement epochs since that improvement (the patience counter)
 * @param stopped        whether the run was stopped (early stopping or a callback)
 * @param bestParameters the best epoch's parameter values, in {@code model.parameters()} order; empty before any
 */
public record TrainingProgress(int bestEpoch, double bestValue, double reference, int epochsWithoutImprovement, boolean stopped,
                               List<float[]> bestParameters) {

    /** Nothing trained yet. */
    public static final TrainingProgress NONE = new TrainingProgress(0, Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY, 0, false, List.of());

    /**
     * Checks the components and copies the arrays of {@code bestParameters}.
     *
     * @param bestEpoch                the epoch of the lowest validation value, &gt;= 0
     * @param bestValue                its validation value, not NaN
     * @param reference                the validation value of the last improvement of more than min-delta, not NaN
     * @param epochsWithoutImprovement the patience counter, &gt;= 0
     * @param stopped                  whether the run was stopped
     * @param bestParameters           the best epoch's parameter values, not null (copied)
     * @throws IllegalArgumentException when a count is negative, a value is NaN or the list is null
     */
    public TrainingProgress {
        if (bestEpoch < 0 || epochsWithoutImprovement < 0) {
            throw new IllegalArgumentException("best epoch and patience counter must be >= 0, got " + bestEpoch
                    + " and " + epochsWithoutImprovement);
        }
        if (Double.isNaN(bestValue) || Double.isNaN(reference)) {
            throw new IllegalArgumentException("best and reference values must not be NaN");
        }
        if (bestParameters == null) {
            throw new IllegalArgumentException("best parameters must not be null (use List.of())");
        }
        bestParameters = copy(bestParameters);
    }

    /** {@return a copy of the best epoch's parameter values, in {@code model.parameters()} order; empty before any} */
    @Override
    public List<float[]> bestParameters() {
        return copy(bestParameters);
    }

    private static List<float[]> copy(List<float[]> arrays) {
        List<float[]> c = new ArrayList<>(arrays.size());
        for (float[] a : arrays) {
            c.add(a.clone());
        }
        return List.copyOf(c);
    }
}

package org.vae4j.train;

/**
 * The best validation value and Keras's {@code EarlyStopping} counter, fed one epoch's value at a
 * time. The best epoch is the earliest with the lowest value (a strictly lower value replaces it);
 * independently, the counter is reset by an improvement of more than {@code minDelta} over the
 * value of the last such improvement (the reference) and otherwise grows by one; with patience
 * P &gt; 0 the run stops once it reaches P. So min-delta only decides when patience runs out,
 * never which epoch is best. Public for trainers outside this package (the Spark trainer) that
 * must stop exactly where {@link TrainingRun} does. Mutable, not thread-safe.
 */
public final class EarlyStopping {

    private final int patience;
    private final double minDelta;
    int bestEpoch;
    double bestValue = Double.POSITIVE_INFINITY;
    double reference = Double.POSITIVE_INFINITY;
    int wait;
    boolean stop;

    /**
     * A counter for {@link TrainerConfig#patience()} (0: never stop) and {@link TrainerConfig#minDelta()},
     * checked as {@link TrainerConfig} checks them (with the same messages), so a valid config's values
     * are always accepted.
     *
     * @param patience epochs without an improvement of more than {@code minDelta} before
     *                 {@link #shouldStop()} turns true, &gt;= 0; 0 never stops
     * @param minDelta the least decrease of the value that resets the counter, finite and &gt;= 0
     * @throws IllegalArgumentException for a negative patience, or a negative or non-finite min-delta
     */
    public EarlyStopping(int patience, double minDelta) {
        checkPatience(patience);
        checkMinDelta(minDelta);
        this.patience = patience;
        this.minDelta = minDelta;
    }

    /** The patience check of this class and {@link TrainerConfig}: &gt;= 0. */
    static void checkPatience(int patience) {
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0 (0 = no early stopping), got " + patience);
        }
    }

    /** The min-delta check of this class and {@link TrainerConfig}: finite and &gt;= 0. */
    static void checkMinDelta(double minDelta) {
        if (!(minDelta >= 0) || !Double.isFinite(minDelta)) {
            throw new IllegalArgumentException("min-delta must be finite and >= 0, got " + minDelta);
        }
    }

    /**
     * Takes the validation value of {@code epoch}: updates the best (strictly lower value) and the
     * counter (reset by a value below the reference minus min-delta, else incremented; stop once
     * it reaches the patience).
     *
     * @param epoch the 1-based epoch the value belongs to
     * @param value the epoch's validation value (lower is better); NaN is never an improvement
     * @return whether the value is a new best (strictly lower than every earlier one)
     */
    public boolean update(int epoch, double value) {
        boolean best = value < bestValue;
        if (best) {
            bestValue = value;
            bestEpoch = epoch;
        }
        if (value < reference - minDelta) {
            reference = value;
            wait = 0;
        } else {
            wait++;
            if (patience > 0 && wait >= patience) {
                stop = true;
            }
        }
        return best;
    }

    /** {@return the epoch of the lowest value so far (the earliest on ties); 0 before the first} */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** {@return the lowest value so far (+infinity before the first)} */
    public double bestValue() {
        return bestValue;
    }

    /** {@return the value of the last improvement of more than min-delta (+infinity before the first)} */
    public double reference() {
        return reference;
    }

    /** {@return the number of epochs since the last improvement of more than min-delta (the patience counter)} */
    public int epochsWithoutImprovement() {
        return wait;
    }

    /** {@return whether patience has run out (never with patience 0); stays true once set} */
    public boolean shouldStop() {
        return stop;
    }
}

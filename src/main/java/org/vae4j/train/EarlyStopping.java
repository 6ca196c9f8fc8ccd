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

    /** A counter for {@link TrainerConfig#patience()} (0: never stop) and {@link TrainerConfig#minDelta()}. */
    public EarlyStopping(int patience, double minDelta) {
        this.patience = patience;
        this.minDelta = minDelta;
    }

    /** Takes the value of {@code epoch}; returns whether it is a new best. */
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

    /** The epoch of the lowest value so far (the earliest on ties); 0 before the first. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The lowest value so far (+infinity before the first). */
    public double bestValue() {
        return bestValue;
    }

    /** The value of the last improvement of more than min-delta (+infinity before the first). */
    public double reference() {
        return reference;
    }

    /** Epochs since the last improvement of more than min-delta. */
    public int epochsWithoutImprovement() {
        return wait;
    }

    /** Whether patience has run out. */
    public boolean shouldStop() {
        return stop;
    }
}

package org.vae4j.train;

/**
 * Linear KL warm-up (Bowman et al. 2016; Sonderby et al. 2016): the KL weight rises from 0 to
 * its target over the first {@code steps} optimiser steps, a guard against posterior collapse.
 * <pre>
 *   beta(t) = target * min(1, t / steps)     t = steps already taken (0 for the first)
 * </pre>
 * With {@code steps == 0}, beta is the target from the start. The schedule with its target; the
 * trainer keeps a {@link KlSchedule} (which can also be cyclical) and the target apart. Immutable.
 *
 * @param target the KL weight after the warm-up (the configured beta), finite and &gt;= 0
 * @param steps  the warm-up length in optimiser steps, &gt;= 0 (0 = none)
 */
public record KlWarmup(double target, long steps) {

    /**
     * Checks the components.
     *
     * @param target the KL weight after the warm-up, finite and &gt;= 0
     * @param steps  the warm-up length in optimiser steps, &gt;= 0
     * @throws IllegalArgumentException when the target is not finite and &gt;= 0 or {@code steps < 0}
     */
    public KlWarmup {
        if (!(target >= 0) || !Double.isFinite(target)) {
            throw new IllegalArgumentException("beta must be finite and >= 0, got " + target);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("KL warm-up steps must be >= 0, got " + steps);
        }
    }

    /**
     * {@return the KL weight for the step taken after {@code t} earlier steps ({@link KlSchedule.Linear#beta}),
     * in [0, target]}
     *
     * @param t the number of optimiser steps already taken, &gt;= 0 (0 for the first step)
     * @throws IllegalArgumentException when {@code t < 0} for a warm-up of at least one step
     */
    public double beta(long t) {
        return schedule().beta(target, t);
    }

    /** {@return the schedule: {@link KlSchedule#linear(long)} of the steps} */
    public KlSchedule schedule() {
        return KlSchedule.linear(steps);
    }
}

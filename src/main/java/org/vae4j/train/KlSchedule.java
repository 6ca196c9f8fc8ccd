package org.vae4j.train;

/**
 * How the KL weight beta moves towards its target over the optimiser steps; {@code t} is the
 * number of steps already taken (0 for the first), {@code target} the configured beta:
 * <pre>
 *   constant             beta(t) = target
 *   linear:N             beta(t) = target * min(1, t / N)                     (Bowman et al. 2016; Sonderby et al. 2016)
 *   cyclical:N,R         beta(t) = target * min(1, (t mod N) / (R N))         (Fu et al. 2019, linear ramp)
 * </pre>
 * The cyclical schedule repeats cycles of N steps: beta starts each cycle at 0, rises linearly to
 * the target over its first R N steps and stays there until the cycle ends. {@link #parse} reads
 * the command-line spelling and {@link #spec()} writes it back (files store it). The schedule is a
 * function of the step count only, which checkpoints keep, so a resumed run has the same betas.
 * Implementations are immutable records and thread-safe.
 */
public sealed interface KlSchedule permits KlSchedule.Constant, KlSchedule.Linear, KlSchedule.Cyclical {

    /** {@return the constant schedule: beta is the target from the first step (one shared instance)} */
    static KlSchedule constant() {
        return Constant.INSTANCE;
    }

    /**
     * {@return a linear warm-up over {@code steps} steps, beta(t) = target * min(1, t / steps); 0
     * steps gives {@link #constant()}}
     *
     * @param steps the warm-up length N in optimiser steps, &gt;= 0
     * @throws IllegalArgumentException when {@code steps < 0}
     */
    static KlSchedule linear(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("KL warm-up steps must be >= 0, got " + steps);
        }
        return steps == 0 ? Constant.INSTANCE : new Linear(steps);
    }

    /**
     * Cyclical annealing: cycles of {@code steps} steps, beta rising over the first
     * {@code ratio} fraction of each.
     *
     * @param steps the cycle length N in optimiser steps, &gt;= 1
     * @param ratio R in (0, 1], the rising fraction of each cycle
     * @return the cyclical schedule
     * @throws IllegalArgumentException when {@code steps < 1} or R is outside (0, 1]
     */
    static KlSchedule cyclical(long steps, double ratio) {
        return new Cyclical(steps, ratio);
    }

    /**
     * Parses {@code constant}, {@code linear:STEPS} or {@code cyclical:STEPS,RATIO}.
     *
     * @param spec the spelling, case-insensitive, surrounding spaces ignored (as {@link #spec()} writes it)
     * @return the schedule ({@code linear:0} is {@link #constant()})
     * @throws IllegalArgumentException naming the spelling and what is wrong with it
     */
    static KlSchedule parse(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("KL schedule must not be null (use \"constant\")");
        }
        String s = spec.trim().toLowerCase();
        try {
            if (s.equals("constant")) {
                return constant();
            }
            if (s.startsWith("linear:")) {
                return linear(Long.parseLong(s.substring(7).trim()));
            }
            if (s.startsWith("cyclical:")) {
                String[] parts = s.substring(9).split(",");
                if (parts.length == 2) {
                    return cyclical(Long.parseLong(parts[0].trim()), Double.parseDouble(parts[1].trim()));
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("KL schedule '" + spec + "': " + e.getMessage()
                    + " is not a number; expected constant, linear:STEPS or cyclical:STEPS,RATIO");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("KL schedule '" + spec + "': " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("KL schedule '" + spec
                + "' is not constant, linear:STEPS or cyclical:STEPS,RATIO");
    }

    /**
     * {@return the KL weight of the step taken after {@code t} earlier steps, for the target beta
     * {@code target}; between 0 and the target}
     *
     * @param target the configured beta, finite and &gt;= 0
     * @param t      the number of optimiser steps already taken, &gt;= 0 (0 for the first step)
     * @throws IllegalArgumentException when {@code t < 0} (the linear and cyclical schedules; the
     *                                  constant one is the target at every step)
     */
    double beta(double target, long t);

    /** {@return the spelling {@link #parse} reads, e.g. {@code cyclical:1000,0.5}} */
    String spec();

    /** {@return whether beta is the target at every step} */
    default boolean isConstant() {
        return this instanceof Constant;
    }

    /** beta = target; the one instance is {@link #constant()}. */
    record Constant() implements KlSchedule {
        static final Constant INSTANCE = new Constant();

        @Override
        public double beta(double target, long t) {
            return target;
        }

        @Override
        public String spec() {
            return "constant";
        }
    }

    /**
     * beta = target * min(1, t / steps): the linear warm-up ({@link KlWarmup}).
     *
     * @param steps the warm-up length N in optimiser steps, &gt;= 1
     */
    record Linear(long steps) implements KlSchedule {
        /**
         * Checks the length ({@link #linear(long)} also takes 0, as {@link #constant()}).
         *
         * @param steps the warm-up length N in optimiser steps, &gt;= 1
         * @throws IllegalArgumentException when {@code steps < 1}
         */
        public Linear {
            if (steps < 1) {
                throw new IllegalArgumentException("a linear KL schedule needs STEPS >= 1, got " + steps
                        + " (use constant for none)");
            }
        }

        /**
         * {@inheritDoc}
         *
         * @throws IllegalArgumentException when {@code t < 0}
         */
        @Override
        public double beta(double target, long t) {
            checkStep(t);
            return t >= steps ? target : target * ((double) t / steps);
        }

        @Override
        public String spec() {
            return "linear:" + steps;
        }
    }

    /**
     * beta = target * min(1, (t mod steps) / (ratio * steps)) (Fu et al. 2019).
     *
     * @param steps the cycle length N in optimiser steps, &gt;= 1
     * @param ratio R in (0, 1], the rising fraction of each cycle
     */
    record Cyclical(long steps, double ratio) implements KlSchedule {
        /**
         * Checks the components.
         *
         * @param steps the cycle length N in optimiser steps, &gt;= 1
         * @param ratio R in (0, 1], the rising fraction of each cycle
         * @throws IllegalArgumentException when {@code steps < 1} or R is outside (0, 1]
         */
        public Cyclical {
            if (steps < 1) {
                throw new IllegalArgumentException("a cyclical KL schedule needs STEPS >= 1 (the cycle length), got "
                        + steps);
            }
            if (!(ratio > 0 && ratio <= 1)) {
                throw new IllegalArgumentException("a cyclical KL schedule needs RATIO in (0, 1] (the rising part of "
                        + "each cycle), got " + ratio);
            }
        }

        /**
         * {@inheritDoc}
         *
         * @throws IllegalArgumentException when {@code t < 0}
         */
        @Override
        public double beta(double target, long t) {
            checkStep(t);
            double rise = ratio * steps;
            double tau = t % steps;
            return tau >= rise ? target : target * (tau / rise);
        }

        @Override
        public String spec() {
            return "cyclical:" + steps + "," + ratio;
        }
    }

    /** The step check of the schedules that depend on it. */
    private static void checkStep(long t) {
        if (t < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + t);
        }
    }
}

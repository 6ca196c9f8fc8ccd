package org.vae4j.optim;

/**
 * The learning-rate schedules, stepped once per optimiser step, and the parser for their command
 * line spelling. With {@code t} the number of steps already taken (0 for the first), base rate
 * {@code lr0}:
 * <pre>
 *   constant         lr(t) = lr0                                         MultiplicativeLR(1.0)
 *   step:E,gamma     lr(t) = lr0 * gamma^floor(t / (S * E))               StepLR(step_size=E, gamma), stepped per epoch
 *   cosine           lr(t) = lr0 * (1 + cos(pi * t / T)) / 2,  0 &lt;= t &lt; T   CosineAnnealingLR(T_max=T, eta_min=0), per step
 *   warm-up N        lr(t) = inner(t) * (t + 1) / N  for t &lt; N, else inner(t)
 *                                                   LinearLR(start_factor=1/N, total_iters=N-1), per step, chained
 * </pre>
 * {@code S} is the number of optimiser steps per epoch and {@code T} the run's total number of
 * steps. The warm-up multiplies any schedule (PyTorch: both schedulers stepped on one optimiser,
 * as {@code ChainedScheduler} does), so the inner schedule keeps counting from the run's first
 * step: a step decay still falls on epoch boundaries and a cosine still ends at step {@code T}.
 * The first step uses {@code lr0 / N}, never 0. The values agree with PyTorch's schedulers to
 * 1e-12 relative ({@code LearningRateScheduleTest}). All schedules are immutable and validated on
 * creation; bad values give an {@link IllegalArgumentException} that names the setting.
 */
public final class LearningRateSchedules {

    private LearningRateSchedules() {
    }

    /**
     * {@return the same rate on every step}
     *
     * @param baseLr the learning rate, positive and finite
     * @throws IllegalArgumentException if {@code baseLr} is not positive and finite
     */
    public static LearningRateSchedule constant(double baseLr) {
        return new Constant(Optimizer.checkLearningRate(baseLr));
    }

    /**
     * {@return the rate multiplied by {@code gamma} every {@code epochs} epochs of {@code stepsPerEpoch}
     * optimiser steps, as {@code torch.optim.lr_scheduler.StepLR(step_size=epochs, gamma)}
     * stepped once per epoch}
     *
     * @param baseLr        the rate of the first {@code epochs} epochs, positive and finite
     * @param stepsPerEpoch optimiser steps in one epoch (batches, counting a short last one), &gt;= 1
     * @param epochs        epochs between decays, &gt;= 1
     * @param gamma         the factor, in (0, 1]
     * @throws IllegalArgumentException for a value out of range, or a period
     *         ({@code stepsPerEpoch * epochs}) that overflows a long
     */
    public static LearningRateSchedule stepDecay(double baseLr, long stepsPerEpoch, int epochs, double gamma) {
        Optimizer.checkLearningRate(baseLr);
        checkStepsPerEpoch(stepsPerEpoch);
        if (epochs < 1) {
            throw new IllegalArgumentException("step decay needs EPOCHS >= 1 (epochs between decays), got " + epochs);
        }
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("step decay GAMMA must be in (0, 1], got " + gamma);
        }
        final long period;
        try {
            period = Math.multiplyExact(stepsPerEpoch, (long) epochs);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("step decay period of " + epochs + " epochs of " + stepsPerEpoch
                    + " steps overflows a long");
        }
        return new StepDecay(baseLr, stepsPerEpoch, epochs, gamma, period);
    }

    /**
     * Cosine annealing from {@code baseLr} towards 0 over the run's {@code totalSteps} steps, as
     * {@code torch.optim.lr_scheduler.CosineAnnealingLR(T_max=totalSteps, eta_min=0)} stepped
     * per step. {@code lr(t)} is defined for {@code 0 <= t < totalSteps} (where it is positive);
     * later steps are an error, since the run was said to end.
     *
     * @param baseLr     the rate of the first step, positive and finite
     * @param totalSteps the run's number of optimiser steps, &gt;= 1
     * @return the cosine schedule
     * @throws IllegalArgumentException for a value out of range
     */
    public static LearningRateSchedule cosine(double baseLr, long totalSteps) {
        Optimizer.checkLearningRate(baseLr);
        if (totalSteps < 1) {
            throw new IllegalArgumentException("the cosine schedule needs the run's total steps >= 1, got " + totalSteps);
        }
        return new Cosine(baseLr, totalSteps);
    }

    /**
     * {@code inner} with a linear warm-up: {@code inner.lr(t) * (t + 1) / warmupSteps} for
     * {@code t < warmupSteps}. 0 steps returns {@code inner} itself (1 step changes nothing either).
     * The result's {@link LearningRateSchedule#baseLearningRate()} is {@code inner}'s.
     *
     * @param inner       the schedule to warm up, not null
     * @param warmupSteps the number of warm-up steps, &gt;= 0
     * @return the warmed-up schedule, or {@code inner} for 0 steps
     * @throws IllegalArgumentException for a null schedule or a negative count
     */
    public static LearningRateSchedule warmup(LearningRateSchedule inner, long warmupSteps) {
        if (inner == null) {
            throw new IllegalArgumentException("the schedule to warm up must not be null");
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        }
        return warmupSteps == 0 ? inner : new Warmup(inner, warmupSteps);
    }

    /**
     * Parses the command line spelling {@code constant}, {@code step:EPOCHS,GAMMA} (e.g.
     * {@code step:10,0.5}) or {@code cosine}, surrounding white space ignored.
     *
     * @param spec          the spelling, not null
     * @param baseLr        the base learning rate
     * @param stepsPerEpoch optimiser steps per epoch (used by {@code step})
     * @param totalSteps    the run's total optimiser steps (used by {@code cosine})
     * @return the schedule the spelling names
     * @throws IllegalArgumentException for a null, unknown or malformed spelling or bad values
     */
    public static LearningRateSchedule parse(String spec, double baseLr, long stepsPerEpoch, long totalSteps) {
        if (spec == null) {
            throw new IllegalArgumentException("learning-rate schedule must not be null; " + SPELLINGS);
        }
        final String s = spec.trim();
        if (s.equals("constant")) {
            return constant(baseLr);
        }
        if (s.equals("cosine")) {
            return cosine(baseLr, totalSteps);
        }
        if (s.startsWith("step:")) {
            String[] parts = s.substring("step:".length()).split(",", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("step schedule is step:EPOCHS,GAMMA (e.g. step:10,0.5), got '"
                        + spec + "'");
            }
            final int epochs;
            final double gamma;
            try {
                epochs = Integer.parseInt(parts[0].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("step schedule '" + spec + "': EPOCHS must be a whole number >= 1, got '"
                        + parts[0].trim() + "'");
            }
            try {
                gamma = Double.parseDouble(parts[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("step schedule '" + spec + "': GAMMA must be a number in (0, 1], got '"
                        + parts[1].trim() + "'");
            }
            return stepDecay(baseLr, stepsPerEpoch, epochs, gamma);
        }
        throw new IllegalArgumentException("unknown learning-rate schedule '" + spec + "'; " + SPELLINGS);
    }

    /**
     * {@link #parse(String, double, long, long)} then {@link #warmup} over {@code warmupSteps}
     * (the {@code --lr-warmup-steps} option; 0 for none).
     *
     * @param spec          the spelling, as for {@link #parse(String, double, long, long)}
     * @param baseLr        the base learning rate
     * @param stepsPerEpoch optimiser steps per epoch (used by {@code step})
     * @param totalSteps    the run's total optimiser steps, warm-up included (used by {@code cosine})
     * @param warmupSteps   the number of warm-up steps, &gt;= 0
     * @return the schedule, warmed up when {@code warmupSteps > 0}
     * @throws IllegalArgumentException for a bad spelling or value, or a negative warm-up count
     */
    public static LearningRateSchedule parse(String spec, double baseLr, long stepsPerEpoch, long totalSteps,
                                             long warmupSteps) {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        }
        return warmup(parse(spec, baseLr, stepsPerEpoch, totalSteps), warmupSteps);
    }

    private static final String SPELLINGS = "expected constant, step:EPOCHS,GAMMA (e.g. step:10,0.5) or cosine";

    private static void checkStepsPerEpoch(long stepsPerEpoch) {
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException("steps per epoch must be >= 1, got " + stepsPerEpoch);
        }
    }

    private static long checkStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        return step;
    }

    private record Constant(double baseLearningRate) implements LearningRateSchedule {
        @Override
        public double lr(long step) {
            checkStep(step);
            return baseLearningRate;
        }

        @Override
        public String describe() {
            return "constant(lr=" + baseLearningRate + ")";
        }
    }

    private record StepDecay(double baseLearningRate, long stepsPerEpoch, int epochs, double gamma, long period)
            implements LearningRateSchedule {
        @Override
        public double lr(long step) {
            return baseLearningRate * Math.pow(gamma, checkStep(step) / period);
        }

        @Override
        public String describe() {
            return "step(lr=" + baseLearningRate + ", gamma=" + gamma + " every " + epochs + " epochs of "
                    + stepsPerEpoch + " steps)";
        }
    }

    private record Cosine(double baseLearningRate, long totalSteps) implements LearningRateSchedule {
        @Override
        public double lr(long step) {
            if (checkStep(step) >= totalSteps) {
                throw new IllegalArgumentException("the cosine schedule covers steps 0 to " + (totalSteps - 1)
                        + " (a run of " + totalSteps + " steps); asked for step " + step);
            }
            return baseLearningRate * (1 + Math.cos(Math.PI * step / totalSteps)) / 2;
        }

        @Override
        public String describe() {
            return "cosine(lr=" + baseLearningRate + ", steps=" + totalSteps + ")";
        }
    }

    private record Warmup(LearningRateSchedule inner, long warmupSteps) implements LearningRateSchedule {
        @Override
        public double lr(long step) {
            double lr = inner.lr(step);
            return step < warmupSteps ? lr * ((step + 1) / (double) warmupSteps) : lr;
        }

        @Override
        public double baseLearningRate() {
            return inner.baseLearningRate();
        }

        @Override
        public String describe() {
            return inner.describe() + " with " + warmupSteps + " warm-up steps";
        }
    }
}

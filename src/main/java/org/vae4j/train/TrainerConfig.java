package org.vae4j.train;

import org.vae4j.ModelBuilder;
import org.vae4j.objective.Corruption;
import org.vae4j.objective.NegativeElbo;
import org.vae4j.objective.NegativeIwaeBound;
import org.vae4j.objective.Objective;
import org.vae4j.optim.Adam;
import org.vae4j.optim.AdamW;
import org.vae4j.optim.LearningRateSchedule;
import org.vae4j.optim.LearningRateSchedules;
import org.vae4j.optim.Optimizer;

/**
 * Every setting of a {@link Trainer}, validated on construction; each default is a constant
 * defined here once (the seed's is {@link ModelBuilder#DEFAULT_SEED}, shared with the models).
 * Make one with {@link Trainer#builder()} (or {@link #defaults()}); {@link Trainer#config()}
 * returns it. Immutable and thread-safe.
 *
 * @param epochs         epochs of a run in total, counted from the optimiser's first step (&gt;= 1)
 * @param batchSize      mini-batch size (&gt;= 1)
 * @param seed           seed of the shuffling, the noise and the validation split
 * @param beta           the KL weight (its target after any warm-up), finite and &gt;= 0
 * @param klSchedule     how beta moves to its target over the steps ({@link KlSchedule}: constant, linear
 *                       warm-up, cyclical)
 * @param corruption     the input corruption of denoising training ({@link Corruption#none()} for none)
 * @param microBatches   each batch's gradient as this many micro-batches (&gt;= 1)
 * @param validation     rows of the training matrix held out for validation: 0 for none, a whole
 *                       number &gt;= 1 for a count, a value in (0, 1) for a fraction of the rows
 * @param patience       early stopping: epochs without an improvement of more than
 *                       {@code minDelta} before training stops (0 = never stop early); needs a validation set
 * @param minDelta       the least decrease of the validation value that counts as an improvement (&gt;= 0)
 * @param restoreBest    with a validation set, put the parameters of the best epoch (lowest validation
 *                       value, the earliest on ties) back into the model when the run ends
 * @param learningRate   the base learning rate of the default optimiser and of the schedule
 * @param lrSchedule     {@code constant}, {@code step:EPOCHS,GAMMA} or {@code cosine} (see {@link LearningRateSchedules})
 * @param lrWarmupSteps  steps of the linear learning-rate warm-up (0 = none)
 * @param weightDecay    0 for Adam; &gt; 0 for AdamW with this decoupled weight decay
 * @param clipGradNorm   0 for none; &gt; 0 to clip the total gradient 2-norm to this before each step
 * @param objective      the objective of runs without an objective factory: {@code elbo} ({@link NegativeElbo})
 *                       or {@code iwae:K} ({@link NegativeIwaeBound} with K importance samples); iwae needs
 *                       beta 1 with a constant schedule and no free bits
 * @param freeBits       free bits lambda of the ELBO's KL term (0 = none; {@link NegativeElbo#NegativeElbo(double)});
 *                       needs whole batches (micro-batches 1)
 */
public record TrainerConfig(int epochs, int batchSize, long seed, double beta, KlSchedule klSchedule,
                            Corruption corruption, int microBatches, double validation, int patience,
                            double minDelta, boolean restoreBest, double learningRate, String lrSchedule,
                            long lrWarmupSteps, double weightDecay, double clipGradNorm, String objective,
                            double freeBits) {

    /** Default number of epochs. */
    public static final int DEFAULT_EPOCHS = 10;
    /** Default mini-batch size. */
    public static final int DEFAULT_BATCH_SIZE = 128;
    /** Default KL weight: 1, the ELBO. */
    public static final double DEFAULT_BETA = 1.0;
    /** Default learning rate: Adam's (PyTorch's). */
    public static final double DEFAULT_LEARNING_RATE = Adam.DEFAULT_LR;
    /** Default learning-rate schedule. */
    public static final String DEFAULT_LR_SCHEDULE = "constant";
    /** Default objective: the negative ELBO. */
    public static final String DEFAULT_OBJECTIVE = "elbo";

    /**
     * Validates every setting (the class comment describes each) and normalises the spellings:
     * {@code lrSchedule} trimmed, {@code objective} trimmed and lower-cased ({@code iwae: 5} becomes
     * {@code iwae:5}).
     *
     * @param epochs        epochs of a run in total (&gt;= 1)
     * @param batchSize     mini-batch size (&gt;= 1)
     * @param seed          seed of the shuffling, the noise and the validation split
     * @param beta          the KL weight (its target after any warm-up), finite and &gt;= 0
     * @param klSchedule    how beta moves to its target, not null
     * @param corruption    the input corruption of denoising training, not null ({@link Corruption#none()} for none)
     * @param microBatches  micro-batches per batch (&gt;= 1)
     * @param validation    0, a whole number of rows &gt;= 1, or a fraction in (0, 1)
     * @param patience      epochs without improvement before stopping (&gt;= 0; 0 = never; &gt; 0 needs validation)
     * @param minDelta      least decrease that counts as an improvement, finite and &gt;= 0
     * @param restoreBest   whether the best epoch's parameters are put back at the end (with a validation set)
     * @param learningRate  the base learning rate, positive and finite
     * @param lrSchedule    {@code constant}, {@code step:EPOCHS,GAMMA} or {@code cosine}, not null (trimmed)
     * @param lrWarmupSteps steps of the linear learning-rate warm-up (&gt;= 0)
     * @param weightDecay   AdamW's decoupled weight decay, finite and &gt;= 0, with learningRate * weightDecay
     *                      &lt; 1 (0 = Adam)
     * @param clipGradNorm  the gradient 2-norm clip, finite and &gt;= 0 (0 = none)
     * @param objective     {@code elbo} or {@code iwae:K} (K &gt;= 1), case-insensitive; iwae needs beta 1, a
     *                      constant schedule and no free bits
     * @param freeBits      free bits lambda, finite and &gt;= 0 (0 = none); &gt; 0 needs the elbo objective and
     *                      1 micro-batch
     * @throws IllegalArgumentException naming the setting and its value, for any value out of range
     *                                  or combination refused
     */
    public TrainerConfig {
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be positive, got " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        new KlWarmup(beta, 0); // checks beta
        if (klSchedule == null) {
            throw new IllegalArgumentException("KL schedule must not be null (use KlSchedule.constant())");
        }
        if (corruption == null) {
            throw new IllegalArgumentException("corruption must not be null (use Corruption.none())");
        }
        if (microBatches <= 0) {
            throw new IllegalArgumentException("micro-batches must be positive, got " + microBatches);
        }
        if (!(validation >= 0) || !Double.isFinite(validation) || (validation >= 1 && validation != Math.rint(validation))
                || validation > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("validation must be 0 (none), a whole number of rows >= 1 or a "
                    + "fraction in (0, 1), got " + validation);
        }
        EarlyStopping.checkPatience(patience);
        if (patience > 0 && validation == 0) {
            throw new IllegalArgumentException("patience " + patience + " needs a validation set (validation > 0)");
        }
        EarlyStopping.checkMinDelta(minDelta);
        Optimizer.checkLearningRate(learningRate);
        if (lrWarmupSteps < 0) {
            throw new IllegalArgumentException("learning-rate warm-up steps must be >= 0, got " + lrWarmupSteps);
        }
        if (lrSchedule == null) {
            throw new IllegalArgumentException("learning-rate schedule must not be null (use \"constant\")");
        }
        lrSchedule = lrSchedule.trim();
        LearningRateSchedules.parse(lrSchedule, learningRate, 1, 1, lrWarmupSteps); // checks the spelling
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be finite and >= 0, got " + weightDecay);
        }
        if (weightDecay > 0 && !(learningRate * weightDecay < 1)) {
            throw new IllegalArgumentException("weight decay " + weightDecay + " times the learning rate "
                    + learningRate + " must be < 1");
        }
        if (!(clipGradNorm >= 0) || !Double.isFinite(clipGradNorm)) {
            throw new IllegalArgumentException("clip-grad-norm must be finite and >= 0 (0 = no clipping), got "
                    + clipGradNorm);
        }
        objective = objective == null ? null : objective.trim().toLowerCase();
        int k = importanceSamples(objective); // checks the spelling
        if (k > 0) {
            objective = "iwae:" + k;
        }
        if (!(freeBits >= 0) || !Double.isFinite(freeBits)) {
            throw new IllegalArgumentException("free bits must be finite and >= 0 (0 = none), got " + freeBits);
        }
        if (k > 0 && freeBits > 0) {
            throw new IllegalArgumentException("free bits (" + freeBits + ") clamp the ELBO's KL term, which the "
                    + objective + " objective does not have: use free bits with the elbo objective");
        }
        if (k > 0 && (beta != 1 || !klSchedule.isConstant())) {
            throw new IllegalArgumentException("the " + objective + " objective is a bound on log p(x) only with "
                    + "beta 1 at every step; got beta " + beta + " with the KL schedule " + klSchedule.spec());
        }
        if (freeBits > 0 && microBatches > 1) {
            throw new IllegalArgumentException("free bits take each latent dimension's KL averaged over the whole "
                    + "batch, which " + microBatches + " micro-batches do not see at once: use 1 micro-batch");
        }
    }

    /**
     * The settings of the first file format (a linear KL warm-up of {@code klWarmupSteps} steps,
     * the ELBO objective, no free bits).
     *
     * @param epochs        epochs of a run in total (&gt;= 1)
     * @param batchSize     mini-batch size (&gt;= 1)
     * @param seed          seed of the shuffling, the noise and the validation split
     * @param beta          the KL weight (its target after any warm-up), finite and &gt;= 0
     * @param klWarmupSteps steps of a linear KL warm-up (&gt;= 0; 0 = constant beta)
     * @param corruption    the input corruption of denoising training, not null ({@link Corruption#none()} for none)
     * @param microBatches  micro-batches per batch (&gt;= 1)
     * @param validation    0, a whole number of rows &gt;= 1, or a fraction in (0, 1)
     * @param patience      epochs without improvement before stopping (&gt;= 0; 0 = never; &gt; 0 needs validation)
     * @param minDelta      least decrease that counts as an improvement, finite and &gt;= 0
     * @param restoreBest   whether the best epoch's parameters are put back at the end (with a validation set)
     * @param learningRate  the base learning rate, positive and finite
     * @param lrSchedule    {@code constant}, {@code step:EPOCHS,GAMMA} or {@code cosine}, not null (trimmed)
     * @param lrWarmupSteps steps of the linear learning-rate warm-up (&gt;= 0)
     * @param weightDecay   AdamW's decoupled weight decay, finite and &gt;= 0, with learningRate * weightDecay
     *                      &lt; 1 (0 = Adam)
     * @param clipGradNorm  the gradient 2-norm clip, finite and &gt;= 0 (0 = none)
     * @throws IllegalArgumentException naming the setting and its value, for any value out of range
     */
    public TrainerConfig(int epochs, int batchSize, long seed, double beta, long klWarmupSteps,
                         Corruption corruption, int microBatches, double validation, int patience,
                         double minDelta, boolean restoreBest, double learningRate, String lrSchedule,
                         long lrWarmupSteps, double weightDecay, double clipGradNorm) {
        this(epochs, batchSize, seed, beta, KlSchedule.linear(klWarmupSteps), corruption, microBatches, validation,
                patience, minDelta, restoreBest, learningRate, lrSchedule, lrWarmupSteps, weightDecay, clipGradNorm,
                DEFAULT_OBJECTIVE, 0);
    }

    /**
     * K of an {@code iwae:K} objective, 0 for {@code elbo}.
     *
     * @param objective the spelling, case-insensitive, surrounding spaces ignored
     * @return K &gt;= 1 for {@code iwae:K}, 0 for {@code elbo}
     * @throws IllegalArgumentException for null, any other spelling, or K &lt; 1
     */
    public static int importanceSamples(String objective) {
        if (objective == null) {
            throw new IllegalArgumentException("objective must not be null (use \"elbo\")");
        }
        String o = objective.trim().toLowerCase();
        if (o.equals("elbo")) {
            return 0;
        }
        if (o.startsWith("iwae:")) {
            try {
                int k = Integer.parseInt(o.substring(5).trim());
                if (k >= 1) {
                    return k;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("objective '" + objective + "': K of iwae:K must be a whole number "
                    + ">= 1 (importance samples per example)");
        }
        throw new IllegalArgumentException("objective '" + objective + "' is not elbo or iwae:K");
    }

    /** {@return K of the {@code iwae:K} objective, 0 for the ELBO} */
    public int importanceSamples() {
        return importanceSamples(objective);
    }

    /**
     * {@return a new objective of these settings: {@link NegativeIwaeBound} for {@code iwae:K}, else
     * {@link NegativeElbo} with the free bits}
     */
    public Objective newObjective() {
        int k = importanceSamples();
        return k > 0 ? new NegativeIwaeBound(k) : new NegativeElbo(freeBits);
    }

    /** {@return the steps of a linear KL warm-up ({@link KlSchedule.Linear}); 0 for a constant or cyclical schedule} */
    public long klWarmupSteps() {
        return klSchedule instanceof KlSchedule.Linear l ? l.steps() : 0;
    }

    /**
     * {@return every setting at its default: 10 epochs, batch 128, seed 42, beta 1, Adam 1e-3, no validation}
     */
    public static TrainerConfig defaults() {
        return new TrainerConfig(DEFAULT_EPOCHS, DEFAULT_BATCH_SIZE, ModelBuilder.DEFAULT_SEED, DEFAULT_BETA,
                KlSchedule.constant(), Corruption.none(), 1, 0, 0, 0, true, DEFAULT_LEARNING_RATE,
                DEFAULT_LR_SCHEDULE, 0, 0, 0, DEFAULT_OBJECTIVE, 0);
    }

    /**
     * {@return the KL weight of the step taken after {@code t} earlier steps: the schedule towards {@link #beta()}}
     *
     * @param t the number of optimiser steps already taken, &gt;= 0 (0 for the first step)
     */
    public double beta(long t) {
        return klSchedule.beta(beta, t);
    }

    /**
     * {@return the KL schedule as a linear warm-up (0 steps for a constant schedule)}
     *
     * @throws IllegalStateException for a cyclical schedule (use {@link #klSchedule()})
     */
    public KlWarmup klWarmup() {
        if (klSchedule instanceof KlSchedule.Cyclical) {
            throw new IllegalStateException("the KL schedule " + klSchedule.spec() + " is not a linear warm-up");
        }
        return new KlWarmup(beta, klWarmupSteps());
    }

    /**
     * {@return a new optimiser of these settings: {@link AdamW} if {@link #weightDecay()} &gt; 0, else {@link Adam}}
     */
    public Optimizer newOptimizer() {
        return weightDecay > 0 ? new AdamW(learningRate, weightDecay) : new Adam(learningRate);
    }

    /**
     * {@return whether the trainer sets the optimiser's learning rate before each step: for any schedule
     * but a constant one without warm-up (which leaves the optimiser's own rate alone, so an
     * optimiser made with another rate keeps it)}
     */
    public boolean schedulesLearningRate() {
        return !lrSchedule.equals("constant") || lrWarmupSteps > 0;
    }

    /**
     * {@return the learning-rate schedule of a run of {@code stepsPerEpoch} steps per epoch and
     * {@code totalSteps} steps, from {@link #learningRate()}}
     *
     * @param stepsPerEpoch optimiser steps per epoch, &gt;= 1 (the step schedule counts epochs in them)
     * @param totalSteps    optimiser steps of the whole run, &gt;= 1 (the cosine schedule's length)
     */
    public LearningRateSchedule schedule(long stepsPerEpoch, long totalSteps) {
        return LearningRateSchedules.parse(lrSchedule, learningRate, stepsPerEpoch, totalSteps, lrWarmupSteps);
    }

    /** {@return whether early stopping is on (patience &gt; 0)} */
    public boolean earlyStopping() {
        return patience > 0;
    }

    /**
     * {@return the number of validation rows held out of {@code rows} training rows: {@link #validation()}
     * itself if &gt;= 1, else the fraction of {@code rows} rounded to the nearest whole number; 0 when
     * {@link #validation()} is 0}
     *
     * @param rows the number of rows of the training matrix before the split
     * @throws IllegalArgumentException when that leaves no validation row or no training row
     */
    public int validationRows(int rows) {
        if (validation == 0) {
            return 0;
        }
        long v = validation >= 1 ? (long) validation : Math.round(validation * rows);
        if (v < 1 || v >= rows) {
            throw new IllegalArgumentException("validation " + validation + " of " + rows + " rows gives " + v
                    + " validation rows; need at least 1 and fewer than " + rows);
        }
        return (int) v;
    }
}

package org.vae4j.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.vae4j.Autoencoder;
import org.vae4j.ConditionalVae;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.io.Checkpoint;
import org.vae4j.io.TrainingState;
import org.vae4j.optim.LearningRateSchedules;
import org.vae4j.train.KlSchedule;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainerConfig;

/**
 * The flags of {@link TrainMnist} checked (each error names its flag), turned into the trainer's
 * {@link TrainerConfig}, and a resumed run's settings adopted from its checkpoint. Stateless.
 */
final class TrainMnistSettings {

    private TrainMnistSettings() {
    }

    static void check(TrainMnist o) throws TrainMnist.UsageException {
        if (!List.of("mnist", "fashion-mnist").contains(o.dataset)) {
            throw new TrainMnist.UsageException("--dataset must be mnist or fashion-mnist, got '" + o.dataset + "'");
        }
        positive("--epochs", o.epochs);
        positive("--batch-size", o.batchSize);
        if (o.latent != null) {
            positive("--latent", o.latent);
        }
        if (o.threads != null) {
            positive("--threads", o.threads);
        }
        if (o.hidden != null) {
            for (int w : o.hidden) {
                positive("--hidden", w);
            }
        }
        if (!(o.lr > 0) || !Double.isFinite(o.lr)) {
            throw new TrainMnist.UsageException("--lr must be positive, got " + o.lr);
        }
        if (!(o.beta >= 0) || !Double.isFinite(o.beta)) {
            throw new TrainMnist.UsageException("--beta must be >= 0, got " + o.beta);
        }
        if (o.warmupSteps < 0) {
            throw new TrainMnist.UsageException("--warmup-steps must be >= 0, got " + o.warmupSteps);
        }
        if (o.model == TrainMnist.ModelKind.ae && (o.given("--beta") || o.given("--warmup-steps"))) {
            throw new TrainMnist.UsageException("--beta and --warmup-steps apply to --model vae only");
        }
        if (!(o.validation >= 0) || !Double.isFinite(o.validation) || (o.validation >= 1 && o.validation != Math.rint(o.validation))) {
            throw new TrainMnist.UsageException("--validation must be a whole number of images >= 1, a fraction in (0, 1) or 0, "
                    + "got " + o.validation);
        }
        if (o.patience < 0) {
            throw new TrainMnist.UsageException("--patience must be >= 0, got " + o.patience);
        }
        if (o.patience > 0 && o.validation == 0) {
            throw new TrainMnist.UsageException("--patience needs a validation set (--validation N)");
        }
        if (!(o.minDelta >= 0) || !Double.isFinite(o.minDelta)) {
            throw new TrainMnist.UsageException("--min-delta must be >= 0, got " + o.minDelta);
        }
        if (o.lrWarmupSteps < 0) {
            throw new TrainMnist.UsageException("--lr-warmup-steps must be >= 0, got " + o.lrWarmupSteps);
        }
        if (!(o.weightDecay >= 0) || !Double.isFinite(o.weightDecay)) {
            throw new TrainMnist.UsageException("--weight-decay must be >= 0, got " + o.weightDecay);
        }
        if (!(o.clipGradNorm >= 0) || !Double.isFinite(o.clipGradNorm)) {
            throw new TrainMnist.UsageException("--clip-grad-norm must be >= 0 (0 = none), got " + o.clipGradNorm);
        }
        if (o.conditionScale != null && o.model != TrainMnist.ModelKind.cvae) {
            throw new TrainMnist.UsageException("--condition-scale applies to --model cvae only");
        }
        if (o.conditionScale != null && (!(o.conditionScale > 0) || !Float.isFinite(o.conditionScale.floatValue()))) {
            throw new TrainMnist.UsageException("--condition-scale must be finite and > 0, got " + o.conditionScale);
        }
        positive("--micro-batches", o.microBatches);
        positive("--iw-samples", o.iwSamples);
        checkObjective(o);
        try {
            LearningRateSchedules.parse(o.lrSchedule.trim(), o.lr, 1, 1, o.lrWarmupSteps);
        } catch (IllegalArgumentException e) {
            throw new TrainMnist.UsageException("--lr-schedule: " + e.getMessage());
        }
        try {
            trainerConfig(o);
        } catch (IllegalArgumentException e) { // a combination the trainer refuses: its message names the setting
            throw new TrainMnist.UsageException(e.getMessage());
        }
    }

    /** The trainer settings of the flags (after a resumed run's adoption). */
    static TrainerConfig trainerConfig(TrainMnist o) {
        return Trainer.builder().epochs(o.epochs).batchSize(o.batchSize).seed(o.seed).beta(o.beta)
                .klSchedule(klSchedule(o))
                .corruption(o.corruption).microBatches(o.microBatches).validation(o.validation).patience(o.patience)
                .minDelta(o.minDelta).learningRate(o.lr).lrSchedule(o.lrSchedule).lrWarmupSteps(o.lrWarmupSteps)
                .weightDecay(o.weightDecay).clipGradNorm(o.clipGradNorm)
                .objective(o.objective).freeBits(o.freeBits).buildConfig();
    }

    /** --kl-schedule, or its alias --warmup-steps N (linear:N). */
    static KlSchedule klSchedule(TrainMnist o) {
        KlSchedule s = KlSchedule.parse(o.klSchedule);
        return s.isConstant() ? KlSchedule.linear(o.warmupSteps) : s;
    }

    /** --objective, --free-bits and --kl-schedule, and the combinations without a meaning. */
    private static void checkObjective(TrainMnist o) throws TrainMnist.UsageException {
        int k;
        try {
            k = TrainerConfig.importanceSamples(o.objective);
            KlSchedule.parse(o.klSchedule);
        } catch (IllegalArgumentException e) {
            throw new TrainMnist.UsageException((o.given("--kl-schedule") ? "--kl-schedule: " : "--objective: ")
                    + e.getMessage());
        }
        if (o.given("--kl-schedule") && o.given("--warmup-steps")) {
            throw new TrainMnist.UsageException("--warmup-steps N is --kl-schedule linear:N: give one of them");
        }
        if (!(o.freeBits >= 0) || !Double.isFinite(o.freeBits)) {
            throw new TrainMnist.UsageException("--free-bits must be >= 0, got " + o.freeBits);
        }
        boolean ae = o.model == TrainMnist.ModelKind.ae;
        if (ae && k > 0) {
            throw new TrainMnist.UsageException("--objective " + o.objective + " needs --model vae or cvae: the IWAE bound "
                    + "weighs samples by log q(z|x), and an autoencoder's code is a point, not a distribution");
        }
        if (ae && (o.freeBits > 0 || o.given("--kl-schedule"))) {
            throw new TrainMnist.UsageException("--free-bits and --kl-schedule apply to --model vae and cvae only "
                    + "(an autoencoder has no KL term)");
        }
        if (k > 0 && o.freeBits > 0) {
            throw new TrainMnist.UsageException("--free-bits clamp the ELBO's KL term, which --objective "
                    + o.objective + " does not have: use --objective elbo");
        }
        if (k > 0 && (o.beta != 1 || !klSchedule(o).isConstant())) {
            throw new TrainMnist.UsageException("--objective " + o.objective + " is a bound on log p(x) only with "
                    + "beta 1 at every step: drop --beta, --warmup-steps and --kl-schedule");
        }
        if (o.freeBits > 0 && o.microBatches > 1) {
            throw new TrainMnist.UsageException("--free-bits take each dimension's KL averaged over the whole batch: "
                    + "they do not go with --micro-batches " + o.microBatches);
        }
    }

    private static void positive(String flag, long value) throws TrainMnist.UsageException {
        if (value <= 0) {
            throw new TrainMnist.UsageException(flag + " must be positive, got " + value);
        }
    }


    /**
     * A resumed run keeps the settings it started with: they come from the checkpoint, and a flag
     * given with another value is an error.
     */
    static void adopt(TrainMnist o, Checkpoint c) throws TrainMnist.UsageException {
        LatentModel m = c.model();
        TrainingState s = c.training();
        Map<String, String> meta = c.metadata();
        String where = " differs from the checkpoint's ";
        String why = ": a resumed run keeps the settings it was started with";
        TrainMnist.ModelKind kind = TrainMnist.ModelKind.valueOf(m.kind());
        int[] h = TrainMnist.hiddenSizes(m);
        int z = TrainingPictures.latentSize(m);
        String ds = meta.getOrDefault(TrainMnist.META_DATASET, o.dataset);
        boolean bin = Boolean.parseBoolean(meta.getOrDefault(TrainMnist.META_BINARISE, "false"));
        List<String> conflicts = new ArrayList<>();
        conflict(o, conflicts, "--model", o.model, kind);
        conflict(o, conflicts, "--hidden", o.hidden == null ? null : Arrays.toString(o.hidden), Arrays.toString(h));
        conflict(o, conflicts, "--latent", o.latent, z);
        if (m instanceof ConditionalVae cv) {
            conflict(o, conflicts, "--condition-scale", o.conditionScale == null ? null : o.conditionScale.floatValue(),
                    cv.conditionScale());
        }
        conflict(o, conflicts, "--dataset", o.dataset, ds);
        conflict(o, conflicts, "--batch-size", o.batchSize, s.batchSize());
        TrainerConfig saved = s.config();
        conflict(o, conflicts, "--lr", o.lr, saved.learningRate());
        conflict(o, conflicts, "--validation", o.validation, saved.validation());
        conflict(o, conflicts, "--patience", o.patience, saved.patience());
        conflict(o, conflicts, "--min-delta", o.minDelta, saved.minDelta());
        conflict(o, conflicts, "--lr-schedule", o.lrSchedule, saved.lrSchedule());
        conflict(o, conflicts, "--lr-warmup-steps", o.lrWarmupSteps, saved.lrWarmupSteps());
        conflict(o, conflicts, "--weight-decay", o.weightDecay, saved.weightDecay());
        conflict(o, conflicts, "--clip-grad-norm", o.clipGradNorm, saved.clipGradNorm());
        conflict(o, conflicts, "--micro-batches", o.microBatches, saved.microBatches());
        if (saved.lrSchedule().equals("cosine") && o.epochs != saved.epochs()) {
            conflicts.add("--epochs " + o.epochs + "|" + saved.epochs() + " (a cosine schedule ends at the run's last epoch)");
        }
        conflict(o, conflicts, "--beta", o.beta, s.beta());
        conflict(o, conflicts, "--warmup-steps", o.warmupSteps, s.klWarmupSteps());
        conflict(o, conflicts, "--kl-schedule", KlSchedule.parse(o.klSchedule).spec(), saved.klSchedule().spec());
        conflict(o, conflicts, "--objective", o.objective.trim().toLowerCase(), saved.objective());
        conflict(o, conflicts, "--free-bits", o.freeBits, saved.freeBits());
        conflict(o, conflicts, "--seed", o.seed, s.seed());
        conflict(o, conflicts, "--corruption", o.corruption, s.corruption());
        conflict(o, conflicts, "--binarise", o.binarise, bin);
        if (!conflicts.isEmpty()) {
            throw new TrainMnist.UsageException(String.join(", ", conflicts).replace("|", where) + why);
        }
        o.model = kind;
        o.hidden = h;
        o.latent = z;
        o.dataset = ds;
        o.batchSize = s.batchSize();
        o.lr = saved.learningRate();
        o.validation = saved.validation();
        o.patience = saved.patience();
        o.minDelta = saved.minDelta();
        o.lrSchedule = saved.lrSchedule();
        o.lrWarmupSteps = saved.lrWarmupSteps();
        o.weightDecay = saved.weightDecay();
        o.clipGradNorm = saved.clipGradNorm();
        o.microBatches = saved.microBatches();
        o.beta = s.beta();
        o.warmupSteps = s.klWarmupSteps();
        o.klSchedule = saved.klSchedule().spec();
        o.objective = saved.objective();
        o.freeBits = saved.freeBits();
        o.seed = s.seed();
        o.corruption = s.corruption();
        o.binarise = bin;
    }

    private static void conflict(TrainMnist o, List<String> conflicts, String flag, Object mine, Object theirs) {
        if (o.given(flag) && !Objects.equals(String.valueOf(mine), String.valueOf(theirs))) {
            conflicts.add(flag + " " + mine + "|" + theirs);
        }
    }

}

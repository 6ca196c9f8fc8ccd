package org.vae4j.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.vae4j.nn.Parameter;
import org.vae4j.objective.Corruption;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainerConfig;
import org.vae4j.train.TrainingProgress;

/**
 * The trainer settings beyond the first format's (epochs, micro-batches, validation, early
 * stopping, learning-rate schedule, weight decay, clipping, the KL schedule, the objective and free
 * bits) and a run's progress as metadata, and
 * the best epoch's parameters as checkpoint tensors {@code best.<parameter>} shaped like the
 * parameter. Each entry is optional on reading (older files lack them): a missing one takes the
 * {@link TrainerConfig#defaults() default} (the learning rate: the optimiser's, if recorded; the KL
 * schedule: a linear warm-up of the first format's {@code kl_warmup_steps}, which is still written,
 * 0 for a cyclical schedule). Stateless;
 * thread-safe.
 */
final class TrainingFiles {

    static final String BEST_PREFIX = "best.";
    static final String EPOCHS = ModelFiles.PREFIX + "epochs";
    static final String MICRO_BATCHES = ModelFiles.PREFIX + "micro_batches";
    static final String VALIDATION = ModelFiles.PREFIX + "validation";
    static final String PATIENCE = ModelFiles.PREFIX + "patience";
    static final String MIN_DELTA = ModelFiles.PREFIX + "min_delta";
    static final String RESTORE_BEST = ModelFiles.PREFIX + "restore_best";
    static final String LR = ModelFiles.PREFIX + "lr";
    static final String LR_SCHEDULE = ModelFiles.PREFIX + "lr_schedule";
    static final String LR_WARMUP_STEPS = ModelFiles.PREFIX + "lr_warmup_steps";
    static final String WEIGHT_DECAY = ModelFiles.PREFIX + "weight_decay";
    static final String CLIP_GRAD_NORM = ModelFiles.PREFIX + "clip_grad_norm";
    static final String KL_SCHEDULE = ModelFiles.PREFIX + "kl_schedule";
    static final String OBJECTIVE = ModelFiles.PREFIX + "objective";
    static final String FREE_BITS = ModelFiles.PREFIX + "free_bits";
    static final String BEST_EPOCH = ModelFiles.PREFIX + "best_epoch";
    static final String BEST_VALUE = ModelFiles.PREFIX + "best_value";
    static final String REFERENCE = ModelFiles.PREFIX + "improvement_reference";
    static final String WAIT = ModelFiles.PREFIX + "epochs_without_improvement";
    static final String STOPPED = ModelFiles.PREFIX + "stopped";
    static final String BEST_PARAMETERS = ModelFiles.PREFIX + "best_parameters";

    static final String BATCH_SIZE = ModelFiles.PREFIX + "batch_size";
    static final String BETA = ModelFiles.PREFIX + "beta";
    static final String KL_WARMUP_STEPS = ModelFiles.PREFIX + "kl_warmup_steps";
    static final String TRAINING_HISTORY = ModelFiles.PREFIX + "training_history";
    static final String CORRUPTION = ModelFiles.PREFIX + "corruption";
    static final String CORRUPTION_P = ModelFiles.PREFIX + "corruption_p";
    static final String CORRUPTION_SIGMA = ModelFiles.PREFIX + "corruption_sigma";
    static final String CORRUPTION_CLAMP = ModelFiles.PREFIX + "corruption_clamp";

    /** Every training entry of a file: the settings, the corruption, the new keys and the history. */
    static void writeAll(TrainingState training, Map<String, String> meta) {
        meta.put(ModelFiles.SEED, Long.toString(training.seed()));
        meta.put(BATCH_SIZE, Integer.toString(training.batchSize()));
        meta.put(BETA, Double.toString(training.beta()));
        meta.put(KL_WARMUP_STEPS, Long.toString(training.klWarmupSteps()));
        writeCorruption(training.corruption(), meta);
        write(training, meta);
        meta.put(TRAINING_HISTORY, MetadataJson.history(training.history()));
    }

    /** The training state a file records, if any ({@link ModelFiles#trainingState}). */
    static Optional<TrainingState> read(Map<String, String> metadata, Path file) throws ModelFileException {
        if (!metadata.containsKey(ModelFiles.SEED)) {
            return Optional.empty();
        }
        long seed = ModelFiles.parseLong(metadata, ModelFiles.SEED, file);
        long batch = ModelFiles.parseLong(metadata, BATCH_SIZE, file);
        if (batch <= 0 || batch > Integer.MAX_VALUE) {
            throw new ModelFileException(file, "metadata " + BATCH_SIZE + " = " + batch
                    + ": not a batch size (1 to " + Integer.MAX_VALUE + ")");
        }
        double beta = ModelFiles.parseDouble(metadata, BETA, file);
        long warmup = ModelFiles.parseLong(metadata, KL_WARMUP_STEPS, file);
        String history = metadata.get(TRAINING_HISTORY);
        try {
            TrainerConfig config = config(metadata, file, seed, (int) batch,
                    beta, warmup, readCorruption(metadata, file));
            return Optional.of(new TrainingState(config,
                    history == null ? List.of() : MetadataJson.parseHistory(history, TRAINING_HISTORY, file),
                    progress(metadata, file, List.of())));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, "invalid training metadata: " + e.getMessage(), e);
        }
    }

    private static void writeCorruption(Corruption c, Map<String, String> meta) {
        if (c instanceof Corruption.Masking) {
            meta.put(CORRUPTION, "masking");
            meta.put(CORRUPTION_P, Double.toString(((Corruption.Masking) c).p()));
        } else if (c instanceof Corruption.Gaussian) {
            Corruption.Gaussian g = (Corruption.Gaussian) c;
            meta.put(CORRUPTION, "gaussian");
            meta.put(CORRUPTION_SIGMA, Double.toString(g.sigma()));
            meta.put(CORRUPTION_CLAMP, Boolean.toString(g.clampToUnitInterval()));
        } else {
            meta.put(CORRUPTION, "none");
        }
    }

    /** The corruption recorded in metadata; none when absent. The record constructors check the values. */
    private static Corruption readCorruption(Map<String, String> meta, Path file) throws ModelFileException {
        String kind = meta.getOrDefault(CORRUPTION, "none");
        switch (kind) {
            case "none":
                return Corruption.none();
            case "masking":
                return Corruption.masking(ModelFiles.parseDouble(meta, CORRUPTION_P, file));
            case "gaussian":
                String clamp = Architecture.require(meta, CORRUPTION_CLAMP, file);
                if (!clamp.equals("true") && !clamp.equals("false")) {
                    throw new ModelFileException(file, "metadata " + CORRUPTION_CLAMP + " = '" + clamp
                            + "': expected true or false");
                }
                double sigma = ModelFiles.parseDouble(meta, CORRUPTION_SIGMA, file);
                return clamp.equals("true") ? Corruption.gaussian(sigma) : Corruption.gaussianUnclamped(sigma);
            default:
                throw new ModelFileException(file, "metadata " + CORRUPTION + " = '" + kind
                        + "': expected none, masking or gaussian");
        }
    }


    private TrainingFiles() {
    }

    /** Adds the settings and the progress's scalars (not its parameters) to {@code meta}. */
    static void write(TrainingState s, Map<String, String> meta) {
        TrainerConfig c = s.config();
        meta.put(EPOCHS, Integer.toString(c.epochs()));
        meta.put(MICRO_BATCHES, Integer.toString(c.microBatches()));
        meta.put(VALIDATION, Double.toString(c.validation()));
        meta.put(PATIENCE, Integer.toString(c.patience()));
        meta.put(MIN_DELTA, Double.toString(c.minDelta()));
        meta.put(RESTORE_BEST, Boolean.toString(c.restoreBest()));
        meta.put(LR, Double.toString(c.learningRate()));
        meta.put(LR_SCHEDULE, c.lrSchedule());
        meta.put(LR_WARMUP_STEPS, Long.toString(c.lrWarmupSteps()));
        meta.put(WEIGHT_DECAY, Double.toString(c.weightDecay()));
        meta.put(CLIP_GRAD_NORM, Double.toString(c.clipGradNorm()));
        meta.put(KL_SCHEDULE, c.klSchedule().spec());
        meta.put(OBJECTIVE, c.objective());
        meta.put(FREE_BITS, Double.toString(c.freeBits()));
        TrainingProgress p = s.progress();
        meta.put(BEST_EPOCH, Integer.toString(p.bestEpoch()));
        meta.put(BEST_VALUE, Double.toString(p.bestValue()));
        meta.put(REFERENCE, Double.toString(p.reference()));
        meta.put(WAIT, Integer.toString(p.epochsWithoutImprovement()));
        meta.put(STOPPED, Boolean.toString(p.stopped()));
    }

    /** Adds the best parameters, if any, as tensors (checkpoints only). */
    static void writeBest(TrainingProgress p, List<Parameter> params, Map<String, String> meta,
                          List<FloatTensor> tensors) {
        List<float[]> best = p.bestParameters();
        if (best.isEmpty()) {
            return;
        }
        if (best.size() != params.size()) {
            throw new IllegalArgumentException("the progress holds " + best.size() + " best parameters, the model "
                    + params.size());
        }
        meta.put(BEST_PARAMETERS, "true");
        for (int i = 0; i < params.size(); i++) {
            tensors.add(FloatTensor.wrap(BEST_PREFIX + params.get(i).name(), ModelFiles.torchShape(params.get(i)),
                    best.get(i)));
        }
    }

    /** The settings, the legacy ones given, the newer ones from {@code meta} or their defaults. */
    static TrainerConfig config(Map<String, String> meta, Path file, long seed, int batchSize, double beta,
                                long warmup, Corruption corruption) throws ModelFileException {
        TrainerConfig d = TrainerConfig.defaults();
        Trainer.Builder b = Trainer.builder().seed(seed).batchSize(batchSize).beta(beta).klWarmupSteps(warmup)
                .corruption(corruption);
        try {
            b.epochs((int) intOr(meta, EPOCHS, d.epochs(), file)).microBatches((int) intOr(meta, MICRO_BATCHES,
                    d.microBatches(), file))
                    .validation(doubleOr(meta, VALIDATION, d.validation(), file))
                    .patience((int) intOr(meta, PATIENCE, d.patience(), file))
                    .minDelta(doubleOr(meta, MIN_DELTA, d.minDelta(), file))
                    .restoreBest(boolOr(meta, RESTORE_BEST, d.restoreBest(), file))
                    .learningRate(doubleOr(meta, LR, doubleOr(meta, OptimizerFiles.LR, d.learningRate(), file), file))
                    .lrSchedule(meta.getOrDefault(LR_SCHEDULE, d.lrSchedule()))
                    .lrWarmupSteps(intOr(meta, LR_WARMUP_STEPS, d.lrWarmupSteps(), file))
                    .weightDecay(doubleOr(meta, WEIGHT_DECAY, d.weightDecay(), file))
                    .clipGradNorm(doubleOr(meta, CLIP_GRAD_NORM, d.clipGradNorm(), file))
                    .objective(meta.getOrDefault(OBJECTIVE, d.objective()))
                    .freeBits(doubleOr(meta, FREE_BITS, d.freeBits(), file));
            if (meta.containsKey(KL_SCHEDULE)) {
                b.klSchedule(meta.get(KL_SCHEDULE));
            }
            return b.buildConfig();
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, "invalid training metadata: " + e.getMessage(), e);
        }
    }

    /** The progress's scalars from {@code meta} with {@code best} parameters (NONE's when absent). */
    static TrainingProgress progress(Map<String, String> meta, Path file, List<float[]> best)
            throws ModelFileException {
        TrainingProgress n = TrainingProgress.NONE;
        try {
            return new TrainingProgress((int) intOr(meta, BEST_EPOCH, n.bestEpoch(), file),
                    doubleOr(meta, BEST_VALUE, n.bestValue(), file), doubleOr(meta, REFERENCE, n.reference(), file),
                    (int) intOr(meta, WAIT, n.epochsWithoutImprovement(), file),
                    boolOr(meta, STOPPED, n.stopped(), file), best);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, "invalid training progress metadata: " + e.getMessage(), e);
        }
    }

    /** The best-parameter tensors a checkpoint declares (name to shape), none if it declares none. */
    static Map<String, long[]> bestShapes(Map<String, String> meta, Map<String, long[]> params) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        if ("true".equals(meta.get(BEST_PARAMETERS))) {
            for (Map.Entry<String, long[]> p : params.entrySet()) {
                shapes.put(BEST_PREFIX + p.getKey(), p.getValue());
            }
        }
        return shapes;
    }

    /** The best parameters read, in the model's order; empty if the file has none. */
    static List<float[]> best(List<Parameter> params, Map<String, float[]> values) {
        List<float[]> best = new ArrayList<>();
        for (Parameter p : params) {
            float[] v = values.get(BEST_PREFIX + p.name());
            if (v == null) {
                return List.of();
            }
            best.add(v);
        }
        return best;
    }

    private static long intOr(Map<String, String> meta, String key, long dflt, Path file) throws ModelFileException {
        return meta.containsKey(key) ? ModelFiles.parseLong(meta, key, file) : dflt;
    }

    private static double doubleOr(Map<String, String> meta, String key, double dflt, Path file)
            throws ModelFileException {
        return meta.containsKey(key) ? ModelFiles.parseDouble(meta, key, file) : dflt;
    }

    private static boolean boolOr(Map<String, String> meta, String key, boolean dflt, Path file)
            throws ModelFileException {
        String s = meta.get(key);
        if (s == null) {
            return dflt;
        }
        if (!s.equals("true") && !s.equals("false")) {
            throw new ModelFileException(file, "metadata " + key + " = '" + s + "': expected true or false");
        }
        return s.equals("true");
    }
}

package org.vae4j.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vae4j.nn.Parameter;
import org.vae4j.objective.Corruption;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainerConfig;
import org.vae4j.train.TrainingProgress;

/**
 * The trainer settings beyond the first format's (epochs, micro-batches, validation, early
 * stopping, learning-rate schedule, weight decay, clipping) and a run's progress as metadata, and
 * the best epoch's parameters as checkpoint tensors {@code best.<parameter>} shaped like the
 * parameter. Each entry is optional on reading (older files lack them): a missing one takes the
 * {@link TrainerConfig#defaults() default} (the learning rate: the optimiser's, if recorded). Stateless;
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
    static final String BEST_EPOCH = ModelFiles.PREFIX + "best_epoch";
    static final String BEST_VALUE = ModelFiles.PREFIX + "best_value";
    static final String REFERENCE = ModelFiles.PREFIX + "improvement_reference";
    static final String WAIT = ModelFiles.PREFIX + "epochs_without_improvement";
    static final String STOPPED = ModelFiles.PREFIX + "stopped";
    static final String BEST_PARAMETERS = ModelFiles.PREFIX + "best_parameters";

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
                    .clipGradNorm(doubleOr(meta, CLIP_GRAD_NORM, d.clipGradNorm(), file));
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

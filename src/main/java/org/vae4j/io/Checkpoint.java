package org.vae4j.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.optim.Optimizer;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainingRun;
import org.vae4j.train.ValidationSplit;

/**
 * What {@link ModelFiles#loadCheckpoint} restores: the model, its optimiser with all its state,
 * the training settings, history and early-stopping progress, and the file's metadata. To resume:
 * <pre>{@code
 * Checkpoint c = ModelFiles.loadCheckpoint(path);
 * TrainingRun run = c.resume(data);   // or c.resume(c.training().trainerBuilder().callback(...).build(), data)
 * run.train();                        // the epochs left of the run, up to its config's epochs
 * }</pre>
 * A conditional model resumes with its conditions: {@code c.resume(trainer, ValidationSplit.split(data,
 * conditions, trainer.config()))}.
 * <p><b>Kernels.</b> A checkpoint records the kernels it was trained with ({@link #kernels()}); the
 * loaded model gets the recorded GEMM backend and thread count where this JVM has them (with a
 * warning when that is not the JVM's default), and a resume with other kernels logs one warning per
 * difference, saying whether the resumed run stays bit-identical to an uninterrupted one
 * ({@link #kernelDifferences()}; docs/ARCHITECTURE.md, Determinism).
 *
 * <p>The record is immutable; the model and optimiser it holds are mutable and not thread-safe.
 *
 * @param model     the model ({@link org.vae4j.Vae}, {@link org.vae4j.Autoencoder},
 *                  {@link org.vae4j.ConditionalVae}, or any kind with a registered {@link ModelCodec})
 * @param optimizer the optimiser ({@link org.vae4j.optim.Adam}, {@link org.vae4j.optim.AdamW} or
 *                  {@link org.vae4j.optim.Sgd}), with its step count and per-parameter state
 * @param training  the trainer settings, the history so far and the run's progress
 * @param metadata  every metadata entry of the file, unmodifiable
 */
public record Checkpoint(LatentModel model, Optimizer optimizer, TrainingState training,
                         Map<String, String> metadata) {

    /**
     * Copies the metadata into an unmodifiable map, keeping its order; the model and optimiser are kept as
     * they are.
     *
     * @param model     the model
     * @param optimizer the optimiser with its state
     * @param training  the trainer settings, history and progress
     * @param metadata  the file's metadata entries, not null
     * @throws NullPointerException for null metadata
     */
    public Checkpoint {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * {@link #resume(Trainer, FMatrixRMaj)} with a trainer of the saved settings and no listeners.
     *
     * @param data (n, inputSize) the training rows of the saved run (before its validation split), not modified
     * @return the run, positioned where it was saved; {@link TrainingRun#train()} trains the epochs left
     * @throws IllegalArgumentException for data the model does not accept, or a conditional model (use
     *                                  {@link #resume(Trainer, ValidationSplit)} with the conditions)
     */
    public TrainingRun resume(FMatrixRMaj data) {
        return resume(training.trainerBuilder().build(), data);
    }

    /**
     * {@return the saved run, continued: a run of {@code trainer} (normally of {@link TrainingState#trainerBuilder()},
     * plus listeners) on the same data as before (split again by the seed), with this optimiser
     * and the saved progress} Logs the kernel differences first ({@link #checkKernels()}).
     *
     * @param trainer the trainer to continue with; its settings should be the saved ones
     * @param data    (n, inputSize) the training rows of the saved run (before its validation split), not modified
     * @throws IllegalArgumentException for data the model does not accept, best parameters that do not match the
     *                                  model, or a conditional model (use {@link #resume(Trainer, ValidationSplit)})
     */
    public TrainingRun resume(Trainer trainer, FMatrixRMaj data) {
        if (model.conditionSize() != 0) {
            throw new IllegalArgumentException("the checkpoint's model is conditional (" + model.conditionSize()
                    + " condition columns) and resume(Trainer, FMatrixRMaj) has no conditions: use "
                    + "resume(Trainer, ValidationSplit) with ValidationSplit.split(data, conditions, trainer.config())"
                    + ", which splits them as the saved run did");
        }
        checkKernels();
        return trainer.start(model, data, optimizer).restore(training.progress());
    }

    /**
     * As {@link #resume(Trainer, FMatrixRMaj)} with an explicit training/validation split (with the
     * conditions of a conditional model).
     *
     * @param trainer the trainer to continue with; its settings should be the saved ones
     * @param split   the training and held-out rows (and conditions), not copied
     * @return the run, positioned where it was saved; {@link TrainingRun#train()} trains the epochs left
     * @throws IllegalArgumentException for conditions the model does not accept, or best parameters that do not
     *                                  match the model
     */
    public TrainingRun resume(Trainer trainer, ValidationSplit split) {
        checkKernels();
        return trainer.start(model, split, optimizer).restore(training.progress());
    }

    /**
     * {@return the kernels the checkpoint was trained with; empty for a checkpoint written before they were recorded}
     *
     * @throws IllegalStateException for a malformed kernel record in {@link #metadata()} (the message starts
     *                               {@code checkpoint metadata:}); never for a loaded checkpoint, whose record
     *                               {@link ModelFiles#loadCheckpoint} checked, naming the file
     */
    public Optional<KernelRecord> kernels() {
        return KernelRecord.ofCheckpoint(metadata);
    }

    /**
     * Logs one warning per difference between the recorded kernels and the model's, saying
     * whether the resumed run stays bit-identical ({@link #resume} does this; call it when resuming
     * another way, e.g. with {@link Trainer#start} and {@link TrainingRun#restore}).
     *
     * @return the differences, as {@link #kernelDifferences()}
     * @throws IllegalStateException for a malformed kernel record in {@link #metadata()}, as {@link #kernels()}
     */
    public List<KernelRecord.Difference> checkKernels() {
        return KernelRecord.check(metadata, model);
    }

    /**
     * {@return how the model's kernels now differ from the recorded ones (empty if they do not, or none are recorded)}
     *
     * @throws IllegalStateException for a malformed kernel record in {@link #metadata()}, as {@link #kernels()}
     */
    public List<KernelRecord.Difference> kernelDifferences() {
        return kernels().map(r -> r.differences(KernelRecord.of(model.kernels()))).orElse(List.of());
    }
}

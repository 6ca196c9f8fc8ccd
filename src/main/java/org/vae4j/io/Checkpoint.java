package org.vae4j.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.vae4j.LatentModel;
import org.vae4j.optim.Optimizer;

/**
 * What {@link ModelFiles#loadCheckpoint} restores: the model, its optimiser with all its state,
 * the training settings and history, and the file's metadata. To resume:
 * <pre>{@code
 * Checkpoint c = ModelFiles.loadCheckpoint(path);
 * Trainer rest = c.training().trainerBuilder().epochs(remaining).build();
 * rest.train(c.model(), data, c.optimizer());
 * }</pre>
 * The record is immutable; the model and optimiser it holds are mutable and not thread-safe.
 *
 * @param model     the model ({@link org.vae4j.Vae} or {@link org.vae4j.Autoencoder})
 * @param optimizer the optimiser ({@link org.vae4j.optim.Adam} or {@link org.vae4j.optim.Sgd}),
 *                  with its step count and per-parameter state
 * @param training  the trainer settings and the history so far
 * @param metadata  every metadata entry of the file, unmodifiable
 */
public record Checkpoint(LatentModel model, Optimizer optimizer, TrainingState training,
                         Map<String, String> metadata) {

    public Checkpoint {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
}

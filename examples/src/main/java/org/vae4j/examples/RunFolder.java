package org.vae4j.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A {@code --out} folder of {@link TrainMnist}: a folder holding a finished run (its metrics.json
 * says {@code "status": "finished"}) is not replaced without {@code --force}, so a run with other
 * settings and the default {@code --out} cannot silently overwrite an earlier model. An empty or
 * missing folder, or one whose run did not finish (stopped, failed, killed), is fine; so is the
 * folder a {@code --resume} continues. Stateless.
 */
final class RunFolder {

    private RunFolder() {
    }

    /**
     * What the finished run in {@code dir} was, e.g. {@code 10 epochs of vae on mnist}, or null
     * when {@code dir} holds none (no metrics.json, one that cannot be read, or another status).
     */
    static String finishedRun(Path dir) {
        Path metrics = dir.resolve("metrics.json");
        if (!Files.isRegularFile(metrics)) {
            return null;
        }
        Map<?, ?> m;
        try {
            m = new ObjectMapper().readValue(metrics.toFile(), Map.class);
        } catch (IOException | RuntimeException e) { // half a file of a killed run, or not ours: not a finished run
            return null;
        }
        if (!"finished".equals(m.get("status"))) {
            return null;
        }
        Object epochs = m.get("epochs");
        Map<?, ?> settings = m.get("settings") instanceof Map<?, ?> s ? s : Map.of();
        return (epochs instanceof List<?> l ? l.size() + " epoch" + (l.size() == 1 ? "" : "s") : "a run")
                + (settings.get("model") != null ? " of " + settings.get("model") : "")
                + (settings.get("dataset") != null ? " on " + settings.get("dataset") : "");
    }

    /**
     * Refuses a folder holding a finished run unless {@code force}, or the run is resumed from a
     * checkpoint in that folder.
     *
     * @param given  whether {@code --out} was given (else the folder is the default)
     * @param resume the {@code --resume} checkpoint, or null
     * @throws TrainMnist.UsageException naming the folder, the run it holds and the ways on
     */
    static void checkReplaceable(Path outDir, boolean given, boolean force, Path resume)
            throws TrainMnist.UsageException {
        if (force) {
            return;
        }
        if (resume != null) {
            Path parent = resume.toAbsolutePath().normalize().getParent();
            if (parent != null && parent.equals(outDir.toAbsolutePath().normalize())) {
                return; // continuing the run in its own folder
            }
        }
        String run = finishedRun(outDir);
        if (run != null) {
            throw new TrainMnist.UsageException((given ? "--out " + outDir : outDir + " (the default --out)")
                    + " holds a finished run (" + run + ") that this run would replace: give another --out, "
                    + "add --force to replace it, or continue it with --resume "
                    + outDir.resolve("checkpoint.safetensors"));
        }
    }
}

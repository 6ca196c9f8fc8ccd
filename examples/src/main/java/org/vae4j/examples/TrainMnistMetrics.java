package org.vae4j.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.vae4j.Autoencoder;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.Vae;
import org.vae4j.internal.AtomicFiles;
import org.vae4j.io.Checkpoint;
import org.vae4j.train.EpochMetrics;
import org.vae4j.train.EpochStats;
import org.vae4j.train.TrainerConfig;

/**
 * metrics.json of {@link TrainMnist}: the settings, data and model sections, one row per epoch
 * (train loss parts, validation value with a validation set, test loss, throughput), the
 * summary line of each epoch on stdout, and loss.png. Not thread-safe.
 */
final class TrainMnistMetrics {

    /** Our key in the checkpoint's metadata for the rows so far. */
    static final String META_METRICS = "train_mnist.epochs";

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Map<String, Object> metrics = new LinkedHashMap<>();
    private final List<Map<String, Object>> rows;
    private final Path dir;
    private final boolean vae;

    TrainMnistMetrics(Path dir, boolean vae, List<Map<String, Object>> rows) {
        this.dir = dir;
        this.vae = vae;
        this.rows = rows;
    }

    /** The metrics rows saved in a checkpoint by this program, else rows rebuilt from its history. */
    static List<Map<String, Object>> restoredRows(Checkpoint c) throws IOException {
        String saved = c.metadata().get(META_METRICS);
        if (saved != null) {
            return new ArrayList<>(new ObjectMapper().readValue(saved,
                    new TypeReference<List<Map<String, Object>>>() { }));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (EpochStats s : c.training().history()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", s.epoch());
            row.put("train_loss", s.trainLoss());
            row.put("images_per_second", s.imagesPerSecond());
            row.put("seconds", s.seconds());
            rows.add(row);
        }
        return rows;
    }

    /** The key of the validation value: {@code validation_neg_elbo} (VAE) or {@code validation_se_per_image}. */
    String validationKey() {
        return vae ? "validation_neg_elbo" : "validation_se_per_image";
    }

    void put(String key, Object value) {
        metrics.put(key, value);
    }

    /** Adds an entry to the last epoch's row. */
    void putInLastRow(String key, Object value) {
        rows.get(rows.size() - 1).put(key, value);
    }

    List<Map<String, Object>> rows() {
        return rows;
    }

    String rowsJson() throws IOException {
        return json.writeValueAsString(rows);
    }

    /** Adds the epoch's row and prints its line. */
    void addEpoch(EpochMetrics m, Loss testLoss, double evalSeconds, int epochs, boolean scheduled) {
        EpochStats s = m.stats();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("epoch", s.epoch());
        row.put("train_loss", s.trainLoss());
        if (vae) {
            row.put("train_reconstruction", s.reconstruction());
            row.put("train_kl", s.kl());
            row.put("beta", s.beta());
        }
        if (m.hasValidation()) {
            row.put(validationKey(), m.validation());
        }
        if (vae) {
            row.put("test_neg_elbo", testLoss.total());
            row.put("test_reconstruction", testLoss.reconstruction());
            row.put("test_kl", testLoss.kl());
        } else {
            row.put("test_se_per_image", testLoss.total());
        }
        if (scheduled) {
            row.put("lr", m.learningRate());
        }
        row.put("images_per_second", s.imagesPerSecond());
        row.put("seconds", s.seconds());
        row.put("eval_seconds", evalSeconds);
        rows.add(row);
        String validation = m.hasValidation() ? String.format("  validation %s %.3f%s", vae ? "-ELBO" : "SE/image",
                m.validation(), m.isBest() ? " (best)" : "") : "";
        if (vae) {
            System.out.printf("epoch %2d/%d  train %.3f%s  test -ELBO %.3f (reconstruction %.3f + KL %.3f)  "
                            + "%,.0f img/s  %.1f s%n", s.epoch(), epochs, s.trainLoss(), validation, testLoss.total(),
                    testLoss.reconstruction(), testLoss.kl(), s.imagesPerSecond(), s.seconds());
        } else {
            System.out.printf("epoch %2d/%d  train SE/image %.3f%s  test SE/image %.3f  %,.0f img/s  %.1f s%n",
                    s.epoch(), epochs, s.trainLoss(), validation, testLoss.total(), s.imagesPerSecond(), s.seconds());
        }
    }

    /** The settings section; the newer training flags appear only when not at their defaults. */
    static Map<String, Object> settings(TrainMnist o, LatentModel net, TrainerConfig c, String optimizer,
                                        int threads) {
        TrainerConfig d = TrainerConfig.defaults();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("dataset", o.dataset);
        s.put("model", o.model.toString());
        s.put("hidden", TrainMnist.hiddenSizes(net));
        s.put("latent", TrainingPictures.latentSize(net));
        s.put("epochs", o.epochs);
        s.put("batch_size", o.batchSize);
        s.put("optimizer", optimizer);
        s.put("lr", o.lr);
        if (TrainMnist.isVae(net)) {
            s.put("beta", o.beta);
            s.put("warmup_steps", o.warmupSteps);
            s.put("objective", c.objective());
            s.put("kl_schedule", c.klSchedule().spec());
            putIfSet(s, "free_bits", c.freeBits(), d.freeBits());
        }
        s.put("seed", o.seed);
        s.put("threads", threads);
        s.put("binarise", o.binarise);
        s.put("corruption", o.corruption.describe());
        putIfSet(s, "validation", c.validation(), d.validation());
        putIfSet(s, "patience", c.patience(), d.patience());
        putIfSet(s, "min_delta", c.minDelta(), d.minDelta());
        putIfSet(s, "lr_schedule", c.lrSchedule(), d.lrSchedule());
        putIfSet(s, "lr_warmup_steps", c.lrWarmupSteps(), d.lrWarmupSteps());
        putIfSet(s, "weight_decay", c.weightDecay(), d.weightDecay());
        putIfSet(s, "clip_grad_norm", c.clipGradNorm(), d.clipGradNorm());
        putIfSet(s, "micro_batches", c.microBatches(), d.microBatches());
        s.put("resumed_from", o.resume == null ? null : o.resume.toAbsolutePath().normalize().toString());
        return s;
    }

    private static void putIfSet(Map<String, Object> s, String key, Object value, Object dflt) {
        if (!value.equals(dflt)) {
            s.put(key, value);
        }
    }

    void write() throws IOException {
        byte[] bytes = json.writeValueAsBytes(metrics);
        AtomicFiles.write(dir.resolve("metrics.json"), out -> out.write(bytes));
    }

    /** The title of loss.png: the model and the data used, e.g. {@code VAE on the bundled 5,000-image MNIST subset}. */
    static String lossTitle(boolean vae, String data) {
        return (vae ? "VAE" : "autoencoder") + " on " + data;
    }

    /** Draws loss.png; {@code dataset} names the data in the title (train-mnist: {@link TrainMnistData#label}). */
    void writeLossChart(String dataset, String architecture) {
        String what = vae ? "-ELBO" : "squared error";
        List<Charts.Curve> curves = new ArrayList<>(List.of(
                new Charts.Curve("train " + (vae ? "loss" : what), column("train_loss"))));
        if (!rows.isEmpty() && rows.get(rows.size() - 1).containsKey(validationKey())) {
            curves.add(new Charts.Curve("validation " + what, column(validationKey())));
        }
        curves.add(new Charts.Curve("test " + what, column(vae ? "test_neg_elbo" : "test_se_per_image")));
        try {
            Charts.writeLossChart(lossTitle(vae, dataset), architecture,
                    vae ? "nats per image" : "squared error per image", curves, dir.resolve("loss.png"));
        } catch (IOException | RuntimeException | Error e) { // e.g. no fonts for the axes: not worth a failed run
            System.err.println(TrainMnist.PROGRAM + ": could not draw loss.png: " + e);
        }
    }

    private double[] column(String key) {
        return rows.stream().mapToDouble(r -> r.get(key) instanceof Number v ? v.doubleValue() : Double.NaN)
                .toArray();
    }
}

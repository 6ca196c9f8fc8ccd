package org.vae4j.examples;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.data.Binarisation;
import org.vae4j.data.DatasetSplits;
import org.vae4j.io.ModelFiles;
import org.vae4j.io.TrainingState;
import org.vae4j.random.Noise;
import org.vae4j.train.TrainerConfig;
import org.vae4j.train.ValidationSplit;

/**
 * Checks a {@code train-mnist --validation} run: {@code best_epoch} in metrics.json is the epoch
 * with the lowest validation value (the earliest on ties), and model.safetensors, reloaded, gives
 * exactly that epoch's validation value on the same held-out images with the same noise.
 * <pre>
 *   examples/run CheckBestEpoch OUT_DIR [DATA_DIR]
 * </pre>
 * Exit status 0 if both hold, 1 otherwise.
 */
public final class CheckBestEpoch {

    private CheckBestEpoch() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: CheckBestEpoch OUT_DIR [DATA_DIR]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Map<?, ?> metrics = new ObjectMapper().readValue(out.resolve("metrics.json").toFile(), Map.class);
        List<?> rows = (List<?>) metrics.get("epochs");
        int best = ((Number) metrics.get("best_epoch")).intValue();
        String key = rows.isEmpty() || !((Map<?, ?>) rows.get(0)).containsKey("validation_neg_elbo")
                ? "validation_se_per_image" : "validation_neg_elbo";
        int lowest = 0;
        double lowestValue = Double.POSITIVE_INFINITY;
        for (Object r : rows) {
            Map<?, ?> row = (Map<?, ?>) r;
            double v = ((Number) row.get(key)).doubleValue();
            if (v < lowestValue) {
                lowestValue = v;
                lowest = ((Number) row.get("epoch")).intValue();
            }
        }
        Path modelFile = out.resolve("model.safetensors");
        Map<String, String> meta = ModelFiles.readMetadata(modelFile);
        TrainingState state = ModelFiles.trainingState(meta, modelFile).orElseThrow();
        TrainerConfig config = state.config();
        DatasetSplits splits = ExampleData.load(meta.getOrDefault(TrainMnist.META_DATASET, "mnist"),
                args.length > 1 ? Path.of(args[1]) : null);
        FMatrixRMaj validation = ValidationSplit.split(splits.train().images(), config).validation();
        if (Boolean.parseBoolean(meta.getOrDefault(TrainMnist.META_BINARISE, "false"))) {
            FMatrixRMaj v = new FMatrixRMaj(validation.numRows, validation.numCols);
            new Binarisation(config.seed()).binarise(validation, v, Binarisation.VALIDATION, 0); // as TrainMnistRun
            validation = v;
        }
        LatentModel model = ModelFiles.load(modelFile);
        double reloaded = model.negativeElbo(validation, new Noise(config.seed())).total();
        System.out.printf("%d epochs; best_epoch %d, lowest %s at epoch %d (%.17g); model.safetensors gives %.17g%n",
                rows.size(), best, key, lowest, lowestValue, reloaded);
        boolean ok = best == lowest && reloaded == lowestValue;
        System.out.println(ok ? "OK: best_epoch is the lowest and the saved model reproduces its value exactly"
                : "MISMATCH");
        System.exit(ok ? 0 : 1);
    }
}

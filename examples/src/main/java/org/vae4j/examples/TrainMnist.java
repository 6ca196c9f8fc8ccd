package org.vae4j.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.Autoencoder;
import org.vae4j.TrainableModel;
import org.vae4j.Vae;
import org.vae4j.data.ImageDataset;
import org.vae4j.kernel.Gemms;
import org.vae4j.optim.Adam;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainingException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The MNIST trainer: trains the seed VAE (784-512-32, Bernoulli, Adam 1e-3, batch 128) or a deep
 * autoencoder, evaluates on the test set after every epoch, and writes metrics.json and pictures.
 */
@Command(name = "train-mnist", mixinStandardHelpOptions = true,
        description = "Train a VAE or autoencoder on MNIST and write metrics.json and pictures into --out.")
public final class TrainMnist implements Callable<Integer> {

    enum ModelKind { vae, ae }

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder with the four MNIST IDX .gz files. Default: $VAE4J_DATA/<dataset>, "
                    + "../shared/data/<dataset>, ~/.cache/vae4j/<dataset>.")
    Path data;

    @Option(names = "--dataset", defaultValue = "mnist", description = "mnist or fashion-mnist (default ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--model", defaultValue = "vae", description = "vae or ae (default ${DEFAULT-VALUE}).")
    ModelKind model;

    @Option(names = "--hidden", split = ",", paramLabel = "W[,W...]",
            description = "Encoder hidden widths (default 512 for vae, 1000,500,250 for ae).")
    int[] hidden;

    @Option(names = "--latent", description = "Latent (code) size (default 32 for vae, 30 for ae).")
    Integer latent;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128", description = "Mini-batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--beta", defaultValue = "1.0", description = "KL weight (default ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--warmup-steps", defaultValue = "0", description = "KL warm-up steps (default ${DEFAULT-VALUE}).")
    long warmupSteps;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of weights, shuffling and noise (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "GEMM threads (default: available processors).")
    Integer threads;

    @Option(names = "--out", defaultValue = "out/mnist", paramLabel = "DIR",
            description = "Output folder (default ${DEFAULT-VALUE}-<model>).")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainMnist()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = resolveData();
        if (out.toString().equals("out/mnist")) {
            out = Path.of("out/mnist-" + model);
        }
        Files.createDirectories(out);
        System.out.println("data: " + dir.toAbsolutePath().normalize());
        ImageDataset train = ImageDataset.loadMnistFormat(dir, true);
        ImageDataset test = ImageDataset.loadMnistFormat(dir, false);
        System.out.printf("train %d images, test %d images, %dx%d%n", train.size(), test.size(), train.rows(), train.cols());

        int d = train.images().numCols;
        TrainableModel net;
        if (model == ModelKind.vae) {
            net = Vae.builder(d).hidden(hidden != null ? hidden : new int[] {512})
                    .latent(latent != null ? latent : 32).seed(seed).build();
            System.out.println("model: VAE " + ((Vae) net).describe() + ", " + net.parameterCount() + " parameters");
        } else {
            net = Autoencoder.builder(d).hidden(hidden != null ? hidden : new int[] {1000, 500, 250})
                    .latent(latent != null ? latent : 30).seed(seed).build();
            System.out.println("model: autoencoder " + ((Autoencoder) net).describe() + ", " + net.parameterCount()
                    + " parameters");
        }
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        net.setGemm(Gemms.create(t));

        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("model", model.toString());
        metrics.put("architecture", model == ModelKind.vae ? ((Vae) net).describe() : ((Autoencoder) net).describe());
        metrics.put("gemm", net.gemm().name());
        metrics.put("epochs", rows);
        Trainer trainer = Trainer.builder().epochs(epochs).batchSize(batchSize).seed(seed).beta(beta)
                .klWarmupSteps(warmupSteps).optimizer(() -> new Adam(lr))
                .listener(s -> {
                    rows.add(epochRow(s, net, test.images()));
                    writeJson(metrics, out.resolve("metrics.json"));
                })
                .build();
        try {
            trainer.train(net, train.images());
        } catch (TrainingException e) {
            System.err.println("training stopped: " + e.getMessage());
            return 2;
        }
        writePictures(net, test);
        System.out.println("wrote " + out.resolve("metrics.json") + " and pictures in " + out);
        return 0;
    }

    private Map<String, Object> epochRow(EpochStats s, TrainableModel net, FMatrixRMaj test) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("epoch", s.epoch());
        row.put("train_loss", s.trainLoss());
        double testLoss = net.evaluate(test, new SplittableRandom(seed + 1_000_003L)).total();
        if (model == ModelKind.vae) {
            row.put("train_reconstruction", s.reconstruction());
            row.put("train_kl", s.kl());
            row.put("test_neg_elbo", testLoss);
        } else {
            row.put("test_se_per_image", testLoss);
        }
        row.put("images_per_second", s.imagesPerSecond());
        row.put("seconds", s.seconds());
        System.out.printf("epoch %d: train %.3f, test %s %.3f, %.0f images/s, %.1f s%n", s.epoch(), s.trainLoss(),
                model == ModelKind.vae ? "-ELBO" : "SE/image", testLoss, s.imagesPerSecond(), s.seconds());
        return row;
    }

    private void writePictures(TrainableModel net, ImageDataset test) throws IOException {
        int h = test.rows();
        int w = test.cols();
        FMatrixRMaj originals = test.head(16).images();
        FMatrixRMaj recon;
        if (net instanceof Vae vae) {
            Pictures.writeGrid(vae.sample(64, new SplittableRandom(seed)), h, w, 8, 2, out.resolve("samples.png"));
            recon = vae.reconstruct(originals);
        } else {
            recon = ((Autoencoder) net).reconstruct(originals);
        }
        FMatrixRMaj both = new FMatrixRMaj(32, h * w);
        System.arraycopy(originals.data, 0, both.data, 0, 16 * h * w);
        System.arraycopy(recon.data, 0, both.data, 16 * h * w, 16 * h * w);
        Pictures.writeGrid(both, h, w, 16, 2, out.resolve("reconstructions.png"));
    }

    private Path resolveData() {
        List<Path> tried = new ArrayList<>();
        if (data != null) {
            if (!ImageDataset.hasMnistFormat(data)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--data " + data
                        + " does not hold the four MNIST files " + Arrays.toString(ImageDataset.TRAIN_FILES)
                        + " " + Arrays.toString(ImageDataset.TEST_FILES));
            }
            return data;
        }
        String env = System.getenv("VAE4J_DATA");
        if (env != null) {
            tried.add(Path.of(env, dataset));
            tried.add(Path.of(env));
        }
        tried.add(Path.of("..", "shared", "data", dataset));
        tried.add(Path.of(System.getProperty("user.home"), ".cache", "vae4j", dataset));
        for (Path p : tried) {
            if (ImageDataset.hasMnistFormat(p)) {
                return p;
            }
        }
        throw new CommandLine.ParameterException(new CommandLine(this), "no " + dataset + " data found; looked in "
                + tried + ". Put the four IDX .gz files (" + String.join(", ", ImageDataset.TRAIN_FILES) + ", "
                + String.join(", ", ImageDataset.TEST_FILES) + ") in one of them, or pass --data DIR.");
    }

    private static void writeJson(Map<String, Object> metrics, Path file) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), metrics);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }
}

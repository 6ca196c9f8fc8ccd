package org.vae4j.examples;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.Autoencoder;
import org.vae4j.Loss;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.data.DataNotFoundException;
import org.vae4j.data.DatasetSplits;
import org.vae4j.data.ImageDataset;
import org.vae4j.eval.ActiveUnits;
import org.vae4j.eval.ImportanceWeighted;
import org.vae4j.eval.LatentUsage;
import org.vae4j.eval.LogLikelihoodEstimate;
import org.vae4j.internal.AtomicFiles;
import org.vae4j.io.Checkpoint;
import org.vae4j.io.ModelFiles;
import org.vae4j.io.TrainingState;
import org.vae4j.kernel.Gemms;
import org.vae4j.optim.Adam;
import org.vae4j.optim.Optimizer;
import org.vae4j.objective.Corruption;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainingException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The MNIST trainer: trains the seed VAE (784-512-32, Bernoulli, Adam 1e-3, batch 128, 10 epochs,
 * seed 42) or a deep autoencoder on MNIST or Fashion-MNIST, evaluates on the test set after every
 * epoch, and writes the model, a checkpoint, metrics.json and pictures into {@code --out}.
 *
 * <p>Training runs one epoch per {@link Trainer#train(LatentModel, FMatrixRMaj, Optimizer)}
 * call with one optimiser: the trainer derives each epoch's randomness from the optimiser's step
 * count, so this is bit-identical to one call of N epochs, and leaves room between epochs for a
 * fresh binarisation, the evaluation and the files. After every epoch the model, the checkpoint,
 * metrics.json and loss.png are rewritten (each atomically), so a run that stops keeps its last
 * good epoch; the other pictures are drawn at the end.
 */
@Command(name = TrainMnist.PROGRAM, sortOptions = false,
        usageHelpAutoWidth = true,
        description = {"Train a VAE or an autoencoder on MNIST or Fashion-MNIST; write the model, metrics and "
                + "pictures into --out.", ""},
        footer = {"", "Writes into --out: model.safetensors, checkpoint.safetensors (after every epoch), metrics.json, "
                + "loss.png, reconstructions.png, interpolations.png, traversal.png; samples.png (VAE); "
                + "manifold.png and latent-scatter.png (2-D latent). See docs/TUTORIAL.md.",
                "Data: --data DIR, else $VAE4J_DATA/<dataset>, ../shared/data/<dataset> beside the project, "
                        + "~/.cache/vae4j/<dataset>, a download; for mnist, as a last resort, the bundled subset of "
                        + "5,000 images (docs/DATA.md)."})
public final class TrainMnist implements Callable<Integer> {

    static final String PROGRAM = "train-mnist";

    /** Exit status: bad flags. */
    static final int EXIT_USAGE = 2;
    /** Exit status: missing or corrupt data, model file or output folder. */
    static final int EXIT_FAILURE = 1;
    /** Exit status: the loss or a gradient became non-finite. */
    static final int EXIT_DIVERGED = 3;

    /** Importance samples and test images of the final log p(x) estimate (Burda et al. 2016 use k = 5000). */
    static final int IW_SAMPLES = 100;
    static final int IW_IMAGES = 1000;

    private static final String[] FASHION_CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
    /** Our keys in the model files' metadata (vae4j.* is the library's). */
    private static final String META_DATASET = "dataset";
    private static final String META_BINARISE = "binarise";
    private static final String META_METRICS = "train_mnist.epochs";

    enum ModelKind { vae, ae }

    @Option(names = {"-h", "--help"}, usageHelp = true, order = 0, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--data", paramLabel = "DIR", order = 1,
            description = "Folder with the four IDX files (also DIR/<dataset>). Default: search, see below.")
    Path data;

    @Option(names = "--dataset", defaultValue = "mnist", paramLabel = "NAME", order = 2,
            description = "mnist or fashion-mnist (default ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--model", defaultValue = "vae", paramLabel = "vae|ae", order = 3,
            description = "vae (Kingma & Welling) or ae (Hinton & Salakhutdinov's autoencoder); default ${DEFAULT-VALUE}.")
    ModelKind model;

    @Option(names = "--hidden", split = ",", paramLabel = "W[,W...]", hideParamSyntax = true, order = 4,
            description = "Encoder hidden widths, the decoder mirrors them (default 512 for vae, 1000,500,250 for ae).")
    int[] hidden;

    @Option(names = "--latent", paramLabel = "N", order = 5,
            description = "Latent (code) size (default 32 for vae, 30 for ae).")
    Integer latent;

    @Option(names = "--epochs", defaultValue = "10", paramLabel = "N", order = 6,
            description = "Epochs in total (default ${DEFAULT-VALUE}; with --resume, including those done).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128", paramLabel = "N", order = 7,
            description = "Mini-batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "1e-3", paramLabel = "RATE", order = 8,
            description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--beta", defaultValue = "1.0", paramLabel = "B", order = 9,
            description = "KL weight of a beta-VAE (default ${DEFAULT-VALUE}: the ELBO).")
    double beta;

    @Option(names = "--warmup-steps", defaultValue = "0", paramLabel = "N", order = 10,
            description = "Steps of linear KL warm-up from 0 to beta (default ${DEFAULT-VALUE}: none).")
    long warmupSteps;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "S", order = 11,
            description = "Seed of the weights, shuffling, noise and pictures (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N", order = 12,
            description = "GEMM threads (default: the number of processors).")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", order = 13,
            description = "Output folder, created if needed (default out/<dataset>-<model>; with --resume, "
                    + "the checkpoint's folder).")
    Path out;

    @Option(names = "--binarise", order = 14,
            description = "Dynamic binarisation: a fresh Bernoulli draw of the training pixels every epoch; "
                    + "the test set is binarised once (seeded).")
    boolean binarise;

    @Option(names = "--corruption", defaultValue = "none", paramLabel = "SPEC", order = 15,
            converter = CorruptionConverter.class,
            description = "Denoising: none, mask:P (each pixel zeroed with probability P) or gaussian:S "
                    + "(noise of standard deviation S, clamped to [0, 1]); default ${DEFAULT-VALUE}.")
    Corruption corruption;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", order = 16,
            description = "Continue a run from its checkpoint.safetensors, bit-identically, up to --epochs.")
    Path resume;

    @Spec
    CommandSpec spec;

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine(new TrainMnist()).execute(args));
    }

    /** A command line that reports a bad flag or an unexpected error in one line, without a stack trace. */
    static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println(PROGRAM + ": " + e.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(PROGRAM + ": internal error: " + e
                    + (System.getenv("VAE4J_DEBUG") == null ? " (set VAE4J_DEBUG=1 for the stack trace)" : ""));
            if (System.getenv("VAE4J_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            }
            return EXIT_FAILURE;
        });
        return cl;
    }

    /** A problem with the flags: reported in one line with exit status {@link #EXIT_USAGE}. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() {
        try {
            return run();
        } catch (UsageException e) {
            return fail(e.getMessage() + " (see --help)", EXIT_USAGE);
        } catch (DataNotFoundException e) {
            return fail(e.getMessage(), EXIT_FAILURE); // says where the files were looked for and where to put them
        } catch (IOException e) {
            return fail(describe(e), EXIT_FAILURE);
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage(), EXIT_FAILURE); // a corrupt or unexpected data file; the message names it
        }
    }

    private static int fail(String message, int status) {
        System.out.flush();
        System.err.println(PROGRAM + ": " + message);
        return status;
    }

    /** One line for an I/O error, with the file and what went wrong. */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + ": no such file or folder";
        }
        if (e instanceof AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private int run() throws UsageException, IOException {
        checkFlags();
        // Everything that can fail on the inputs fails before anything is written into --out.
        Checkpoint checkpoint = null;
        if (resume != null) {
            checkpoint = ModelFiles.loadCheckpoint(resume);
            adoptCheckpointSettings(checkpoint);
        }
        Path outDir = outputFolder(checkpoint);
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new UsageException("--out " + outDir + " is a file, not a folder");
        }
        DatasetSplits splits = ExampleData.load(dataset, data);
        ImageDataset train = splits.train();
        ImageDataset test = splits.test();
        int inputs = train.pixels();
        LatentModel net = checkpoint != null ? checkpoint.model() : buildModel(inputs);
        if (net.inputSize() != inputs) {
            throw new UsageException(resume + " holds a model of " + net.inputSize() + " inputs, but " + dataset
                    + " images have " + inputs + " pixels");
        }
        int t = threads != null ? threads : Gemms.defaultThreads();
        net.setGemm(Gemms.create(t));

        System.out.printf("data: %s, %,d train and %,d test images of %dx%d from %s (%s)%n", dataset, train.size(),
                test.size(), train.rows(), train.cols(), splits.dir().toAbsolutePath().normalize(),
                splits.location().origin().toString().toLowerCase().replace('_', ' '));
        if (splits.isBundledSubset()) {
            System.out.println("WARNING: no full " + dataset + " found; training on the bundled 5,000-image subset. "
                    + "Results will not match full MNIST (see the message above and docs/DATA.md).");
        }
        System.out.printf("model: %s %s, %,d parameters; GEMM %s, %d thread(s)%n", isVae(net) ? "VAE" : "autoencoder",
                architecture(net), net.parameterCount(), net.gemm().name(), t);
        if (Files.exists(outDir.resolve("metrics.json")) && checkpoint == null) {
            System.out.println("note: " + outDir + " holds an earlier run; its files are replaced as this run writes "
                    + "its own");
        }
        Files.createDirectories(outDir);
        return new Run(net, checkpoint, train, test, splits, outDir, t).train();
    }

    private void checkFlags() throws UsageException {
        if (!List.of("mnist", "fashion-mnist").contains(dataset)) {
            throw new UsageException("--dataset must be mnist or fashion-mnist, got '" + dataset + "'");
        }
        positive("--epochs", epochs);
        positive("--batch-size", batchSize);
        if (latent != null) {
            positive("--latent", latent);
        }
        if (threads != null) {
            positive("--threads", threads);
        }
        if (hidden != null) {
            for (int w : hidden) {
                positive("--hidden", w);
            }
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new UsageException("--lr must be positive, got " + lr);
        }
        if (!(beta >= 0) || !Double.isFinite(beta)) {
            throw new UsageException("--beta must be >= 0, got " + beta);
        }
        if (warmupSteps < 0) {
            throw new UsageException("--warmup-steps must be >= 0, got " + warmupSteps);
        }
        if (model == ModelKind.ae && (given("--beta") || given("--warmup-steps"))) {
            throw new UsageException("--beta and --warmup-steps apply to --model vae only");
        }
    }

    private static void positive(String flag, long value) throws UsageException {
        if (value <= 0) {
            throw new UsageException(flag + " must be positive, got " + value);
        }
    }

    private boolean given(String flag) {
        return spec != null && spec.commandLine().getParseResult().hasMatchedOption(flag);
    }

    /**
     * A resumed run keeps the settings it started with: they come from the checkpoint, and a flag
     * given with another value is an error.
     */
    private void adoptCheckpointSettings(Checkpoint c) throws UsageException {
        LatentModel m = c.model();
        TrainingState s = c.training();
        Map<String, String> meta = c.metadata();
        String where = " differs from the checkpoint's ";
        String why = ": a resumed run keeps the settings it was started with";
        ModelKind kind = ModelKind.valueOf(m.kind());
        int[] h = widths(meta.get("vae4j.hidden_sizes")); // the built-in kinds' architecture entry
        int z = TrainingPictures.latentSize(m);
        String ds = meta.getOrDefault(META_DATASET, dataset);
        boolean bin = Boolean.parseBoolean(meta.getOrDefault(META_BINARISE, "false"));
        List<String> conflicts = new ArrayList<>();
        conflict(conflicts, "--model", model, kind);
        conflict(conflicts, "--hidden", hidden == null ? null : Arrays.toString(hidden), Arrays.toString(h));
        conflict(conflicts, "--latent", latent, z);
        conflict(conflicts, "--dataset", dataset, ds);
        conflict(conflicts, "--batch-size", batchSize, s.batchSize());
        conflict(conflicts, "--lr", lr, c.optimizer().learningRate());
        conflict(conflicts, "--beta", beta, s.beta());
        conflict(conflicts, "--warmup-steps", warmupSteps, s.klWarmupSteps());
        conflict(conflicts, "--seed", seed, s.seed());
        conflict(conflicts, "--corruption", corruption, s.corruption());
        conflict(conflicts, "--binarise", binarise, bin);
        if (!conflicts.isEmpty()) {
            throw new UsageException(String.join(", ", conflicts).replace("|", where) + why);
        }
        model = kind;
        hidden = h;
        latent = z;
        dataset = ds;
        batchSize = s.batchSize();
        lr = c.optimizer().learningRate();
        beta = s.beta();
        warmupSteps = s.klWarmupSteps();
        seed = s.seed();
        corruption = s.corruption();
        binarise = bin;
    }

    private void conflict(List<String> conflicts, String flag, Object mine, Object theirs) {
        if (given(flag) && !Objects.equals(String.valueOf(mine), String.valueOf(theirs))) {
            conflicts.add(flag + " " + mine + "|" + theirs);
        }
    }

    private Path outputFolder(Checkpoint c) {
        if (out != null) {
            return out;
        }
        if (c != null) {
            Path parent = resume.getParent();
            return parent != null ? parent : Path.of(".");
        }
        return Path.of("out", dataset + "-" + model);
    }

    private LatentModel buildModel(int inputs) {
        if (model == ModelKind.vae) {
            return Vae.builder(inputs).hidden(hidden != null ? hidden : defaultHidden())
                    .latent(latent != null ? latent : 32).seed(seed).build();
        }
        return Autoencoder.builder(inputs).hidden(hidden != null ? hidden : defaultHidden())
                .latent(latent != null ? latent : 30).seed(seed).build();
    }

    /** The encoder's hidden widths when --hidden is not given. */
    private int[] defaultHidden() {
        return model == ModelKind.vae ? new int[] {512} : new int[] {1000, 500, 250};
    }

    static boolean isVae(LatentModel m) {
        return m.hasStochasticPosterior();
    }

    static String architecture(LatentModel m) {
        return m.describe();
    }

    /** A JSON list of widths as model files store them, e.g. {@code [1000, 500, 250]}. */
    static int[] widths(String json) {
        String body = json.replaceAll("[\\[\\]\\s]", "");
        return body.isEmpty() ? new int[0] : Arrays.stream(body.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** One training run: the loop over epochs and everything written into the output folder. */
    private final class Run {
        private final LatentModel net;
        private final ImageDataset train;
        private final ImageDataset test;
        private final DatasetSplits splits;
        private final Path dir;
        private final int threadCount;
        private final Trainer trainer;
        private ProgressBar bar = ProgressBar.forTerminal(System.err, "", 1); // the current epoch's
        private final Optimizer optimizer;
        private final List<EpochStats> history;
        private final List<Map<String, Object>> rows;
        private final Map<String, Object> metrics = new LinkedHashMap<>();
        private final FMatrixRMaj testX; // the evaluation's test images (binarised once with --binarise)

        Run(LatentModel net, Checkpoint checkpoint, ImageDataset train, ImageDataset test, DatasetSplits splits,
            Path dir, int threadCount) throws IOException {
            this.net = net;
            this.train = train;
            this.test = test;
            this.splits = splits;
            this.dir = dir;
            this.threadCount = threadCount;
            Trainer.Builder b = checkpoint != null ? checkpoint.training().trainerBuilder()
                    : Trainer.builder().seed(seed).batchSize(batchSize).beta(beta).klWarmupSteps(warmupSteps)
                    .corruption(corruption);
            this.trainer = b.epochs(1).stepListener((epoch, step, n, loss) -> bar.advance(n)).build();
            this.optimizer = checkpoint != null ? checkpoint.optimizer() : new Adam(lr);
            this.history = new ArrayList<>(checkpoint != null ? checkpoint.training().history() : List.of());
            this.rows = checkpoint != null ? restoredRows(checkpoint) : new ArrayList<>();
            this.testX = binarise ? test.binarised(mix(seed, -1)).images() : test.images();
        }

        int train() throws IOException {
            metrics.put("status", "running");
            metrics.put("settings", settings());
            metrics.put("data", dataInfo());
            metrics.put("model", modelInfo());
            metrics.put("epochs", rows);
            int first = history.size() + 1;
            if (first > epochs) {
                System.out.printf("the checkpoint has %d epochs already (--epochs %d): evaluating only%n",
                        history.size(), epochs);
            } else {
                System.out.printf("training: epochs %d..%d, batch %d, Adam lr %s%s%s%s, seed %d -> %s%n", first, epochs,
                        batchSize, lr, isVae(net) ? ", beta " + beta : "",
                        warmupSteps > 0 ? ", KL warm-up " + warmupSteps + " steps" : "",
                        (binarise ? ", dynamic binarisation" : "")
                                + (corruption.isNone() ? "" : ", denoising " + corruption.describe()),
                        seed, dir);
            }
            FMatrixRMaj trainX = train.images();
            FMatrixRMaj binarised = binarise ? new FMatrixRMaj(trainX.numRows, trainX.numCols) : null;
            for (int epoch = first; epoch <= epochs; epoch++) {
                FMatrixRMaj x = trainX;
                if (binarise) {
                    ImageDataset.binarise(trainX, binarised, new SplittableRandom(mix(seed, epoch)));
                    x = binarised;
                }
                bar = ProgressBar.forTerminal(System.err, String.format("epoch %d/%d", epoch, epochs), x.numRows);
                EpochStats stats;
                try {
                    stats = trainer.train(net, x, optimizer).get(0);
                } catch (TrainingException e) {
                    bar.finish();
                    metrics.put("status", "stopped in epoch " + epoch + ": " + e.getMessage());
                    writeMetrics();
                    System.err.println(PROGRAM + ": training stopped: " + e.getMessage());
                    System.err.println(PROGRAM + ": " + dir + " keeps the model, checkpoint and metrics of epoch "
                            + history.size());
                    return EXIT_DIVERGED;
                }
                bar.finish();
                stats = new EpochStats(epoch, stats.trainLoss(), stats.reconstruction(), stats.kl(), stats.beta(),
                        stats.steps(), stats.examples(), stats.seconds());
                history.add(stats);
                rows.add(evaluateEpoch(stats));
                saveEpoch();
            }
            finish();
            return 0;
        }

        /** Test loss after an epoch, the metrics row, and the summary line on stdout. */
        private Map<String, Object> evaluateEpoch(EpochStats s) {
            long t0 = System.nanoTime();
            Loss testLoss = net.evaluate(testX, new SplittableRandom(seed + 1_000_003L));
            double evalSeconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", s.epoch());
            row.put("train_loss", s.trainLoss());
            if (isVae(net)) {
                row.put("train_reconstruction", s.reconstruction());
                row.put("train_kl", s.kl());
                row.put("beta", s.beta());
                row.put("test_neg_elbo", testLoss.total());
                row.put("test_reconstruction", testLoss.reconstruction());
                row.put("test_kl", testLoss.kl());
            } else {
                row.put("test_se_per_image", testLoss.total());
            }
            row.put("images_per_second", s.imagesPerSecond());
            row.put("seconds", s.seconds());
            row.put("eval_seconds", evalSeconds);
            if (isVae(net)) {
                System.out.printf("epoch %2d/%d  train %.3f  test -ELBO %.3f (reconstruction %.3f + KL %.3f)  "
                                + "%,.0f img/s  %.1f s%n", s.epoch(), epochs, s.trainLoss(), testLoss.total(),
                        testLoss.reconstruction(), testLoss.kl(), s.imagesPerSecond(), s.seconds());
            } else {
                System.out.printf("epoch %2d/%d  train SE/image %.3f  test SE/image %.3f  %,.0f img/s  %.1f s%n",
                        s.epoch(), epochs, s.trainLoss(), testLoss.total(), s.imagesPerSecond(), s.seconds());
            }
            return row;
        }

        /** The model, the checkpoint, metrics.json and loss.png, each replaced atomically. */
        private void saveEpoch() throws IOException {
            TrainingState state = TrainingState.of(trainer, history);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put(META_DATASET, dataset);
            meta.put(META_BINARISE, Boolean.toString(binarise));
            ModelFiles.save(net, dir.resolve("model.safetensors"), state, meta);
            meta.put(META_METRICS, json.writeValueAsString(rows));
            ModelFiles.saveCheckpoint(net, optimizer, state, dir.resolve("checkpoint.safetensors"), meta);
            writeMetrics();
            writeLossChart();
        }

        /** The final evaluation (VAE: log p(x), active units) and the pictures. */
        private void finish() throws IOException {
            if (isVae(net)) {
                LatentModel vae = net;
                int n = Math.min(IW_IMAGES, testX.numRows);
                FMatrixRMaj head = firstRows(testX, n);
                long t0 = System.nanoTime();
                LogLikelihoodEstimate iw = ImportanceWeighted.logLikelihood(vae, head, IW_SAMPLES,
                        new SplittableRandom(seed + 2_000_003L));
                ActiveUnits au = LatentUsage.activeUnits(vae, testX);
                double[] kl = LatentUsage.klPerDimension(vae, testX);
                metrics.put("test_log_px_iw", iw.logLikelihood());
                metrics.put("test_log_px_iw_standard_error", iw.standardError());
                metrics.put("test_log_px_iw_k", IW_SAMPLES);
                metrics.put("test_log_px_iw_images", n);
                metrics.put("active_units", au.count());
                metrics.put("latent_size", vae.latentSize());
                metrics.put("active_unit_variances", au.variances());
                metrics.put("kl_per_dimension", kl);
                System.out.printf("test log p(x) ~ %.3f +- %.3f nats (importance-weighted, k=%d, first %d test images, "
                                + "%.1f s); active units %d of %d%n", iw.logLikelihood(), iw.standardError(),
                        IW_SAMPLES, n, (System.nanoTime() - t0) / 1e9, au.count(), vae.latentSize());
            } else {
                metrics.put("latent_size", net.latentSize());
            }
            List<String> files = new ArrayList<>(List.of("model.safetensors", "checkpoint.safetensors",
                    "metrics.json", "loss.png"));
            String[] classes = dataset.equals("fashion-mnist") ? FASHION_CLASSES
                    : new String[] {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
            files.addAll(TrainingPictures.writeAll(net, test, classes, seed, dir));
            metrics.put("files", files);
            metrics.put("status", "finished");
            writeMetrics();
            if (!isVae(net)) {
                System.out.println("no samples.png: an autoencoder has no prior to sample from (--model vae has one)");
            }
            System.out.println("wrote " + String.join(", ", files) + " in " + dir);
        }

        private Map<String, Object> settings() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("dataset", dataset);
            s.put("model", model.toString());
            s.put("hidden", hidden != null ? hidden : defaultHidden());
            s.put("latent", TrainingPictures.latentSize(net));
            s.put("epochs", epochs);
            s.put("batch_size", batchSize);
            s.put("optimizer", optimizer.describe());
            s.put("lr", lr);
            if (isVae(net)) {
                s.put("beta", beta);
                s.put("warmup_steps", warmupSteps);
            }
            s.put("seed", seed);
            s.put("threads", threadCount);
            s.put("binarise", binarise);
            s.put("corruption", corruption.describe());
            s.put("resumed_from", resume == null ? null : resume.toAbsolutePath().normalize().toString());
            return s;
        }

        private Map<String, Object> dataInfo() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("dir", splits.dir().toAbsolutePath().normalize().toString());
            d.put("origin", splits.location().origin().toString().toLowerCase());
            d.put("train_images", train.size());
            d.put("test_images", test.size());
            d.put("test_binarised", binarise);
            return d;
        }

        private Map<String, Object> modelInfo() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("architecture", architecture(net));
            m.put("parameters", net.parameterCount());
            m.put("gemm", net.gemm().name());
            m.put("java", System.getProperty("java.version"));
            return m;
        }

        private void writeMetrics() throws IOException {
            byte[] bytes = json.writeValueAsBytes(metrics);
            AtomicFiles.write(dir.resolve("metrics.json"), out -> out.write(bytes));
        }

        private void writeLossChart() {
            double[] trainLoss = column("train_loss");
            double[] testLoss = column(isVae(net) ? "test_neg_elbo" : "test_se_per_image");
            String what = isVae(net) ? "-ELBO" : "squared error";
            List<Charts.Curve> curves = List.of(new Charts.Curve("train " + (isVae(net) ? "loss" : what), trainLoss),
                    new Charts.Curve("test " + what, testLoss));
            try {
                Charts.writeLossChart((isVae(net) ? "VAE" : "autoencoder") + " on " + dataset, architecture(net),
                        isVae(net) ? "nats per image" : "squared error per image", curves, dir.resolve("loss.png"));
            } catch (IOException | RuntimeException | Error e) { // e.g. no fonts for the axes: not worth a failed run
                System.err.println(PROGRAM + ": could not draw loss.png: " + e);
            }
        }

        private double[] column(String key) {
            return rows.stream().mapToDouble(r -> r.get(key) instanceof Number v ? v.doubleValue() : Double.NaN)
                    .toArray();
        }
    }

    /** The metrics rows saved in a checkpoint by this program, else rows rebuilt from its history. */
    private List<Map<String, Object>> restoredRows(Checkpoint c) throws IOException {
        String saved = c.metadata().get(META_METRICS);
        if (saved != null) {
            return new ArrayList<>(json.readValue(saved, new TypeReference<List<Map<String, Object>>>() { }));
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

    private static FMatrixRMaj firstRows(FMatrixRMaj x, int n) {
        FMatrixRMaj head = new FMatrixRMaj(n, x.numCols);
        System.arraycopy(x.data, 0, head.data, 0, n * x.numCols);
        return head;
    }

    /** A seed for (seed, epoch): SplitMix64's finaliser, so neighbouring epochs get unrelated streams. */
    static long mix(long seed, long epoch) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 0x5EED);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Parses {@code --corruption}: none, mask:P or gaussian:S. */
    static final class CorruptionConverter implements CommandLine.ITypeConverter<Corruption> {
        @Override
        public Corruption convert(String value) {
            String v = value.trim().toLowerCase();
            try {
                if (v.equals("none")) {
                    return Corruption.none();
                }
                if (v.startsWith("mask:")) {
                    return Corruption.masking(Double.parseDouble(v.substring(5)));
                }
                if (v.startsWith("gaussian:")) {
                    return Corruption.gaussian(Double.parseDouble(v.substring(9)));
                }
            } catch (IllegalArgumentException e) { // NumberFormatException too
                throw new CommandLine.TypeConversionException("'" + value + "': " + e.getMessage());
            }
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not none, mask:P (0 <= P < 1) or gaussian:S (S >= 0)");
        }
    }
}

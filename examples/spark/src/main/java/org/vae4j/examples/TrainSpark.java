package org.vae4j.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.ConditionalVae;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.data.DataNotFoundException;
import org.vae4j.data.DataLocator;
import org.vae4j.data.DatasetSource;
import org.vae4j.data.ImageDataset;
import org.vae4j.io.Checkpoint;
import org.vae4j.io.ModelFiles;
import org.vae4j.io.TrainingState;
import org.vae4j.kernel.Gemms;
import org.vae4j.optim.Optimizer;
import org.vae4j.spark.SparkTrainer;
import org.vae4j.train.EpochStats;
import org.vae4j.train.TrainerConfig;
import org.vae4j.train.TrainingException;
import org.vae4j.train.TrainingProgress;
import picocli.CommandLine;

/**
 * {@code examples/train-spark}: the MNIST trainer ({@link TrainMnist}'s flags and outputs:
 * model.safetensors, checkpoint.safetensors, metrics.json, loss.png, the pictures) with the
 * training on Spark ({@link SparkTrainer}: exact, the parameters of {@code train-mnist
 * --micro-batches N --threads 1}), plus {@code --master URL} (default {@code local[*]}),
 * {@code --partitions P} (default 2) and {@code --micro-batches N} (default P).
 *
 * <p>The run's files are train-mnist's set ({@link TrainMnistRun}): stale temporary files of a
 * killed run are removed at the start; each epoch writes the model, the checkpoint, then
 * metrics.json with its {@code saved} section; a failure after the first saved epoch ends with
 * {@code status: failed} and the {@code error} in metrics.json; an {@link Error} ends in one line
 * and exit status 1 ({@link ProgramErrors}).
 *
 * <p>The training images are read by the tasks, each its range of the IDX files
 * ({@link ExecutorImages}); the driver reads their headers and the test split, which it
 * evaluates. With {@code --binarise} each
 * task binarises its own rows each epoch, keyed by row id ({@link SparkTrainer.Builder#binarise}),
 * as train-mnist does; with {@code --model cvae} each image travels with its one-hot label
 * ({@link SparkTrainer#trainConditional}); with {@code --validation} the same images are held out
 * as by train-mnist, evaluated by the tasks each epoch, early stopping with {@code --patience},
 * and model.safetensors holds the best epoch.
 */
public final class TrainSpark {

    static final String PROGRAM = "train-spark";

    private TrainSpark() {
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        ProgramErrors.exitOnUncaughtThrowable(PROGRAM);
        System.exit(run(args));
    }

    /** Runs the program in this JVM (tests); any failure ends in one line on stderr, never a stack trace. */
    static int run(String[] args) {
        try {
            return parseAndTrain(args);
        } catch (Error | Exception e) { // Spark throws its checked SparkException without declaring it
            System.out.flush();
            System.err.println(PROGRAM + ": " + (e instanceof Error err ? ProgramErrors.describe(err)
                    : "internal error: " + TrainMnistRun.errorLine(e)));
            if (System.getenv("VAE4J_DEBUG") != null) {
                e.printStackTrace();
            }
            System.err.flush();
            return TrainMnist.EXIT_FAILURE;
        }
    }

    private static int parseAndTrain(String[] args) {
        String master = "local[*]";
        int partitions = 2;
        List<String> rest = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--master" -> master = value(args, ++i, "--master");
                    case "--partitions" -> partitions = Integer.parseInt(value(args, ++i, "--partitions"));
                    default -> rest.add(args[i]);
                }
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
            }
        } catch (IllegalArgumentException e) {
            System.err.println(PROGRAM + ": " + e.getMessage());
            return TrainMnist.EXIT_USAGE;
        }
        TrainMnist o = new TrainMnist();
        CommandLine cl = TrainMnist.commandLine(o);
        try {
            CommandLine.ParseResult parsed = cl.parseArgs(rest.toArray(new String[0]));
            if (o.help) {
                System.out.println("Usage: train-spark [--master URL] [--partitions P] [--micro-batches N] "
                        + "[train-mnist flags]\n  --master URL      Spark master (default local[*])\n"
                        + "  --partitions P    partitions of each epoch's data (default 2)\n"
                        + "  --micro-batches N micro-batches per step (default P); bit-identical to "
                        + "train-mnist --micro-batches N --threads 1\n\nThe train-mnist flags:");
                cl.usage(System.out);
                return 0;
            }
            if (!parsed.hasMatchedOption("--micro-batches")) {
                o.microBatches = partitions;
            }
            return train(o, master, partitions);
        } catch (CommandLine.ParameterException e) {
            System.err.println(PROGRAM + ": " + e.getMessage() + " (see --help)");
            return TrainMnist.EXIT_USAGE;
        } catch (TrainMnist.UsageException e) {
            System.err.println(PROGRAM + ": " + e.getMessage() + " (see --help)");
            return TrainMnist.EXIT_USAGE;
        } catch (DataNotFoundException | IllegalArgumentException e) {
            System.err.println(PROGRAM + ": " + e.getMessage());
            return TrainMnist.EXIT_FAILURE;
        } catch (IOException e) {
            System.err.println(PROGRAM + ": " + TrainMnist.describe(e));
            return TrainMnist.EXIT_FAILURE;
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static int train(TrainMnist o, String master, int partitions) throws TrainMnist.UsageException,
            IOException {
        TrainMnistSettings.check(o);
        Checkpoint checkpoint = null;
        if (o.resume != null) {
            checkpoint = ModelFiles.loadCheckpoint(o.resume);
            TrainMnistSettings.adopt(o, checkpoint);
        }
        if (checkpoint != null && o.validation > 0) {
            throw new TrainMnist.UsageException("train-spark does not resume a run with --validation (its best epoch and "
                    + "early-stopping counter continue locally): resume " + o.resume + " with train-mnist --resume");
        }
        Path dir = o.out != null ? o.out : checkpoint != null && o.resume.getParent() != null ? o.resume.getParent()
                : Path.of("out", o.dataset + "-" + o.model + "-spark");
        // the training images are read by the tasks (ExecutorImages); the driver reads their headers and the test split
        DataLocator.Location location = ExampleData.locator(o.dataset, o.data).locate();
        String trainImages = idxFile(location.dir(), ImageDataset.TRAIN_FILES[0]);
        String trainLabels = idxFile(location.dir(), ImageDataset.TRAIN_FILES[1]);
        ExecutorImages.Header train = ExecutorImages.header(new Configuration(), trainImages,
                o.model == TrainMnist.ModelKind.cvae ? trainLabels : null);
        verifyChecksums(o.dataset, location, trainImages, trainLabels);
        ImageDataset test = ImageDataset.loadMnistFormat(location.dir(), false);
        LatentModel net = checkpoint != null ? checkpoint.model() : o.buildModel(train.pixels());
        int threads = o.threads != null ? o.threads : Gemms.defaultThreads();
        net.setGemm(Gemms.create(threads)); // the driver's evaluation; the executors compute on one thread each
        TrainerConfig config = o.trainerConfig();
        SparkTrainer trainer = SparkTrainer.builder(config).partitions(partitions).microBatches(config.microBatches())
                .binarise(o.binarise).build();
        Optimizer optimizer = checkpoint != null ? checkpoint.optimizer() : trainer.config().newOptimizer();
        List<EpochStats> history = new ArrayList<>(checkpoint != null ? checkpoint.training().history() : List.of());
        RunFolder.checkReplaceable(dir, o.out != null, o.force, o.resume); // after every input is checked
        TrainMnist.removeStaleTemporaries(dir);
        TrainMnistMetrics metrics = new TrainMnistMetrics(dir, TrainMnist.isVae(net),
                checkpoint != null ? TrainMnistMetrics.restoredRows(checkpoint) : new ArrayList<>());
        metrics.put("status", "running");
        Map<String, Object> settings = TrainMnistMetrics.settings(o, net, trainer.config(), optimizer.describe(), 1);
        settings.put("spark_master", master);
        settings.put("spark_partitions", partitions);
        metrics.put("settings", settings);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("dir", location.dir().toAbsolutePath().normalize().toString());
        data.put("origin", location.origin().toString().toLowerCase());
        int held = trainer.config().validationRows(train.count());
        data.put("train_images", train.count() - held);
        if (held > 0) {
            data.put("validation_images", held);
        }
        data.put("test_images", test.size());
        data.put("test_binarised", o.binarise);
        metrics.put("data", data);
        Map<String, Object> modelInfo = new LinkedHashMap<>();
        modelInfo.put("architecture", TrainMnist.architecture(net));
        modelInfo.put("parameters", net.parameterCount());
        modelInfo.put("gemm", "one thread per Spark task");
        modelInfo.put("java", System.getProperty("java.version"));
        metrics.put("model", modelInfo);
        metrics.put("saved", TrainMnistRun.savedInfo(history.size(), history.size()));
        metrics.put("epochs", metrics.rows());
        SparkTrainer[] withFiles = new SparkTrainer[1]; // the listener's checkpoints hold its validation progress
        boolean[] wroteMetrics = {false}; // as train-mnist: metrics.json is written once this run saved an epoch
        int[] modelEpoch = {history.size()}; // with --validation: the best epoch, whose parameters the model holds
        FMatrixRMaj testC = net.conditionSize() > 0 ? ConditionalVae.oneHot(test.labels(), TrainMnist.CLASSES) : null;
        FMatrixRMaj testX = o.binarise ? TrainMnistRun.binarisedTest(test.images(), o.seed) : test.images();
        System.out.printf("train-spark: %s, %,d train images, %s, %d partitions, %d micro-batches, master %s -> %s%n",
                o.dataset, train.count(), TrainMnist.architecture(net), partitions, trainer.config().microBatches(),
                master, dir);
        try {
            SparkSession spark = SparkSession.builder().master(master).appName(PROGRAM)
                    .config("spark.ui.enabled", "false").getOrCreate();
            try {
                JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                SparkTrainer onSpark = SparkTrainer.builder(trainer.config()).partitions(partitions)
                        .microBatches(trainer.config().microBatches()).binarise(o.binarise).metricsListener(m -> {
                            EpochStats stats = m.stats();
                            history.add(stats);
                            long t0 = System.nanoTime();
                            // a cvae's test -ELBO is that of log p(x|c) given the true labels, as train-mnist's
                            Loss testLoss = testC == null ? net.negativeElbo(testX, new SplittableRandom(o.seed + 1_000_003L))
                                    : net.negativeElbo(testX, testC, new SplittableRandom(o.seed + 1_000_003L));
                            metrics.addEpoch(m, testLoss, (System.nanoTime() - t0) / 1e9, o.epochs,
                                    trainer.config().schedulesLearningRate());
                            if (m.hasValidation()) {
                                metrics.put("best_epoch", m.bestEpoch());
                            }
                            try { // as train-mnist: with validation the model is saved at each new best epoch only
                                boolean model = !m.hasValidation() || m.isBest();
                                if (model) {
                                    modelEpoch[0] = history.size();
                                }
                                saveEpoch(o, net, optimizer, withFiles[0].state(history), history.size(), modelEpoch[0],
                                        model, metrics, dir);
                                wroteMetrics[0] = true;
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }).build();
                withFiles[0] = onSpark;
                if (testC == null) {
                    onSpark.train(ExecutorImages.images(sc, train, partitions), net, optimizer);
                } else { // each image with its one-hot label, as train-mnist --model cvae
                    onSpark.trainConditional(ExecutorImages.imagesWithLabels(sc, train, trainLabels, TrainMnist.CLASSES,
                            partitions), net, optimizer);
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } finally {
                spark.stop();
            }
            if (held > 0 && !history.isEmpty()) {
                TrainingProgress p = withFiles[0].state(history).progress();
                System.out.printf("%sbest epoch %d: validation %s %.3f; model.safetensors holds its parameters%n",
                        p.stopped() ? "stopped early after epoch " + history.size() + " (no improvement for "
                                + p.epochsWithoutImprovement() + " epochs); " : "", p.bestEpoch(),
                        TrainMnist.isVae(net) ? "-ELBO" : "SE/image", p.bestValue());
                metrics.put("best_epoch", p.bestEpoch());
                if (p.stopped()) {
                    metrics.put("stopped_early_after_epoch", history.size());
                }
            }
            finish(o, net, test, testX, testC, history.size(), modelEpoch[0], metrics, dir);
            return 0;
        } catch (TrainingException e) {
            System.err.println(PROGRAM + ": training stopped: " + e.getMessage());
            if (wroteMetrics[0]) {
                metrics.put("status", "stopped in epoch " + e.epoch() + ": " + e.getMessage());
                metrics.write();
                System.err.println(PROGRAM + ": " + dir + " keeps the files of epoch " + history.size());
            } else {
                System.err.println(PROGRAM + ": nothing of this run was saved");
            }
            return TrainMnist.EXIT_DIVERGED;
        } catch (Exception | Error e) { // also the undeclared SparkException of a failed job
            if (wroteMetrics[0]) { // as train-mnist: metrics.json says failed, with the error in one line
                metrics.put("status", "failed");
                metrics.put("error", TrainMnistRun.errorLine(e));
                try {
                    metrics.write();
                } catch (IOException | RuntimeException | Error second) {
                    e.addSuppressed(second);
                }
            }
            throw e;
        }
    }

    /** The file of an MNIST-format folder as a Hadoop path: {@code NAME.gz}, or the raw file when only it exists. */
    /**
     * The four files against the published SHA-256 tables (train-mnist's check), each streamed once
     * on the driver: they must all be one known set's files (MNIST, Fashion-MNIST or the bundled
     * subset, whichever matches); a data set without published checksums is only noted.
     *
     * @throws IllegalArgumentException naming the first file no published table has, or the set
     *                                  the files are when {@code --dataset} named another
     */
    private static void verifyChecksums(String dataset, DataLocator.Location location, String trainImages,
                                        String trainLabels) throws IOException {
        if (!DatasetSource.names().contains(dataset)) {
            System.err.println(PROGRAM + ": note: no published checksums for '" + dataset + "'; its files are not verified");
            return;
        }
        Configuration conf = new Configuration();
        List<String> files = List.of(trainImages, trainLabels, idxFile(location.dir(), ImageDataset.TEST_FILES[0]),
                idxFile(location.dir(), ImageDataset.TEST_FILES[1]));
        String[] actual = new String[files.size()];
        for (int i = 0; i < actual.length; i++) {
            actual[i] = ExecutorImages.sha256(conf, files.get(i));
        }
        List<DatasetSource> known = List.of(DatasetSource.named(dataset), DatasetSource.MNIST_SUBSET,
                DatasetSource.MNIST, DatasetSource.FASHION_MNIST);
        for (DatasetSource s : known) {
            boolean all = true;
            for (int i = 0; i < actual.length && all; i++) {
                all = actual[i].equalsIgnoreCase(s.sha256().get(ImageDataset.ALL_FILES.get(i)));
            }
            if (all) {
                boolean same = s.name().equals(dataset) || (s == DatasetSource.MNIST_SUBSET && dataset.equals("mnist"));
                if (!same) {
                    throw new IllegalArgumentException(location.dir() + " holds the " + s.name() + " files, not "
                            + dataset + ": give --dataset " + s.name());
                }
                return;
            }
        }
        for (int i = 0; i < actual.length; i++) {
            String sum = actual[i];
            if (known.stream().noneMatch(s -> s.sha256().containsValue(sum.toLowerCase(java.util.Locale.ROOT))
                    || s.sha256().containsValue(sum))) {
                throw new IllegalArgumentException(files.get(i) + ": SHA-256 of its content is " + sum + ", which is "
                        + "no published " + dataset + " file's (a corrupt or different file)");
            }
        }
        throw new IllegalArgumentException(location.dir() + ": its four files are from different published sets");
    }

    private static String idxFile(Path dir, String gzName) {
        Path gz = dir.resolve(gzName);
        Path raw = dir.resolve(gzName.substring(0, gzName.length() - 3));
        return (Files.exists(gz) || !Files.exists(raw) ? gz : raw).toAbsolutePath().toUri().toString();
    }

    /** The epoch's set as train-mnist's: model, checkpoint, then metrics.json naming both epochs; loss.png. */
    private static void saveEpoch(TrainMnist o, LatentModel net, Optimizer optimizer, TrainingState state, int epoch,
                                  int modelEpoch, boolean model, TrainMnistMetrics metrics, Path dir) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(TrainMnist.META_DATASET, o.dataset);
        meta.put(TrainMnist.META_BINARISE, Boolean.toString(o.binarise));
        if (model) {
            ModelFiles.save(net, dir.resolve("model.safetensors"), state, meta);
        }
        meta.put(TrainMnistMetrics.META_METRICS, metrics.rowsJson());
        ModelFiles.saveCheckpoint(net, optimizer, state, dir.resolve("checkpoint.safetensors"), meta);
        metrics.put("saved", TrainMnistRun.savedInfo(epoch, modelEpoch));
        metrics.write();
        metrics.writeLossChart(o.dataset, TrainMnist.architecture(net));
    }

    /** As train-mnist's end: the importance-weighted log p(x) and active units of a VAE, the pictures. */
    private static void finish(TrainMnist o, LatentModel net, ImageDataset test, FMatrixRMaj testX, FMatrixRMaj testC,
                               int epochs, int modelEpoch, TrainMnistMetrics metrics, Path dir) throws IOException {
        if (TrainMnist.isVae(net)) {
            TrainMnistRun.testEstimates(o, net, testX, testC, metrics);
        }
        List<String> files = new ArrayList<>(List.of("model.safetensors", "checkpoint.safetensors", "metrics.json",
                "loss.png"));
        files.addAll(TrainingPictures.writeAll(net, test, TrainMnist.classes(o.dataset), o.seed, dir));
        metrics.put("files", files);
        metrics.put("saved", TrainMnistRun.savedInfo(epochs, modelEpoch));
        metrics.put("status", "finished");
        metrics.write();
        System.out.println("wrote " + String.join(", ", files) + " in " + dir);
    }
}

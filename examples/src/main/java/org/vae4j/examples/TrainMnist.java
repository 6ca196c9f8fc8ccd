package org.vae4j.examples;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import org.vae4j.Autoencoder;
import org.vae4j.ConditionalVae;
import org.vae4j.LatentModel;
import org.vae4j.ModelBuilder;
import org.vae4j.Vae;
import org.vae4j.data.DataNotFoundException;
import org.vae4j.data.DatasetSplits;
import org.vae4j.data.ImageDataset;
import org.vae4j.internal.AtomicFiles;
import org.vae4j.io.Checkpoint;
import org.vae4j.io.KernelRecord;
import org.vae4j.io.ModelCodecs;
import org.vae4j.io.ModelFiles;
import org.vae4j.kernel.Gemms;
import org.vae4j.objective.Corruption;
import org.vae4j.train.TrainerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The MNIST trainer: trains the seed VAE (784-512-32, Bernoulli, Adam 1e-3, batch 128, 10 epochs,
 * seed 42), a conditional VAE given the one-hot label ({@code --model cvae}) or a deep autoencoder on MNIST or Fashion-MNIST, evaluates on the test set after every
 * epoch, and writes the model, a checkpoint, metrics.json and pictures into {@code --out}.
 *
 * <p>This class holds the flags, their checks and the resumed settings; {@link TrainMnistRun}
 * is the run (one {@link org.vae4j.train.TrainingRun} with an epoch callback for the fresh
 * binarisation, the evaluation and the files) and {@link TrainMnistMetrics} metrics.json. With
 * {@code --validation} the trainer holds a seeded part of the training images out, evaluates it
 * with the same noise every epoch, stops early after {@code --patience} epochs without
 * improvement and ends with the best epoch's parameters.
 */
@Command(name = TrainMnist.PROGRAM, sortOptions = false,
        usageHelpAutoWidth = true,
        description = {"Train a VAE or an autoencoder on MNIST or Fashion-MNIST; write the model, metrics and "
                + "pictures into --out.", ""},
        footer = {"", "Writes into --out: model.safetensors, checkpoint.safetensors (after every epoch), metrics.json, "
                + "loss.png, reconstructions.png, interpolations.png, traversal.png; samples.png (VAE); "
                + "conditional-samples.png (CVAE); "
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

    /** Default importance samples and the test images of the final log p(x) estimate (Burda et al. 2016 use k = 5000). */
    static final int IW_SAMPLES = 100;
    static final int IW_IMAGES = 1000;

    private static final String[] FASHION_CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
    /** Our keys in the model files' metadata (vae4j.* is the library's). */
    static final String META_DATASET = "dataset";
    static final String META_BINARISE = "binarise";

    enum ModelKind { vae, ae, cvae }

    /** Classes of MNIST and Fashion-MNIST: the width of a cvae's one-hot condition. */
    static final int CLASSES = 10;

    @Option(names = {"-h", "--help"}, usageHelp = true, order = 0, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--data", paramLabel = "DIR", order = 1,
            description = "Folder with the four IDX files (also DIR/<dataset>): MNIST, Fashion-MNIST, or any "
                    + "other set of that format (EMNIST, KMNIST, ...), unverified. Default: search, see below.")
    Path data;

    @Option(names = "--dataset", defaultValue = "mnist", paramLabel = "NAME", order = 2,
            description = "mnist or fashion-mnist (default ${DEFAULT-VALUE}). The files are recognised by their "
                    + "SHA-256 whatever it says; given, it must match them.")
    String dataset;

    @Option(names = "--model", defaultValue = "vae", paramLabel = "vae|ae|cvae", order = 3,
            description = "vae (Kingma & Welling), ae (Hinton & Salakhutdinov's autoencoder) or cvae (a conditional "
                    + "VAE given the one-hot label, Sohn et al.); default ${DEFAULT-VALUE}.")
    ModelKind model;

    @Option(names = "--hidden", split = ",", paramLabel = "W[,W...]", hideParamSyntax = true, order = 4,
            description = "Encoder hidden widths, the decoder mirrors them (default 512 for vae and cvae, 1000,500,250 for ae).")
    int[] hidden;

    @Option(names = "--latent", paramLabel = "N", order = 5,
            description = "Latent (code) size (default 32 for vae and cvae, 30 for ae).")
    Integer latent;

    @Option(names = "--condition-scale", paramLabel = "S", order = 44,
            description = "cvae only: the label enters both networks as S times the one-hot vector (default "
                    + ConditionalVae.DEFAULT_CONDITION_SCALE + "; 1 joins it unscaled; docs/MATH.md section 26).")
    Double conditionScale;

    @Option(names = "--epochs", defaultValue = "" + TrainerConfig.DEFAULT_EPOCHS, paramLabel = "N", order = 6,
            description = "Epochs in total (default ${DEFAULT-VALUE}; with --resume, including those done).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "" + TrainerConfig.DEFAULT_BATCH_SIZE, paramLabel = "N", order = 7,
            description = "Mini-batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "" + TrainerConfig.DEFAULT_LEARNING_RATE, paramLabel = "RATE", order = 8,
            description = "Adam (AdamW) learning rate, the base of --lr-schedule (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--beta", defaultValue = "" + TrainerConfig.DEFAULT_BETA, paramLabel = "B", order = 9,
            description = "KL weight of a beta-VAE (default ${DEFAULT-VALUE}: the ELBO).")
    double beta;

    @Option(names = "--warmup-steps", defaultValue = "0", paramLabel = "N", order = 10,
            description = "Steps of linear KL warm-up from 0 to beta: --kl-schedule linear:N (default ${DEFAULT-VALUE}: none).")
    long warmupSteps;

    @Option(names = "--seed", defaultValue = "" + ModelBuilder.DEFAULT_SEED, paramLabel = "S", order = 11,
            description = "Seed of the weights, shuffling, noise and pictures (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N", order = 12,
            description = "GEMM threads (default: the number of processors; with --resume, the checkpoint's).")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", order = 13,
            description = "Output folder, created if needed (default out/<dataset>-<model>; with --resume, "
                    + "the checkpoint's folder). One holding a finished run is refused without --force.")
    Path out;

    @Option(names = "--force", order = 25,
            description = "Replace a finished run in --out (without it, a folder whose metrics.json says "
                    + "\"finished\" is refused).")
    boolean force;

    @Option(names = "--binarise", order = 14,
            description = "Dynamic binarisation: a fresh Bernoulli draw of the training pixels every epoch, "
                    + "each row's keyed by (seed, epoch, row); the test set is binarised once (seeded).")
    boolean binarise;

    @Option(names = "--corruption", defaultValue = "none", paramLabel = "SPEC", order = 15,
            converter = CorruptionConverter.class,
            description = "Denoising: none, mask:P (each pixel zeroed with probability P) or gaussian:S "
                    + "(noise of standard deviation S, clamped to [0, 1]); default ${DEFAULT-VALUE}.")
    Corruption corruption;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", order = 16,
            description = "Continue a run from its checkpoint.safetensors, bit-identically, up to --epochs.")
    Path resume;

    @Option(names = "--validation", defaultValue = "0", paramLabel = "N", order = 17,
            description = "Hold N training images out (seeded) for validation, evaluated with the same noise every "
                    + "epoch; below 1, a fraction of them. model.safetensors ends with the best epoch's parameters "
                    + "(default 0: none).")
    double validation;

    @Option(names = "--patience", defaultValue = "0", paramLabel = "P", order = 18,
            description = "Early stopping: stop after P epochs without a validation improvement of more than "
                    + "--min-delta (needs --validation; default 0: never).")
    int patience;

    @Option(names = "--min-delta", defaultValue = "0", paramLabel = "D", order = 19,
            description = "The least validation improvement that resets --patience (default ${DEFAULT-VALUE}).")
    double minDelta;

    @Option(names = "--lr-schedule", defaultValue = TrainerConfig.DEFAULT_LR_SCHEDULE, paramLabel = "SPEC",
            order = 20, description = "constant, step:EPOCHS,GAMMA (times GAMMA every EPOCHS epochs) or cosine "
                    + "(to 0 over --epochs), stepped per optimiser step (default ${DEFAULT-VALUE}).")
    String lrSchedule;

    @Option(names = "--lr-warmup-steps", defaultValue = "0", paramLabel = "N", order = 21,
            description = "Steps of linear learning-rate warm-up (default ${DEFAULT-VALUE}: none).")
    long lrWarmupSteps;

    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "W", order = 22,
            description = "AdamW with this decoupled weight decay (default 0: Adam).")
    double weightDecay;

    @Option(names = "--clip-grad-norm", defaultValue = "0", paramLabel = "C", order = 23,
            description = "Clip the total gradient 2-norm to C before each step (default 0: no clipping).")
    double clipGradNorm;

    @Option(names = "--micro-batches", defaultValue = "1", paramLabel = "N", order = 24,
            description = "Compute each batch's gradient as N micro-batches (default ${DEFAULT-VALUE}).")
    int microBatches;

    // The objectives and KL schedules (docs/MATH.md, sections 27 to 29).
    @Option(names = "--objective", defaultValue = TrainerConfig.DEFAULT_OBJECTIVE, paramLabel = "elbo|iwae:K",
            order = 41, description = "elbo (the negative ELBO) or iwae:K (the IWAE bound with K importance samples "
                    + "per image; beta 1, no free bits); default ${DEFAULT-VALUE}.")
    String objective;

    @Option(names = "--free-bits", defaultValue = "0", paramLabel = "LAMBDA", order = 42,
            description = "Free bits: each latent dimension's batch-mean KL counts at least LAMBDA nats (default 0: "
                    + "none; the elbo objective, whole batches).")
    double freeBits;

    @Option(names = "--kl-schedule", defaultValue = "constant", paramLabel = "SPEC", order = 43,
            description = "How beta rises to --beta: constant, linear:STEPS (as --warmup-steps) or "
                    + "cyclical:STEPS,RATIO (cycles of STEPS steps, rising over the first RATIO of each); "
                    + "default ${DEFAULT-VALUE}.")
    String klSchedule;

    @Option(names = "--iw-samples", defaultValue = "" + IW_SAMPLES, paramLabel = "K", order = 40,
            description = "Importance samples per image of the final test log p(x) estimate, on the first "
                    + IW_IMAGES + " test images (default ${DEFAULT-VALUE}).")
    int iwSamples;

    @Spec
    CommandSpec spec;

    /** The classes of the data (the width of a cvae's one-hot condition): 10, or more for other IDX sets. */
    int classCount = CLASSES;
    /** The data as the pictures' titles name it, once loaded (e.g. "the bundled 5,000-image MNIST subset"). */
    String dataLabel;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        ProgramErrors.exitOnUncaughtThrowable(PROGRAM);
        System.exit(execute(args));
    }

    /** Runs the program in this JVM (tests); returns the exit status. */
    static int execute(String... args) {
        return ProgramErrors.execute(commandLine(new TrainMnist()), PROGRAM, args);
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
            // the library's message says where the files were looked for and where to put them, in the
            // API's words ("the explicit data folder"); this program's explicit folder is --data
            return fail(e.getMessage().replace("the explicit data folder ", "--data "), EXIT_FAILURE);
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
            try {
                checkpoint = ModelFiles.loadCheckpoint(resume);
            } catch (NoSuchFileException e) {
                throw new IOException("--resume " + describe(e), e);
            }
            TrainMnistSettings.adopt(this, checkpoint);
        }
        Path outDir = outputFolder(checkpoint);
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new UsageException("--out " + outDir + " is a file, not a folder");
        }
        DatasetSplits splits = TrainMnistData.load(this, checkpoint != null);
        ImageDataset train = splits.train();
        ImageDataset test = splits.test();
        int inputs = train.pixels();
        classCount = checkpoint != null && checkpoint.model().conditionSize() > 0
                ? checkpoint.model().conditionSize() : TrainMnistData.classCount(splits);
        LatentModel net = checkpoint != null ? checkpoint.model() : buildModel(inputs);
        if (net.inputSize() != inputs) {
            throw new UsageException(resume + " holds a model of " + net.inputSize() + " inputs, but " + dataset
                    + " images have " + inputs + " pixels");
        }
        RunFolder.checkReplaceable(outDir, given("--out"), force, resume); // after every input is checked
        int t;
        if (checkpoint != null && threads == null) {
            t = KernelRecord.of(net.kernels()).threads(); // loadCheckpoint gave it the recorded GEMM and threads
        } else if (threads == null) {
            t = KernelRecord.of(net.kernels()).threads(); // the default backend the model was built with
        } else {
            t = threads;
            net.setGemm(Gemms.create(t));
        }
        if (checkpoint != null) {
            checkpoint.checkKernels(); // a warning per difference from the kernels the checkpoint was trained with
        }

        System.out.printf("data: %s, %,d train and %,d test images of %dx%d from %s (%s)%n",
                TrainMnistData.label(splits), train.size(), test.size(), train.rows(), train.cols(),
                splits.dir().toAbsolutePath().normalize(), TrainMnistData.origin(splits.location().origin()));
        if (splits.isBundledSubset()) {
            System.out.println("WARNING: training on the bundled 5,000-image MNIST subset"
                    + (splits.location().origin() == org.vae4j.data.DataLocator.Origin.BUNDLED_SUBSET
                    ? " (no full " + dataset + " found; see the message above and docs/DATA.md)" : "")
                    + ": results will not match full MNIST.");
        }
        System.out.printf("model: %s %s, %,d parameters; GEMM %s, %d thread(s)%n",
                net.conditionSize() > 0 ? "conditional VAE" : isVae(net) ? "VAE" : "autoencoder",
                architecture(net), net.parameterCount(), net.gemm().name(), t);
        if (Files.exists(outDir.resolve("metrics.json")) && checkpoint == null) {
            System.out.println("note: " + outDir + " holds an earlier run; its files are replaced from this run's "
                    + "first saved epoch on (a run that fails before keeps them)");
        }
        removeStaleTemporaries(outDir);
        dataLabel = TrainMnistData.label(splits);
        return new TrainMnistRun(this, net, checkpoint, train, test, splits, outDir, t).train();
    }

    /** Creates {@code outDir} and deletes what a run killed mid-write left in it (also train-spark's). */
    static void removeStaleTemporaries(Path outDir) throws IOException {
        Files.createDirectories(outDir);
        // what a run killed mid-write left behind (.NAME.RANDOM.tmp of AtomicFiles)
        List<Path> stale = AtomicFiles.removeStaleTemporaries(outDir, null);
        if (!stale.isEmpty()) {
            System.out.println("note: removed " + stale.size() + " temporary file(s) a killed run left in " + outDir
                    + ": " + String.join(", ", stale.stream().map(p -> p.getFileName().toString()).toList()));
        }
    }

    private void checkFlags() throws UsageException {
        TrainMnistSettings.check(this);
    }

    /** The trainer settings of the flags (after a resumed run's adoption). */
    TrainerConfig trainerConfig() {
        return TrainMnistSettings.trainerConfig(this);
    }

    boolean given(String flag) {
        return spec != null && spec.commandLine().getParseResult().hasMatchedOption(flag);
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

    LatentModel buildModel(int inputs) {
        if (model == ModelKind.vae) {
            return Vae.builder(inputs).hidden(hidden != null ? hidden : defaultHidden())
                    .latent(latent != null ? latent : 32).seed(seed).build();
        }
        if (model == ModelKind.cvae) {
            return ConditionalVae.builder(inputs, classCount).hidden(hidden != null ? hidden : defaultHidden())
                    .latent(latent != null ? latent : 32)
                    .conditionScale(conditionScale != null ? conditionScale : ConditionalVae.DEFAULT_CONDITION_SCALE)
                    .seed(seed).build();
        }
        return Autoencoder.builder(inputs).hidden(hidden != null ? hidden : defaultHidden())
                .latent(latent != null ? latent : 30).seed(seed).build();
    }

    static String[] classes(String dataset) {
        return classes(dataset, CLASSES);
    }

    /** The names of {@code n} classes: Fashion-MNIST's, else the labels' digits. */
    static String[] classes(String dataset, int n) {
        return dataset.equals("fashion-mnist") && n == CLASSES ? FASHION_CLASSES.clone()
                : java.util.stream.IntStream.range(0, n).mapToObj(Integer::toString).toArray(String[]::new);
    }

    /** The encoder's hidden widths when --hidden is not given. */
    int[] defaultHidden() {
        return model == ModelKind.ae ? new int[] {1000, 500, 250} : new int[] {512};
    }

    /** The encoder's hidden widths of a model, as its file codec records them. */
    static int[] hiddenSizes(LatentModel m) {
        return widths(ModelCodecs.architecture(m).get("vae4j.hidden_sizes"));
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
}

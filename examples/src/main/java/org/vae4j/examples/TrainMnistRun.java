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

import org.ejml.data.FMatrixRMaj;
import org.vae4j.Autoencoder;
import org.vae4j.ConditionalVae;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.Vae;
import org.vae4j.data.Binarisation;
import org.vae4j.data.DatasetSplits;
import org.vae4j.data.ImageDataset;
import org.vae4j.eval.ActiveUnits;
import org.vae4j.eval.ImportanceWeighted;
import org.vae4j.eval.LatentUsage;
import org.vae4j.eval.LogLikelihoodEstimate;
import org.vae4j.io.Checkpoint;
import org.vae4j.io.ModelFiles;
import org.vae4j.io.TrainingState;
import org.vae4j.optim.Optimizer;
import org.vae4j.train.EpochCallback;
import org.vae4j.train.EpochMetrics;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainerConfig;
import org.vae4j.train.TrainingException;
import org.vae4j.train.TrainingRun;
import org.vae4j.train.ValidationSplit;

/**
 * One run of {@link TrainMnist}: a {@link TrainingRun} over all its epochs, with a callback that
 * draws each epoch's fresh binarisation (with {@code --binarise}: {@link Binarisation}, keyed by
 * row), evaluates on the test set
 * after every epoch and rewrites the checkpoint, metrics.json and loss.png (each atomically), so
 * a run that stops keeps its last good epoch. model.safetensors is rewritten after every epoch
 * without a validation set, and after each new best epoch with one (so it always holds the best
 * parameters); the other pictures are drawn at the end, from the final (with a validation set:
 * the best epoch's) parameters.
 *
 * <p>The run's files form one set per epoch: model, then checkpoint, then metrics.json last, whose
 * {@code saved} section names the epoch the checkpoint holds and the epoch the model holds. After
 * a kill the checkpoint can be one epoch ahead of metrics.json, never behind; {@code --resume}
 * rewrites metrics.json from the checkpoint's own rows. metrics.json is only ever written by a run
 * that has saved an epoch (or resumes one): a run that diverges or fails before its first saved
 * epoch leaves an earlier run's files as they were. A failure after that (a full disk while
 * drawing the pictures, say) ends with {@code status: failed} and the error in metrics.json.
 */
final class TrainMnistRun {

    private static final String META_DATASET = TrainMnist.META_DATASET;
    private static final String META_BINARISE = TrainMnist.META_BINARISE;

    private final TrainMnist o;
    private final LatentModel net;
    private final ImageDataset test;
    private final DatasetSplits splits;
    private final Path dir;
    private final int threadCount;
    private final TrainerConfig config;
    private final Trainer trainer;
    private final Optimizer optimizer;
    private final TrainingRun run;
    private final ValidationSplit split;   // of the raw training images
    private final FMatrixRMaj binarised;   // the training rows of this epoch with --binarise, else null
    private final List<EpochStats> history;
    private final TrainMnistMetrics metrics;
    private final FMatrixRMaj testX;       // the evaluation's test images (binarised once with --binarise)
    private final FMatrixRMaj testC;       // (test, 10) one-hot labels for a cvae, else null
    private ProgressBar bar = ProgressBar.forTerminal(System.err, "", 1); // the current epoch's
    private final boolean resumed;
    private final boolean earlierRun;      // the folder held an earlier run's metrics.json or model
    private int modelEpoch;                // the epoch model.safetensors holds
    private boolean wroteMetrics;          // whether this run has written metrics.json

    TrainMnistRun(TrainMnist o, LatentModel net, Checkpoint checkpoint, ImageDataset train, ImageDataset test,
                  DatasetSplits splits, Path dir, int threadCount) throws IOException {
        this.o = o;
        this.net = net;
        this.test = test;
        this.splits = splits;
        this.dir = dir;
        this.threadCount = threadCount;
        this.config = o.trainerConfig();
        this.trainer = Trainer.builder().config(config).stepListener((epoch, step, n, loss) -> bar.advance(n))
                .callback(new Callback()).build();
        this.optimizer = checkpoint != null ? checkpoint.optimizer() : trainer.newOptimizer();
        boolean conditional = net.conditionSize() > 0;
        this.split = ValidationSplit.split(train.images(),
                conditional ? ConditionalVae.oneHot(train.labels(), net.conditionSize()) : null, config);
        FMatrixRMaj validation = split.validation();
        if (o.binarise) {
            binarised = new FMatrixRMaj(split.train().numRows, split.train().numCols);
            if (validation != null) { // once, keyed by (seed, VALIDATION, row): the same images every epoch
                FMatrixRMaj v = new FMatrixRMaj(validation.numRows, validation.numCols);
                new Binarisation(o.seed).binarise(validation, v, Binarisation.VALIDATION, 0);
                validation = v;
            }
        } else {
            binarised = null;
        }
        TrainingRun r = trainer.start(net, ValidationSplit.of(o.binarise ? binarised : split.train(),
                split.trainConditions(), validation, split.validationConditions()), optimizer);
        this.run = checkpoint != null ? r.restore(checkpoint.training().progress()) : r;
        this.history = new ArrayList<>(checkpoint != null ? checkpoint.training().history() : List.of());
        if (checkpoint != null && (optimizer.steps() % run.stepsPerEpoch() != 0
                || run.completedEpochs() != history.size())) {
            throw new IllegalArgumentException(o.resume + " holds " + history.size() + " epochs of "
                    + optimizer.steps() + " optimiser steps in all, which do not fit " + run.stepsPerEpoch()
                    + " steps per epoch of these " + run.trainingData().numRows + " training images: resume "
                    + "with the data the run started with (--data)");
        }
        this.metrics = new TrainMnistMetrics(dir, TrainMnist.isVae(net),
                checkpoint != null ? TrainMnistMetrics.restoredRows(checkpoint) : new ArrayList<>());
        this.testX = o.binarise ? binarisedTest(test.images(), o.seed) : test.images();
        this.testC = conditional ? ConditionalVae.oneHot(test.labels(), net.conditionSize()) : null;
        this.resumed = checkpoint != null;
        this.earlierRun = !resumed && (Files.exists(dir.resolve("metrics.json"))
                || Files.exists(dir.resolve("model.safetensors")));
        this.modelEpoch = split.validation() != null ? run.bestEpoch() : history.size();
    }

    /** The epoch hooks: binarisation, progress bar, evaluation and files. */
    private final class Callback implements EpochCallback {
        @Override
        public void onEpochStart(TrainingRun r, int epoch) {
            if (binarised != null) { // row r of the training rows keyed by (seed, BINARISE, epoch, r): train-spark's bits
                new Binarisation(o.seed).binarise(split.train(), binarised, epoch, 0);
            }
            bar = ProgressBar.forTerminal(System.err, String.format("epoch %d/%d", epoch, o.epochs),
                    r.trainingData().numRows);
        }

        @Override
        public void onEpochEnd(TrainingRun r, EpochMetrics m) {
            bar.finish();
            history.add(m.stats());
            long t0 = System.nanoTime();
            // a cvae's test -ELBO is that of log p(x|c) given the true labels
            Loss testLoss = testC == null ? net.negativeElbo(testX, new SplittableRandom(o.seed + 1_000_003L))
                    : net.negativeElbo(testX, testC, new SplittableRandom(o.seed + 1_000_003L));
            metrics.addEpoch(m, testLoss, (System.nanoTime() - t0) / 1e9, o.epochs, config.schedulesLearningRate());
            addIwaeBound();
            if (m.hasValidation()) {
                metrics.put("best_epoch", m.bestEpoch());
            }
            try {
                saveEpoch(!m.hasValidation() || m.isBest());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The test images binarised once with --binarise, row r keyed by (seed, BINARISE, TEST, r) (also train-spark's). */
    static FMatrixRMaj binarisedTest(FMatrixRMaj images, long seed) {
        FMatrixRMaj x = new FMatrixRMaj(images.numRows, images.numCols);
        new Binarisation(seed).binarise(images, x, Binarisation.TEST, 0);
        return x;
    }

    /** With --objective iwae:K, the test set's IWAE bound of the same K next to its -ELBO (a cvae's given the labels). */
    private void addIwaeBound() {
        int k = config.importanceSamples();
        if (k > 0) {
            long t0 = System.nanoTime();
            LogLikelihoodEstimate iw = ImportanceWeighted.logLikelihood(net, testX, testC, k,
                    new SplittableRandom(o.seed + 3_000_017L));
            metrics.putInLastRow("test_neg_iwae_bound", -iw.logLikelihood());
            metrics.putInLastRow("test_neg_iwae_bound_k", k);
            System.out.printf("          test -IWAE bound (K=%d) %.3f  (%.1f s)%n", k, -iw.logLikelihood(),
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    int train() throws IOException {
        metrics.put("status", "running");
        metrics.put("settings", TrainMnistMetrics.settings(o, net, config, optimizer.describe(), threadCount));
        metrics.put("data", dataInfo());
        metrics.put("model", modelInfo());
        if (split.validation() != null && run.bestEpoch() > 0) {
            metrics.put("best_epoch", run.bestEpoch());
        }
        metrics.put("saved", savedInfo());
        metrics.put("epochs", metrics.rows());
        if (run.isFinished()) {
            System.out.printf("the checkpoint has %d epochs already (--epochs %d%s): evaluating only%n",
                    history.size(), o.epochs, run.isStopped() ? ", stopped early" : "");
        } else {
            System.out.printf("training: epochs %d..%d, batch %d, %s%s%s%s%s, seed %d -> %s%n",
                    run.completedEpochs() + 1, o.epochs, o.batchSize, optimizer.describe(),
                    run.schedule() != null ? ", " + run.schedule().describe() : "",
                    TrainMnist.isVae(net) ? ", " + config.newObjective().describe() + ", beta " + o.beta : "",
                    config.klSchedule().isConstant() ? "" : ", KL schedule " + config.klSchedule().spec(),
                    (o.binarise ? ", dynamic binarisation" : "")
                            + (o.corruption.isNone() ? "" : ", denoising " + o.corruption.describe())
                            + (split.validation() != null ? ", " + split.validation().numRows
                            + " images held out for validation" + (config.earlyStopping()
                            ? " (patience " + config.patience() + ")" : "") : ""),
                    o.seed, dir);
        }
        try {
            try {
                run.train();
            } catch (TrainingException e) {
                return diverged(e);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            trained();
            return 0;
        } catch (IOException | RuntimeException | Error e) {
            bar.finish();
            recordFailure(e);
            throw e;
        }
    }

    /** A diverged run: metrics.json says so only when it is this run's already. */
    private int diverged(TrainingException e) throws IOException {
        bar.finish();
        System.err.println(TrainMnist.PROGRAM + ": training stopped: " + e.getMessage());
        if (wroteMetrics) {
            metrics.put("status", "stopped in epoch " + e.epoch() + ": " + e.getMessage());
            writeMetrics();
            System.err.println(TrainMnist.PROGRAM + ": " + dir + " keeps the checkpoint and metrics of epoch "
                    + history.size() + " and the model of epoch " + modelEpoch);
        } else if (resumed) {
            System.err.println(TrainMnist.PROGRAM + ": nothing new was saved; " + dir + " keeps the files of epoch "
                    + history.size() + " that this run resumed from");
        } else {
            System.err.println(TrainMnist.PROGRAM + ": nothing of this run was saved" + (earlierRun
                    ? "; " + dir + " keeps the earlier run's files as they were" : ""));
        }
        return TrainMnist.EXIT_DIVERGED;
    }

    /**
     * After a failure: metrics.json (when this run has written it) ends with status "failed" and
     * the error in one line; a failure to write that is added to {@code e} as suppressed.
     */
    private void recordFailure(Throwable e) {
        if (!wroteMetrics) {
            return;
        }
        metrics.put("status", "failed");
        metrics.put("error", errorLine(e));
        try {
            writeMetrics();
        } catch (IOException | RuntimeException | Error second) {
            e.addSuppressed(second);
        }
    }

    /** The end of a run that trained all its epochs (or stopped early): the summary and {@link #finish()}. */
    private void trained() throws IOException {
        if (split.validation() != null && run.bestEpoch() > 0) {
            System.out.printf("%sbest epoch %d: validation %s %.3f; model.safetensors holds its parameters%n",
                    run.isStopped() ? "stopped early after epoch " + run.completedEpochs() + " (no improvement for "
                            + run.epochsWithoutImprovement() + " epochs); " : "",
                    run.bestEpoch(), TrainMnist.isVae(net) ? "-ELBO" : "SE/image", run.bestValue());
            metrics.put("best_epoch", run.bestEpoch());
            if (run.isStopped()) {
                metrics.put("stopped_early_after_epoch", run.completedEpochs());
            }
        }
        finish();
    }

    /** Writes metrics.json, the last file of each epoch's set. */
    private void writeMetrics() throws IOException {
        metrics.write();
        wroteMetrics = true;
    }

    /** The one line of metrics.json's {@code error} for a run that ends with {@code e} (also train-spark's). */
    static String errorLine(Throwable e) {
        return e instanceof IOException io ? TrainMnist.describe(io)
                : e instanceof Error err ? ProgramErrors.describe(err)
                : e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** The {@code saved} section: which epochs the checkpoint and the model hold. */
    private Map<String, Object> savedInfo() {
        return savedInfo(history.size(), modelEpoch);
    }

    /** metrics.json's {@code saved} section of a run whose checkpoint and model hold these epochs (also train-spark's). */
    static Map<String, Object> savedInfo(int checkpointEpoch, int modelEpoch) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checkpoint", "checkpoint.safetensors");
        m.put("checkpoint_epoch", checkpointEpoch);
        m.put("model", "model.safetensors");
        m.put("model_epoch", modelEpoch);
        return m;
    }

    /**
     * The epoch's set, each file replaced atomically: the model if {@code model}, the checkpoint,
     * then metrics.json naming both epochs; then loss.png.
     */
    private void saveEpoch(boolean model) throws IOException {
        TrainingState state = TrainingState.of(run, history);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_DATASET, o.dataset);
        meta.put(META_BINARISE, Boolean.toString(o.binarise));
        if (model) {
            ModelFiles.save(net, dir.resolve("model.safetensors"), state, meta);
            modelEpoch = history.size();
        }
        meta.put(TrainMnistMetrics.META_METRICS, metrics.rowsJson());
        ModelFiles.saveCheckpoint(net, optimizer, state, dir.resolve("checkpoint.safetensors"), meta);
        metrics.put("saved", savedInfo());
        writeMetrics();
        metrics.writeLossChart(o.dataLabel != null ? o.dataLabel : o.dataset, TrainMnist.architecture(net));
    }

    /**
     * A VAE's final test estimates into metrics.json and one line on stdout: the importance-weighted
     * log p(x) (log p(x|label) for a conditional model) on the first {@link TrainMnist#IW_IMAGES}
     * test images, the active units and the KL per latent dimension. train-spark's end too.
     */
    static void testEstimates(TrainMnist o, LatentModel vae, FMatrixRMaj testX, FMatrixRMaj testC,
                              TrainMnistMetrics metrics) {
        int n = Math.min(TrainMnist.IW_IMAGES, testX.numRows);
        FMatrixRMaj head = new FMatrixRMaj(n, testX.numCols);
        System.arraycopy(testX.data, 0, head.data, 0, n * testX.numCols);
        long t0 = System.nanoTime();
        FMatrixRMaj headC = null;
        if (testC != null) {
            headC = new FMatrixRMaj(n, testC.numCols);
            System.arraycopy(testC.data, 0, headC.data, 0, n * testC.numCols);
        }
        LogLikelihoodEstimate iw = ImportanceWeighted.logLikelihood(vae, head, headC, o.iwSamples,
                new SplittableRandom(o.seed + 2_000_003L));
        ActiveUnits au = LatentUsage.activeUnits(vae, testX, testC, ActiveUnits.DEFAULT_THRESHOLD);
        double[] kl = LatentUsage.klPerDimension(vae, testX, testC);
        metrics.put("test_log_px_iw", iw.logLikelihood());
        if (testC != null) {
            metrics.put("test_log_px_iw_given", "label"); // log p(x|c), c the true one-hot label
        }
        metrics.put("test_log_px_iw_standard_error", iw.standardError());
        metrics.put("test_log_px_iw_k", o.iwSamples);
        metrics.put("test_log_px_iw_images", n);
        metrics.put("active_units", au.count());
        metrics.put("latent_size", vae.latentSize());
        metrics.put("active_unit_variances", au.variances());
        metrics.put("kl_per_dimension", kl);
        System.out.printf("test log p(x%s) ~ %.3f +- %.3f nats (importance-weighted, k=%d, first %d test images, "
                        + "%.1f s); active units %d of %d%n", testC != null ? "|label" : "", iw.logLikelihood(),
                iw.standardError(), o.iwSamples, n, (System.nanoTime() - t0) / 1e9, au.count(), vae.latentSize());
    }

    /** The final evaluation (VAE: log p(x), active units) and the pictures. */
    private void finish() throws IOException {
        if (TrainMnist.isVae(net)) {
            testEstimates(o, net, testX, testC, metrics);
        } else {
            metrics.put("latent_size", net.latentSize());
        }
        List<String> files = new ArrayList<>(List.of("model.safetensors", "checkpoint.safetensors",
                "metrics.json", "loss.png"));
        files.addAll(TrainingPictures.writeAll(net, test, TrainMnist.classes(o.dataset, o.classCount), o.seed, dir,
                o.dataLabel));
        metrics.put("files", files);
        metrics.put("saved", savedInfo());
        metrics.put("status", "finished");
        writeMetrics();
        if (!TrainMnist.isVae(net)) {
            System.out.println("no samples.png: an autoencoder has no prior to sample from (--model vae has one)");
        }
        System.out.println("wrote " + String.join(", ", files) + " in " + dir);
    }

    private Map<String, Object> dataInfo() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("dir", splits.dir().toAbsolutePath().normalize().toString());
        d.put("origin", splits.location().origin().toString().toLowerCase());
        d.put("name", splits.name());
        d.put("checksums", splits.verifiedAs() != null ? splits.verifiedAs() : "unknown (not verified)");
        d.put("label", TrainMnistData.label(splits));
        d.put("train_images", split.train().numRows);
        if (split.validation() != null) {
            d.put("validation_images", split.validation().numRows);
        }
        d.put("test_images", test.size());
        d.put("test_binarised", o.binarise);
        return d;
    }

    private Map<String, Object> modelInfo() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", TrainMnist.architecture(net));
        m.put("parameters", net.parameterCount());
        m.put("gemm", net.gemm().name());
        m.put("java", System.getProperty("java.version"));
        return m;
    }
}

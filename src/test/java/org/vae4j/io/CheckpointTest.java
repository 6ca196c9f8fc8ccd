package org.vae4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.Autoencoder;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.nn.Parameter;
import org.vae4j.optim.Adam;
import org.vae4j.optim.AdamW;
import org.vae4j.optim.Optimizer;
import org.vae4j.optim.Sgd;
import org.vae4j.objective.Corruption;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;
import org.vae4j.train.TrainingRun;

/**
 * Checkpoints: training N epochs straight and training k epochs, checkpointing, loading into fresh
 * objects and training N - k more give bit-identical parameters.
 */
class CheckpointTest {

    @TempDir
    Path dir;

    /** Binary rows drawn around 3 prototypes, so a VAE has something to learn. */
    static FMatrixRMaj data(int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] protos = new float[3][d];
        for (float[] p : protos) {
            for (int j = 0; j < d; j++) {
                p[j] = rng.nextDouble() < 0.5 ? 1f : 0f;
            }
        }
        FMatrixRMaj x = new FMatrixRMaj(n, d);
        for (int r = 0; r < n; r++) {
            float[] p = protos[rng.nextInt(3)];
            for (int j = 0; j < d; j++) {
                x.data[r * d + j] = rng.nextDouble() < 0.1 ? 1f - p[j] : p[j];
            }
        }
        return x;
    }

    private static float[][] snapshot(LatentModel m) {
        List<Parameter> ps = m.parameters();
        float[][] s = new float[ps.size()][];
        for (int i = 0; i < ps.size(); i++) {
            s[i] = ps.get(i).valueCopy().data;
        }
        return s;
    }

    /**
     * Trains {@code total} epochs straight, and {@code first} epochs then a checkpoint and the rest
     * from the loaded checkpoint; asserts bit-identical parameters and optimiser state.
     */
    private void assertResumeIsBitIdentical(Supplier<LatentModel> model, Supplier<Optimizer> optimizer,
                                            Trainer.Builder settings, int first, int total) throws IOException {
        FMatrixRMaj x = data(150, 16, 3); // 150 rows, batch 32: a short last batch every epoch
        LatentModel straight = model.get();
        Optimizer straightOpt = optimizer.get();
        List<EpochStats> straightHistory = settings.epochs(total).build().train(straight, x, straightOpt);

        LatentModel part = model.get();
        Optimizer partOpt = optimizer.get();
        Trainer firstRun = settings.epochs(first).build();
        List<EpochStats> history = firstRun.train(part, x, partOpt);
        Path file = dir.resolve("checkpoint.safetensors");
        ModelFiles.saveCheckpoint(part, partOpt, TrainingState.of(firstRun, history), file);

        Checkpoint c = ModelFiles.loadCheckpoint(file);
        assertEquals(partOpt.steps(), c.optimizer().steps());
        assertEquals(first, c.training().epochsCompleted());
        Trainer rest = c.training().trainerBuilder().epochs(total - first).build();
        List<EpochStats> restHistory = rest.train(c.model(), x, c.optimizer());

        float[][] expected = snapshot(straight);
        float[][] actual = snapshot(c.model());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], 0f, straight.parameters().get(i).name());
        }
        assertEquals(straightOpt.steps(), c.optimizer().steps());
        Map<String, List<float[]>> a = straightOpt.state();
        Map<String, List<float[]>> b = c.optimizer().state();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            for (int i = 0; i < a.get(k).size(); i++) {
                assertArrayEquals(a.get(k).get(i), b.get(k).get(i), 0f, k + " " + i);
            }
        }
        for (int e = 0; e < total - first; e++) {
            assertEquals(straightHistory.get(first + e).trainLoss(), restHistory.get(e).trainLoss(), "epoch " + e);
        }
    }

    @Test
    void adamVaeResumesBitIdentically() throws IOException {
        assertResumeIsBitIdentical(() -> Vae.builder(16).hidden(12).latent(3).seed(1).build(),
                () -> new Adam(3e-3), Trainer.builder().batchSize(32).seed(11), 2, 5);
    }

    @Test
    void adamDeepVaeWithKlWarmupAndBetaResumesBitIdentically() throws IOException {
        // the warm-up spans the checkpoint: beta depends on the restored step count
        assertResumeIsBitIdentical(() -> Vae.builder(16).hidden(12, 8).latent(3).seed(2).build(),
                () -> new Adam(2e-3, 0.8, 0.99, 1e-7), Trainer.builder().batchSize(32).seed(12).beta(0.5)
                        .klWarmupSteps(12), 1, 4);
    }

    @Test
    void cyclicalKlScheduleResumesBitIdentically() throws IOException {
        // cycles of 7 steps, 5 steps per epoch: the checkpoint falls inside a cycle
        assertResumeIsBitIdentical(() -> Vae.builder(16).hidden(12).latent(3).seed(5).build(),
                () -> new Adam(3e-3), Trainer.builder().batchSize(32).seed(15).beta(0.8)
                        .klSchedule("cyclical:7,0.5"), 2, 4);
    }

    @Test
    void iwaeObjectiveResumesBitIdentically() throws IOException {
        assertResumeIsBitIdentical(() -> Vae.builder(16).hidden(12).latent(3).seed(6).build(),
                () -> new Adam(3e-3), Trainer.builder().batchSize(32).seed(16).objective("iwae:3"), 1, 3);
    }

    @Test
    void freeBitsResumeBitIdentically() throws IOException {
        assertResumeIsBitIdentical(() -> Vae.builder(16).hidden(12).latent(3).seed(7).build(),
                () -> new Adam(3e-3), Trainer.builder().batchSize(32).seed(17).freeBits(0.2), 2, 4);
    }

    @Test
    void theObjectiveAndKlScheduleAreStoredAndTheirAbsenceReadsAsTheDefaults() throws IOException {
        LatentModel m = Vae.builder(16).hidden(12).latent(3).seed(8).build();
        Trainer t = Trainer.builder().epochs(1).batchSize(32).objective("IWAE:4").build();
        Adam adam = new Adam(1e-3);
        List<EpochStats> h = t.train(m, data(64, 16, 1), adam);
        Path file = dir.resolve("iwae.safetensors");
        ModelFiles.saveCheckpoint(m, adam, TrainingState.of(t, h), file);
        TrainingState s = ModelFiles.loadCheckpoint(file).training();
        assertEquals("iwae:4", s.config().objective());
        assertEquals(org.vae4j.train.KlSchedule.constant(), s.klSchedule());

        Trainer fb = Trainer.builder().epochs(1).batchSize(32).freeBits(0.3).klSchedule("cyclical:9,0.25").build();
        ModelFiles.saveCheckpoint(m, adam, TrainingState.of(fb, h), file);
        TrainingState f = ModelFiles.loadCheckpoint(file).training();
        assertEquals("elbo", f.config().objective());
        assertEquals(0.3, f.config().freeBits(), 0.0);
        assertEquals(org.vae4j.train.KlSchedule.cyclical(9, 0.25), f.klSchedule());
        assertEquals(0, f.klWarmupSteps(), "the first format's key reads 0 for a cyclical schedule");
    }

    @Test
    void sgdAutoencoderResumesBitIdentically() throws IOException {
        assertResumeIsBitIdentical(() -> Autoencoder.builder(16).hidden(10).latent(4).seed(3).build(),
                () -> new Sgd(0.05, 0.9), Trainer.builder().batchSize(32).seed(13), 3, 5);
    }

    @Test
    void denoisingTrainingResumesBitIdentically() throws IOException {
        // the corruption is a trainer setting the checkpoint records, with its own random stream
        assertResumeIsBitIdentical(() -> Autoencoder.builder(16).hidden(10).latent(4).seed(4).build(),
                () -> new Adam(3e-3), Trainer.builder().batchSize(32).seed(14).corruption(Corruption.masking(0.3)),
                2, 4);
        assertResumeIsBitIdentical(() -> Vae.builder(16).hidden(12).latent(3).seed(5).build(),
                () -> new Adam(3e-3), Trainer.builder().batchSize(32).seed(15).corruption(Corruption.gaussian(0.2)),
                1, 3);
    }

    @Test
    void resumingWithoutTheOptimiserStateWouldDiffer() throws IOException {
        // the check above is sensitive: a fresh Adam with the same step count diverges
        FMatrixRMaj x = data(150, 16, 3);
        Trainer.Builder settings = Trainer.builder().batchSize(32).seed(11);
        Vae straight = Vae.builder(16).hidden(12).latent(3).seed(1).build();
        settings.epochs(3).build().train(straight, x, new Adam(3e-3));
        Vae part = Vae.builder(16).hidden(12).latent(3).seed(1).build();
        Adam partOpt = new Adam(3e-3);
        settings.epochs(1).build().train(part, x, partOpt);
        Adam fresh = new Adam(3e-3);
        fresh.setSteps(partOpt.steps());
        settings.epochs(2).build().train(part, x, fresh);
        assertFalse(Arrays.equals(snapshot(straight)[0], snapshot(part)[0]));
    }

    @Test
    void checkpointHoldsOptimiserTensorsAndMetadata() throws IOException {
        Vae vae = Vae.builder(16).hidden(12).latent(3).build();
        Adam adam = new Adam(1e-3);
        Trainer t = Trainer.builder().epochs(1).batchSize(50).seed(4).build();
        List<EpochStats> h = t.train(vae, data(100, 16, 1), adam);
        Path file = dir.resolve("c.safetensors");
        ModelFiles.saveCheckpoint(vae, adam, TrainingState.of(t, h), file, Map.of("note", "epoch 1"));
        try (SafeTensorsFile f = SafeTensors.open(file)) {
            assertArrayEquals(new long[] {12, 16}, f.tensors().get("optimizer.exp_avg.fc1.weight").shape());
            assertArrayEquals(new long[] {12}, f.tensors().get("optimizer.exp_avg_sq.fc1.bias").shape());
            assertEquals(30, f.tensors().size(), "10 parameters, 10 exp_avg, 10 exp_avg_sq");
            Map<String, String> m = f.metadata();
            assertEquals("adam", m.get("vae4j.optimizer"));
            assertEquals("2", m.get("vae4j.optimizer_steps"));
            assertEquals("0.001", m.get("vae4j.optimizer_lr"));
            assertEquals("0.9", m.get("vae4j.optimizer_beta1"));
            assertEquals("0.999", m.get("vae4j.optimizer_beta2"));
            assertEquals("1.0E-8", m.get("vae4j.optimizer_eps"));
            assertEquals("4", m.get("vae4j.seed"));
            assertEquals("50", m.get("vae4j.batch_size"));
            assertEquals("epoch 1", m.get("note"));
        }
        Checkpoint c = ModelFiles.loadCheckpoint(file);
        assertEquals("epoch 1", c.metadata().get("note"));
        assertEquals(adam.describe(), c.optimizer().describe());
        ModelFilesTest.assertSameParameters(vae, ModelFiles.load(file)); // a checkpoint is also a model file
    }

    @Test
    void optimiserBeforeItsFirstStepRoundTrips() throws IOException {
        Autoencoder ae = Autoencoder.builder(16).hidden(10).latent(4).build();
        Path file = dir.resolve("c.safetensors");
        ModelFiles.saveCheckpoint(ae, new Sgd(0.1, 0.5), new TrainingState(1, 32, 1, 0, List.of()), file);
        Checkpoint c = ModelFiles.loadCheckpoint(file);
        Sgd sgd = assertInstanceOf(Sgd.class, c.optimizer());
        assertEquals(0, sgd.steps());
        assertEquals(0.5, sgd.momentum());
        assertTrue(sgd.state().get("momentum_buffer").isEmpty());
    }

    @Test
    void plainModelFileIsNotACheckpoint() throws IOException {
        Path file = dir.resolve("m.safetensors");
        ModelFiles.save(Vae.builder(16).hidden(12).latent(3).build(), file);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.loadCheckpoint(file));
        assertTrue(e.getMessage().contains("is not a vae4j checkpoint"), e.getMessage());
    }

    @Test
    void partialOptimiserStateIsRejected() throws IOException {
        Vae vae = Vae.builder(16).hidden(12).latent(3).build();
        Adam adam = new Adam();
        Trainer t = Trainer.builder().epochs(1).batchSize(50).build();
        List<EpochStats> h = t.train(vae, data(100, 16, 1), adam);
        Path file = dir.resolve("c.safetensors");
        ModelFiles.saveCheckpoint(vae, adam, TrainingState.of(t, h), file);
        List<FloatTensor> kept = new ArrayList<>();
        Map<String, String> meta;
        try (SafeTensorsFile f = SafeTensors.open(file)) {
            meta = new java.util.LinkedHashMap<>(f.metadata());
            for (TensorInfo info : f.tensors().values()) {
                if (!info.name().equals("optimizer.exp_avg_sq.fc4.weight")) {
                    kept.add(new FloatTensor(info.name(), info.shape(), f.readFloats(info.name())));
                }
            }
        }
        meta.remove(ModelFiles.DATA_SHA256);
        meta.remove(FileDigest.SHA256); // an edited file without digests (as if written by hand)
        meta.remove(FileDigest.DIGEST);
        Path bad = dir.resolve("bad.safetensors");
        SafeTensors.write(bad, meta, kept);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.loadCheckpoint(bad));
        assertTrue(e.getMessage().contains("missing tensor optimizer.exp_avg_sq.fc4.weight"), e.getMessage());
    }

    @Test
    void aBatchSizeOutsideAnIntIsRefusedNotClamped() throws IOException {
        Vae vae = Vae.builder(16).hidden(12).latent(3).build();
        Adam adam = new Adam();
        Trainer t = Trainer.builder().epochs(1).batchSize(50).build();
        List<EpochStats> h = t.train(vae, data(100, 16, 1), adam);
        Path file = dir.resolve("c.safetensors");
        ModelFiles.saveCheckpoint(vae, adam, TrainingState.of(t, h), file);
        List<FloatTensor> kept = new ArrayList<>();
        Map<String, String> meta;
        try (SafeTensorsFile f = SafeTensors.open(file)) {
            meta = new java.util.LinkedHashMap<>(f.metadata());
            for (TensorInfo info : f.tensors().values()) {
                kept.add(new FloatTensor(info.name(), info.shape(), f.readFloats(info.name())));
            }
        }
        for (String size : new String[] {"1099511627776", "0", "-5"}) { // 2^40 was once clamped to 2^31 - 1
            meta.put("vae4j.batch_size", size);
            FileDigest.sign(meta, kept, null); // digests that match: the value check behind them is tested
            Path bad = dir.resolve("bad.safetensors");
            SafeTensors.write(bad, meta, kept);
            ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.loadCheckpoint(bad), size);
            assertTrue(e.getMessage().contains("vae4j.batch_size = " + size + ": not a batch size"), e.getMessage());
        }
    }

    @Test
    void unsupportedOptimiserOrMismatchedStateIsRefused() {
        Vae vae = Vae.builder(16).hidden(12).latent(3).build();
        TrainingState s = new TrainingState(1, 32, 1, 0, List.of());
        Optimizer custom = (Optimizer) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Optimizer.class}, (proxy, m, args) -> null);
        Path file = dir.resolve("c.safetensors");
        assertThrows(IllegalArgumentException.class, () -> ModelFiles.saveCheckpoint(vae, custom, s, file));
        Adam other = new Adam();
        other.step(Vae.builder(16).hidden(5).latent(3).build().parameters()); // bound to another model
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFiles.saveCheckpoint(vae, other, s, file));
        assertTrue(e.getMessage().contains("fc1.weight"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelFiles.saveCheckpoint(vae, new Adam(), null, file));
    }

    /**
     * A run with a validation split, early stopping, a cosine schedule with warm-up, AdamW and
     * clipping: N epochs straight, and N/2, a checkpoint, loading into fresh objects and the rest,
     * give identical parameters (the best ones, restored at the end), best epoch and optimiser state.
     */
    @Test
    void runWithValidationEarlyStoppingScheduleAdamWAndClippingResumesBitIdentically() throws IOException {
        FMatrixRMaj x = data(100, 16, 8); // 60 trained, 40 held out: it overfits and stops early
        Trainer trainer = Trainer.builder().epochs(30).batchSize(8).seed(21).validation(40).patience(3)
                .minDelta(1e-3).learningRate(1e-2).lrSchedule("cosine").lrWarmupSteps(5).weightDecay(0.05)
                .clipGradNorm(1.0).build();
        Supplier<LatentModel> model = () -> Vae.builder(16).hidden(64).latent(6).seed(6).build();

        LatentModel straight = model.get();
        TrainingRun all = trainer.start(straight, x);
        List<EpochStats> straightHistory = all.train();

        LatentModel part = model.get();
        TrainingRun first = trainer.start(part, x);
        List<EpochStats> history = new ArrayList<>(first.runEpochs(15));
        assertFalse(first.isFinished());
        Path file = dir.resolve("run.safetensors");
        ModelFiles.saveCheckpoint(part, first.optimizer(), TrainingState.of(first, history), file);

        Checkpoint c = ModelFiles.loadCheckpoint(file);
        assertInstanceOf(AdamW.class, c.optimizer());
        assertEquals(0.05, ((AdamW) c.optimizer()).weightDecay());
        assertEquals(trainer.config(), c.training().config());
        assertEquals(first.progress().bestEpoch(), c.training().progress().bestEpoch());
        assertEquals(first.progress().bestValue(), c.training().progress().bestValue());
        assertEquals(first.progress().epochsWithoutImprovement(), c.training().progress().epochsWithoutImprovement());
        TrainingRun rest = c.resume(x);
        history.addAll(rest.train());

        assertEquals(straightHistory.size(), history.size());
        for (int e = 0; e < history.size(); e++) {
            assertEquals(straightHistory.get(e), new EpochStats(history.get(e).epoch(), history.get(e).trainLoss(),
                    history.get(e).reconstruction(), history.get(e).kl(), history.get(e).beta(), history.get(e).steps(),
                    history.get(e).examples(), straightHistory.get(e).seconds()), "epoch " + (e + 1));
        }
        // stopped after 19 epochs, the best (16) after the checkpoint (15): both halves matter
        assertTrue(all.isStopped());
        assertTrue(all.bestEpoch() > 15 && all.bestEpoch() < history.size(), all.bestEpoch() + " of " + history.size());
        assertEquals(all.bestEpoch(), rest.bestEpoch());
        assertEquals(all.bestValue(), rest.bestValue());
        assertEquals(all.isStopped(), rest.isStopped());
        float[][] expected = snapshot(straight);
        float[][] actual = snapshot(c.model());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], 0f, straight.parameters().get(i).name());
        }
        assertEquals(all.bestValue(), rest.validationValue());
        for (String k : all.optimizer().state().keySet()) {
            for (int i = 0; i < expected.length; i++) {
                assertArrayEquals(all.optimizer().state().get(k).get(i), c.optimizer().state().get(k).get(i), 0f);
            }
        }
        // a checkpoint with best parameters still loads as a model
        ModelFilesTest.assertSameParameters(part, ModelFiles.load(file));
    }

    @Test
    void malformedTrainingSettingsAreReportedByKey() throws IOException {
        Vae vae = Vae.builder(16).hidden(12).latent(3).build();
        Path file = dir.resolve("m.safetensors");
        ModelFiles.save(vae, file, new TrainingState(1, 32, 1, 0, List.of()), Map.of());
        Map<String, String> meta = new java.util.LinkedHashMap<>(ModelFiles.readMetadata(file));
        assertEquals("0", meta.get("vae4j.patience"));
        assertEquals("constant", meta.get("vae4j.lr_schedule"));
        meta.put("vae4j.patience", "2"); // patience without a validation set
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.trainingState(meta, file));
        assertTrue(e.getMessage().contains("patience 2"), e.getMessage());
        meta.put("vae4j.patience", "x");
        e = assertThrows(ModelFileException.class, () -> ModelFiles.trainingState(meta, file));
        assertTrue(e.getMessage().contains("vae4j.patience"), e.getMessage());
        meta.remove("vae4j.patience");
        meta.put("vae4j.stopped", "maybe");
        e = assertThrows(ModelFileException.class, () -> ModelFiles.trainingState(meta, file));
        assertTrue(e.getMessage().contains("vae4j.stopped"), e.getMessage());
    }
}

package org.vae4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.Vae;
import org.vae4j.kernel.EjmlGemm;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Gemms;
import org.vae4j.kernel.Kernels;
import org.vae4j.nn.Parameter;
import org.vae4j.optim.Adam;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;

/**
 * Checkpoints record the kernels they were trained with; loading restores the recorded GEMM
 * thread count, a resume with another one is detected and warned about, and (the measured fact
 * docs/ARCHITECTURE.md states) with the built-in backends it still continues bit-identically.
 */
class KernelRecordTest {

    @TempDir
    Path dir;

    private static final FMatrixRMaj DATA = CheckpointTest.data(300, 64, 9);

    private static Vae model() {
        // wide enough (batch 64 x 64 x 160 = 655,360 multiply-adds, over VectorGemm.PARALLEL_MIN_MACS)
        // that the first and last layers' GEMMs are split between threads
        return Vae.builder(64).hidden(160).latent(8).seed(4).build();
    }

    private static Trainer trainer(int epochs) {
        return Trainer.builder().epochs(epochs).batchSize(64).seed(21).build();
    }

    private Path checkpoint(Gemm gemm) throws IOException {
        Vae vae = model();
        vae.setGemm(gemm);
        Adam adam = new Adam(2e-3);
        Trainer t = trainer(2);
        List<EpochStats> h = t.train(vae, DATA, adam);
        Path file = dir.resolve("checkpoint.safetensors");
        ModelFiles.saveCheckpoint(vae, adam, TrainingState.of(t, h), file);
        return file;
    }

    @Test
    void aCheckpointRecordsItsKernelsAndLoadingRestoresTheThreadCount() throws IOException {
        int threads = Gemms.defaultThreads() + 1; // not this JVM's default
        Path file = checkpoint(Gemms.create("auto", threads));
        KernelRecord recorded = KernelRecord.read(ModelFiles.readMetadata(file), file).orElseThrow();
        assertEquals(Gemms.vectorAvailable() ? "vector" : "ejml", recorded.gemm());
        assertEquals(threads, recorded.threads());
        try (LogCapture log = LogCapture.of(KernelRecord.class)) {
            Checkpoint c = ModelFiles.loadCheckpoint(file);
            assertEquals(recorded, c.kernels().orElseThrow());
            assertEquals(threads, KernelRecord.of(c.model().kernels()).threads(), "the recorded count is used");
            assertEquals(List.of(), c.kernelDifferences());
            assertEquals(1, log.warnings().size(), log.warnings().toString());
            assertTrue(log.warnings().get(0).contains(threads + " thread(s)"), log.warnings().get(0));
        }
    }

    @Test
    void aResumeWithAnotherThreadCountIsDetectedAndStillBitIdentical() throws IOException {
        // uninterrupted: 4 epochs on 2 threads
        Vae straight = model();
        straight.setGemm(Gemms.create("auto", 2));
        List<EpochStats> all = trainer(4).train(straight, DATA, new Adam(2e-3));

        Path file = checkpoint(Gemms.create("auto", 2));
        Checkpoint c = ModelFiles.loadCheckpoint(file);
        c.model().setGemm(Gemms.create("auto", 1)); // an explicit other choice
        List<KernelRecord.Difference> d = c.kernelDifferences();
        assertEquals(1, d.size(), d.toString());
        assertEquals("GEMM threads", d.get(0).what());
        assertEquals("2", d.get(0).recorded());
        assertEquals("1", d.get(0).now());
        assertEquals(false, d.get(0).changesBits());
        List<EpochStats> rest;
        try (LogCapture log = LogCapture.of(KernelRecord.class)) {
            rest = c.resume(c.training().trainerBuilder().epochs(4).build(), DATA).train();
            assertEquals(1, log.warnings().size(), log.warnings().toString());
            assertTrue(log.warnings().get(0).contains("GEMM threads 1 instead of the recorded 2")
                    && log.warnings().get(0).contains("does not change the bits"), log.warnings().get(0));
        }
        assertEquals(2, rest.size());
        for (int e = 0; e < 2; e++) {
            assertEquals(all.get(2 + e).trainLoss(), rest.get(e).trainLoss(), "epoch " + (3 + e));
        }
        for (int i = 0; i < straight.parameters().size(); i++) {
            Parameter p = straight.parameters().get(i);
            assertArrayEquals(p.valueCopy().data, c.model().parameters().get(i).valueCopy().data, 0f, p.name());
        }
    }

    @Test
    void anotherBackendOrAnUnknownOneIsWarnedAsLosingBitIdentity() throws IOException {
        assumeTrue(Gemms.vectorAvailable(), "needs the vector backend to compare with");
        Path file = checkpoint(Gemms.create("vector", 2));
        Checkpoint c = ModelFiles.loadCheckpoint(file);
        c.model().setGemm(EjmlGemm.withThreads(2));
        List<KernelRecord.Difference> d = c.kernelDifferences();
        assertEquals(List.of(new KernelRecord.Difference("GEMM backend", "vector", "ejml", true)), d);
        try (LogCapture log = LogCapture.of(KernelRecord.class)) {
            c.resume(c.training().trainerBuilder().epochs(3).build(), DATA).train();
            assertTrue(log.warnings().get(0).contains("NOT bit-identical"), log.warnings().toString());
        }
        // a backend of the user's: nothing is known about it, so a thread count change counts too
        KernelRecord mine = new KernelRecord("my-blas", 4, "", "vector", 8);
        KernelRecord other = new KernelRecord("my-blas", 2, "", "vector", 8);
        assertEquals(List.of(new KernelRecord.Difference("GEMM threads", "4", "2", true)), mine.differences(other));
        // the vector elementwise kernels' width changes the losses' lane sums
        assertTrue(mine.differences(new KernelRecord("my-blas", 4, "", "vector", 4)).get(0).changesBits());
    }

    @Test
    void theReferenceKernelsAreRestoredSoAResumeContinuesBitIdentically() throws IOException {
        Vae straight = model();
        straight.setKernels(Kernels.reference());
        List<EpochStats> all = trainer(3).train(straight, DATA, new Adam(2e-3));
        Vae vae = model();
        vae.setKernels(Kernels.reference()); // EJML on one thread, scalar elementwise kernels
        Adam adam = new Adam(2e-3);
        Trainer t = trainer(2);
        List<EpochStats> h = t.train(vae, DATA, adam);
        Path file = dir.resolve("reference.safetensors");
        ModelFiles.saveCheckpoint(vae, adam, TrainingState.of(t, h), file);
        Checkpoint c = ModelFiles.loadCheckpoint(file);
        assertEquals(new KernelRecord("ejml", 1, "", "scalar", 0), KernelRecord.of(c.model().kernels()));
        assertEquals(List.of(), c.kernelDifferences());
        List<EpochStats> rest = c.resume(c.training().trainerBuilder().epochs(3).build(), DATA).train();
        assertEquals(all.get(2).trainLoss(), rest.get(0).trainLoss());
        for (int i = 0; i < straight.parameters().size(); i++) {
            Parameter p = straight.parameters().get(i);
            assertArrayEquals(p.valueCopy().data, c.model().parameters().get(i).valueCopy().data, 0f, p.name());
        }
    }

    @Test
    void malformedKernelEntriesAreAnErrorNamingTheFile() throws IOException {
        Path file = checkpoint(Gemms.create("auto", 2));
        Map<String, String> meta = new LinkedHashMap<>(ModelFiles.readMetadata(file));
        List<FloatTensor> tensors = new ArrayList<>();
        try (SafeTensorsFile f = SafeTensors.open(file)) {
            for (TensorInfo t : f.tensors().values()) {
                tensors.add(new FloatTensor(t.name(), t.shape(), f.readFloats(t.name())));
            }
        }
        meta.put("vae4j.gemm_threads", "-3");
        FileDigest.sign(meta, tensors, null);
        Path bad = dir.resolve("bad.safetensors");
        SafeTensors.write(bad, meta, tensors);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.loadCheckpoint(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()) && e.getMessage().contains("vae4j.gemm_threads = -3"),
                e.getMessage());
    }

    @Test
    void aFileProblemWithoutAFileIsNotPrefixedWithNull() {
        ModelFileException none = new ModelFileException(null, "metadata lacks x");
        assertEquals("metadata lacks x", none.getMessage());
        assertEquals(null, none.file());
        assertEquals("metadata lacks y", new ModelFileException(null, "metadata lacks y", new IOException()).getMessage());
        ModelFileException named = new ModelFileException(Path.of("m.safetensors"), "metadata lacks x");
        assertEquals("m.safetensors: metadata lacks x", named.getMessage());
        assertEquals(Path.of("m.safetensors"), named.file());
    }

    @Test
    void aBadKernelRecordInACheckpointsMetadataIsNamedWithoutNull() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(KernelRecord.GEMM, "ejml");
        meta.put(KernelRecord.THREADS, "two");
        meta.put(KernelRecord.ELEMENTWISE, "scalar");
        meta.put(KernelRecord.LANES, "1");
        Checkpoint c = new Checkpoint(model(), new Adam(1e-3), null, meta);
        for (org.junit.jupiter.api.function.Executable e : List.<org.junit.jupiter.api.function.Executable>of(
                c::kernels, c::checkKernels, c::kernelDifferences)) {
            IllegalStateException x = assertThrows(IllegalStateException.class, e);
            assertTrue(!x.getMessage().contains("null") && x.getMessage().contains(KernelRecord.THREADS + " = 'two'")
                    && x.getMessage().startsWith("checkpoint metadata: "), x.getMessage());
        }
        // the loader names the file
        ModelFileException load = assertThrows(ModelFileException.class,
                () -> KernelRecord.read(meta, Path.of("run.safetensors")));
        assertTrue(load.getMessage().startsWith("run.safetensors: metadata " + KernelRecord.THREADS), load.getMessage());
    }
}

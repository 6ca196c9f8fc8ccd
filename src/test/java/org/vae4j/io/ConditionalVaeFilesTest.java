package org.vae4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.ConditionalVae;
import org.vae4j.Fixture;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.nn.Parameter;
import org.vae4j.optim.Adam;
import org.vae4j.optim.Optimizer;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;

/**
 * Conditional-VAE files: the {@code cvae} codec (found through META-INF/services) round-trips a
 * model with its condition width, a file written by PyTorch's CVAE module loads and computes what
 * PyTorch computed, and a checkpointed conditional run resumes bit-identically.
 */
class ConditionalVaeFilesTest {

    private static final float TOLERANCE = 1e-5f;

    @TempDir
    Path dir;

    /** Rows around one binary prototype per class; the one-hot label is the condition. */
    static FMatrixRMaj[] labelledData(int n, int d, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] protos = new float[classes][d];
        for (float[] p : protos) {
            for (int j = 0; j < d; j++) {
                p[j] = rng.nextDouble() < 0.5 ? 1f : 0f;
            }
        }
        int[] labels = new int[n];
        FMatrixRMaj x = new FMatrixRMaj(n, d);
        for (int r = 0; r < n; r++) {
            labels[r] = rng.nextInt(classes);
            for (int j = 0; j < d; j++) {
                float p = protos[labels[r]][j];
                x.data[r * d + j] = rng.nextDouble() < 0.1 ? 1f - p : p;
            }
        }
        return new FMatrixRMaj[] {x, ConditionalVae.oneHot(labels, classes)};
    }

    private static float[][] snapshot(LatentModel m) {
        List<Parameter> ps = m.parameters();
        float[][] s = new float[ps.size()][];
        for (int i = 0; i < ps.size(); i++) {
            Parameter p = ps.get(i);
            s[i] = new float[p.size()];
            System.arraycopy(p.valueArray(), p.offset(), s[i], 0, p.size());
        }
        return s;
    }

    @Test
    void aConditionalVaeRoundTripsWithItsConditionWidthAndScale() throws IOException {
        for (ConditionalVae m : new ConditionalVae[] {ConditionalVae.builder(6, 3).hidden(5).latent(2).seed(4).build(),
            ConditionalVae.builder(6, 4).hidden(5, 4).decoderHidden(3).latent(2).seed(5).conditionScale(2.5).build(),
            ConditionalVae.builder(6, 3).hidden(5).latent(2).seed(6).conditionScale(1).build()}) {
            Path file = dir.resolve("cvae.safetensors");
            ModelFiles.save(m, file);
            Map<String, String> meta = ModelFiles.readMetadata(file);
            assertEquals("cvae", meta.get("vae4j.model"));
            assertEquals(Integer.toString(m.conditionSize()), meta.get(ConditionalVaeCodec.CONDITION_SIZE));
            assertEquals(Float.toString(m.conditionScale()), meta.get(ConditionalVaeCodec.CONDITION_SCALE));
            ConditionalVae back = ModelFiles.load(file, ConditionalVae.class);
            assertEquals(m.conditionScale(), back.conditionScale());
            assertInstanceOf(ConditionalVae.class, ModelFiles.load(file));
            assertEquals(m.describe(), back.describe());
            float[][] a = snapshot(m);
            float[][] b = snapshot(back);
            for (int i = 0; i < a.length; i++) {
                assertArrayEquals(a[i], b[i], 0f, m.parameters().get(i).name());
            }
            FMatrixRMaj[] xc = labelledData(7, 6, m.conditionSize(), 1);
            assertArrayEquals(m.reconstruct(xc[0], xc[1]).data, back.reconstruct(xc[0], xc[1]).data, 0f);
        }
    }

    @Test
    void aFileWrittenByPyTorchsCvaeModuleLoadsAndComputesAsPyTorch() throws IOException {
        Path file = ModelFilesPyTorchTest.resources().resolve("pytorch_cvae_6_3_5_2.safetensors");
        ConditionalVae m = ModelFiles.load(file, ConditionalVae.class);
        assertEquals("6-5-(2)-5-6 relu bernoulli, condition 3", m.describe());
        assertEquals(1f, m.conditionScale(), "a file without vae4j.condition_scale joins c unscaled");
        Fixture f = Fixture.load("/io/pytorch_cvae_6_3_5_2.txt");
        FMatrixRMaj mu = m.encodeMean(f.tensor("x"), f.tensor("c"));
        assertArrayEquals(f.tensor("mu").data, mu.data, TOLERANCE);
        assertArrayEquals(f.tensor("mean").data, m.decodeMean(mu, f.tensor("c")).data, TOLERANCE);
    }

    /**
     * Writes a vae4j CVAE and its outputs into target/cvae-for-pytorch, for
     * {@code make_cvae_fixtures.py --check target/cvae-for-pytorch/cvae.safetensors}.
     */
    @Test
    void writesAFileForPyTorchToRead() throws IOException {
        ConditionalVae m = ConditionalVae.builder(6, 3).hidden(5).latent(2).seed(8).conditionScale(2.5).build();
        Path out = Path.of("target", "cvae-for-pytorch");
        Files.createDirectories(out);
        Path file = out.resolve("cvae.safetensors");
        ModelFiles.save(m, file);
        FMatrixRMaj[] xc = labelledData(4, 6, 3, 2);
        FMatrixRMaj mu = m.encodeMean(xc[0], xc[1]);
        StringBuilder s = new StringBuilder("# inputs and vae4j's outputs of cvae.safetensors\n");
        append(s, "x", xc[0]);
        append(s, "c", xc[1]);
        append(s, "mu", mu);
        append(s, "mean", m.decodeMean(mu, xc[1]));
        Files.writeString(out.resolve("cvae.safetensors.inputs.txt"), s, StandardCharsets.UTF_8);
        assertEquals(m.describe(), ModelFiles.load(file).describe());
    }

    private static void append(StringBuilder s, String name, FMatrixRMaj m) {
        s.append("tensor ").append(name).append(' ').append(m.numRows).append(' ').append(m.numCols).append('\n');
        for (int i = 0; i < m.getNumElements(); i++) {
            s.append(i > 0 ? " " : "").append(m.data[i]);
        }
        s.append('\n');
    }

    @Test
    void aFileWithoutTheConditionWidthIsRefusedNamingTheKey() throws IOException {
        Map<String, String> meta = savedMetadata();
        meta.remove(ConditionalVaeCodec.CONDITION_SIZE);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(rewritten(meta)));
        assertTrue(e.getMessage().contains("condition_size"), e.getMessage());
    }

    @Test
    void aConditionScaleThatIsNotAPositiveNumberIsRefusedNamingTheKeyAndValue() throws IOException {
        for (String bad : new String[] {"0", "-2.5", "NaN", "Infinity", "1e39", "ten"}) {
            Map<String, String> meta = savedMetadata();
            meta.put(ConditionalVaeCodec.CONDITION_SCALE, bad);
            ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(rewritten(meta)), bad);
            assertTrue(e.getMessage().contains("condition_scale") && e.getMessage().contains(bad), e.getMessage());
        }
    }

    private ConditionalVae saved;

    /** The metadata of a saved 6-5-(2) CVAE, to edit. */
    private Map<String, String> savedMetadata() throws IOException {
        saved = ConditionalVae.builder(6, 3).hidden(5).latent(2).build();
        Path file = dir.resolve("cvae.safetensors");
        ModelFiles.save(saved, file);
        return new java.util.LinkedHashMap<>(ModelFiles.readMetadata(file));
    }

    /** The saved model's tensors with the metadata {@code meta}, signed. */
    private Path rewritten(Map<String, String> meta) throws IOException {
        Path broken = dir.resolve("broken.safetensors");
        List<FloatTensor> tensors = new java.util.ArrayList<>();
        for (Parameter p : saved.parameters()) {
            float[] v = new float[p.size()];
            System.arraycopy(p.valueArray(), p.offset(), v, 0, p.size());
            long[] shape = p.rows() == 1 ? new long[] {p.cols()} : new long[] {p.rows(), p.cols()};
            tensors.add(new FloatTensor(p.name(), shape, v));
        }
        FileDigest.sign(meta, tensors, null); // digests that match: the check behind them is tested
        SafeTensors.write(broken, meta, tensors);
        return broken;
    }

    /** 2 epochs, a checkpoint, 3 more from the loaded checkpoint = 5 straight, bit for bit, with a validation split. */
    @Test
    void aConditionalRunResumesBitIdentically() throws IOException {
        FMatrixRMaj[] xc = labelledData(150, 16, 3, 3);
        Trainer.Builder settings = Trainer.builder().batchSize(32).seed(21).validation(20);
        ConditionalVae straight = ConditionalVae.builder(16, 3).hidden(12).latent(3).seed(1).build();
        Optimizer straightOpt = new Adam(3e-3);
        List<EpochStats> all = settings.epochs(5).build().train(straight, xc[0], xc[1], straightOpt);

        ConditionalVae part = ConditionalVae.builder(16, 3).hidden(12).latent(3).seed(1).build();
        Optimizer partOpt = new Adam(3e-3);
        Trainer first = settings.epochs(2).build();
        List<EpochStats> history = first.train(part, xc[0], xc[1], partOpt);
        Path file = dir.resolve("checkpoint.safetensors");
        ModelFiles.saveCheckpoint(part, partOpt, TrainingState.of(first, history), file);

        Checkpoint c = ModelFiles.loadCheckpoint(file);
        assertInstanceOf(ConditionalVae.class, c.model());
        List<EpochStats> rest = c.training().trainerBuilder().epochs(3).build()
                .train(c.model(), xc[0], xc[1], c.optimizer());
        float[][] expected = snapshot(straight);
        float[][] actual = snapshot(c.model());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], 0f, straight.parameters().get(i).name());
        }
        for (int e = 0; e < 3; e++) {
            assertEquals(all.get(2 + e).trainLoss(), rest.get(e).trainLoss(), "epoch " + (3 + e));
        }
    }

    /** resume without conditions is refused for a conditional checkpoint, naming the overload that works. */
    @Test
    void aConditionalCheckpointIsNotResumedWithoutItsConditions() throws IOException {
        FMatrixRMaj[] xc = labelledData(60, 16, 3, 4);
        ConditionalVae m = ConditionalVae.builder(16, 3).hidden(12).latent(3).seed(1).build();
        Optimizer opt = new Adam(3e-3);
        Trainer first = Trainer.builder().batchSize(32).seed(2).validation(10).epochs(1).build();
        List<EpochStats> history = first.train(m, xc[0], xc[1], opt);
        Path file = dir.resolve("conditional.safetensors");
        ModelFiles.saveCheckpoint(m, opt, TrainingState.of(first, history), file);
        Checkpoint c = ModelFiles.loadCheckpoint(file);
        Trainer again = c.training().trainerBuilder().epochs(2).build();
        for (org.junit.jupiter.api.function.Executable e : List.<org.junit.jupiter.api.function.Executable>of(
                () -> c.resume(xc[0]), () -> c.resume(again, xc[0]))) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
            assertTrue(x.getMessage().contains("resume(Trainer, ValidationSplit)") && x.getMessage().contains("3"),
                    x.getMessage());
        }
        // the overload it names resumes the run
        org.vae4j.train.ValidationSplit split = org.vae4j.train.ValidationSplit.split(xc[0], xc[1], again.config());
        assertEquals(1, c.resume(again, split).train().size());
    }

    @Test
    void theLabelHelpsAConditionalVaeTrainedOnLabelledData() {
        FMatrixRMaj[] xc = labelledData(300, 16, 3, 5);
        Trainer t = Trainer.builder().batchSize(32).seed(3).epochs(30).build();
        ConditionalVae cvae = ConditionalVae.builder(16, 3).hidden(12).latent(1).seed(2).build();
        Vae vae = Vae.builder(16).hidden(12).latent(1).seed(2).build();
        t.train(cvae, xc[0], xc[1], new Adam(1e-2));
        t.train(vae, xc[0], new Adam(1e-2));
        org.vae4j.random.Noise noise = new org.vae4j.random.Noise(1);
        double withLabel = cvae.negativeElbo(xc[0], xc[1], noise).total();
        double without = vae.negativeElbo(xc[0], noise).total();
        // the three prototypes cost the VAE's 1-D code some nats; given the label they cost nothing
        assertTrue(withLabel < without - 0.3, "cvae " + withLabel + " vs vae " + without);
        // a wrong label makes the reconstruction worse: the decoder uses c
        FMatrixRMaj wrong = xc[1].copy();
        for (int r = 0; r < wrong.numRows; r++) {
            float first = wrong.data[r * 3];
            wrong.data[r * 3] = wrong.data[r * 3 + 1];
            wrong.data[r * 3 + 1] = wrong.data[r * 3 + 2];
            wrong.data[r * 3 + 2] = first;
        }
        assertTrue(cvae.negativeElbo(xc[0], wrong, noise).total() > withLabel + 1.0);
    }
}

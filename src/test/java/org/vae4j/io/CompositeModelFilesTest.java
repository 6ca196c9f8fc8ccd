package org.vae4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.Autoencoder;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.loss.CompositeLikelihood;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.loss.LearnedGaussianLikelihood;
import org.vae4j.nn.Parameter;
import org.vae4j.random.Noise;

/**
 * Models with table likelihoods through the ordinary model files: the spans and kinds in the
 * metadata, the log-variances as tensors ({@code likelihood.K.log_var}, 1-D as PyTorch holds
 * them); the same outputs after reloading; malformed span metadata refused with a message.
 */
class CompositeModelFilesTest {

    @TempDir
    Path dir;

    /** Every kind of span, two with parameters: d = 10, output width 11. */
    static CompositeLikelihood table() {
        return CompositeLikelihood.builder().gaussian(2).heteroscedasticGaussian(1).bernoulli(2).categorical(3)
                .add(1, GaussianLikelihood.withVariance(0.5)).add(1, LearnedGaussianLikelihood.perColumn(1, 4.0))
                .build();
    }

    static FMatrixRMaj rows(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        FMatrixRMaj x = new FMatrixRMaj(n, 10);
        for (int r = 0; r < n; r++) {
            x.set(r, 0, (float) rng.nextGaussian());
            x.set(r, 1, rng.nextDouble() < 0.2 ? Float.NaN : (float) rng.nextGaussian());
            x.set(r, 2, (float) rng.nextGaussian());
            x.set(r, 3, rng.nextBoolean() ? 1f : 0f);
            x.set(r, 4, rng.nextDouble() < 0.2 ? Float.NaN : 1f);
            int k = rng.nextInt(3);
            for (int j = 0; j < 3; j++) {
                x.set(r, 5 + j, rng.nextDouble() < 0.1 ? Float.NaN : j == k ? 1f : 0f);
            }
            x.set(r, 8, (float) rng.nextGaussian());
            x.set(r, 9, (float) rng.nextGaussian());
        }
        return x;
    }

    private static float[] values(Parameter p) {
        float[] v = new float[p.size()];
        System.arraycopy(p.valueArray(), p.offset(), v, 0, p.size());
        return v;
    }

    private static void setRandom(LatentModel m, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Parameter p : m.parameters()) {
            float[] v = new float[p.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rng.nextGaussian() * 0.5f;
            }
            p.set(v);
        }
    }

    private static void assertSameModel(LatentModel a, LatentModel b) {
        assertEquals(a.likelihood().describe(), b.likelihood().describe());
        assertEquals(a.parameters().size(), b.parameters().size());
        for (int k = 0; k < a.parameters().size(); k++) {
            assertEquals(a.parameters().get(k).name(), b.parameters().get(k).name());
            assertArrayEquals(values(a.parameters().get(k)), values(b.parameters().get(k)), 0f,
                    a.parameters().get(k).name());
        }
        FMatrixRMaj x = rows(40, 3);
        assertEquals(a.negativeElbo(x, new Noise(9)).total(), b.negativeElbo(x, new Noise(9)).total(), 0.0);
        FMatrixRMaj ra = a.reconstruct(x);
        FMatrixRMaj rb = b.reconstruct(x);
        assertArrayEquals(ra.data, rb.data, 0f, "reconstructions");
        double[] ca = new double[40 * 8];
        double[] cb = new double[40 * 8];
        FMatrixRMaj outA = a.decoderOutput(a.encodeMean(x));
        FMatrixRMaj filled = new FMatrixRMaj(1, 1);
        FMatrixRMaj mask = org.vae4j.loss.MissingCells.split(a.likelihood(), x, filled, "x");
        a.likelihood().negLogLikelihoodPerColumn(outA, filled, mask, ca);
        b.likelihood().negLogLikelihoodPerColumn(b.decoderOutput(b.encodeMean(x)), filled, mask, cb);
        assertArrayEquals(ca, cb, 0.0, "per-column contributions");
    }

    @Test
    void aVaeWithTheCompositeLikelihoodRoundTripsWithTheSameOutputs() throws IOException {
        Vae vae = Vae.builder(10).hidden(6, 5).latent(2).likelihood(table()).build();
        setRandom(vae, 1);
        Path file = dir.resolve("table.safetensors");
        ModelFiles.save(vae, file);

        Map<String, String> meta = ModelFiles.readMetadata(file);
        assertEquals("composite", meta.get("vae4j.likelihood"));
        String spans = meta.get("vae4j.likelihood_spans");
        assertTrue(spans.startsWith("[{\"start\":0,\"width\":2,\"likelihood\":\"gaussian-learned\",\"entries\":"
                + "{\"vae4j.likelihood_columns\":\"2\",\"vae4j.likelihood_log_var_bound\":\"6.0\"}}"), spans);
        assertTrue(spans.contains("\"likelihood\":\"categorical\",\"entries\":{\"vae4j.likelihood_categories\":\"3\"}"),
                spans);
        try (SafeTensorsFile f = SafeTensors.open(file)) {
            assertArrayEquals(new long[] {2}, f.tensors().get("likelihood.0.log_var").shape());
            assertArrayEquals(new long[] {1}, f.tensors().get("likelihood.5.log_var").shape());
            assertArrayEquals(new long[] {11, 6}, f.tensors().get("decoder.4.weight").shape());
        }
        LatentModel again = ModelFiles.load(file);
        assertInstanceOf(Vae.class, again);
        assertSameModel(vae, again);
    }

    @Test
    void anAutoencoderWithASingleLearnedGaussianRoundTrips() throws IOException {
        Autoencoder ae = Autoencoder.builder(3).hidden(4).latent(2).likelihood(LearnedGaussianLikelihood.perColumn(3))
                .build();
        setRandom(ae, 2);
        Path file = dir.resolve("ae.safetensors");
        ModelFiles.save(ae, file);
        Autoencoder again = ModelFiles.loadAutoencoder(file);
        assertEquals("likelihood.log_var", again.parameters().get(again.parameters().size() - 1).name());
        assertArrayEquals(values(ae.parameters().get(ae.parameters().size() - 1)),
                values(again.parameters().get(again.parameters().size() - 1)), 0f);
        FMatrixRMaj x = new FMatrixRMaj(2, 3, true, 0.1f, Float.NaN, 2f, -1f, 0.5f, 0.25f);
        assertEquals(ae.negativeElbo(x, new Noise(1)).total(), again.negativeElbo(x, new Noise(1)).total(), 0.0);
    }

    @Test
    void aCheckpointOfATableModelResumesWithTheLogVarianceAndItsAdamState() throws IOException {
        FMatrixRMaj data = rows(64, 4);
        Vae vae = Vae.builder(10).hidden(6).latent(2).likelihood(table()).build();
        org.vae4j.train.Trainer trainer = org.vae4j.train.Trainer.builder().epochs(2).batchSize(16).seed(3).build();
        org.vae4j.train.TrainingRun run = trainer.start(vae, data);
        List<org.vae4j.train.EpochStats> history = run.runEpochs(1);
        Path file = dir.resolve("checkpoint.safetensors");
        ModelFiles.saveCheckpoint(vae, run.optimizer(), TrainingState.of(run, history), file);
        try (SafeTensorsFile f = SafeTensors.open(file)) {
            assertArrayEquals(new long[] {2}, f.tensors().get("optimizer.exp_avg.likelihood.0.log_var").shape());
        }
        Checkpoint c = ModelFiles.loadCheckpoint(file);
        assertSameModel(vae, c.model());
        // one more epoch from the checkpoint equals one more epoch in this run
        run.runEpochs(1);
        org.vae4j.train.TrainingRun resumed = trainer.start(c.model(), data, c.optimizer());
        resumed.runEpochs(1);
        for (int k = 0; k < vae.parameters().size(); k++) {
            assertArrayEquals(values(vae.parameters().get(k)), values(c.model().parameters().get(k)), 0f,
                    vae.parameters().get(k).name());
        }
    }

    /** The saved file's metadata and tensors, to rewrite with one entry changed. */
    private Path withSpans(String spans) throws IOException {
        Vae vae = Vae.builder(10).hidden(6).latent(2).likelihood(table()).build();
        Path file = dir.resolve("ok.safetensors");
        ModelFiles.save(vae, file);
        Map<String, String> meta = new LinkedHashMap<>();
        List<FloatTensor> tensors = new ArrayList<>();
        try (SafeTensorsFile f = SafeTensors.open(file)) {
            meta.putAll(f.metadata());
            for (TensorInfo t : f.tensors().values()) {
                tensors.add(new FloatTensor(t.name(), t.shape(), f.readFloats(t.name())));
            }
        }
        meta.remove(ModelFiles.DATA_SHA256);
        meta.remove(FileDigest.SHA256); // an edited file without digests (as if written by hand)
        meta.remove(FileDigest.DIGEST);
        meta.put("vae4j.likelihood_spans", spans);
        Path bad = dir.resolve("bad.safetensors");
        SafeTensors.write(bad, meta, tensors);
        return bad;
    }

    private void assertRefused(String spans, String words) throws IOException {
        Path bad = withSpans(spans);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(words), "expected '" + words + "' in: " + e.getMessage());
    }

    @Test
    void malformedSpanMetadataIsRefusedWithAMessage() throws IOException {
        assertRefused("{}", "vae4j.likelihood_spans: not a JSON array");
        assertRefused("[{\"start\":0,\"width\":10,\"likelihood\":\"poisson\"}]", "vae4j.likelihood = 'poisson'");
        assertRefused("[{\"start\":0,\"width\":10}]", "span 0 needs start, width and likelihood");
        assertRefused("[{\"start\":0,\"width\":4,\"likelihood\":\"bernoulli\"},"
                + "{\"start\":5,\"width\":6,\"likelihood\":\"bernoulli\"}]", "no gap");
        assertRefused("[{\"start\":0,\"width\":3,\"likelihood\":\"categorical\",\"entries\":"
                + "{\"vae4j.likelihood_categories\":\"4\"}}]", "span 0 (columns 0..2)");
        assertRefused("[{\"start\":0,\"width\":10,\"likelihood\":\"composite\"}]", "inside another");
        assertRefused("[{\"start\":-1,\"width\":10,\"likelihood\":\"bernoulli\"}]", "start must be a non-negative int");
        // a consistent composite of another layout: the tensors then do not match it
        assertRefused("[{\"start\":0,\"width\":10,\"likelihood\":\"bernoulli\"}]", "tensor fc4.weight has shape [11, 6]");
    }
}

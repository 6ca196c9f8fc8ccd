package org.vae4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.Autoencoder;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Parameter;
import org.vae4j.objective.Corruption;
import org.vae4j.train.EpochStats;

/** Saving and loading models: bit-identical round trips, metadata, and every way a file can be wrong. */
class ModelFilesTest {

    @TempDir
    Path dir;

    static FMatrixRMaj randomRows(int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        FMatrixRMaj x = new FMatrixRMaj(n, d);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = (float) rng.nextDouble();
        }
        return x;
    }

    static void assertSameParameters(LatentModel expected, LatentModel actual) {
        List<Parameter> a = expected.parameters();
        List<Parameter> b = actual.parameters();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).name(), b.get(i).name());
            assertEquals(a.get(i).rows(), b.get(i).rows(), a.get(i).name());
            assertEquals(a.get(i).cols(), b.get(i).cols(), a.get(i).name());
            assertArrayEquals(a.get(i).valueCopy().data, b.get(i).valueCopy().data, 0f, a.get(i).name());
        }
    }

    private Path saved(LatentModel model) throws IOException {
        Path p = dir.resolve("model.safetensors");
        ModelFiles.save(model, p);
        return p;
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void seedVaeRoundTripIsBitIdentical() throws IOException {
        Vae vae = Vae.builder(12).hidden(8).latent(3).seed(5).build();
        Vae loaded = ModelFiles.loadVae(saved(vae));
        assertSameParameters(vae, loaded);
        assertEquals(vae.describe(), loaded.describe());
        FMatrixRMaj x = randomRows(7, 12, 1);
        assertArrayEquals(vae.encode(x).mu().data, loaded.encode(x).mu().data, 0f);
        assertArrayEquals(vae.encode(x).logvar().data, loaded.encode(x).logvar().data, 0f);
        assertArrayEquals(vae.reconstruct(x).data, loaded.reconstruct(x).data, 0f);
        assertEquals(vae.negativeElbo(x, new SplittableRandom(3)).total(), loaded.negativeElbo(x, new SplittableRandom(3)).total());
    }

    @Test
    void seedVaeFileHasPyTorchNamesAndShapes() throws IOException {
        Vae vae = Vae.builder(12).hidden(8).latent(3).build();
        try (SafeTensorsFile f = SafeTensors.open(saved(vae))) {
            Map<String, long[]> expected = new LinkedHashMap<>();
            expected.put("fc1.weight", new long[] {8, 12});
            expected.put("fc1.bias", new long[] {8});
            expected.put("fc_mu.weight", new long[] {3, 8});
            expected.put("fc_mu.bias", new long[] {3});
            expected.put("fc_logvar.weight", new long[] {3, 8});
            expected.put("fc_logvar.bias", new long[] {3});
            expected.put("fc3.weight", new long[] {8, 3});
            expected.put("fc3.bias", new long[] {8});
            expected.put("fc4.weight", new long[] {12, 8});
            expected.put("fc4.bias", new long[] {12});
            assertEquals(List.copyOf(expected.keySet()), List.copyOf(f.tensors().keySet()));
            expected.forEach((name, shape) -> assertArrayEquals(shape, f.tensors().get(name).shape(), name));
            Map<String, String> m = f.metadata();
            assertEquals("pt", m.get("format"));
            assertEquals("1", m.get("vae4j.format_version"));
            assertEquals("vae", m.get("vae4j.model"));
            assertEquals("12", m.get("vae4j.input_size"));
            assertEquals("[8]", m.get("vae4j.hidden_sizes"));
            assertEquals("[8]", m.get("vae4j.decoder_hidden_sizes"));
            assertEquals("3", m.get("vae4j.latent_size"));
            assertEquals("relu", m.get("vae4j.activation"));
            assertEquals("identity", m.get("vae4j.output_activation"));
            assertEquals("bernoulli", m.get("vae4j.likelihood"));
            assertEquals(f.dataSha256(), m.get("vae4j.data_sha256"));
            assertTrue(m.containsKey("vae4j.version"));
        }
    }

    @Test
    void deepVaeWithGaussianLikelihoodRoundTrips() throws IOException {
        Vae vae = Vae.builder(10).hidden(9, 7).decoderHidden(6, 8, 9).latent(4).activation(Activation.TANH)
                .likelihood(GaussianLikelihood.withVariance(0.3)).outputActivation(Activation.SIGMOID).seed(8).build();
        Path p = saved(vae);
        Vae loaded = ModelFiles.loadVae(p);
        assertSameParameters(vae, loaded);
        assertEquals(vae.describe(), loaded.describe());
        assertEquals(Activation.SIGMOID, loaded.outputActivation());
        GaussianLikelihood g = assertInstanceOf(GaussianLikelihood.class, loaded.likelihood());
        assertEquals(0.3, g.variance());
        assertTrue(g.includesConstant());
        assertTrue(ModelFiles.readMetadata(p).keySet().containsAll(List.of("vae4j.likelihood_variance",
                "vae4j.likelihood_constant")));
        FMatrixRMaj z = randomRows(5, 4, 2);
        assertArrayEquals(vae.decodeMean(z).data, loaded.decodeMean(z).data, 0f);
        try (SafeTensorsFile f = SafeTensors.open(p)) {
            assertTrue(f.tensors().keySet().containsAll(List.of("encoder.0.weight", "encoder.2.bias", "fc_mu.weight",
                    "decoder.0.weight", "decoder.6.weight")));
        }
    }

    @Test
    void autoencoderRoundTripIsBitIdentical() throws IOException {
        Autoencoder ae = Autoencoder.builder(12).hidden(10, 6).latent(3).seed(4).build();
        Autoencoder loaded = ModelFiles.loadAutoencoder(saved(ae));
        assertSameParameters(ae, loaded);
        assertEquals(ae.describe(), loaded.describe());
        FMatrixRMaj x = randomRows(6, 12, 3);
        assertArrayEquals(ae.encode(x).data, loaded.encode(x).data, 0f);
        assertArrayEquals(ae.reconstruct(x).data, loaded.reconstruct(x).data, 0f);
    }

    @Test
    void trainingStateAndExtraMetadataRoundTrip() throws IOException {
        Vae vae = Vae.builder(12).hidden(8).latent(3).build();
        List<EpochStats> history = List.of(new EpochStats(1, 10.5, 9.25, 1.25, 0.5, 8, 1000, 0.125),
                new EpochStats(2, 9.5, 8.0, 1.5, 1.0, 8, 1000, 0.0625));
        TrainingState training = new TrainingState(7, 128, 1.0, 100, history);
        Path p = dir.resolve("m.safetensors");
        ModelFiles.save(vae, p, training, Map.of("dataset", "mnist"));
        Map<String, String> meta = ModelFiles.readMetadata(p);
        assertEquals("mnist", meta.get("dataset"));
        assertEquals("1.0", meta.get("vae4j.beta"));
        assertEquals(training, ModelFiles.trainingState(meta, p).orElseThrow());
        assertTrue(ModelFiles.trainingState(ModelFiles.readMetadata(saved(vae)), p).isEmpty());
        for (Corruption c : List.of(Corruption.masking(0.25), Corruption.gaussian(0.1),
                Corruption.gaussianUnclamped(2.5))) {
            TrainingState denoising = new TrainingState(3, 64, 0.5, 0, c, history);
            ModelFiles.save(vae, p, denoising, Map.of());
            assertEquals(denoising, ModelFiles.trainingState(ModelFiles.readMetadata(p), p).orElseThrow());
        }
    }

    @Test
    void reservedOrNullMetadataKeysAreRefused() {
        Vae vae = Vae.builder(12).hidden(8).latent(3).build();
        Path p = dir.resolve("m.safetensors");
        for (String key : List.of("format", "vae4j.model", "vae4j.anything")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelFiles.save(vae, p, Map.of(key, "x")));
            assertTrue(e.getMessage().contains("reserved"), e.getMessage());
        }
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> ModelFiles.save(vae, p, nullValue));
        assertTrue(Files.notExists(p));
    }

    @Test
    void otherModelTypesAreRefused() {
        LatentModel fake = (LatentModel) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {LatentModel.class}, (proxy, m, args) -> null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFiles.save(fake, dir.resolve("m.safetensors")));
        assertTrue(e.getMessage().contains("a Vae or an Autoencoder"), e.getMessage());
    }

    @Test
    void loadingTheWrongKindNamesIt() throws IOException {
        Path vaeFile = saved(Vae.builder(12).hidden(8).latent(3).build());
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.loadAutoencoder(vaeFile));
        assertTrue(e.getMessage().contains("holds a VAE"), e.getMessage());
    }

    @Test
    void loadIntoChecksTheDeclaredArchitecture() throws IOException {
        Vae source = Vae.builder(12).hidden(8).latent(3).seed(1).build();
        Path p = saved(source);
        Vae target = Vae.builder(12).hidden(8).latent(3).seed(2).build();
        ModelFiles.loadInto(p, target);
        assertSameParameters(source, target);
        Vae tanh = Vae.builder(12).hidden(8).latent(3).activation(Activation.TANH).seed(3).build();
        float[] before = tanh.parameters().get(0).valueCopy().data;
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.loadInto(p, tanh));
        assertTrue(e.getMessage().contains("but the model is a VAE 12-8-(3)-8-12 tanh"), e.getMessage());
        assertArrayEquals(before, tanh.parameters().get(0).valueCopy().data, 0f, "model untouched");
    }

    // ------------------------------------------------------------------ atomic save

    @Test
    void failedSaveKeepsThePreviousModelFile() throws IOException {
        Vae old = Vae.builder(12).hidden(8).latent(3).seed(1).build();
        Path p = saved(old);
        byte[] before = Files.readAllBytes(p);
        Vae next = Vae.builder(12).hidden(8).latent(3).seed(2).build();
        IOException e = assertThrows(IOException.class, () -> ModelFiles.save(next, p, null, Map.of(),
                c -> new SafeTensorsTest.FailingChannel(c, 1000)));
        assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(p));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(p), s.toList(), "no temporary file left");
        }
        assertSameParameters(old, ModelFiles.loadVae(p));
    }

    // ------------------------------------------------------------------ wrong files

    /** The tensors and metadata of a saved seed VAE, to be altered and rewritten. */
    private static final class Parts {
        final Map<String, String> meta = new LinkedHashMap<>();
        final List<FloatTensor> tensors = new ArrayList<>();

        Parts(Path file) throws IOException {
            try (SafeTensorsFile f = SafeTensors.open(file)) {
                meta.putAll(f.metadata());
                for (TensorInfo t : f.tensors().values()) {
                    tensors.add(new FloatTensor(t.name(), t.shape(), f.readFloats(t.name())));
                }
            }
            meta.remove(ModelFiles.DATA_SHA256);
            meta.remove(FileDigest.SHA256); // an edited file without digests (as if written by hand)
            meta.remove(FileDigest.DIGEST);
        }

        Path write(Path file) throws IOException {
            SafeTensors.write(file, meta, tensors);
            return file;
        }

        void replace(String name, FloatTensor t) {
            tensors.replaceAll(x -> x.name().equals(name) ? t : x);
        }
    }

    private Parts parts() throws IOException {
        return new Parts(saved(Vae.builder(12).hidden(8).latent(3).build()));
    }

    private static void assertLoadFails(Path file, String words) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(words), "expected '" + words + "' in: " + e.getMessage());
    }

    @Test
    void wrongTensorShapeForTheDeclaredArchitectureIsRejected() throws IOException {
        Parts p = parts();
        p.replace("fc_mu.weight", new FloatTensor("fc_mu.weight", new long[] {4, 8}, new float[32]));
        assertLoadFails(p.write(dir.resolve("bad.safetensors")),
                "tensor fc_mu.weight has shape [4, 8] but the VAE 12-8-(3)-8-12 relu bernoulli needs [3, 8]");
    }

    @Test
    void biasStoredTwoDimensionalIsRejected() throws IOException {
        Parts p = parts();
        p.replace("fc1.bias", new FloatTensor("fc1.bias", new long[] {1, 8}, new float[8]));
        assertLoadFails(p.write(dir.resolve("bad.safetensors")), "fc1.bias has shape [1, 8]");
    }

    @Test
    void missingTensorIsRejected() throws IOException {
        Parts p = parts();
        p.tensors.removeIf(t -> t.name().equals("fc3.bias"));
        assertLoadFails(p.write(dir.resolve("bad.safetensors")), "missing tensor fc3.bias (shape [8])");
    }

    @Test
    void unexpectedTensorIsRejected() throws IOException {
        Parts p = parts();
        p.tensors.add(new FloatTensor("fc5.weight", new long[] {1}, new float[1]));
        assertLoadFails(p.write(dir.resolve("bad.safetensors")), "unexpected tensor fc5.weight");
    }

    @Test
    void nonFiniteParameterIsRejected() throws IOException {
        Parts p = parts();
        float[] w = new float[8 * 3];
        w[5] = Float.NaN;
        p.replace("fc3.weight", new FloatTensor("fc3.weight", new long[] {8, 3}, w));
        assertLoadFails(p.write(dir.resolve("bad.safetensors")), "fc3.weight has the non-finite value NaN at flat index 5");
    }

    @Test
    void hugeDeclaredWidthIsAShapeErrorNotAnAllocation() throws IOException {
        Parts p = parts();
        p.meta.put("vae4j.hidden_sizes", "[2000000000]");
        p.meta.put("vae4j.decoder_hidden_sizes", "[2000000000]");
        assertLoadFails(p.write(dir.resolve("bad.safetensors")), "needs [2000000000, 12]");
    }

    @Test
    void malformedArchitectureMetadataIsRejected() throws IOException {
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("vae4j.model", new String[] {"gan", "expected vae or ae"});
        cases.put("vae4j.input_size", new String[] {"-12", "must be a positive int"});
        cases.put("vae4j.latent_size", new String[] {"three", "not an integer"});
        cases.put("vae4j.hidden_sizes", new String[] {"[8, 0]", "entries must be positive integers"});
        cases.put("vae4j.decoder_hidden_sizes", new String[] {"[8", "not valid JSON"});
        cases.put("vae4j.activation", new String[] {"gelu", "expected one of"});
        cases.put("vae4j.output_activation", new String[] {"sigmoid", "the bernoulli likelihood needs identity"});
        cases.put("vae4j.likelihood", new String[] {"poisson", "expected bernoulli, categorical, composite, gaussian, gaussian-heteroscedastic, gaussian-learned or squared-error"});
        cases.put("vae4j.format_version", new String[] {"2", "this vae4j reads versions 1 to 1"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            Parts p = parts();
            p.meta.put(c.getKey(), c.getValue()[0]);
            assertLoadFails(p.write(dir.resolve("bad.safetensors")), c.getValue()[1]);
        }
        Parts p = parts();
        p.meta.remove("vae4j.latent_size");
        assertLoadFails(p.write(dir.resolve("bad.safetensors")), "metadata lacks vae4j.latent_size");
    }

    @Test
    void flippedDataBitFailsTheChecksum() throws IOException {
        Path p = saved(Vae.builder(12).hidden(8).latent(3).build());
        byte[] bytes = Files.readAllBytes(p);
        bytes[bytes.length - 3] ^= 0x10; // inside fc4.bias: still a finite float
        Files.write(p, bytes);
        assertLoadFails(p, "the tensor data is corrupt: its SHA-256 is");
    }

    @Test
    void randomBitFlipsNeverGiveAnythingButAModelFileException() throws IOException {
        Path good = saved(Vae.builder(12).hidden(8).latent(3).build());
        byte[] original = Files.readAllBytes(good);
        SplittableRandom rng = new SplittableRandom(99);
        Path p = dir.resolve("flipped.safetensors");
        int loaded = 0;
        for (int trial = 0; trial < 400; trial++) {
            byte[] bytes = original.clone();
            int i = rng.nextInt(bytes.length);
            bytes[i] ^= (byte) (1 << rng.nextInt(8));
            Files.write(p, bytes);
            try {
                ModelFiles.load(p);
                loaded++; // a flip in a free-text metadata value (e.g. the version) is harmless
            } catch (ModelFileException e) {
                assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
            }
        }
        assertTrue(loaded < 40, loaded + " of 400 flipped files loaded");
    }

    @Test
    void truncatedModelFileIsRejected() throws IOException {
        Path good = saved(Vae.builder(12).hidden(8).latent(3).build());
        byte[] original = Files.readAllBytes(good);
        Path p = dir.resolve("cut.safetensors");
        for (int n : new int[] {0, 7, 8, 100, original.length / 2, original.length - 1}) {
            Files.write(p, java.util.Arrays.copyOf(original, n));
            assertThrows(ModelFileException.class, () -> ModelFiles.load(p), "cut at " + n);
        }
        Files.write(p, java.util.Arrays.copyOf(original, original.length - 4));
        assertLoadFails(p, "lie outside the data section");
    }

    @Test
    void fileWithoutKnownNamesOrMetadataIsExplained() throws IOException {
        Path p = dir.resolve("other.safetensors");
        SafeTensors.write(p, Map.of(), List.of(new FloatTensor("conv1.weight", new long[] {2, 2}, new float[4])));
        assertLoadFails(p, "the tensor names match no known module");
        assertFalse(Files.notExists(p));
    }
}

package org.vae4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.Autoencoder;
import org.vae4j.Fixture;
import org.vae4j.Vae;
import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.nn.Activation;

/**
 * Files written by PyTorch ({@code safetensors.torch.save_file} of a state_dict, no metadata), made
 * by src/test/python/make_safetensors_fixture.py: the architecture is inferred from the tensor
 * names and the loaded model computes what the PyTorch module computed.
 */
class ModelFilesPyTorchTest {

    private static final Path RESOURCES = resources();
    private static final float TOLERANCE = 1e-5f;

    @TempDir
    Path dir;

    /** The folder of the fixtures on the test classpath. */
    static Path resources() {
        try {
            return Path.of(ModelFilesPyTorchTest.class.getResource("/io/dtypes.txt").toURI()).getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void seedVaeWrittenByPyTorchLoadsAndDecodesAsPyTorch() throws IOException {
        Path file = RESOURCES.resolve("pytorch_vae_12_8_3.safetensors");
        assertTrue(ModelFiles.readMetadata(file).isEmpty(), "the fixture has no vae4j metadata");
        Vae vae = ModelFiles.loadVae(file);
        assertEquals("12-8-(3)-8-12 relu bernoulli", vae.describe());
        assertEquals(BernoulliLikelihood.INSTANCE, vae.likelihood());
        Fixture f = Fixture.load("/io/pytorch_vae_12_8_3.txt");
        assertArrayEquals(f.tensor("logits").data, vae.decoderOutput(f.tensor("z")).data, TOLERANCE);
        Vae.Encoding q = vae.encode(f.tensor("x"));
        assertArrayEquals(f.tensor("mu").data, q.mu().data, TOLERANCE);
        assertArrayEquals(f.tensor("logvar").data, q.logvar().data, TOLERANCE);
    }

    @Test
    void deepVaeWrittenByPyTorchLoads() throws IOException {
        Vae vae = ModelFiles.loadVae(RESOURCES.resolve("pytorch_deep_vae.safetensors"));
        assertEquals("12-10-8-(3)-8-10-12 relu bernoulli", vae.describe());
        Fixture f = Fixture.load("/io/pytorch_deep_vae.txt");
        assertArrayEquals(f.tensor("logits").data, vae.decoderOutput(f.tensor("z")).data, TOLERANCE);
        assertArrayEquals(f.tensor("mu").data, vae.encode(f.tensor("x")).mu().data, TOLERANCE);
        assertArrayEquals(f.tensor("logvar").data, vae.encode(f.tensor("x")).logvar().data, TOLERANCE);
    }

    @Test
    void hintonAutoencoderWrittenByPyTorchLoads() throws IOException {
        Autoencoder ae = ModelFiles.loadAutoencoder(RESOURCES.resolve("pytorch_ae.safetensors"));
        assertEquals("12-10-6-(3)-6-10-12 relu squared-error", ae.describe());
        assertEquals(Activation.SIGMOID, ae.outputActivation());
        assertInstanceOf(GaussianLikelihood.class, ae.likelihood());
        Fixture f = Fixture.load("/io/pytorch_ae.txt");
        assertArrayEquals(f.tensor("code").data, ae.encode(f.tensor("x")).data, TOLERANCE);
        assertArrayEquals(f.tensor("out").data, ae.reconstruct(f.tensor("x")).data, TOLERANCE);
    }

    @Test
    void pytorchFileResavedByVae4jKeepsItsTensorsExactly() throws IOException {
        Path original = RESOURCES.resolve("pytorch_vae_12_8_3.safetensors");
        Vae vae = ModelFiles.loadVae(original);
        Path resaved = dir.resolve("resaved.safetensors");
        ModelFiles.save(vae, resaved);
        try (SafeTensorsFile a = SafeTensors.open(original); SafeTensorsFile b = SafeTensors.open(resaved)) {
            assertEquals(a.tensors().keySet(), b.tensors().keySet());
            for (String name : a.tensors().keySet()) {
                assertArrayEquals(a.tensors().get(name).shape(), b.tensors().get(name).shape(), name);
                assertArrayEquals(a.readFloats(name), b.readFloats(name), 0f, name);
            }
        }
    }

    @Test
    void loadIntoTakesAPyTorchFileForAnotherActivation() throws IOException {
        // the names cannot say the hidden activation; a caller who knows it builds the model
        Vae tanh = Vae.builder(12).hidden(8).latent(3).activation(Activation.TANH).build();
        ModelFiles.loadInto(RESOURCES.resolve("pytorch_vae_12_8_3.safetensors"), tanh);
        Vae relu = ModelFiles.loadVae(RESOURCES.resolve("pytorch_vae_12_8_3.safetensors"));
        ModelFilesTest.assertSameParameters(relu, tanh);
        Vae wrongSize = Vae.builder(12).hidden(9).latent(3).build();
        ModelFileException e = assertThrows(ModelFileException.class,
                () -> ModelFiles.loadInto(RESOURCES.resolve("pytorch_vae_12_8_3.safetensors"), wrongSize));
        assertTrue(e.getMessage().contains("tensor fc1.weight has shape [8, 12] but the VAE 12-9-(3)-9-12"),
                e.getMessage());
    }

    @Test
    void sequentialIndicesOtherThanLinearActivationPairsAreRenumberedThenChecked() throws IOException {
        // nn.Sequential(Linear, ReLU, Dropout, Linear): the second Linear is encoder.3, read as encoder.2
        // (ModelFilesAliasTest loads such a file); this one's one-layer decoder is then refused
        Path p = dir.resolve("dropout.safetensors");
        List<FloatTensor> ts = new ArrayList<>();
        ts.add(new FloatTensor("encoder.0.weight", new long[] {4, 6}, new float[24]));
        ts.add(new FloatTensor("encoder.0.bias", new long[] {4}, new float[4]));
        ts.add(new FloatTensor("encoder.3.weight", new long[] {2, 4}, new float[8]));
        ts.add(new FloatTensor("encoder.3.bias", new long[] {2}, new float[2]));
        ts.add(new FloatTensor("decoder.0.weight", new long[] {6, 2}, new float[12]));
        ts.add(new FloatTensor("decoder.0.bias", new long[] {6}, new float[6]));
        SafeTensors.write(p, Map.of(), ts);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(p));
        assertTrue(e.getMessage().contains("an autoencoder needs at least one hidden layer on each side: found 2 "
                + "encoder and 1 decoder Linear layers"), e.getMessage());
    }

    @Test
    void aWeightNamedLikeItsSequentialIsRefusedNotAStringIndexError() throws IOException {
        // found by the fuzzer: "encoder.weight" starts with "encoder." and ends with ".weight"
        Path p = dir.resolve("plain.safetensors");
        List<FloatTensor> ts = new ArrayList<>();
        ts.add(new FloatTensor("encoder.0.weight", new long[] {4, 6}, new float[24]));
        ts.add(new FloatTensor("encoder.weight", new long[] {2, 4}, new float[8]));
        ts.add(new FloatTensor("decoder.0.weight", new long[] {6, 2}, new float[12]));
        SafeTensors.write(p, Map.of(), ts);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("tensor 'encoder.weight' is not an nn.Sequential Linear weight"),
                e.getMessage());
    }

    @Test
    void oneLayerVaeUnderSequentialNamesLoadsAsTheSeedVae() throws IOException {
        // once refused with "rename encoder.0 to fc1, ...": now read under the seed's names (issue 13)
        Path p = dir.resolve("seq.safetensors");
        List<FloatTensor> ts = new ArrayList<>();
        for (String[] l : new String[][] {{"encoder.0", "4", "6"}, {"fc_mu", "2", "4"}, {"fc_logvar", "2", "4"},
                {"decoder.0", "4", "2"}, {"decoder.2", "6", "4"}}) {
            int out = Integer.parseInt(l[1]);
            int in = Integer.parseInt(l[2]);
            ts.add(new FloatTensor(l[0] + ".weight", new long[] {out, in}, new float[out * in]));
            ts.add(new FloatTensor(l[0] + ".bias", new long[] {out}, new float[out]));
        }
        SafeTensors.write(p, Map.of(), ts);
        assertEquals("6-4-(2)-4-6 relu bernoulli", ModelFiles.loadVae(p).describe());
    }
}

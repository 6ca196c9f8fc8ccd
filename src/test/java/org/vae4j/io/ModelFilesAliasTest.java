package org.vae4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.vae4j.Autoencoder;
import org.vae4j.Fixture;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.nn.Activation;

/**
 * State_dicts of other modules' layouts (issue 13), each written by PyTorch
 * (src/test/python/make_state_dict_alias_fixtures.py, no vae4j metadata): each known alias is
 * recognised and the loaded model computes what the PyTorch module computed; a layout no rule
 * knows loads with a name map and, without one, fails listing the tensors found and the names
 * expected.
 */
class ModelFilesAliasTest {

    private static final Path ALIAS = ModelFilesPyTorchTest.resources().resolve("alias");
    private static final float TOLERANCE = 1e-5f;

    /** The VAE loaded from NAME.safetensors computes NAME.txt's mu, logvar and logits. */
    private static Vae checkVae(String name, LatentModel model, String describe) {
        Vae vae = (Vae) model;
        assertEquals(describe, vae.describe());
        Fixture f = Fixture.load("/io/alias/" + name + ".txt");
        Vae.Encoding q = vae.encode(f.tensor("x"));
        assertArrayEquals(f.tensor("mu").data, q.mu().data, TOLERANCE, name + " mu");
        assertArrayEquals(f.tensor("logvar").data, q.logvar().data, TOLERANCE, name + " logvar");
        assertArrayEquals(f.tensor("logits").data, vae.decoderOutput(f.tensor("z")).data, TOLERANCE, name + " logits");
        return vae;
    }

    private static Path file(String name) {
        return ALIAS.resolve(name + ".safetensors");
    }

    @Test
    void pytorchExamplesVaeWithFc21AndFc22Loads() throws IOException {
        assertTrue(ModelFiles.readMetadata(file("pytorch_examples_vae")).isEmpty());
        checkVae("pytorch_examples_vae", ModelFiles.load(file("pytorch_examples_vae")), "12-8-(3)-8-12 relu bernoulli");
    }

    @Test
    void aDataParallelPrefixIsDropped() throws IOException {
        checkVae("data_parallel_vae", ModelFiles.load(file("data_parallel_vae")), "12-8-(3)-8-12 relu bernoulli");
    }

    @Test
    void sequentialIndicesOfAOneHiddenLayerVaeLoad() throws IOException {
        checkVae("sequential_vae", ModelFiles.load(file("sequential_vae")), "12-8-(3)-8-12 relu bernoulli");
    }

    @Test
    void sequentialIndicesWithDropoutGapsAreRenumbered() throws IOException {
        checkVae("sequential_gaps_vae", ModelFiles.load(file("sequential_gaps_vae")),
                "12-10-8-(3)-8-10-12 relu bernoulli");
    }

    @Test
    void aTopLevelSequentialAutoencoderIsSplitAtItsCode() throws IOException {
        Autoencoder ae = (Autoencoder) ModelFiles.load(file("sequential_ae"));
        assertEquals("12-10-(3)-10-12 relu squared-error", ae.describe());
        assertEquals(Activation.SIGMOID, ae.outputActivation());
        Fixture f = Fixture.load("/io/alias/sequential_ae.txt");
        assertArrayEquals(f.tensor("code").data, ae.encode(f.tensor("x")).data, TOLERANCE);
        assertArrayEquals(f.tensor("out").data, ae.reconstruct(f.tensor("x")).data, TOLERANCE);
    }

    @Test
    void encoderAndDecoderSubmodulePrefixesAreDropped() throws IOException {
        checkVae("prefixed_vae", ModelFiles.load(file("prefixed_vae")), "12-8-(3)-8-12 relu bernoulli");
    }

    @Test
    void anUnknownLayoutListsTheTensorsFoundAndTheNamesExpected() {
        Path p = file("custom_names_vae");
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(p));
        String m = e.getMessage();
        assertTrue(m.startsWith(p.toString()), m);
        for (String found : new String[] {"enc.hidden.weight [8, 12]", "enc.mean.bias [3]", "enc.log_sigma2.weight [3, 8]",
            "dec.hidden.weight [8, 3]", "dec.out.weight [12, 8]"}) {
            assertTrue(m.contains(found), "lacks " + found + ": " + m);
        }
        assertTrue(m.contains("found 10 tensors"), m);
        assertTrue(m.contains("expected fc1/fc_mu/fc_logvar/fc3/fc4 (the seed VAE)"), m);
        assertTrue(m.contains("ModelFiles.load(file, names)"), m);
    }

    @Test
    void aUserNameMapLoadsAnyLayout() throws IOException {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("enc.hidden", "fc1");
        names.put("enc.mean", "fc_mu");
        names.put("enc.log_sigma2.weight", "fc_logvar.weight"); // a whole tensor name works too
        names.put("enc.log_sigma2.bias", "fc_logvar.bias");
        names.put("dec.hidden", "fc3");
        names.put("dec.out", "fc4");
        checkVae("custom_names_vae", ModelFiles.load(file("custom_names_vae"), names), "12-8-(3)-8-12 relu bernoulli");
        // an entry matching nothing is a typo, not silently ignored
        names.put("enc.meen", "fc_mu");
        ModelFileException e = assertThrows(ModelFileException.class,
                () -> ModelFiles.load(file("custom_names_vae"), names));
        assertTrue(e.getMessage().contains("the name map's 'enc.meen' matches no tensor or module"), e.getMessage());
    }

    @Test
    void aNameMapIsRefusedForAFileWithVae4jMetadata(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path p = dir.resolve("vae4j.safetensors");
        ModelFiles.save(Vae.builder(12).hidden(8).latent(3).build(), p);
        ModelFileException e = assertThrows(ModelFileException.class,
                () -> ModelFiles.load(p, Map.of("fc1", "fc3")));
        assertTrue(e.getMessage().contains("has vae4j metadata"), e.getMessage());
        assertEquals("12-8-(3)-8-12 relu bernoulli", ((Vae) ModelFiles.load(p, Map.of())).describe());
    }
}

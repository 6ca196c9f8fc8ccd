package org.vae4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * LoadPyTorchModel's {@code --names} (issue 13): a PyTorch state_dict of a layout no rule knows
 * (custom_names_vae_784.safetensors, written by src/test/python/make_state_dict_alias_fixtures.py)
 * is refused without a map, naming the tensors found and the names expected, and loads and is
 * evaluated with one; a malformed map is a usage error naming the flag.
 */
class LoadPyTorchModelTest {

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        String oldRoot = System.getProperty(ExampleData.ROOT_PROPERTY);
        // the project root: its shared data or the bundled subset give the MNIST test images
        System.setProperty(ExampleData.ROOT_PROPERTY, Path.of("..").toAbsolutePath().normalize().toString());
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int status = LoadPyTorchModel.execute(args);
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            if (oldRoot == null) {
                System.clearProperty(ExampleData.ROOT_PROPERTY);
            } else {
                System.setProperty(ExampleData.ROOT_PROPERTY, oldRoot);
            }
        }
    }

    static Path fixture() throws URISyntaxException {
        return Path.of(LoadPyTorchModelTest.class.getResource("/custom_names_vae_784.safetensors").toURI());
    }

    @Test
    void aStateDictOfUnknownNamesLoadsWithANameMap() throws Exception {
        Path file = fixture();
        Result refused = run(file.toString());
        assertEquals(1, refused.status(), refused.out() + refused.err());
        assertTrue(refused.err().contains("found 10 tensors [dec.hidden.bias [16], dec.hidden.weight [16, 2]"),
                refused.err());
        assertTrue(refused.err().contains("expected fc1/fc_mu/fc_logvar/fc3/fc4 (the seed VAE)"), refused.err());
        Result r = run(file.toString(), "--names",
                "enc.hidden=fc1,enc.mean=fc_mu,enc.log_sigma2=fc_logvar,dec.hidden=fc3,dec.out=fc4");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().startsWith(file + ": VAE 784-16-(2)-16-784 relu bernoulli (no vae4j metadata"), r.out());
        assertTrue(r.out().contains("test -ELBO: "), r.out());
        assertTrue(r.out().contains("active units: "), r.out());
    }

    @Test
    void aMalformedNameMapIsAUsageErrorNamingTheFlag() throws Exception {
        Result r = run(fixture().toString(), "--names", "enc.hidden=fc1,enc.mean");
        assertEquals(2, r.status(), r.err());
        assertEquals("LoadPyTorchModel: --names: 'enc.mean' is not OLD=NEW (e.g. --names enc.mean=fc_mu,dec.out=fc4)",
                r.err().strip());
        assertEquals(2, run(fixture().toString(), "--name", "a=b").status());
        assertEquals(Map.of("a.b", "fc1", "c", "fc4"), LoadPyTorchModel.names("a.b=fc1, c = fc4"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoadPyTorchModel.names("a=fc1,a=fc3"));
        assertEquals("--names: 'a' is given twice", e.getMessage());
    }
}

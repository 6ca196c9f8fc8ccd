package org.vae4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vae4j.examples.TrainMnistRunTest.json;
import static org.vae4j.examples.TrainMnistRunTest.tiny;
import static org.vae4j.examples.TrainMnistRunTest.trainMnist;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vae4j.LatentModel;
import org.vae4j.io.ModelFiles;

/**
 * A one-epoch run on the bundled subset writes every file examples/README.md promises (its "The
 * files." item, read here, so the promise and the program cannot drift apart), for a VAE, a CVAE
 * and an autoencoder with a 2-D latent space: each picture decodes, the model and checkpoint load,
 * metrics.json lists exactly the files in the folder, and nothing else is left there.
 */
class TrainMnistFilesTest {

    @TempDir
    Path dir;

    /** The file names of README's "The files." item, in order, each once. */
    static List<String> promised() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("- **The files.**");
        assertTrue(start >= 0, "examples/README.md has no \"The files.\" item");
        int end = readme.indexOf("\n- ", start + 1);
        Matcher m = Pattern.compile("`([a-z-]+\\.(?:png|json|safetensors))`").matcher(readme.substring(start, end));
        List<String> files = new ArrayList<>();
        while (m.find()) {
            if (!files.contains(m.group(1))) {
                files.add(m.group(1));
            }
        }
        return files;
    }

    /** The files promised to a model: all but samples.png for an ae and a cvae, conditional-samples.png for a cvae only. */
    static TreeSet<String> promisedFor(String model) throws IOException {
        TreeSet<String> files = new TreeSet<>(promised());
        if (!model.equals("vae")) {
            files.remove("samples.png");
        }
        if (!model.equals("cvae")) {
            files.remove("conditional-samples.png");
        }
        return files;
    }

    @ParameterizedTest(name = "--model {0}")
    @ValueSource(strings = {"vae", "cvae", "ae"})
    void aOneEpochRunWritesEveryPromisedFile(String model) throws IOException {
        assertEquals(11, promised().size(), promised().toString());
        Path out = dir.resolve(model);
        TrainMnistRunTest.Result r = trainMnist(tiny(out, "--epochs", "1", "--model", model));
        assertEquals(0, r.status(), r.out() + r.err());
        TreeSet<String> present = new TreeSet<>();
        try (var files = Files.list(out)) {
            files.forEach(f -> present.add(f.getFileName().toString()));
        }
        assertEquals(promisedFor(model), present);
        Map<?, ?> m = json(out.resolve("metrics.json"));
        assertEquals("finished", m.get("status"));
        assertEquals(present, new TreeSet<>((List<?>) m.get("files")));
        for (String f : present) {
            if (f.endsWith(".png")) {
                BufferedImage img = ImageIO.read(out.resolve(f).toFile());
                assertNotNull(img, f + " is not a PNG");
                assertTrue(img.getWidth() >= 28 && img.getHeight() >= 28, f + " is " + img.getWidth() + "x"
                        + img.getHeight());
            }
        }
        LatentModel loaded = ModelFiles.load(out.resolve("model.safetensors"));
        assertEquals(2, loaded.latentSize());
        assertEquals(model, loaded.kind());
        assertEquals(1, ModelFiles.loadCheckpoint(out.resolve("checkpoint.safetensors")).training().history().size());
        assertTrue(r.out().contains("wrote " + String.join(", ", (List<String>) castList(m.get("files"))) + " in " + out),
                r.out());
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return (List<String>) o;
    }
}

package org.vae4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.vae4j.examples.TrainMnistRunTest.json;
import static org.vae4j.examples.TrainMnistRunTest.programLines;
import static org.vae4j.examples.TrainMnistRunTest.trainMnist;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.data.ImageDataset;
import org.vae4j.io.ModelFiles;

/**
 * train-mnist's data (issue 13): the files are recognised by their SHA-256 whatever --dataset
 * says, --dataset given and disagreeing is an error naming both, a folder of IDX files of no known
 * set (an EMNIST-like one made here) trains, and a corrupt file of a known set still fails naming
 * the file; no message carries an internal enum name.
 */
class TrainMnistDataTest {

    @TempDir
    Path dir;

    static final Path FASHION = Path.of("..", "..", "shared", "data", "fashion-mnist");

    /** A tiny model, one epoch, on {@code data}. */
    static String[] tinyOn(Path data, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("--data", data.toString(), "--hidden", "8", "--latent", "2",
                "--iw-samples", "2", "--threads", "1", "--epochs", "1", "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    /** An IDX file of unsigned bytes: magic 0x0000080N, the dimensions (big-endian), the values. */
    static byte[] idx(int[] dims, byte[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + values.length);
        b.putInt(0x0800 | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(values);
        return b.array();
    }

    static void write(Path file, byte[] bytes, boolean gzip) throws IOException {
        if (!gzip) {
            Files.write(file, bytes);
            return;
        }
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(bytes);
        }
    }

    /**
     * An EMNIST-letters-like folder: {@code n} random 28x28 training images and n/2 test ones,
     * labels 0 to 25 (each present), the training files gzipped and the test files plain.
     */
    static Path emnistLike(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(13);
        for (boolean train : new boolean[] {true, false}) {
            int count = train ? n : n / 2;
            byte[] pixels = new byte[count * 28 * 28];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) (rng.nextInt(4) == 0 ? rng.nextInt(256) : 0);
            }
            byte[] labels = new byte[count];
            for (int i = 0; i < count; i++) {
                labels[i] = (byte) (i % 26);
            }
            String[] names = train ? ImageDataset.TRAIN_FILES : ImageDataset.TEST_FILES;
            String images = train ? names[0] : names[0].replace(".gz", "");
            String labelsFile = train ? names[1] : names[1].replace(".gz", "");
            write(dir.resolve(images), idx(new int[] {count, 28, 28}, pixels), train);
            write(dir.resolve(labelsFile), idx(new int[] {count}, labels), train);
        }
        return dir;
    }

    private static void noEnumNames(String text) {
        for (String name : List.of("EXPLICIT", "ENVIRONMENT", "EXTRA", "CACHE", "DOWNLOADED", "BUNDLED_SUBSET")) {
            assertFalse(text.contains(name), "an internal enum name in: " + text);
        }
    }

    @Test
    void fashionMnistFilesWithoutDatasetAreRecognisedAndSaidSoOnce() throws IOException {
        assumeTrue(ImageDataset.hasMnistFormat(FASHION), "no shared Fashion-MNIST in " + FASHION);
        Path out = dir.resolve("fashion");
        TrainMnistRunTest.Result r = trainMnist(tinyOn(FASHION, out));
        assertEquals(0, r.status(), r.out() + r.err());
        String note = "note: " + FASHION + " holds Fashion-MNIST (recognised by the SHA-256 of its four files): "
                + "training on fashion-mnist";
        assertEquals(1, r.out().lines().filter(l -> l.equals(note)).count(), r.out());
        assertTrue(r.out().contains("data: Fashion-MNIST, 60,000 train and 10,000 test images of 28x28"), r.out());
        noEnumNames(r.out() + r.err());
        Map<?, ?> m = json(out.resolve("metrics.json"));
        assertEquals("fashion-mnist", ((Map<?, ?>) m.get("settings")).get("dataset"));
        assertEquals("fashion-mnist", ((Map<?, ?>) m.get("data")).get("checksums"));
        assertEquals("Fashion-MNIST", ((Map<?, ?>) m.get("data")).get("label"));
        assertEquals("fashion-mnist", ModelFiles.readMetadata(out.resolve("model.safetensors"))
                .get(TrainMnist.META_DATASET));
    }

    @Test
    void aDatasetFlagThatDisagreesWithTheFilesIsAnErrorNamingBoth() throws IOException {
        Path out = dir.resolve("nothing");
        TrainMnistRunTest.Result r = trainMnist(tinyOn(TrainMnistRunTest.SUBSET, out, "--dataset", "fashion-mnist"));
        assertEquals(TrainMnist.EXIT_USAGE, r.status(), r.out() + r.err());
        List<String> lines = programLines(r.err());
        assertEquals(1, lines.size(), r.err());
        assertEquals("train-mnist: --dataset fashion-mnist does not match the data: " + TrainMnistRunTest.SUBSET
                + " holds the bundled 5,000-image MNIST subset (recognised by the SHA-256 of its four files); give "
                + "--dataset mnist or leave --dataset out (see --help)", lines.get(0));
        assertFalse(Files.exists(out), "nothing written");
        if (ImageDataset.hasMnistFormat(FASHION)) {
            r = trainMnist(tinyOn(FASHION, out, "--dataset", "mnist"));
            assertEquals(TrainMnist.EXIT_USAGE, r.status(), r.out() + r.err());
            assertTrue(r.err().contains("--dataset mnist does not match the data: " + FASHION + " holds Fashion-MNIST"),
                    r.err());
            assertTrue(r.err().contains("give --dataset fashion-mnist or leave --dataset out"), r.err());
        }
    }

    @Test
    void anEmnistLikeFolderOfIdxFilesTrainsOneEpochWithOneNote() throws IOException {
        Path data = emnistLike(dir.resolve("emnist-letters"), 200);
        for (String model : List.of("vae", "cvae")) {
            Path out = dir.resolve("out-" + model);
            TrainMnistRunTest.Result r = trainMnist(tinyOn(data, out, "--model", model, "--batch-size", "50"));
            assertEquals(0, r.status(), r.out() + r.err());
            String note = "note: no checksum is known for the IDX files in " + data + " (they are not MNIST, "
                    + "Fashion-MNIST or the bundled subset): training on them unverified as 'emnist-letters'";
            assertEquals(1, r.out().lines().filter(l -> l.equals(note)).count(), r.out());
            assertTrue(r.out().contains("data: emnist-letters (IDX files, no known checksum), 200 train and 100 test"),
                    r.out());
            assertEquals(List.of(), programLines(r.err()), r.err());
            noEnumNames(r.out() + r.err());
            Map<?, ?> m = json(out.resolve("metrics.json"));
            assertEquals("finished", m.get("status"));
            assertEquals("unknown (not verified)", ((Map<?, ?>) m.get("data")).get("checksums"));
            assertEquals(200, ((Map<?, ?>) m.get("data")).get("train_images"));
            if (model.equals("cvae")) { // the condition is as wide as the labels: 26 letters, not 10 digits
                assertEquals(26, ModelFiles.load(out.resolve("model.safetensors")).conditionSize());
                assertTrue(Files.exists(out.resolve(TrainingPictures.CONDITIONAL_SAMPLES)));
            }
        }
        // --dataset given for such files is an error: they are not that set
        TrainMnistRunTest.Result r = trainMnist(tinyOn(data, dir.resolve("refused"), "--dataset", "mnist"));
        assertEquals(TrainMnist.EXIT_USAGE, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("--dataset mnist does not match the data: " + data + " holds IDX files that are "
                + "not MNIST (no checksum of theirs is known); leave --dataset out to train on them unverified"), r.err());
    }

    @Test
    void aCorruptFileOfAKnownSetStillFailsNamingTheFile() throws IOException {
        Path copy = dir.resolve("subset-copy");
        Files.createDirectories(copy);
        for (String f : ImageDataset.ALL_FILES) {
            Files.copy(TrainMnistRunTest.SUBSET.resolve(f), copy.resolve(f));
        }
        byte[] labels = new byte[1000]; // valid IDX, every test label 0: a file of no set
        write(copy.resolve(ImageDataset.TEST_FILES[1]), idx(new int[] {1000}, labels), true);
        Path out = dir.resolve("corrupt-out");
        TrainMnistRunTest.Result r = trainMnist(tinyOn(copy, out));
        assertEquals(TrainMnist.EXIT_FAILURE, r.status(), r.out() + r.err());
        List<String> lines = programLines(r.err());
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("train-mnist: " + copy.resolve(ImageDataset.TEST_FILES[1])
                + ": SHA-256 of the uncompressed data is "), lines.get(0));
        assertTrue(lines.get(0).contains("the other files are those of the bundled MNIST subset"), lines.get(0));
        noEnumNames(r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void theDataLabelOfTitlesSaysWhichDataWasUsed() throws Exception {
        TrainMnist o = new TrainMnist();
        TrainMnist.commandLine(o).parseArgs("--data", TrainMnistRunTest.SUBSET.toString());
        assertEquals("the bundled 5,000-image MNIST subset", TrainMnistData.label(TrainMnistData.load(o, false)));
        assertEquals("VAE on the bundled 5,000-image MNIST subset", TrainMnistMetrics.lossTitle(true,
                "the bundled 5,000-image MNIST subset"));
        assertEquals("autoencoder on Fashion-MNIST", TrainMnistMetrics.lossTitle(false, "Fashion-MNIST"));
        assertEquals("posterior means of the 1,000 test images of the bundled 5,000-image MNIST subset",
                TrainingPictures.scatterTitle(true, 1000, "the bundled 5,000-image MNIST subset"));
    }
}

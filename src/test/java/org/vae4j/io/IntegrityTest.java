package org.vae4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.optim.Adam;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;

/**
 * The whole file is integrity-checked: every edit of the header's metadata or tensor table, and
 * every data bit flip, is an error naming the file; the digest is the documented canonical form
 * (recomputed here independently from docs/MODEL_FILES.md's definition); the keyed digest;
 * 5b9f97e files still load, with a warning.
 */
class IntegrityTest {

    @TempDir
    Path dir;

    /** A Gaussian VAE checkpoint after 2 epochs of Adam with seed 7. */
    private Path checkpoint(FileKey key) throws IOException {
        Vae vae = Vae.builder(12).hidden(8).latent(3).seed(3)
                .likelihood(GaussianLikelihood.withVariance(0.25)).build();
        FMatrixRMaj x = CheckpointTest.data(40, 12, 5);
        Adam adam = new Adam(1e-3);
        Trainer t = Trainer.builder().epochs(2).batchSize(16).seed(7).learningRate(1e-3).build();
        List<EpochStats> h = t.train(vae, x, adam);
        Path file = dir.resolve(key == null ? "checkpoint.safetensors" : "keyed.safetensors");
        ModelFiles.saveCheckpoint(vae, adam, TrainingState.of(t, h), file, Map.of(), key);
        return file;
    }

    /** The file with the first occurrence of {@code from} in its header replaced by {@code to} (same length). */
    private Path edited(Path file, String from, String to) throws IOException {
        assertEquals(from.length(), to.length());
        byte[] b = Files.readAllBytes(file);
        String latin1 = new String(b, StandardCharsets.ISO_8859_1);
        int at = latin1.indexOf(from);
        assertTrue(at > 0 && at < 8 + headerLength(b), from + " is not in the header");
        System.arraycopy(to.getBytes(StandardCharsets.ISO_8859_1), 0, b, at, to.length());
        Path out = dir.resolve("edited.safetensors");
        Files.write(out, b);
        return out;
    }

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static void assertRefusedAsChanged(Path file) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.loadCheckpoint(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": the file was changed after it was saved"),
                e.getMessage());
        assertTrue(e.getMessage().contains("the header's metadata or tensor table was edited"), e.getMessage());
        assertThrows(ModelFileException.class, () -> ModelFiles.load(file));
    }

    @Test
    void everyEditOfArchitectureLikelihoodAndTrainingStateIsAnErrorNamingTheFile() throws IOException {
        Path file = checkpoint(null);
        ModelFiles.loadCheckpoint(file); // the original loads
        Map<String, String> meta = ModelFiles.readMetadata(file);
        assertEquals("relu", meta.get("vae4j.activation"));
        assertEquals("7", meta.get("vae4j.seed"));
        assertEquals("0.001", meta.get("vae4j.lr"));
        assertEquals("0.25", meta.get("vae4j.likelihood_variance"));
        String steps = meta.get("vae4j.optimizer_steps");
        assertEquals("6", steps); // 40 rows, batch 16: 3 steps an epoch
        // byte-level edits of the header, the length unchanged: each one alone still parses
        assertRefusedAsChanged(edited(file, "\"vae4j.activation\":\"relu\"", "\"vae4j.activation\":\"tanh\""));
        assertRefusedAsChanged(edited(file, "\"vae4j.seed\":\"7\"", "\"vae4j.seed\":\"6\""));
        assertRefusedAsChanged(edited(file, "\"vae4j.lr\":\"0.001\"", "\"vae4j.lr\":\"0.002\""));
        assertRefusedAsChanged(edited(file, "\"vae4j.optimizer_steps\":\"6\"", "\"vae4j.optimizer_steps\":\"9\""));
        assertRefusedAsChanged(edited(file, "\"vae4j.likelihood_variance\":\"0.25\"",
                "\"vae4j.likelihood_variance\":\"0.26\""));
        assertRefusedAsChanged(edited(file, "\"vae4j.likelihood\":\"gaussian\"", "\"vae4j.likelihood\":\"gaussiax\""));
        // two same-shaped tensors swapped by name: a different model with the same bytes
        assertRefusedAsChanged(edited(file, "\"fc_mu.weight\"", "\"fc_lv.weight\""));
    }

    @Test
    void aBitFlipInEveryHeaderByteAndInTheDataIsAnError() throws IOException {
        Path file = checkpoint(null);
        byte[] original = Files.readAllBytes(file);
        long header = headerLength(original);
        SplittableRandom rng = new SplittableRandom(12);
        Path flipped = dir.resolve("flipped.safetensors");
        // every header byte (one random bit of each: the names of the digest entries included,
        // where a flip once made a file pass as a 5b9f97e one), then 200 random data bits
        for (long i = 0; i < header + 200; i++) {
            long at = i < header ? 8 + i : 8 + header + rng.nextLong(original.length - 8 - header);
            byte[] b = original.clone();
            b[(int) at] ^= (byte) (1 << rng.nextInt(8));
            Files.write(flipped, b);
            IOException e = assertThrows(IOException.class, () -> ModelFiles.loadCheckpoint(flipped), "byte " + at);
            assertTrue(e.getMessage().startsWith(flipped.toString()), e.getMessage());
        }
    }

    @Test
    void theDigestEntryCannotBeRemovedToPassAsAnOlderFile() throws IOException {
        Path file = checkpoint(null);
        // "vae4j.sha256" renamed by one bit: without vae4j.digest this loaded as a 5b9f97e file
        Path renamed = edited(file, "\"vae4j.sha256\"", "\"wae4j.sha256\"");
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.loadCheckpoint(renamed));
        assertTrue(e.getMessage().startsWith(renamed + ": has no vae4j.sha256 although vae4j.digest says"),
                e.getMessage());
        Path marker = edited(file, "\"vae4j.digest\"", "\"vae4j.digesu\"");
        assertRefusedAsChanged(marker);
    }

    @Test
    void theDigestIsTheDocumentedCanonicalFormAndSurvivesReserialising() throws Exception {
        Path file = checkpoint(null);
        Map<String, String> meta = ModelFiles.readMetadata(file);
        byte[] bytes = Files.readAllBytes(file);
        long n = headerLength(bytes);
        // docs/MODEL_FILES.md, "Integrity", implemented again from the text
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        c.writeBytes("vae4j file digest 1\n".getBytes(StandardCharsets.US_ASCII));
        TreeMap<String, String> sorted = new TreeMap<>((a, b) -> java.util.Arrays.compare(
                a.codePoints().toArray(), b.codePoints().toArray()));
        sorted.putAll(meta);
        sorted.remove("vae4j.sha256");
        sorted.remove("vae4j.hmac_sha256");
        u64(c, sorted.size());
        sorted.forEach((k, v) -> {
            str(c, k);
            str(c, v);
        });
        try (SafeTensorsFile f = SafeTensors.open(file)) {
            TreeMap<String, TensorInfo> tensors = new TreeMap<>(f.tensors());
            u64(c, tensors.size());
            for (TensorInfo t : tensors.values()) {
                str(c, t.name());
                str(c, t.dtype().name());
                u64(c, t.shape().length);
                for (long d : t.shape()) {
                    u64(c, d);
                }
                u64(c, t.begin());
                u64(c, t.end());
            }
        }
        c.write(bytes, (int) (8 + n), (int) (bytes.length - 8 - n));
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.toByteArray()));
        assertEquals(expected, meta.get("vae4j.sha256"));

        // the same content written again in another key order (and so other JSON): still valid
        Map<String, String> reversed = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(meta.keySet());
        for (int i = keys.size() - 1; i >= 0; i--) {
            reversed.put(keys.get(i), meta.get(keys.get(i)));
        }
        List<FloatTensor> tensors = new ArrayList<>();
        try (SafeTensorsFile f = SafeTensors.open(file)) {
            for (TensorInfo t : f.tensors().values()) {
                tensors.add(new FloatTensor(t.name(), t.shape(), f.readFloats(t.name())));
            }
        }
        Path again = dir.resolve("again.safetensors");
        SafeTensors.write(again, reversed, tensors);
        assertNotEquals(HexFormat.of().formatHex(Files.readAllBytes(again)), HexFormat.of().formatHex(bytes));
        Checkpoint a = ModelFiles.loadCheckpoint(file);
        Checkpoint b = ModelFiles.loadCheckpoint(again);
        for (int i = 0; i < a.model().parameters().size(); i++) {
            assertArrayEquals(a.model().parameters().get(i).valueCopy().data,
                    b.model().parameters().get(i).valueCopy().data, 0f);
        }
    }

    private static void u64(ByteArrayOutputStream out, long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    private static void str(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(out, b.length);
        out.writeBytes(b);
    }

    @Test
    void aTinyGaussianVarianceFailsTheValueCheckEvenWithValidDigests() throws IOException {
        Vae vae = Vae.builder(6).hidden(4).latent(2).likelihood(GaussianLikelihood.withVariance(0.5)).build();
        Path file = dir.resolve("gaussian.safetensors");
        ModelFiles.save(vae, file);
        Map<String, String> meta = new LinkedHashMap<>(ModelFiles.readMetadata(file));
        List<FloatTensor> tensors = new ArrayList<>();
        try (SafeTensorsFile f = SafeTensors.open(file)) {
            for (TensorInfo t : f.tensors().values()) {
                tensors.add(new FloatTensor(t.name(), t.shape(), f.readFloats(t.name())));
            }
        }
        for (String v : new String[] {"1e-320", "1e-39", "0", "-1", "1e39", "NaN", "Infinity"}) {
            meta.put("vae4j.likelihood_variance", v);
            FileDigest.sign(meta, tensors, null); // as a forger would: the digest cannot stop this, the check does
            Path bad = dir.resolve("variance.safetensors");
            SafeTensors.write(bad, meta, tensors);
            ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(bad), v);
            assertTrue(e.getMessage().startsWith(bad.toString()) && e.getMessage().contains("likelihood_variance")
                    && e.getMessage().contains("normal float32"), e.getMessage());
        }
        meta.put("vae4j.likelihood_variance", "1.2e-38"); // the smallest normal float32 is 1.1754944e-38
        FileDigest.sign(meta, tensors, null);
        Path ok = dir.resolve("variance-ok.safetensors");
        SafeTensors.write(ok, meta, tensors);
        assertEquals(1.2e-38, ((GaussianLikelihood) ModelFiles.loadVae(ok).likelihood()).variance());
    }

    @Test
    void aKeyedDigestAuthenticatesWhatAnUnkeyedOneCannot() throws IOException {
        FileKey key = FileKey.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        FileKey other = FileKey.of("0123456789abcdef0123456789abcdeX".getBytes(StandardCharsets.US_ASCII));
        Path keyed = checkpoint(key);
        assertEquals(64, ModelFiles.readMetadata(keyed).get("vae4j.hmac_sha256").length());
        ModelFiles.loadCheckpoint(keyed, key);
        ModelFiles.loadCheckpoint(keyed); // without a key: the unkeyed digest is still checked
        ModelFileException wrong = assertThrows(ModelFileException.class, () -> ModelFiles.loadCheckpoint(keyed, other));
        assertTrue(wrong.getMessage().contains("does not match the key given"), wrong.getMessage());
        Path unkeyed = checkpoint(null);
        ModelFileException none = assertThrows(ModelFileException.class, () -> ModelFiles.load(unkeyed, key));
        assertTrue(none.getMessage().contains("saved without a key"), none.getMessage());

        // a forger edits the seed and recomputes the unkeyed digest: only the key tells
        Map<String, String> meta = new LinkedHashMap<>(ModelFiles.readMetadata(keyed));
        String hmac = meta.get("vae4j.hmac_sha256");
        meta.put("vae4j.seed", "6");
        List<FloatTensor> tensors = new ArrayList<>();
        try (SafeTensorsFile f = SafeTensors.open(keyed)) {
            for (TensorInfo t : f.tensors().values()) {
                tensors.add(new FloatTensor(t.name(), t.shape(), f.readFloats(t.name())));
            }
        }
        FileDigest.sign(meta, tensors, null);
        meta.put("vae4j.hmac_sha256", hmac);
        Path forged = dir.resolve("forged.safetensors");
        SafeTensors.write(forged, meta, tensors);
        assertEquals(6, ModelFiles.loadCheckpoint(forged).training().seed()); // the integrity check passes
        ModelFileException caught = assertThrows(ModelFileException.class,
                () -> ModelFiles.loadCheckpoint(forged, key));
        assertTrue(caught.getMessage().startsWith(forged.toString()), caught.getMessage());
    }

    @Test
    void aKeyFileIsReadWithoutItsLineEndAndMustBeLongEnough() throws IOException {
        Path k = dir.resolve("key");
        Files.writeString(k, "0123456789abcdef0123456789abcdef\r\n");
        Path a = dir.resolve("a.safetensors");
        Vae vae = Vae.builder(6).hidden(4).latent(2).build();
        ModelFiles.save(vae, a, null, Map.of(), FileKey.read(k));
        ModelFiles.load(a, FileKey.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII)));
        Files.writeString(k, "short\n");
        IOException e = assertThrows(IOException.class, () -> FileKey.read(k));
        assertTrue(e.getMessage().startsWith(k.toString()) && e.getMessage().contains("at least 16"), e.getMessage());
        assertThrows(IOException.class, () -> FileKey.read(dir)); // a folder
        assertThrows(IllegalArgumentException.class, () -> FileKey.of(new byte[15]));
    }

    @Test
    void legacyFilesLoadWithAWarningAndPyTorchFilesWithout() throws Exception {
        try (LogCapture log = LogCapture.of(FileDigest.class)) {
            LatentModel m = ModelFiles.load(resource("/legacy-5b9f97e/vae-checkpoint-adam.safetensors"));
            assertEquals(1, log.warnings().size(), log.warnings().toString());
            assertTrue(log.warnings().get(0).contains("only its tensor data has a SHA-256")
                    && log.warnings().get(0).contains("not integrity-checked"), log.warnings().get(0));
            assertTrue(m.parameterCount() > 0);
            log.clear();
            ModelFiles.load(resource("/io/pytorch_vae_12_8_3.safetensors"));
            assertEquals(List.of(), log.warnings());
        }
    }

    static Path resource(String name) throws Exception {
        return Path.of(IntegrityTest.class.getResource(name).toURI());
    }
}

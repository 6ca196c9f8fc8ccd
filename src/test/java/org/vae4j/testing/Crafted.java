package org.vae4j.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.Autoencoder;
import org.vae4j.ConditionalVae;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.io.ModelFiles;
import org.vae4j.io.TrainingState;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.optim.Adam;
import org.vae4j.table.CsvTable;
import org.vae4j.table.SchemaFitter;
import org.vae4j.table.TableModel;
import org.vae4j.table.TableSchema;
import org.vae4j.train.EpochStats;
import org.vae4j.train.Trainer;

/**
 * Builders of valid and crafted hostile input files, shared by the fuzz tests' seed writer
 * ({@link FuzzSeeds}) and the hostile-case harness: small valid model files, checkpoints, IDX,
 * {@code .npy} and CSV files, and the edits of issue 12 (a safetensors header rewritten with its
 * length, metadata values changed). Stateless.
 */
public final class Crafted {

    private Crafted() {
    }

    // ------------------------------------------------------------------ safetensors

    /** A safetensors file: the 8-byte little-endian header length, the header, the data. */
    public static byte[] safetensors(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    /** The header text of a safetensors file. */
    public static String header(byte[] file) {
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(file, 8, (int) n, StandardCharsets.UTF_8);
    }

    /** The file with its header text replaced (the length field rewritten, the data kept). */
    public static byte[] withHeader(byte[] file, String header) {
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return safetensors(header, Arrays.copyOfRange(file, 8 + (int) n, file.length));
    }

    /**
     * The file with metadata entry {@code key}'s string value replaced by {@code value}; fails if
     * the header does not hold {@code "key":"..."} exactly once.
     */
    public static byte[] withMetadata(byte[] file, String key, String value) {
        String h = header(file);
        String start = "\"" + key + "\":\"";
        int i = h.indexOf(start);
        if (i < 0 || h.indexOf(start, i + 1) >= 0) {
            throw new IllegalStateException("no single metadata entry " + key + " in " + h);
        }
        int from = i + start.length();
        int to = h.indexOf('"', from);
        return withHeader(file, h.substring(0, from) + value + h.substring(to));
    }

    /** A header of one F32 tensor "t" of shape (n) followed by its data, plus the given metadata members. */
    public static byte[] oneTensor(String metadataMembers, String shape, int n) {
        String meta = metadataMembers.isEmpty() ? "" : "\"__metadata__\":{" + metadataMembers + "},";
        return safetensors("{" + meta + "\"t\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,"
                + 4 * n + "]}}", new byte[4 * n]);
    }

    /** The small models of each kind the seeds and round trips use. */
    public static List<LatentModel> smallModels() {
        return List.of(
                Vae.builder(4).hidden(3).latent(2).seed(1).build(),
                Vae.builder(5).hidden(4, 3).latent(2).likelihood(new GaussianLikelihood(0.5, true)).seed(2).build(),
                Autoencoder.builder(4).hidden(3).latent(2).seed(3).build(),
                ConditionalVae.builder(4, 2).hidden(3).latent(2).seed(4).build());
    }

    /** A saved model file's bytes. */
    public static byte[] modelFile(LatentModel model, Path scratch) {
        try {
            ModelFiles.save(model, scratch);
            return Files.readAllBytes(scratch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A checkpoint of a small VAE after one epoch of Adam with seed 7 and batch size 8. */
    public static byte[] checkpoint(Path scratch) {
        Vae vae = Vae.builder(4).hidden(3).latent(2).seed(1).build();
        Adam adam = new Adam(1e-3);
        Trainer trainer = Trainer.builder().epochs(1).batchSize(8).seed(7).build();
        List<EpochStats> history = trainer.train(vae, uniform(16, 4, 5), adam);
        try {
            ModelFiles.saveCheckpoint(vae, adam, TrainingState.of(trainer, history), scratch);
            return Files.readAllBytes(scratch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A table model file of a two-column table (one numeric, one categorical). */
    public static byte[] tableModel(Path scratch) {
        String[] header = {"x", "colour"};
        SplittableRandom rng = new SplittableRandom(9);
        List<String[]> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(new String[] {Double.toString(rng.nextGaussian()), rng.nextBoolean() ? "red" : "blue"});
        }
        TableSchema schema = SchemaFitter.defaults().fit(CsvTable.of(header, rows));
        TableModel model = TableModel.create(schema, new int[] {4}, 2, 7, 4, 11);
        try {
            model.save(scratch, null, java.util.Map.of());
            return Files.readAllBytes(scratch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** (rows, cols) of uniform values in [0, 1). */
    public static FMatrixRMaj uniform(int rows, int cols, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        FMatrixRMaj x = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = (float) rng.nextDouble();
        }
        return x;
    }

    // ------------------------------------------------------------------ IDX

    /** An unsigned-byte IDX file with the given dimensions and values i mod 256. */
    public static byte[] idx(int... dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + (int) n);
        b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        for (int i = 0; i < n; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    /** An IDX header alone (no values). */
    public static byte[] idxHeader(int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length);
        b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    /** Gzip of {@code data}. */
    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Writes a gzip file of {@code prefix} followed by {@code zeros} zero bytes without deflating
     * them all: after the first MiB of zeros the window holds only zeros, so one sync-flushed
     * deflate segment of a MiB of zeros (self-contained, byte-aligned, referring back only to
     * zeros) decodes to a MiB of zeros wherever it is repeated. The CRC-32 and size trailer are
     * those of the whole content, so the file is a valid gzip stream (a "truthful" bomb).
     */
    public static void gzipWithZeros(Path file, byte[] prefix, long zeros) throws IOException {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(prefix);
        java.util.zip.Deflater d = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION, true);
        byte[] buf = new byte[1 << 16];
        byte[] chunk = new byte[1 << 20];
        try (java.io.OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
            d.setInput(prefix);
            out.write(deflate(d, buf, java.util.zip.Deflater.SYNC_FLUSH));
            long left = zeros;
            byte[] repeat = null;
            for (int segment = 0; left >= chunk.length; segment++, left -= chunk.length) {
                if (repeat == null) {
                    d.setInput(chunk);
                    byte[] seg = deflate(d, buf, java.util.zip.Deflater.SYNC_FLUSH);
                    out.write(seg);
                    repeat = segment == 1 ? seg : null; // the first was made with the prefix in the window
                } else {
                    out.write(repeat);
                }
                crc.update(chunk);
            }
            d.setInput(chunk, 0, (int) left);
            crc.update(chunk, 0, (int) left);
            d.finish();
            while (!d.finished()) {
                int n = d.deflate(buf);
                out.write(buf, 0, n);
            }
            long size = prefix.length + zeros;
            ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            trailer.putInt((int) crc.getValue()).putInt((int) size);
            out.write(trailer.array());
        } finally {
            d.end();
        }
    }

    private static byte[] deflate(java.util.zip.Deflater d, byte[] buf, int flush) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, flush);
            out.write(buf, 0, n);
        } while (n == buf.length || !d.needsInput());
        return out.toByteArray();
    }

    /** Concatenation. */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ .npy

    /** A .npy version 1.0 file with the given header dict text (padded to 64 bytes) and data. */
    public static byte[] npy(String dict, byte[] data) {
        int total = 10 + dict.length() + 1;
        int padded = (total + 63) / 64 * 64;
        String text = dict + " ".repeat(padded - total) + "\n";
        ByteBuffer b = ByteBuffer.allocate(padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) text.length()).put(text.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    /** Little-endian float32 bytes. */
    public static byte[] f4(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    /** UTF-8 bytes of a text. */
    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package org.vae4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The digest of a whole model file: its metadata and tensor table in a canonical form, then its
 * data section, as SHA-256 ({@value #SHA256}) and, with a {@link FileKey}, HMAC-SHA256
 * ({@value #HMAC}). The canonical form (docs/MODEL_FILES.md, "Integrity", defines it for other
 * implementations) is, every integer an unsigned 64-bit little-endian and every string its UTF-8
 * bytes preceded by their count:
 * <pre>
 *   the 20 bytes "vae4j file digest 1\n"
 *   the number of metadata entries, then each entry's key and value, sorted by key (UTF-8 bytes,
 *     unsigned: code-point order), without the two digest entries themselves
 *   the number of tensors, then each tensor sorted by name: its name, its dtype ("F32", ...), its
 *     rank, each dimension, its begin and end offsets
 *   the data section, every byte after the header
 * </pre>
 * So any change to an architecture entry, the likelihood, a training setting or counter, a tensor's
 * name, shape or offsets, or a data byte changes the digest; re-serialising the same content (key
 * order, JSON spacing and escapes, header padding) does not. Stateless; thread-safe.
 */
final class FileDigest {

    /** The SHA-256 of the whole file's canonical form, lower-case hex. */
    static final String SHA256 = ModelFiles.PREFIX + "sha256";
    /** The HMAC-SHA256 of the same bytes with a user's {@link FileKey}, lower-case hex. */
    static final String HMAC = ModelFiles.PREFIX + "hmac_sha256";
    /**
     * Says that the file has the whole-file digest, and which canonical form (covered by the
     * digest itself). A single flipped bit in the name {@code vae4j.sha256} would otherwise make a
     * file look older than the digest (and load with only a warning); with this entry present, a
     * missing {@code vae4j.sha256} is an error, and a flip in this entry's name is caught by the digest.
     */
    static final String DIGEST = ModelFiles.PREFIX + "digest";
    /** The value of {@link #DIGEST} this class writes and reads. */
    static final String DIGEST_FORM = "sha256 of the canonical form 1";

    private static final byte[] DOMAIN = "vae4j file digest 1\n".getBytes(StandardCharsets.US_ASCII);
    private static final Logger LOG = LoggerFactory.getLogger(FileDigest.class);

    private FileDigest() {
    }

    /** The digests to add to the metadata of a file about to be written: SHA-256, and the HMAC with a key. */
    static void sign(Map<String, String> metadata, List<FloatTensor> tensors, FileKey key) {
        metadata.remove(SHA256);
        metadata.remove(HMAC);
        metadata.put(DIGEST, DIGEST_FORM);
        MessageDigest sha = SafeTensorsFile.sha256();
        Mac mac = key == null ? null : key.mac();
        SafeTensors.ChunkSink sink = both(sha, mac);
        List<TensorInfo> layout = layout(tensors);
        try {
            header(metadata, layout, sink);
            SafeTensors.forEachDataChunk(tensors, sink);
        } catch (IOException e) {
            throw new IllegalStateException("hashing does no I/O", e);
        }
        metadata.put(SHA256, HexFormat.of().formatHex(sha.digest()));
        if (mac != null) {
            metadata.put(HMAC, HexFormat.of().formatHex(mac.doFinal()));
        }
    }

    /**
     * Checks an open file's digests, before anything of it is used: the whole-file SHA-256 when
     * recorded, the data section's older {@code vae4j.data_sha256} when recorded, and with a key
     * the HMAC, which must then be there. A vae4j file with only the data digest (written before
     * the whole-file digest, e.g. by 5b9f97e) loads with a warning that its metadata is not
     * covered; a file without vae4j metadata (from PyTorch) has no digest to check.
     *
     * @throws ModelFileException naming the file and which part does not match
     */
    static void verify(SafeTensorsFile f, FileKey key) throws IOException {
        Map<String, String> meta = f.metadata();
        Path file = f.path();
        String whole = meta.get(SHA256);
        String data = meta.get(ModelFiles.DATA_SHA256);
        String hmac = meta.get(HMAC);
        String form = meta.get(DIGEST);
        if (form != null && !form.equals(DIGEST_FORM)) {
            throw new ModelFileException(file, "metadata " + DIGEST + " = '" + (form.length() > 80
                    ? form.substring(0, 77) + "..." : form) + "': this vae4j knows only '" + DIGEST_FORM
                    + "' (written by a newer vae4j, or corrupt)");
        }
        if (form != null && whole == null) {
            throw new ModelFileException(file, "has no " + SHA256 + " although " + DIGEST
                    + " says it was saved with one: the file was changed after it was saved, or is corrupt");
        }
        if (key != null && hmac == null) {
            throw new ModelFileException(file, "has no " + HMAC + ": it was saved without a key, so it cannot be "
                    + "authenticated with the key given");
        }
        if (whole == null && hmac == null) {
            if (meta.containsKey(Architecture.MODEL) || data != null) {
                LOG.warn("{}: {} (written by an older vae4j): its metadata (architecture, likelihood, training "
                                + "state) is not integrity-checked; save it again to cover it", file,
                        data != null ? "only its tensor data has a SHA-256" : "it has no digest at all");
            }
            if (data == null) {
                return;
            }
        }
        MessageDigest wholeSha = whole != null ? SafeTensorsFile.sha256() : null;
        MessageDigest dataSha = data != null ? SafeTensorsFile.sha256() : null;
        Mac mac = key != null ? key.mac() : null;
        SafeTensors.ChunkSink headerSink = both(wholeSha, mac);
        header(meta, f.tensors().values(), headerSink);
        SafeTensors.ChunkSink dataSink = both(dataSha, wholeSha, mac);
        f.forEachDataChunk(dataSink);
        if (dataSha != null) {
            String actual = HexFormat.of().formatHex(dataSha.digest());
            if (!actual.equals(data)) { // exact: a flipped case bit is a change too
                throw new ModelFileException(file, "the tensor data is corrupt: its SHA-256 is " + actual
                        + " but the file records " + data);
            }
        }
        if (wholeSha != null) {
            String actual = HexFormat.of().formatHex(wholeSha.digest());
            if (!actual.equals(whole)) {
                throw new ModelFileException(file, "the file was changed after it was saved, or is corrupt: the "
                        + "SHA-256 of its metadata, tensor table and data (docs/MODEL_FILES.md, Integrity) is " + actual
                        + " but it records " + whole + (data != null ? "; its tensor data matches "
                        + ModelFiles.DATA_SHA256 + ", so the header's metadata or tensor table was edited" : ""));
            }
        }
        if (mac != null) {
            byte[] recorded;
            try {
                recorded = HexFormat.of().parseHex(hmac);
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(file, "metadata " + HMAC + " is not hexadecimal");
            }
            if (!MessageDigest.isEqual(recorded, mac.doFinal())) {
                throw new ModelFileException(file, "its " + HMAC + " does not match the key given: the file was "
                        + "changed after it was saved, or saved with another key");
            }
        } else if (hmac != null) {
            LOG.debug("{}: carries an {} that is not checked (no key given)", file, HMAC);
        }
    }

    /** The canonical header bytes: the domain, the sorted metadata (digests excluded), the sorted tensor table. */
    static void header(Map<String, String> metadata, Collection<TensorInfo> tensors, SafeTensors.ChunkSink sink)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        Out out = new Out(buf, sink);
        out.bytes(DOMAIN);
        List<Map.Entry<byte[], String>> entries = new ArrayList<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (!e.getKey().equals(SHA256) && !e.getKey().equals(HMAC)) {
                entries.add(Map.entry(utf8(e.getKey()), e.getValue()));
            }
        }
        entries.sort(Map.Entry.comparingByKey(Arrays::compareUnsigned));
        out.u64(entries.size());
        for (Map.Entry<byte[], String> e : entries) {
            out.u64(e.getKey().length);
            out.bytes(e.getKey());
            byte[] value = utf8(e.getValue());
            out.u64(value.length);
            out.bytes(value);
        }
        List<Map.Entry<byte[], TensorInfo>> table = new ArrayList<>();
        for (TensorInfo t : tensors) {
            table.add(Map.entry(utf8(t.name()), t));
        }
        table.sort(Comparator.comparing(Map.Entry::getKey, Arrays::compareUnsigned));
        out.u64(table.size());
        for (Map.Entry<byte[], TensorInfo> e : table) {
            TensorInfo t = e.getValue();
            out.u64(e.getKey().length);
            out.bytes(e.getKey());
            byte[] dtype = t.dtype().name().getBytes(StandardCharsets.US_ASCII);
            out.u64(dtype.length);
            out.bytes(dtype);
            long[] shape = t.shape();
            out.u64(shape.length);
            for (long d : shape) {
                out.u64(d);
            }
            out.u64(t.begin());
            out.u64(t.end());
        }
        out.flush();
    }

    /** The tensor table {@link SafeTensors#write} gives {@code tensors}: float32, in order, back to back. */
    private static List<TensorInfo> layout(List<FloatTensor> tensors) {
        List<TensorInfo> out = new ArrayList<>();
        long offset = 0;
        for (FloatTensor t : tensors) {
            long end = offset + 4L * t.numel();
            out.add(new TensorInfo(t.name(), DType.F32, t.shape(), t.numel(), offset, end));
            offset = end;
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A sink feeding every non-null digest or MAC the same bytes. */
    private static SafeTensors.ChunkSink both(Object... hashes) {
        return chunk -> {
            int start = chunk.position();
            for (Object h : hashes) {
                chunk.position(start);
                if (h instanceof MessageDigest d) {
                    d.update(chunk);
                } else if (h instanceof Mac m) {
                    m.update(chunk);
                }
            }
        };
    }

    /** Little-endian u64s and byte runs through a buffer into a sink. */
    private static final class Out {
        private final ByteBuffer buf;
        private final SafeTensors.ChunkSink sink;

        Out(ByteBuffer buf, SafeTensors.ChunkSink sink) {
            this.buf = buf;
            this.sink = sink;
        }

        void u64(long v) throws IOException {
            if (buf.remaining() < 8) {
                flush();
            }
            buf.putLong(v);
        }

        void bytes(byte[] b) throws IOException {
            for (int i = 0; i < b.length; ) {
                if (!buf.hasRemaining()) {
                    flush();
                }
                int n = Math.min(buf.remaining(), b.length - i);
                buf.put(b, i, n);
                i += n;
            }
        }

        void flush() throws IOException {
            buf.flip();
            sink.accept(buf);
            buf.clear();
        }
    }
}

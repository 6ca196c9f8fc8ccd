package org.vae4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.core.JsonGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vae4j.internal.AtomicFiles;

/**
 * Reads and writes the safetensors format (Hugging Face), the format PyTorch users exchange
 * weights in:
 * <pre>
 *   8 bytes      N, unsigned little-endian: the header's length in bytes
 *   N bytes      the header, UTF-8 JSON:
 *                  {"__metadata__": {"key": "value", ...},                     optional, strings only
 *                   "fc1.weight": {"dtype": "F32", "shape": [512, 784],
 *                                  "data_offsets": [begin, end]}, ...}
 *                (may be padded with trailing spaces; this writer pads to a multiple of 8)
 *   the rest     the data section: each tensor's elements, row-major, little-endian, at
 *                [begin, end) relative to the start of the data section
 * </pre>
 *
 * <p>Reading ({@link #open}) validates the whole header before any tensor is allocated: the length
 * field against {@link #MAX_HEADER_BYTES} and the file's size, the JSON, every dtype, that each
 * shape's byte count is its offsets' span, and that the tensors tile the data section exactly. A
 * corrupt or hostile file gets a {@link ModelFileException} naming the file and the problem, never
 * an {@link OutOfMemoryError}.
 *
 * <p>Writing ({@link #write}) is atomic: the file is
 * written to a temporary file in the target's folder, forced to disk, then renamed over the target
 * (never by a non-atomic fall-back), so a crash or an error mid-save leaves any previous file intact
 * (a crash may leave a hidden {@code .NAME.*.tmp} file behind; an error does not). Only float32
 * tensors are written.
 *
 * <p>Stateless; thread-safe (two threads writing the same target leave one of the two files).
 */
public final class SafeTensors {

    /** The header key holding string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    /** The largest header accepted on reading, in bytes (the reference implementation's limit). */
    public static final int MAX_HEADER_BYTES = 100_000_000;

    private static final Logger LOG = LoggerFactory.getLogger(SafeTensors.class);
    private static final int CHUNK_FLOATS = 1 << 14;

    private SafeTensors() {
    }

    /**
     * Opens and validates a safetensors file; see {@link SafeTensorsFile#open}.
     *
     * @param file the file to open
     * @return the open file, its header validated; close it
     * @throws ModelFileException for an invalid file, naming the problem
     * @throws IOException        when the file cannot be read
     */
    public static SafeTensorsFile open(Path file) throws IOException {
        return SafeTensorsFile.open(file);
    }

    /**
     * Writes float32 tensors and string metadata to {@code file}, atomically (see the class
     * documentation). Tensors are laid out in the order given.
     *
     * @param file     the target; missing parent folders are created; an existing file is replaced
     * @param metadata string entries for {@code __metadata__} (none if empty), not modified
     * @param tensors  the tensors, names unique, not modified
     * @throws IllegalArgumentException for a null key or value, or duplicate tensor names
     * @throws IOException              when the file cannot be written; the target is then unchanged
     */
    public static void write(Path file, Map<String, String> metadata, List<FloatTensor> tensors) throws IOException {
        write(file, metadata, tensors, UnaryOperator.identity());
    }

    /** {@link #write}, with the temporary file's channel wrapped by {@code wrap} (tests inject failures). */
    static void write(Path file, Map<String, String> metadata, List<FloatTensor> tensors,
                      UnaryOperator<WritableByteChannel> wrap) throws IOException {
        byte[] header = header(metadata, tensors);
        try {
            AtomicFiles.writeChannel(file, channel -> {
                WritableByteChannel out = wrap.apply(channel);
                ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(header.length).put(header).flip();
                writeFully(out, head);
                forEachDataChunk(tensors, chunk -> writeFully(out, chunk));
            });
        } catch (IOException e) {
            throw new IOException(file + ": could not write the file (" + e + "); any previous file is unchanged", e);
        }
        LOG.debug("wrote {} ({} tensors)", file, tensors.size());
    }

    /**
     * {@return the SHA-256 of the data section {@link #write} produces for {@code tensors}, as lower-case
     * hex; equal to {@link SafeTensorsFile#dataSha256()} of the written file}
     *
     * @param tensors the tensors in the order {@link #write} would lay them out, not modified
     */
    public static String dataSha256(List<FloatTensor> tensors) {
        MessageDigest digest = SafeTensorsFile.sha256();
        try {
            forEachDataChunk(tensors, digest::update);
        } catch (IOException e) {
            throw new IllegalStateException("hashing does no I/O", e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The header JSON, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(Map<String, String> metadata, List<FloatTensor> tensors) throws IOException {
        Set<String> names = new HashSet<>();
        for (FloatTensor t : tensors) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("duplicate tensor name " + t.name());
            }
            checkName("tensor name", t.name());
        }
        // what a reader refuses (SafeTensorsHeader's limits) is not written
        if (tensors.size() > SafeTensorsHeader.MAX_ENTRIES || metadata.size() > SafeTensorsHeader.MAX_ENTRIES) {
            throw new IllegalArgumentException(tensors.size() + " tensors and " + metadata.size()
                    + " metadata entries: a reader accepts at most " + SafeTensorsHeader.MAX_ENTRIES + " of each");
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() != null && e.getValue() != null) {
                checkName("metadata key", e.getKey());
                if (e.getValue().length() > SafeTensorsHeader.MAX_STRING_CHARS) {
                    throw new IllegalArgumentException("metadata " + e.getKey() + " has " + e.getValue().length()
                            + " characters, more than the " + SafeTensorsHeader.MAX_STRING_CHARS + " a reader accepts");
                }
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = SafeTensorsHeader.json().createGenerator(bytes)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(METADATA_KEY);
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    if (e.getKey() == null || e.getValue() == null) {
                        throw new IllegalArgumentException("metadata keys and values must not be null: "
                                + e.getKey() + " = " + e.getValue());
                    }
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (FloatTensor t : tensors) {
                g.writeObjectFieldStart(t.name());
                g.writeStringField("dtype", DType.F32.name());
                g.writeArrayFieldStart("shape");
                for (long d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                offset += 4L * t.numel();
                g.writeNumber(offset);
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        while (bytes.size() % 8 != 0) {
            bytes.write(' ');
        }
        if (bytes.size() > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the header would have " + bytes.size() + " bytes, more than the "
                    + MAX_HEADER_BYTES + " a reader accepts");
        }
        return bytes.toByteArray();
    }

    private static void checkName(String what, String name) {
        if (name.length() > SafeTensorsHeader.MAX_NAME_BYTES / 3
                && name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > SafeTensorsHeader.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("a " + what + " of more than " + SafeTensorsHeader.MAX_NAME_BYTES
                    + " UTF-8 bytes, which a reader refuses: " + name.substring(0, 40) + "...");
        }
    }

    /** Something that consumes byte chunks and may fail. */
    interface ChunkSink {
        void accept(ByteBuffer chunk) throws IOException;
    }

    /** Feeds the data section, tensor after tensor, as little-endian float32 chunks. */
    static void forEachDataChunk(List<FloatTensor> tensors, ChunkSink sink) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
        for (FloatTensor t : tensors) {
            float[] data = t.dataView();
            for (int i = 0; i < data.length; i += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, data.length - i);
                chunk.clear();
                FloatBuffer floats = chunk.asFloatBuffer();
                floats.put(data, i, n);
                chunk.limit(4 * n);
                sink.accept(chunk);
            }
        }
    }

    static void writeFully(WritableByteChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }
}

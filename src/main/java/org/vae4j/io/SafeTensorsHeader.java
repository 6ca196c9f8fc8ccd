package org.vae4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

/**
 * Parses and validates the JSON header of a safetensors file. Everything a hostile header could
 * use to make the reader allocate, overflow or read out of bounds is checked here, before any
 * tensor is read:
 * <ul>
 * <li>the header is one JSON object (duplicate keys rejected), nothing but whitespace after it;</li>
 * <li>{@code __metadata__} maps strings to strings;</li>
 * <li>each tensor has exactly {@code dtype} (a known type), {@code shape} (at most
 * {@link #MAX_RANK} non-negative integers) and {@code data_offsets} (two non-negative integers,
 * begin &lt;= end);</li>
 * <li>product(shape) * dtype size == end - begin, computed without overflow;</li>
 * <li>sorted by offset, the tensors tile the data section exactly: no gap, no overlap, nothing
 * outside it and nothing left over.</li>
 * </ul>
 *
 * <p><b>Bounded memory.</b> The header is parsed as a stream (jackson-core's streaming parser
 * over an 8 KB buffer; the header's bytes are never held whole), with limits: a string (a
 * metadata value, a dtype) of at most {@link #MAX_STRING_CHARS} characters, a name (a metadata key,
 * a tensor name) of at most {@link #MAX_NAME_BYTES} bytes, a number of at most 64 digits, nesting
 * of at most 8, at most {@link #MAX_ENTRIES} metadata entries and as many tensors. So what is held
 * is the parsed content (its strings: 1 byte per character for Latin-1 text, 2 otherwise, so at
 * most 2 bytes per header byte) plus the parser's buffer for the longest string, at most 4 bytes
 * per character of {@link #MAX_STRING_CHARS}, and the parser's symbol table of the names (about
 * their UTF-8 size again); names are not interned. A violated limit is a {@link ModelFileException} naming the file, the header line,
 * column and byte.
 *
 * <p>Stateless; thread-safe.
 */
final class SafeTensorsHeader {

    /** The largest rank accepted (PyTorch tensors have at most 64 dimensions). */
    static final int MAX_RANK = 64;

    /** The longest string value accepted, in characters (16 Mi: a training history of ~80,000 epochs). */
    static final int MAX_STRING_CHARS = 1 << 24;
    /** The longest name (metadata key, tensor name) accepted, in bytes. */
    static final int MAX_NAME_BYTES = 1 << 16;
    /** The most metadata entries, and the most tensors, a header may have. */
    static final int MAX_ENTRIES = 100_000;

    /** Shared, configured once: thread-safe. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // a hostile header's names must not pile up in the JVM's string table (the parser's own
            // symbol table is kept: it validates a name's UTF-8, and a table this large is not reused)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxStringLength(MAX_STRING_CHARS)
                    .maxNameLength(MAX_NAME_BYTES)
                    .maxNumberLength(64)
                    .build())
            .build();

    /** The validated contents of a header. */
    record Parsed(Map<String, String> metadata, Map<String, TensorInfo> tensors) {
    }

    private SafeTensorsHeader() {
    }

    /** The JSON factory of the io package (headers and JSON-valued metadata). */
    static JsonFactory json() {
        return JSON;
    }

    /** {@link #parse(InputStream, long, Path)} of a header held in memory (tests). */
    static Parsed parse(byte[] header, long dataLength, Path file) throws IOException {
        return parse(new java.io.ByteArrayInputStream(header), dataLength, file);
    }

    /**
     * Parses the header read from {@code header} (exactly the header's bytes, then end of stream)
     * and checks it against a data section of {@code dataLength} bytes.
     *
     * @return the metadata (in file order) and the tensors (sorted by offset)
     * @throws ModelFileException naming {@code file} and the first problem found
     * @throws IOException        when reading the stream fails
     */
    static Parsed parse(InputStream header, long dataLength, Path file) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        final JsonParser p;
        try {
            p = JSON.createParser(utf8Only(header, file));
        } catch (IOException e) {
            if (e instanceof ModelFileException) {
                throw e;
            }
            throw new ModelFileException(file, "the header cannot be parsed: " + e.getMessage(), e);
        }
        try (p) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ModelFileException(file, "the header is not a JSON object (not a safetensors file?)");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(SafeTensors.METADATA_KEY)) {
                    readMetadata(p, value, metadata, file);
                } else {
                    if (tensors.size() == MAX_ENTRIES) {
                        throw new ModelFileException(file, "the header has more than " + MAX_ENTRIES + " tensors "
                                + at(p.currentLocation()));
                    }
                    tensors.add(readTensor(p, name, value, file));
                }
            }
            if (p.nextToken() != null) {
                throw new ModelFileException(file, "the header has content after its JSON object");
            }
        } catch (JsonProcessingException e) {
            // a stream-limit violation (a name over 65,536 characters, a number of over 64 digits)
            // carries no location of its own: take the parser's
            JsonLocation at = e.getLocation() != null ? e.getLocation() : p.currentLocation();
            throw new ModelFileException(file, "the header is not valid JSON: " + e.getOriginalMessage()
                    + " " + at(at), e);
        }
        return new Parsed(Collections.unmodifiableMap(metadata), checkLayout(tensors, dataLength, file));
    }

    /**
     * The header stream, refused when its first bytes would make jackson-core take it for UTF-16 or
     * UTF-32 (a zero byte among the first four, or a UTF-16/32 byte-order mark): the header is UTF-8
     * JSON, in which neither can occur, and the parser's own detection would otherwise read such a
     * header in another encoding or fail with a {@code CharConversionException} naming no file.
     */
    private static InputStream utf8Only(InputStream header, Path file) throws IOException {
        java.io.PushbackInputStream in = new java.io.PushbackInputStream(header, 4);
        byte[] first = new byte[4];
        int n = 0;
        for (int r; n < 4 && (r = in.read(first, n, 4 - n)) > 0; ) {
            n += r;
        }
        boolean zero = false;
        for (int i = 0; i < n; i++) {
            zero |= first[i] == 0;
        }
        int b0 = n > 0 ? first[0] & 0xFF : -1;
        int b1 = n > 1 ? first[1] & 0xFF : -1;
        if (zero || (b0 == 0xFE && b1 == 0xFF) || (b0 == 0xFF && b1 == 0xFE)) {
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < n; i++) {
                hex.append(String.format(java.util.Locale.ROOT, i == 0 ? "%02x" : " %02x", first[i] & 0xFF));
            }
            throw new ModelFileException(file, "the header is not UTF-8 JSON: it starts with the bytes " + hex
                    + " (a zero byte or a UTF-16/32 byte-order mark; not a safetensors file?)");
        }
        in.unread(first, 0, n);
        return in;
    }

    private static void readMetadata(JsonParser p, JsonToken value, Map<String, String> out, Path file)
            throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return;
        }
        if (value != JsonToken.START_OBJECT) {
            throw new ModelFileException(file, SafeTensors.METADATA_KEY + " must be a JSON object, got " + value);
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (out.size() == MAX_ENTRIES) {
                throw new ModelFileException(file, SafeTensors.METADATA_KEY + " has more than " + MAX_ENTRIES
                        + " entries " + at(p.currentLocation()));
            }
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw new ModelFileException(file, SafeTensors.METADATA_KEY + " value of '" + key
                        + "' must be a string, got " + p.currentToken());
            }
            out.put(key, p.getText());
        }
    }

    private static TensorInfo readTensor(JsonParser p, String name, JsonToken value, Path file) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            throw new ModelFileException(file, "tensor '" + name + "' must be a JSON object, got " + value);
        }
        DType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "dtype":
                    if (t != JsonToken.VALUE_STRING) {
                        throw new ModelFileException(file, "tensor '" + name + "': dtype must be a string, got " + t);
                    }
                    dtype = DType.parse(p.getText());
                    if (dtype == null) {
                        throw new ModelFileException(file, "tensor '" + name + "' has unknown dtype '" + p.getText()
                                + "' (known: " + DType.names() + ")");
                    }
                    break;
                case "shape":
                    shape = readLongs(p, t, name, "shape", MAX_RANK, file);
                    break;
                case "data_offsets":
                    offsets = readLongs(p, t, name, "data_offsets", 2, file);
                    if (offsets.length != 2) {
                        throw new ModelFileException(file, "tensor '" + name + "': data_offsets must be [begin, end], got "
                                + Arrays.toString(offsets));
                    }
                    break;
                default:
                    throw new ModelFileException(file, "tensor '" + name + "' has unknown field '" + field
                            + "' (expected dtype, shape, data_offsets)");
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            throw new ModelFileException(file, "tensor '" + name + "' lacks "
                    + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw new ModelFileException(file, "tensor '" + name + "': data_offsets [" + begin + ", " + end
                    + "] end before they begin");
        }
        long numel = product(shape);
        long bytes = numel < 0 ? -1 : multiplyOrMinusOne(numel, dtype.bytes());
        if (bytes != end - begin) {
            throw new ModelFileException(file, "tensor '" + name + "': shape " + Arrays.toString(shape) + " of "
                    + dtype + " needs " + (bytes < 0 ? "more than 2^63" : String.valueOf(bytes))
                    + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, numel, begin, end);
    }

    /** Reads a JSON array of at most {@code max} non-negative integers that fit in a long. */
    private static long[] readLongs(JsonParser p, JsonToken start, String tensor, String field, int max, Path file)
            throws IOException {
        if (start != JsonToken.START_ARRAY) {
            throw new ModelFileException(file, "tensor '" + tensor + "': " + field + " must be an array, got " + start);
        }
        long[] values = new long[max];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw new ModelFileException(file, "tensor '" + tensor + "': " + field
                        + " must hold integers, got " + t);
            }
            if (n == max) {
                throw new ModelFileException(file, "tensor '" + tensor + "': " + field + " has more than "
                        + max + " entries");
            }
            JsonParser.NumberType type = p.getNumberType();
            if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
                throw new ModelFileException(file, "tensor '" + tensor + "': " + field + " entry " + p.getText()
                        + " is too large");
            }
            long v = p.getLongValue();
            if (v < 0) {
                throw new ModelFileException(file, "tensor '" + tensor + "': " + field + " entry " + v
                        + " is negative");
            }
            values[n++] = v;
        }
        return Arrays.copyOf(values, n);
    }

    /** "(line L, column C, header byte B = file byte B + 8)" of a parser location. */
    private static String at(JsonLocation at) {
        long b = at.getByteOffset();
        return "(line " + at.getLineNr() + ", column " + at.getColumnNr() + ", header byte " + b
                + (b >= 0 ? ", file byte " + (b + 8) : "") + ")";
    }

    /** Sorts by offset and checks that the tensors tile [0, dataLength) exactly. */
    private static Map<String, TensorInfo> checkLayout(List<TensorInfo> tensors, long dataLength, Path file)
            throws ModelFileException {
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : tensors) {
            if (t.end() > dataLength) {
                throw new ModelFileException(file, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", "
                        + t.end() + "] lie outside the data section of " + dataLength
                        + " bytes (file truncated?)");
            }
            if (t.begin() < expected) {
                throw new ModelFileException(file, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", "
                        + t.end() + "] overlap the previous tensor, which ends at " + expected);
            }
            if (t.begin() > expected) {
                throw new ModelFileException(file, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", "
                        + t.end() + "] leave a gap after byte " + expected + " of the data section");
            }
            expected = t.end();
            byName.put(t.name(), t);
        }
        if (expected != dataLength) {
            throw new ModelFileException(file, "the data section has " + dataLength + " bytes but the tensors cover "
                    + expected + " (trailing data)");
        }
        return Collections.unmodifiableMap(byName);
    }

    /** The product of non-negative dimensions; 1 for a scalar; -1 if it overflows a long. */
    static long product(long[] shape) {
        long n = 1;
        boolean overflow = false;
        for (long d : shape) {
            if (d == 0) {
                return 0;
            }
            if (!overflow) {
                n = multiplyOrMinusOne(n, d);
                overflow = n < 0;
            }
        }
        return overflow ? -1 : n;
    }

    private static long multiplyOrMinusOne(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? -1 : lo;
    }
}

package org.vae4j.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import org.vae4j.internal.InputFiles;

/**
 * An open safetensors file whose header has been read and validated (see {@link SafeTensors} for
 * the format and the checks). Tensor data is read on demand with {@link #readFloats}.
 *
 * <p>Opening reads only the 8-byte length and the header, after checking that the header length
 * is at most {@link SafeTensors#MAX_HEADER_BYTES} and fits in the file; the header is parsed as a
 * stream, in memory bounded by its content (at most about twice its size, see
 * {@link SafeTensorsHeader}); no tensor is allocated until asked for, and then only after its byte
 * range has been checked to lie in the file.
 *
 * <p>Immutable after opening; {@link #readFloats} uses positional reads, so several threads may
 * read tensors concurrently. Close it (try-with-resources) to release the file.
 */
public final class SafeTensorsFile implements Closeable {

    /** Largest element count readable into one Java array. */
    static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private static final int CHUNK_BYTES = 1 << 16;

    private final Path path;
    private final FileChannel channel;
    private final long fileSize;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors;

    private SafeTensorsFile(Path path, FileChannel channel, long fileSize, long dataStart,
                            SafeTensorsHeader.Parsed header) {
        this.path = path;
        this.channel = channel;
        this.fileSize = fileSize;
        this.dataStart = dataStart;
        this.metadata = header.metadata();
        this.tensors = header.tensors();
    }

    /**
     * Opens {@code file} and validates its header. The file stays open until {@link #close()}.
     *
     * @param file the file to open
     * @return the open file, with its metadata and tensor table read; no tensor value is read yet
     * @throws ModelFileException for a file that is not a valid safetensors file: too short, a header
     *                            length that is larger than {@link SafeTensors#MAX_HEADER_BYTES} or than
     *                            the file, a header that is not the expected JSON, an unknown dtype, a
     *                            shape that does not match its byte range, offsets outside the data
     *                            section, overlapping or leaving gaps
     * @throws IOException        when the file cannot be read
     */
    public static SafeTensorsFile open(Path file) throws IOException {
        InputFiles.requireRegularFile(file, "safetensors file");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < 8) {
                throw new ModelFileException(file, "the file has " + size
                        + " bytes, too short for a safetensors file (an 8-byte header length, then the header)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, file);
            long n = lengthBytes.flip().getLong();
            if (n < 0 || n > SafeTensors.MAX_HEADER_BYTES) {
                throw new ModelFileException(file, "the header length field claims " + Long.toUnsignedString(n)
                        + " bytes, more than the " + SafeTensors.MAX_HEADER_BYTES
                        + " allowed (corrupt file, or not a safetensors file)");
            }
            if (n > size - 8) {
                throw new ModelFileException(file, "the header length field claims " + n + " bytes but only "
                        + (size - 8) + " bytes follow it (file truncated, or not a safetensors file)");
            }
            if (n < 2) {
                throw new ModelFileException(file, "the header length field is " + n
                        + ", too short for a JSON object");
            }
            // streamed: the header's bytes are never held whole (see SafeTensorsHeader, "Bounded memory")
            SafeTensorsHeader.Parsed parsed = SafeTensorsHeader.parse(new HeaderStream(channel, 8, n, file),
                    size - 8 - n, file);
            return new SafeTensorsFile(file, channel, size, 8 + n, parsed);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** {@return the file this was opened from} */
    public Path path() {
        return path;
    }

    /** {@return the {@code __metadata__} entries, in file order (empty if there are none); unmodifiable} */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** {@return the tensors by name, in the order of their data in the file; unmodifiable} */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** {@return size of the data section (everything after the header) in bytes} */
    public long dataLength() {
        return fileSize - dataStart;
    }

    /**
     * Reads a floating-point tensor as float32, converting F64 (rounded to nearest), F16 and BF16
     * (exactly).
     *
     * @param name a tensor of this file
     * @return a new array of {@link TensorInfo#numel()} elements, row-major
     * @throws IllegalArgumentException if there is no tensor of that name
     * @throws ModelFileException       if its dtype is not floating-point, it has too many elements for
     *                                  a Java array, or the file changed since it was opened
     * @throws IOException              when the file cannot be read
     */
    public float[] readFloats(String name) throws IOException {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(path + ": no tensor named '" + name + "'");
        }
        DType dtype = t.dtype();
        if (!dtype.isFloatingPoint()) {
            throw new ModelFileException(path, "tensor '" + name + "' has dtype " + dtype
                    + "; only F32, F64, F16 and BF16 can be read as floats");
        }
        if (t.numel() > MAX_ARRAY_LENGTH) {
            throw new ModelFileException(path, "tensor '" + name + "' has " + t.numel()
                    + " elements, too many for one Java array");
        }
        float[] out = new float[(int) t.numel()];
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES - CHUNK_BYTES % dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        long position = dataStart + t.begin();
        long end = dataStart + t.end();
        int i = 0;
        while (position < end) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), end - position));
            readFully(channel, buf, position, path);
            position += buf.limit();
            buf.flip();
            i = decode(buf, dtype, out, i);
        }
        return out;
    }

    /** Converts the elements in {@code buf} into {@code out[i..]}; returns the next index. */
    private static int decode(ByteBuffer buf, DType dtype, float[] out, int i) {
        switch (dtype) {
            case F32:
                int n = buf.remaining() / 4;
                buf.asFloatBuffer().get(out, i, n);
                return i + n;
            case F64:
                while (buf.hasRemaining()) {
                    out[i++] = (float) buf.getDouble();
                }
                return i;
            case F16:
                while (buf.hasRemaining()) {
                    out[i++] = halfToFloat(buf.getShort());
                }
                return i;
            case BF16:
                while (buf.hasRemaining()) {
                    out[i++] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
                }
                return i;
            default:
                throw new IllegalStateException("not a floating-point dtype: " + dtype);
        }
    }

    /** IEEE 754 binary16 to float32, exactly (subnormals, infinities and NaN included). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f; // subnormal (or zero): mantissa * 2^-24, exact
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /**
     * {@return the SHA-256 of the data section (every byte after the header), as lower-case hex}
     * @throws IOException when the file cannot be read or ended early
     */
    public String dataSha256() throws IOException {
        MessageDigest digest = sha256();
        forEachDataChunk(digest::update);
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Feeds the data section (every byte after the header) to {@code sink}, in chunks. */
    void forEachDataChunk(SafeTensors.ChunkSink sink) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES);
        long position = dataStart;
        while (position < fileSize) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), fileSize - position));
            readFully(channel, buf, position, path);
            position += buf.limit();
            buf.flip();
            sink.accept(buf);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Fills {@code buf} from {@code position} on, or fails naming the file if it ends first. */
    private static void readFully(FileChannel channel, ByteBuffer buf, long position, Path file) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int n;
            try {
                n = channel.read(buf, p);
            } catch (IOException e) {
                throw new IOException(file + ": cannot read (" + e + ")", e);
            }
            if (n < 0) {
                throw new ModelFileException(file, "the file ended at byte " + p + " while reading "
                        + buf.remaining() + " more bytes (was it changed or truncated after being opened?)");
            }
            p += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** The header's bytes [start, start + length) of the channel, by positional reads. */
    private static final class HeaderStream extends java.io.InputStream {
        private final FileChannel channel;
        private final Path file;
        private final long end;
        private long position;

        HeaderStream(FileChannel channel, long start, long length, Path file) {
            this.channel = channel;
            this.file = file;
            this.position = start;
            this.end = start + length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= end) {
                return -1;
            }
            int n = (int) Math.min(len, end - position);
            ByteBuffer buf = ByteBuffer.wrap(b, off, n);
            readFully(channel, buf, position, file);
            position += n;
            return n;
        }
    }

    @Override
    public String toString() {
        return path + " (" + tensors.size() + " tensors, " + metadata.size() + " metadata entries)";
    }
}

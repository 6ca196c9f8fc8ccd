package org.vae4j.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.AtomicFiles;
import org.vae4j.internal.InputFiles;

/**
 * NumPy {@code .npy} files in and out of {@link FMatrixRMaj}, so data moves between Java and
 * Python ({@code np.save} / {@code np.load}) without conversion scripts.
 *
 * <p>Supported: dtype float32 ({@code '<f4'}) or uint8 ({@code '|u1'}), C order, 1-D or 2-D,
 * format versions 1.0 to 3.0. A 1-D array of n values reads as an (n, 1) column. uint8 values
 * read as floats 0..255 (not scaled). Rejected with a message naming the file and the reason:
 * big-endian data, Fortran order, object and structured arrays, other dtypes (with the
 * {@code astype} that fixes it), 0-D or more than 2-D shapes. The header length and the declared
 * data size are checked against the file's length before anything is allocated.
 *
 * <p>Writes are atomic (a temporary file renamed over the target), in format 1.0 with a 64-byte
 * aligned header, as {@code np.save} writes them. Stateless and thread-safe.
 *
 * @see <a href="https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html">numpy.lib.format</a>
 */
public final class Npy {

    /** Element types this class reads and writes. */
    public enum Dtype {
        /** Little-endian IEEE 754 float32, {@code '<f4'}. */
        FLOAT32("<f4", 4),
        /** Unsigned byte, {@code '|u1'}; values 0..255. */
        UINT8("|u1", 1);

        private final String descr;
        private final int size;

        Dtype(String descr, int size) {
            this.descr = descr;
            this.size = size;
        }

        /** {@return NumPy's type string, e.g. {@code '<f4'}} */
        public String descr() {
            return descr;
        }

        /** {@return bytes per element: 4 or 1} */
        public int size() {
            return size;
        }
    }

    /** Largest header accepted (NumPy itself refuses more than 10,000 bytes by default). */
    static final int MAX_HEADER_BYTES = 1 << 16;
    /** Most elements one matrix can hold (one Java array). */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final int CHUNK = 1 << 16;

    private Npy() {
    }

    /**
     * The parsed header of a {@code .npy} file.
     *
     * @param dtype      element type
     * @param shape      the array's shape, 1 or 2 dimensions
     * @param dataOffset where the data starts in the file
     */
    record Header(Dtype dtype, long[] shape, long dataOffset) {

        int rows() {
            return (int) shape[0];
        }

        int cols() {
            return shape.length == 1 ? 1 : (int) shape[1];
        }
    }

    /**
     * Reads a float32 or uint8 {@code .npy} file.
     *
     * @param file the file
     * @return (rows, cols) for a 2-D array, (n, 1) for a 1-D one; uint8 values as 0..255
     * @throws NoSuchFileException      when the file does not exist
     * @throws IllegalArgumentException when the file is not a supported {@code .npy} array, or its
     *                                  data is truncated or followed by trailing bytes
     */
    public static FMatrixRMaj read(Path file) throws IOException {
        InputFiles.requireRegularFile(file, ".npy file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(ch, file.toString(), ch.size());
            FMatrixRMaj m = new FMatrixRMaj(h.rows(), h.cols());
            readData(ch, h, m.data, m.getNumElements(), file.toString());
            return m;
        }
    }

    /** Reads and checks the header, leaving the channel at the data. */
    static Header readHeader(FileChannel ch, String name, long fileSize) throws IOException {
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, pre, 10, name, "header");
        byte[] magic = new byte[6];
        pre.get(0, magic);
        for (int i = 0; i < 6; i++) {
            if (magic[i] != MAGIC[i]) {
                String hint = magic[0] == 'P' && magic[1] == 'K' ? " (it is a zip file: an .npz archive? "
                        + "save each array with np.save instead)" : "";
                throw new IllegalArgumentException(name + ": not a .npy file: it does not start with \\x93NUMPY"
                        + hint);
            }
        }
        int major = pre.get(6) & 0xFF;
        int minor = pre.get(7) & 0xFF;
        long headerLen;
        int preamble;
        if (major == 1) {
            headerLen = pre.getShort(8) & 0xFFFF;
            preamble = 10;
        } else if (major == 2 || major == 3) {
            readFully(ch, pre, 2, name, "header");
            headerLen = pre.getInt(8) & 0xFFFFFFFFL;
            preamble = 12;
        } else {
            throw new IllegalArgumentException(name + ": .npy format version " + major + "." + minor
                    + " is not supported (1.0 to 3.0 are)");
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException(name + ": .npy header declares " + headerLen + " bytes, more than the "
                    + MAX_HEADER_BYTES + " accepted (corrupt file?)");
        }
        if (preamble + headerLen > fileSize) {
            throw new IllegalArgumentException(name + ": truncated: the .npy header declares " + headerLen
                    + " bytes, the file has " + (fileSize - preamble) + " after the preamble");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        readFully(ch, hb, (int) headerLen, name, "header");
        String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1)
                .strip();
        if (!header.startsWith("{") || !header.endsWith("}")) {
            throw new IllegalArgumentException(name + ": .npy header is not a Python dict: " + abbreviate(header));
        }
        // read as the dict literal it is (each key once, exactly NumPy's three), then give the
        // patterns below one canonical text in which each key occurs once, outside any string
        java.util.Map<String, String> dict = NpyHeaderDict.parse(header, name);
        String descr = dict.get("descr");
        String order = dict.get("fortran_order");
        if (!order.equals("True") && !order.equals("False")) {
            throw new IllegalArgumentException(name + ": .npy 'fortran_order' is " + abbreviate(order)
                    + ", not True or False");
        }
        String shapeText = dict.get("shape");
        if (!shapeText.startsWith("(")) {
            throw new IllegalArgumentException(name + ": .npy 'shape' " + abbreviate(shapeText) + " is not a tuple");
        }
        header = "{'descr': " + (descr.startsWith("[") ? descr : "'" + descr + "'") + ", 'fortran_order': " + order
                + ", 'shape': " + shapeText + "}";
        Dtype dtype = parseDtype(header, name);
        Matcher fortran = FORTRAN.matcher(header);
        if (!fortran.find()) {
            throw new IllegalArgumentException(name + ": .npy header lacks 'fortran_order': " + abbreviate(header));
        }
        if (fortran.group(1).equals("True")) {
            throw new IllegalArgumentException(name + ": array is in Fortran (column-major) order; only C order is "
                    + "supported: save np.ascontiguousarray(a)");
        }
        long[] shape = parseShape(header, name);
        long elements = 1;
        for (long d : shape) {
            elements *= d; // each d <= Integer.MAX_VALUE, at most 2 of them: no overflow
        }
        if (elements > MAX_ELEMENTS) {
            throw new IllegalArgumentException(name + ": shape " + shapeString(shape) + " has " + elements
                    + " elements, more than one matrix holds (" + MAX_ELEMENTS + ")");
        }
        long offset = preamble + headerLen;
        long expected = elements * dtype.size;
        long actual = fileSize - offset;
        if (actual < expected) {
            throw new IllegalArgumentException(name + ": truncated: shape " + shapeString(shape) + " of "
                    + dtype.descr + " needs " + expected + " bytes of data, the file has " + actual);
        }
        if (actual > expected) {
            throw new IllegalArgumentException(name + ": " + (actual - expected) + " bytes of trailing data after the "
                    + expected + " bytes that shape " + shapeString(shape) + " of " + dtype.descr + " declares");
        }
        return new Header(dtype, shape, offset);
    }

    private static Dtype parseDtype(String header, String name) {
        Matcher m = DESCR.matcher(header);
        if (!m.find()) {
            if (header.matches("(?s).*'descr'\\s*:\\s*\\[.*")) {
                throw new IllegalArgumentException(name + ": structured (record) arrays are not supported; "
                        + "save one plain float32 or uint8 array per file");
            }
            throw new IllegalArgumentException(name + ": .npy header lacks 'descr': " + abbreviate(header));
        }
        String descr = m.group(1);
        if (descr.equals("<f4")) {
            return Dtype.FLOAT32;
        }
        if (descr.length() == 3 && descr.endsWith("u1") && "|<>=".indexOf(descr.charAt(0)) >= 0) {
            return Dtype.UINT8;
        }
        if (descr.equals(">f4")) {
            throw new IllegalArgumentException(name + ": big-endian float32 ('>f4') is not supported; "
                    + "save a.astype('<f4')");
        }
        if (descr.endsWith("O")) {
            throw new IllegalArgumentException(name + ": object array (dtype '" + descr + "') cannot be read; "
                    + "save a numeric array: np.asarray(a, dtype=np.float32)");
        }
        String suggestion = descr.startsWith(">") ? "little-endian " : "";
        throw new IllegalArgumentException(name + ": dtype '" + descr + "' (" + describeDescr(descr) + ") is not "
                + "supported; " + suggestion + "float32 ('<f4') and uint8 ('|u1') are: save a.astype(np.float32)");
    }

    private static String describeDescr(String descr) {
        String t = descr.length() > 1 && "<>|=".indexOf(descr.charAt(0)) >= 0 ? descr.substring(1) : descr;
        switch (t) {
            case "f8": return "float64";
            case "f2": return "float16";
            case "i1": return "int8";
            case "i2": return "int16";
            case "i4": return "int32";
            case "i8": return "int64";
            case "b1": return "bool";
            default: return "unsupported";
        }
    }

    private static long[] parseShape(String header, String name) {
        Matcher m = SHAPE.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException(name + ": .npy header lacks 'shape': " + abbreviate(header));
        }
        List<Long> dims = new ArrayList<>();
        for (String part : m.group(1).split(",")) {
            String p = part.strip();
            if (p.endsWith("L")) {
                p = p.substring(0, p.length() - 1); // Python 2 long literal
            }
            if (p.isEmpty()) {
                continue;
            }
            if (!p.matches("\\d{1,19}")) {
                throw new IllegalArgumentException(name + ": .npy shape (" + m.group(1) + ") is not a tuple of sizes");
            }
            long d;
            try {
                d = Long.parseLong(p);
            } catch (NumberFormatException e) {
                d = Long.MAX_VALUE;
            }
            if (d > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + ": .npy dimension " + p + " is larger than a matrix allows");
            }
            dims.add(d);
        }
        if (dims.isEmpty()) {
            throw new IllegalArgumentException(name + ": 0-D (scalar) arrays are not supported; "
                    + "save a 1-D or 2-D array");
        }
        if (dims.size() > 2) {
            throw new IllegalArgumentException(name + ": " + dims.size() + "-D array of shape (" + m.group(1).strip()
                    + ") is not supported; save a 1-D or 2-D array, e.g. a.reshape(len(a), -1)");
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static void readData(FileChannel ch, Header h, float[] dst, int count, String name) throws IOException {
        ch.position(h.dataOffset());
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        int itemSize = h.dtype().size();
        int done = 0;
        while (done < count) {
            int n = Math.min(count - done, CHUNK / itemSize);
            buf.clear();
            readFully(ch, buf, n * itemSize, name, "data");
            buf.flip();
            if (h.dtype() == Dtype.FLOAT32) {
                buf.asFloatBuffer().get(dst, done, n);
            } else {
                for (int i = 0; i < n; i++) {
                    dst[done + i] = buf.get(i) & 0xFF;
                }
            }
            done += n;
        }
    }

    /** Reads exactly {@code n} more bytes into {@code buf} (from its position). */
    private static void readFully(FileChannel ch, ByteBuffer buf, int n, String name, String what) throws IOException {
        int limit = buf.position() + n;
        buf.limit(limit);
        while (buf.position() < limit) {
            if (ch.read(buf) < 0) {
                throw new IllegalArgumentException(name + ": truncated " + what + " (file ends early)");
            }
        }
    }

    /**
     * Writes a matrix as a 2-D float32 array, atomically.
     *
     * @param m    (rows, cols); not modified
     * @param file created or replaced
     * @throws IOException if the file cannot be written
     */
    public static void write(FMatrixRMaj m, Path file) throws IOException {
        write(m, file, Dtype.FLOAT32);
    }

    /**
     * Writes a matrix as a 2-D array of the given type, atomically.
     *
     * @param m     (rows, cols); not modified. For {@link Dtype#UINT8} every value must be an
     *              integer in 0..255 (scale and round pixels in [0, 1] first)
     * @param file  created or replaced; a failure leaves a previous file intact
     * @param dtype element type
     * @throws IllegalArgumentException for a uint8 write of a value that is not an integer in 0..255
     * @throws IOException if the file cannot be written
     */
    public static void write(FMatrixRMaj m, Path file, Dtype dtype) throws IOException {
        final int n = m.getNumElements();
        if (dtype == Dtype.UINT8) {
            for (int i = 0; i < n; i++) {
                float v = m.data[i];
                if (!(v >= 0f && v <= 255f && v == Math.rint(v))) {
                    throw new IllegalArgumentException(file + ": value " + v + " at (" + (i / m.numCols) + ", "
                            + (i % m.numCols) + ") is not an integer in 0..255, so it cannot be written as uint8");
                }
            }
        }
        byte[] header = header(dtype, m.numRows, m.numCols);
        AtomicFiles.write(file, out -> {
            out.write(header);
            writeData(out, m.data, n, dtype);
        });
    }

    /** The preamble and header of a version 1.0 file, padded with spaces to a multiple of 64 bytes. */
    static byte[] header(Dtype dtype, int rows, int cols) {
        String dict = String.format(Locale.ROOT, "{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }",
                dtype.descr(), rows, cols);
        int total = MAGIC.length + 4 + dict.length() + 1;
        int padded = (total + 63) / 64 * 64;
        String text = dict + " ".repeat(padded - total) + "\n";
        ByteBuffer b = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
        b.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    private static void writeData(OutputStream out, float[] data, int n, Dtype dtype) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        int per = CHUNK / dtype.size();
        for (int done = 0; done < n; done += per) {
            int k = Math.min(per, n - done);
            buf.clear();
            if (dtype == Dtype.FLOAT32) {
                buf.asFloatBuffer().put(data, done, k);
                buf.position(4 * k);
            } else {
                for (int i = 0; i < k; i++) {
                    buf.put((byte) (int) data[done + i]);
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    private static String shapeString(long[] shape) {
        return shape.length == 1 ? "(" + shape[0] + ",)" : "(" + shape[0] + ", " + shape[1] + ")";
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}

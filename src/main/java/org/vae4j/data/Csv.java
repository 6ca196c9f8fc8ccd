package org.vae4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.AtomicFiles;
import org.vae4j.internal.InputFiles;
import org.vae4j.internal.Numbers;
import org.vae4j.internal.Utf8;

/**
 * Comma-separated matrices in and out of {@link FMatrixRMaj}: one row per line, values separated
 * by commas, as {@code np.savetxt(f, a, delimiter=',')} writes and {@code np.loadtxt(f,
 * delimiter=',')} or {@code pandas.read_csv(f, header=None)} reads.
 *
 * <p>Reading skips blank lines and lines starting with {@code #} (NumPy's comments), optionally
 * one header line, and accepts spaces around values. Every row must have the same number of
 * values; errors name the file, the line and the field. Writing uses {@link Float#toString}, so a
 * float32 matrix round-trips exactly (NaN and infinities as {@code NaN}, {@code Infinity},
 * {@code -Infinity}, which Python's {@code float()} accepts), and is atomic. Stateless and
 * thread-safe.
 */
public final class Csv {

    private Csv() {
    }

    /**
     * Reads a CSV file without a header line.
     *
     * @see #read(Path, boolean)
     */
    public static FMatrixRMaj read(Path file) throws IOException {
        return read(file, false);
    }

    /**
     * Reads a CSV file of numbers.
     *
     * @param file   the file (UTF-8; a byte-order mark is skipped)
     * @param header whether the first non-comment line is a header to skip
     * @return (lines, values per line)
     * @throws NoSuchFileException      when the file does not exist
     * @throws IllegalArgumentException when a field is not a number, or rows differ in length
     */
    public static FMatrixRMaj read(Path file, boolean header) throws IOException {
        InputFiles.requireRegularFile(file, "CSV file");
        float[] values = new float[1024];
        int count = 0;
        int cols = -1;
        int rows = 0;
        int firstRowLine = 0;
        boolean skipHeader = header;
        int lineNo = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                if (skipHeader) {
                    skipHeader = false;
                    continue;
                }
                String[] fields = trimmed.split(",", -1);
                if (cols < 0) {
                    cols = fields.length;
                    firstRowLine = lineNo;
                } else if (fields.length != cols) {
                    throw new IllegalArgumentException(file + ": line " + lineNo + " has " + fields.length
                            + " values, but line " + firstRowLine + " has " + cols);
                }
                if ((long) count + cols > Npy.MAX_ELEMENTS) {
                    throw new IllegalArgumentException(file + ": more than " + Npy.MAX_ELEMENTS
                            + " values, more than one matrix holds");
                }
                if (count + cols > values.length) {
                    values = Arrays.copyOf(values, (int) Math.min(Npy.MAX_ELEMENTS,
                            Math.max(2L * values.length, (long) count + cols)));
                }
                for (int j = 0; j < cols; j++) {
                    values[count++] = parse(fields[j], file, lineNo, j, rows == 0 && !header);
                }
                rows++;
            }
        } catch (CharacterCodingException e) {
            // the reader decodes ahead of the line it returns: find the bad bytes' line again
            Utf8.Malformed bad = Utf8.firstMalformed(file);
            throw new IllegalArgumentException(file + ": " + (bad == null ? "" : "line " + bad.line() + ": ")
                    + "not valid UTF-8" + (bad == null ? "" : ": " + bad.describe()) + " (CSV files are read as UTF-8)");
        }
        if (rows == 0) {
            return new FMatrixRMaj(0, 0);
        }
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        System.arraycopy(values, 0, m.data, 0, count);
        return m;
    }

    private static float parse(String field, Path file, int line, int index, boolean maybeHeader) {
        String s = field.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException(file + ": line " + line + ", field " + (index + 1) + " is empty");
        }
        try {
            return Numbers.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": line " + line + ", field " + (index + 1) + ": "
                    + e.getMessage()
                    + (maybeHeader && !Numbers.isDecimal(s) ? " (if the first line is a header, read with header = true)" : ""));
        }
    }

    /**
     * Writes a matrix as CSV, one row per line, atomically.
     *
     * @param m    (rows, cols); not modified
     * @param file created or replaced; a failure leaves a previous file intact
     */
    public static void write(FMatrixRMaj m, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            StringBuilder sb = new StringBuilder(m.numCols * 12);
            for (int r = 0; r < m.numRows; r++) {
                sb.setLength(0);
                for (int c = 0; c < m.numCols; c++) {
                    if (c > 0) {
                        sb.append(',');
                    }
                    sb.append(Float.toString(m.data[r * m.numCols + c]));
                }
                sb.append('\n');
                w.write(sb.toString());
            }
            w.flush();
        });
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}

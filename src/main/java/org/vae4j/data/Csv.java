package org.vae4j.data;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongSupplier;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.AtomicFiles;
import org.vae4j.internal.HeapBudget;
import org.vae4j.internal.InputFiles;
import org.vae4j.internal.Numbers;

/**
 * Comma-separated matrices in and out of {@link FMatrixRMaj}: one row per line, values separated
 * by commas, as {@code np.savetxt(f, a, delimiter=',')} writes and {@code np.loadtxt(f,
 * delimiter=',')} or {@code pandas.read_csv(f, header=None)} reads.
 *
 * <p>Reading goes through a real CSV parser (FastCSV: a field may be in double quotes) one row at
 * a time, in memory bounded by one row: a row may have at most {@link #MAX_COLUMNS} values and
 * {@link #MAX_ROW_CHARS} characters (other limits: {@link #read(Path, boolean, int, int)}), and
 * the values read so far must fit the heap ({@link HeapBudget}). It skips blank lines and lines
 * starting with {@code #} (NumPy's comments), optionally one header line, and accepts spaces
 * around values. Numbers follow NumPy's and pandas' grammar ({@link Numbers}). Every row must have
 * the same number of values; errors name the file, the line and the field or the limit. Writing uses {@link Float#toString}, so a
 * float32 matrix round-trips exactly (NaN and infinities as {@code NaN}, {@code Infinity},
 * {@code -Infinity}, which Python's {@code float()} accepts), and is atomic. Stateless and
 * thread-safe.
 */
public final class Csv {

    /** The most values a row may have by default: 1,000,000. */
    public static final int MAX_COLUMNS = 1_000_000;
    /** The most characters a row may have by default: 16 Mi (2^24). */
    public static final int MAX_ROW_CHARS = 1 << 24;

    private Csv() {
    }

    /**
     * Reads a CSV file without a header line, as {@link #read(Path, boolean)} with {@code header = false}.
     *
     * @param file the file (UTF-8; a byte-order mark is skipped)
     * @return (lines, values per line); (0, 0) for a file without data lines
     * @throws IllegalArgumentException as {@link #read(Path, boolean)}
     * @throws IOException if the file is missing, not a regular file, or cannot be read
     * @see #read(Path, boolean)
     */
    public static FMatrixRMaj read(Path file) throws IOException {
        return read(file, false);
    }

    /**
     * Reads a CSV file of numbers, with the default limits ({@link #MAX_COLUMNS} values and
     * {@link #MAX_ROW_CHARS} characters a row).
     *
     * @param file   the file (UTF-8; a byte-order mark is skipped)
     * @param header whether the first non-comment line is a header to skip
     * @return (lines, values per line); (0, 0) for a file without data lines
     * @throws NoSuchFileException      when the file does not exist
     * @throws IllegalArgumentException when the file is not valid UTF-8 or CSV, a field is not a number, rows
     *                                  differ in length, a row exceeds a limit, or the values do not fit the heap
     * @throws IOException              if the file is not a regular file or cannot be read
     */
    public static FMatrixRMaj read(Path file, boolean header) throws IOException {
        return read(file, header, MAX_COLUMNS, MAX_ROW_CHARS, HeapBudget.SYSTEM);
    }

    /**
     * Reads a CSV file of numbers with given limits on a row (a header row too).
     *
     * @param file        the file (UTF-8; a byte-order mark is skipped)
     * @param header      whether the first non-comment line is a header to skip
     * @param maxColumns  the most values a row may have, at least 1
     * @param maxRowChars the most characters a row may have (separators and quotes included), at least 1
     * @return (lines, values per line); (0, 0) for a file without data lines
     * @throws IllegalArgumentException as {@link #read(Path, boolean)}, and for a limit below 1; a row over a
     *                                  limit names the file, the line and the limit
     * @throws IOException if the file is missing, not a regular file, or cannot be read
     */
    public static FMatrixRMaj read(Path file, boolean header, int maxColumns, int maxRowChars) throws IOException {
        return read(file, header, maxColumns, maxRowChars, HeapBudget.SYSTEM);
    }

    static FMatrixRMaj read(Path file, boolean header, int maxColumns, int maxRowChars, LongSupplier budget)
            throws IOException {
        if (maxColumns < 1 || maxRowChars < 1) {
            throw new IllegalArgumentException("limits must be at least 1, got " + maxColumns + " columns and "
                    + maxRowChars + " characters");
        }
        InputFiles.requireRegularFile(file, "CSV file");
        float[] values = new float[1024];
        int count = 0;
        int cols = -1;
        int rows = 0;
        long firstRowLine = 0;
        boolean skipHeader = header;
        try (CsvRows in = new CsvRows(file, maxColumns, maxRowChars)) {
            CsvRows.Row row;
            while ((row = in.next()) != null) {
                if (skipHeader) {
                    skipHeader = false;
                    continue;
                }
                if (cols < 0) {
                    cols = row.fields();
                    firstRowLine = row.line();
                } else if (row.fields() != cols) {
                    throw new IllegalArgumentException(file + ": line " + row.line() + " has " + row.fields()
                            + " values, but line " + firstRowLine + " has " + cols);
                }
                if (row.error() != null) {
                    boolean maybeHeader = rows == 0 && !header && !Numbers.isDecimal(row.badField());
                    throw new IllegalArgumentException(file + ": line " + row.line() + ", field " + (row.errorIndex() + 1)
                            + (row.error().isEmpty() ? " is empty" : ": " + row.error())
                            + (maybeHeader && !row.error().isEmpty()
                            ? " (if the first line is a header, read with header = true)" : ""));
                }
                if ((long) count + cols > Npy.MAX_ELEMENTS) {
                    throw new IllegalArgumentException(file + ": more than " + Npy.MAX_ELEMENTS
                            + " values, more than one matrix holds");
                }
                if (count + cols > values.length) {
                    int grown = (int) Math.min(Npy.MAX_ELEMENTS, Math.max(2L * values.length, (long) count + cols));
                    HeapBudget.require(budget, 4L * grown, file + ": " + rows + " rows of " + cols
                            + " values so far (line " + row.line() + ")");
                    values = Arrays.copyOf(values, grown);
                }
                System.arraycopy(row.values(), 0, values, count, cols);
                count += cols;
                rows++;
            }
        }
        if (rows == 0) {
            return new FMatrixRMaj(0, 0);
        }
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        System.arraycopy(values, 0, m.data, 0, count);
        return m;
    }

    /**
     * Writes a matrix as CSV, one row per line, atomically.
     *
     * @param m    (rows, cols); not modified
     * @param file created or replaced; a failure leaves a previous file intact
     * @throws IOException if the file cannot be written
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

}

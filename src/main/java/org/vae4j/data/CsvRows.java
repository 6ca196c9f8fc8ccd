package org.vae4j.data;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;

import de.siegmar.fastcsv.reader.AbstractBaseCsvCallbackHandler;
import de.siegmar.fastcsv.reader.CommentStrategy;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;

import org.vae4j.internal.Numbers;
import org.vae4j.internal.Utf8;

/**
 * The rows of a numeric CSV file for {@link Csv}, parsed by FastCSV with a callback that turns
 * each field into a float as it arrives: no row is ever held as strings, and a row stops being
 * read as soon as it passes the column or character limit. Blank rows and rows whose first field
 * starts with {@code #} are skipped. Not thread-safe.
 */
final class CsvRows implements Closeable {

    /**
     * One row. {@code values} is shared and overwritten by the next row.
     *
     * @param line       1-based line on which the row starts
     * @param fields     number of fields
     * @param values     the first {@code fields} entries are the row's values (those that parsed)
     * @param error      null, "" for an empty field, or why the first bad field is not a number
     * @param errorIndex 0-based index of that field
     * @param badField   its stripped text
     */
    record Row(long line, int fields, float[] values, String error, int errorIndex, String badField) {
    }

    /** What the handler builds for a blank or comment row (FastCSV's iterator ends at a null). */
    private static final Row SKIPPED = new Row(0, 0, new float[0], null, 0, null);

    /** A row over a limit, thrown from inside the parser's callback to stop it at once. */
    private static final class LimitExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LimitExceeded(String message) {
            super(message, null, false, false);
        }
    }

    private final Path file;
    private final BufferedReader reader;
    private final CsvReader<Row> csv;
    private final Iterator<Row> rows;
    private final Handler handler;

    /** Room in FastCSV's buffer beyond a row, for its read-ahead (8 Ki chars a read). */
    private static final int READ_AHEAD = 1 << 16;

    CsvRows(Path file, int maxColumns, int maxRowChars) throws IOException {
        this.file = file;
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file), utf8), 1 << 16);
        try {
            reader.mark(1);
            if (reader.read() != '\uFEFF') {
                reader.reset();
            }
        } catch (CharacterCodingException e) {
            reader.close();
            throw invalidUtf8();
        }
        // FastCSV's buffer (the current field plus its read-ahead) may hold a row and 64 Ki more: a
        // field longer than that is stopped by the parser, shorter ones by the handler's count
        handler = new Handler(file, maxColumns, maxRowChars);
        csv = CsvReader.builder().skipEmptyLines(true).commentStrategy(CommentStrategy.SKIP).commentCharacter('#')
                .allowExtraFields(true).allowMissingFields(true)
                .maxBufferSize((int) Math.min(Integer.MAX_VALUE - 8, (long) maxRowChars + READ_AHEAD))
                .build(handler, reader);
        rows = csv.iterator();
    }

    /** The next row that is neither blank nor a comment, or null at the end. */
    Row next() throws IOException {
        while (true) {
            Row r;
            try {
                if (!rows.hasNext()) {
                    return null;
                }
                r = rows.next();
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof CharacterCodingException) {
                    throw invalidUtf8();
                }
                throw e.getCause();
            } catch (CsvParseException e) {
                for (Throwable t = e; t != null; t = t.getCause()) {
                    if (t instanceof LimitExceeded limit) {
                        throw new IllegalArgumentException(limit.getMessage());
                    }
                    if (t instanceof CharacterCodingException) {
                        throw invalidUtf8();
                    }
                    if (t instanceof IndexOutOfBoundsException || String.valueOf(t.getMessage())
                            .contains("maximum buffer size")) { // the parser's buffer is full: one field too long
                        throw new IllegalArgumentException(handler.tooLong());
                    }
                }
                Throwable root = e.getCause() != null ? e.getCause() : e;
                throw new IllegalArgumentException(file + ": not valid CSV (" + e.getMessage()
                        + (root != e ? ": " + root.getMessage() : "") + ")");
            }
            if (r != SKIPPED) {
                return r;
            }
        }
    }

    private IllegalArgumentException invalidUtf8() throws IOException {
        // the reader decodes ahead of the row it returns: find the bad bytes' line again
        Utf8.Malformed bad = Utf8.firstMalformed(file);
        return new IllegalArgumentException(file + ": " + (bad == null ? "" : "line " + bad.line() + ": ")
                + "not valid UTF-8" + (bad == null ? "" : ": " + bad.describe()) + " (CSV files are read as UTF-8)");
    }

    @Override
    public void close() throws IOException {
        try {
            csv.close();
        } finally {
            reader.close();
        }
    }

    /** Parses fields into floats as FastCSV finds them; a blank or comment row builds {@link #SKIPPED}. */
    private static final class Handler extends AbstractBaseCsvCallbackHandler<Row> {
        private final Path file;
        private final int maxColumns;
        private final int maxRowChars;
        private float[] values = new float[64];
        private long line;
        private int fields;
        private long chars;
        private boolean skip;       // blank so far, or a comment
        private String error;
        private int errorIndex;
        private String badField;

        Handler(Path file, int maxColumns, int maxRowChars) {
            this.file = file;
            this.maxColumns = maxColumns;
            this.maxRowChars = maxRowChars;
        }

        String tooLong() {
            return file + ": line " + line + ": the row is longer than " + maxRowChars + " characters (the limit of "
                    + "a row; Csv.read(file, header, maxColumns, maxRowChars) sets another)";
        }

        @Override
        protected void handleBegin(long startingLineNumber) {
            line = startingLineNumber;
            fields = 0;
            chars = 0;
            skip = false;
            error = null;
        }

        @Override
        protected void handleField(int index, char[] buf, int offset, int len, boolean quoted) {
            chars += len + (index > 0 ? 1 : 0) + (quoted ? 2 : 0);
            if (chars > maxRowChars) {
                throw new LimitExceeded(tooLong());
            }
            if (index >= maxColumns) {
                throw new LimitExceeded(file + ": line " + line + ": the row has more than " + maxColumns
                        + " values (the limit of a row; Csv.read(file, header, maxColumns, maxRowChars) sets another)");
            }
            fields = index + 1;
            if (skip) {
                return;
            }
            String s = new String(buf, offset, len).strip();
            if (index == 0 && !quoted && s.startsWith("#")) {
                skip = true; // a comment after leading spaces
                return;
            }
            if (index >= values.length) {
                values = Arrays.copyOf(values, (int) Math.min(maxColumns, 2L * values.length));
            }
            if (error != null) {
                return;
            }
            if (s.isEmpty()) {
                error = "";
                errorIndex = index;
                badField = s;
                return;
            }
            try {
                values[index] = Numbers.parseFloat(s);
            } catch (NumberFormatException e) {
                error = e.getMessage();
                errorIndex = index;
                badField = s;
            }
        }

        @Override
        protected Row buildRecord() {
            if (skip || (fields == 1 && error != null && error.isEmpty())) {
                return SKIPPED; // a comment, or a line of spaces
            }
            return new Row(line, fields, values, error, errorIndex, badField);
        }
    }
}

package org.vae4j.table;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;

import org.vae4j.internal.InputFiles;
import org.vae4j.internal.Utf8;

/**
 * A CSV file with a header line, read one record at a time through FastCSV (RFC 4180: comma
 * separated, fields optionally in double quotes, a quote doubled inside quotes, line breaks inside
 * quoted fields), so memory is bounded by one record whatever the file's length. The file must be
 * UTF-8; a byte-order mark is skipped; invalid UTF-8 is an error, never a replacement character.
 * Blank lines are skipped. Every record must have the header's number of fields.
 *
 * <p>Errors are {@link TableFormatException}s naming the file, the line and, where one is at
 * fault, the column: an empty file, an empty or duplicated column name, a ragged row, invalid
 * UTF-8, an unterminated quote. Not thread-safe: one reader per thread.
 */
public final class CsvSource implements Closeable {

    private final Path file;
    private final Reader reader;
    private final CsvReader<CsvRecord> csv;
    private final Iterator<CsvRecord> records;
    private final String[] header;
    private long line;
    private long rows;

    private CsvSource(Path file) throws IOException {
        this.file = file;
        InputFiles.requireRegularFile(file, "CSV file");
        InputStream in = Files.newInputStream(file);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        BufferedReader buffered = new BufferedReader(new InputStreamReader(in, utf8), 1 << 16);
        this.reader = buffered;
        try {
            buffered.mark(1);
            int first;
            try {
                first = buffered.read();
            } catch (CharacterCodingException e) {
                throw invalidUtf8(file);
            }
            if (first != '\uFEFF') {
                buffered.reset();
            }
            this.csv = CsvReader.builder().skipEmptyLines(true).allowExtraFields(true).allowMissingFields(true)
                    .ofCsvRecord(buffered);
            this.records = csv.iterator();
            this.header = readHeader();
        } catch (IOException | RuntimeException | Error e) {
            // every failure before the constructor returns closes the file: the caller never gets it
            try {
                buffered.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Reads the header line: the column names, stripped, each non-empty and unique. */
    private String[] readHeader() throws IOException {
        CsvRecord head = nextRecord();
        if (head == null) {
            throw new TableFormatException(file, 0, "the file is empty: a header line naming the columns is needed");
        }
        String[] names = head.getFields().toArray(new String[0]);
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < names.length; c++) {
            names[c] = names[c].strip();
            if (names[c].isEmpty()) {
                throw new TableFormatException(file, line, "column " + (c + 1) + " of the header has no name");
            }
            if (!seen.add(names[c])) {
                throw new TableFormatException(file, line, "the header names column \"" + names[c] + "\" twice");
            }
        }
        return names;
    }

    /**
     * Opens a CSV file and reads its header.
     *
     * @param file the CSV file, UTF-8, with a header line
     * @return the open source, positioned after the header; close it
     * @throws NoSuchFileException  when the file does not exist
     * @throws TableFormatException for an empty file, a bad header (a column without a name or named twice),
     *                              invalid UTF-8 or CSV in the header
     * @throws IOException          when the file is not a regular file or cannot be read
     */
    public static CsvSource open(Path file) throws IOException {
        return new CsvSource(file);
    }

    private CsvRecord nextRecord() throws IOException {
        try {
            if (!records.hasNext()) {
                return null;
            }
            CsvRecord r = records.next();
            line = r.getStartingLineNumber();
            return r;
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw invalidUtf8(file);
            }
            throw e.getCause();
        } catch (CsvParseException e) {
            String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw new TableFormatException(file, line + 1, "not valid CSV (" + why + ")");
        }
    }

    /** {@return the column names of the header, stripped of surrounding spaces (a copy)} */
    public String[] header() {
        return header.clone();
    }

    /** {@return the file} */
    public Path file() {
        return file;
    }

    /**
     * {@return the next record's fields, as many as the header has columns (a new array), or {@code null}
     * at the end of the file}
     *
     * @throws TableFormatException for a ragged row, invalid UTF-8 or invalid CSV (an unterminated quote)
     * @throws IOException if the file cannot be read
     */
    public String[] next() throws IOException {
        CsvRecord r = nextRecord();
        if (r == null) {
            return null;
        }
        int n = r.getFieldCount();
        if (n != header.length) {
            throw new TableFormatException(file, line, "the row has " + n + " field" + (n == 1 ? "" : "s")
                    + " but the header has " + header.length + " columns"
                    + (n > header.length ? " (extra field " + (header.length + 1) + ": \""
                    + shorten(r.getField(header.length)) + "\")" : " (" + TableFormatException.column(n, header[n])
                    + " and after are missing)"));
        }
        rows++;
        String[] f = new String[n];
        for (int i = 0; i < n; i++) {
            f[i] = r.getField(i);
        }
        return f;
    }

    /** {@return the 1-based line on which the record last returned by {@link #next()} starts} */
    public long line() {
        return line;
    }

    /** {@return the records {@link #next()} has returned so far (the header not counted)} */
    public long rows() {
        return rows;
    }

    /** The error for the file's first invalid UTF-8 byte sequence, found by decoding it again. */
    static TableFormatException invalidUtf8(Path file) throws IOException {
        Utf8.Malformed bad = Utf8.firstMalformed(file);
        return bad == null ? new TableFormatException(file, 0, "not valid UTF-8 (save the file as UTF-8)")
                : new TableFormatException(file, bad.line(), "not valid UTF-8: " + bad.describe()
                        + " (save the file as UTF-8)");
    }

    static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    @Override
    public void close() throws IOException {
        try {
            csv.close();
        } finally {
            reader.close();
        }
    }

    @Override
    public String toString() {
        return "CsvSource(" + file + ", columns " + Arrays.toString(header) + ")";
    }
}

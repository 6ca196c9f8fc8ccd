package org.vae4j.table;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole CSV file in memory as strings (header, records, the line each record starts on), for
 * fitting a {@link TableSchema} and training. Scoring large files streams through
 * {@link CsvSource} instead. Immutable by convention: the header, the records and the line array
 * are shared, not copied (the list is unmodifiable, its arrays are not); do not modify them. Then
 * thread-safe.
 *
 * @param file   the file it was read from (for errors), or {@code null}
 * @param header the column names
 * @param rows   the records, each as long as the header
 * @param lines  the 1-based line each record starts on
 */
public record CsvTable(Path file, String[] header, List<String[]> rows, long[] lines) {

    /**
     * Reads a whole CSV file ({@link CsvSource}'s rules).
     *
     * @param file the CSV file, UTF-8, with a header line
     * @return every record with its line, in file order
     * @throws TableFormatException for an empty file, a bad header, a ragged row, invalid UTF-8 or CSV (the
     *                              message names the file and the line)
     * @throws IOException          if the file is missing, not a regular file or cannot be read
     */
    public static CsvTable read(Path file) throws IOException {
        try (CsvSource src = CsvSource.open(file)) {
            List<String[]> rows = new ArrayList<>();
            long[] lines = new long[1024];
            String[] r;
            while ((r = src.next()) != null) {
                if (rows.size() == lines.length) {
                    lines = java.util.Arrays.copyOf(lines, lines.length * 2);
                }
                lines[rows.size()] = src.line();
                rows.add(r);
            }
            return new CsvTable(file, src.header(), List.copyOf(rows), java.util.Arrays.copyOf(lines, rows.size()));
        }
    }

    /**
     * {@return a table made in memory, without a file; record r is on line r + 2 (the header is line 1)}
     *
     * @param header the column names (copied)
     * @param rows   the records, each as long as the header (the list is copied, the arrays are not)
     */
    public static CsvTable of(String[] header, List<String[]> rows) {
        long[] lines = new long[rows.size()];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = i + 2;
        }
        return new CsvTable(null, header.clone(), List.copyOf(rows), lines);
    }

    /** {@return number of records} */
    public int size() {
        return rows.size();
    }

    /**
     * {@return the records at {@code indices}, in that order (lines kept; the arrays are shared)}
     *
     * @param indices record indices, each in 0..size()-1; may repeat
     * @throws IndexOutOfBoundsException for an index outside that range
     */
    public CsvTable select(int[] indices) {
        List<String[]> r = new ArrayList<>(indices.length);
        long[] l = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            r.add(rows.get(indices[i]));
            l[i] = lines[indices[i]];
        }
        return new CsvTable(file, header, List.copyOf(r), l);
    }

    /**
     * {@return the 0-based index of a column by name, or -1 when the header lacks it}
     *
     * @param name the column name, compared exactly (the header's names are stripped)
     */
    public int columnIndex(String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}

package org.vae4j.table;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole CSV file in memory as strings (header, records, the line each record starts on), for
 * fitting a {@link TableSchema} and training. Scoring large files streams through
 * {@link CsvSource} instead. Immutable after construction; thread-safe.
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
     * @throws IOException if the file cannot be read or is malformed (the message names the file)
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

    /** {@return a table made in memory; line r is r + 2 (the header is line 1)} */
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

    /** {@return the records at {@code indices}, in that order (lines kept)} */
    public CsvTable select(int[] indices) {
        List<String[]> r = new ArrayList<>(indices.length);
        long[] l = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            r.add(rows.get(indices[i]));
            l[i] = lines[indices[i]];
        }
        return new CsvTable(file, header, List.copyOf(r), l);
    }

    /** {@return the index of a column by name, or -1} */
    public int columnIndex(String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}

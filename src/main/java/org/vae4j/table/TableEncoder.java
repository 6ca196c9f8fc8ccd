package org.vae4j.table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.ejml.data.FMatrixRMaj;

/**
 * A {@link TableSchema} bound to one file's header: the modelled columns are found by name (any
 * order), so each record becomes an encoded row and its mask. A header that lacks a modelled
 * column, or has a column the schema neither models nor left out, is refused. Counts the missing
 * and the unseen cells per column. Not thread-safe (the counts): one encoder per reader.
 */
public final class TableEncoder {

    private final TableSchema schema;
    private final Path file;
    private final int[] source;   // header index of each modelled column
    private final int[] offsets;
    private final List<Map<String, Integer>> lookups = new ArrayList<>();
    private final long[] missing;
    private final long[] unseen;
    private final List<String> firstUnseen = new ArrayList<>();

    /**
     * Binds a schema to a header, with zero counts.
     *
     * @param schema the fitted schema, e.g. a model's
     * @param header the file's column names (as {@link CsvSource#header()}), not modified
     * @param file   names the file in errors, or {@code null}
     * @throws TableFormatException when a modelled column is missing from the header, or the header has an unknown column
     */
    public TableEncoder(TableSchema schema, String[] header, Path file) {
        this.schema = schema;
        this.file = file;
        List<Column> cols = schema.columns();
        this.source = new int[cols.size()];
        Set<String> known = new HashSet<>();
        List<String> absent = new ArrayList<>();
        for (int c = 0; c < cols.size(); c++) {
            known.add(cols.get(c).name());
            source[c] = indexOf(header, cols.get(c).name());
            if (source[c] < 0) {
                absent.add(cols.get(c).name());
            }
            lookups.add(cols.get(c).lookup());
            firstUnseen.add(null);
        }
        for (TableSchema.Dropped d : schema.dropped()) {
            known.add(d.name());
        }
        if (!absent.isEmpty()) {
            throw new TableFormatException(file, 1, "the header lacks the model's column" + (absent.size() == 1 ? " " : "s ")
                    + quoted(absent) + " (the model was trained on " + quoted(List.of(schema.names())) + ")");
        }
        List<String> extra = new ArrayList<>();
        for (String h : header) {
            if (!known.contains(h)) {
                extra.add(h);
            }
        }
        if (!extra.isEmpty()) {
            throw new TableFormatException(file, 1, "the header has column" + (extra.size() == 1 ? " " : "s ")
                    + quoted(extra) + " that the model does not know (it models " + quoted(List.of(schema.names()))
                    + (schema.dropped().isEmpty() ? "" : " and ignores " + quoted(schema.dropped().stream()
                    .map(TableSchema.Dropped::name).toList())) + "); remove them from the file");
        }
        this.offsets = schema.offsets();
        this.missing = new long[cols.size()];
        this.unseen = new long[cols.size()];
    }

    private static int indexOf(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static String quoted(List<String> names) {
        StringBuilder s = new StringBuilder();
        for (String n : names) {
            s.append(s.length() == 0 ? "" : ", ").append('"').append(n).append('"');
        }
        return s.toString();
    }

    /** {@return the schema} */
    public TableSchema schema() {
        return schema;
    }

    /**
     * Encodes one record into row {@code r} of {@code x} ((rows, width)): a missing cell (empty
     * or NaN, or a binary label the training rows did not have) is NaN in every position of its
     * span, which the table likelihood reads as "missing" ({@code loss.MissingCells}); an unseen
     * category is observed, in its column's unseen bucket.
     *
     * @param record the record's fields, in the header's order (as {@link CsvSource#next()})
     * @param line   the record's line, for errors
     * @param x      (rows, {@link TableSchema#width()}) the encoded rows; row r is written
     * @param r      the row of {@code x} to write
     * @throws TableFormatException for a numeric cell that is not a number
     */
    public void encode(String[] record, long line, FMatrixRMaj x, int r) {
        List<Column> cols = schema.columns();
        int width = offsets[cols.size()];
        int base = r * width;
        for (int c = 0; c < cols.size(); c++) {
            Column col = cols.get(c);
            String cell = record[source[c]];
            int status;
            try {
                status = col.encode(cell, lookups.get(c), x.data, base + offsets[c]);
            } catch (NumberFormatException e) {
                throw new TableFormatException(file, line, TableFormatException.column(source[c], col.name())
                        + " is numeric, but \"" + CsvSource.shorten(cell) + "\" is not a number"
                        + " (a missing value is an empty cell or NaN)");
            }
            boolean observed = status == Column.OK || (status == Column.UNSEEN && col.type() == ColumnType.CATEGORICAL);
            if (status == Column.MISSING) {
                missing[c]++;
            } else if (status == Column.UNSEEN) {
                unseen[c]++;
                if (firstUnseen.get(c) == null) {
                    firstUnseen.set(c, cell.strip() + "\" at line " + line);
                }
            }
            if (!observed) {
                for (int i = offsets[c]; i < offsets[c + 1]; i++) {
                    x.data[base + i] = Float.NaN;
                }
            }
        }
    }

    /**
     * {@return a whole table encoded: a new (rows, width) matrix, NaN in missing cells} The counts include it.
     *
     * @param table a table with this encoder's header (its records' fields in that order)
     * @throws TableFormatException for a numeric cell that is not a number
     */
    public FMatrixRMaj encodeAll(CsvTable table) {
        int n = table.size();
        FMatrixRMaj x = new FMatrixRMaj(n, schema.width());
        for (int r = 0; r < n; r++) {
            encode(table.rows().get(r), table.lines()[r], x, r);
        }
        return x;
    }

    /** {@return the missing cells encoded so far, per modelled column (a copy)} */
    public long[] missingCounts() {
        return missing.clone();
    }

    /** {@return the unseen labels encoded so far, per modelled column (a copy)} */
    public long[] unseenCounts() {
        return unseen.clone();
    }

    /**
     * {@return one line per column with unseen labels: {@code "city": 3 unseen (first "Oslo" at line 17)}; empty when none}
     */
    public List<String> unseenSummary() {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < unseen.length; c++) {
            if (unseen[c] > 0) {
                out.add("\"" + schema.columns().get(c).name() + "\": " + unseen[c] + " unseen label"
                        + (unseen[c] == 1 ? "" : "s") + " (first \"" + firstUnseen.get(c) + ")");
            }
        }
        return out;
    }
}

package org.vae4j.table;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

/**
 * The modelled columns of a table with their fitted preprocessing, in the order of the encoded
 * row, plus the columns left out and why: what a model file stores (as JSON, {@link #toJson()})
 * so that it encodes a raw CSV as its training process did. Immutable and thread-safe.
 *
 * @param columns the modelled columns, in encoded order
 * @param dropped the columns of the training file that are not modelled, with the reason
 */
public record TableSchema(List<Column> columns, List<Dropped> dropped) {

    /** The version of {@link #toJson()}'s layout. */
    public static final int VERSION = 1;

    /**
     * A column left out of the model.
     *
     * @param name   the column's name in the training file
     * @param reason why, e.g. {@code ID-like (every label distinct)} or {@code left out by the schema}
     */
    public record Dropped(String name, String reason) {
    }

    /**
     * Copies the lists.
     *
     * @param columns the modelled columns, in encoded order; at least one
     * @param dropped the columns left out, with the reason
     * @throws IllegalArgumentException for no modelled column
     * @throws NullPointerException     for a null list or element
     */
    public TableSchema {
        columns = List.copyOf(columns);
        dropped = List.copyOf(dropped);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a table schema needs at least one modelled column"
                    + (dropped.isEmpty() ? "" : "; left out: " + dropped));
        }
    }

    /** {@return the width of an encoded row: the sum of the columns' widths} */
    public int width() {
        int w = 0;
        for (Column c : columns) {
            w += c.width();
        }
        return w;
    }

    /** {@return the first encoded position of each column, and the width as a last entry} */
    public int[] offsets() {
        int[] o = new int[columns.size() + 1];
        for (int i = 0; i < columns.size(); i++) {
            o[i + 1] = o[i] + columns.get(i).width();
        }
        return o;
    }

    /** {@return the names of the modelled columns, in order} */
    public String[] names() {
        return columns.stream().map(Column::name).toArray(String[]::new);
    }

    /**
     * {@return the modelled column of that name, or {@code null}}
     *
     * @param name the column's name, compared exactly
     */
    public Column column(String name) {
        for (Column c : columns) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /**
     * {@return the schema as one JSON object (numbers written so that they parse back to the same double)}
     */
    public String toJson() {
        StringWriter s = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(s)) {
            g.writeStartObject();
            g.writeNumberField("version", VERSION);
            g.writeArrayFieldStart("columns");
            for (Column c : columns) {
                g.writeStartObject();
                g.writeStringField("name", c.name());
                g.writeStringField("type", c.type().spelling());
                if (c.type() == ColumnType.NUMERIC) {
                    g.writeStringField("transform", c.transform().spelling());
                    g.writeNumberField("a", c.a());
                    g.writeNumberField("b", c.b());
                    g.writeNumberField("center", c.center());
                    g.writeNumberField("scale", c.scale());
                } else {
                    g.writeBooleanField("numeric_labels", c.numericLabels());
                    g.writeArrayFieldStart("labels");
                    for (String l : c.labels()) {
                        g.writeString(l);
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("dropped");
            for (Dropped d : dropped) {
                g.writeStartObject();
                g.writeStringField("name", d.name());
                g.writeStringField("reason", d.reason());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }

    /**
     * Parses {@link #toJson()}'s text.
     *
     * @param json the text of one JSON object, version 1 to {@link #VERSION}
     * @return the schema it describes
     * @throws IllegalArgumentException naming what is wrong
     */
    public static TableSchema fromJson(String json) {
        JsonFactory f = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).build()).build();
        try (JsonParser p = f.createParser(json)) {
            Map<String, Object> root = JsonValues.readObject(p);
            Object version = root.get("version");
            if (!(version instanceof Number n) || n.intValue() < 1 || n.intValue() > VERSION) {
                throw new IllegalArgumentException("table schema: version " + version + " is not supported (this build reads 1.."
                        + VERSION + ")");
            }
            List<Column> cols = new ArrayList<>();
            for (Object o : JsonValues.list(root, "columns", "table schema")) {
                Map<String, Object> m = JsonValues.map(o, "table schema column");
                String name = JsonValues.string(m, "name", "table schema column");
                String where = "table schema column \"" + name + "\"";
                ColumnType type = ColumnType.parse(JsonValues.string(m, "type", where), where);
                if (type == ColumnType.NUMERIC) {
                    cols.add(new Column(name, type, Transform.parse(JsonValues.string(m, "transform", where), where),
                            JsonValues.number(m, "a", where), JsonValues.number(m, "b", where),
                            JsonValues.number(m, "center", where), JsonValues.number(m, "scale", where), List.of(),
                            false));
                } else {
                    List<String> labels = new ArrayList<>();
                    for (Object l : JsonValues.list(m, "labels", where)) {
                        if (!(l instanceof String str)) {
                            throw new IllegalArgumentException(where + ": labels must be strings, got " + l);
                        }
                        labels.add(str);
                    }
                    Object nl = m.get("numeric_labels");
                    cols.add(new Column(name, type, Transform.NONE, 0, 1, 0, 1, labels, Boolean.TRUE.equals(nl)));
                }
            }
            List<Dropped> drops = new ArrayList<>();
            for (Object o : JsonValues.list(root, "dropped", "table schema")) {
                Map<String, Object> m = JsonValues.map(o, "table schema dropped column");
                drops.add(new Dropped(JsonValues.string(m, "name", "dropped column"),
                        JsonValues.string(m, "reason", "dropped column")));
            }
            return new TableSchema(cols, drops);
        } catch (IOException e) {
            throw new IllegalArgumentException("table schema: not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    /**
     * {@return a summary for logs: {@code 12 columns (8 numeric, 2 binary, 2 categorical), encoded width 19; left out: id (ID-like)}}
     */
    public String describe() {
        int[] n = new int[3];
        for (Column c : columns) {
            n[c.type().ordinal()]++;
        }
        StringBuilder s = new StringBuilder(columns.size() + " columns (" + n[0] + " numeric, " + n[1] + " binary, "
                + n[2] + " categorical), encoded width " + width());
        if (!dropped.isEmpty()) {
            s.append("; left out:");
            for (Dropped d : dropped) {
                s.append(' ').append(d.name()).append(" (").append(d.reason()).append(')');
            }
        }
        return s.toString();
    }
}

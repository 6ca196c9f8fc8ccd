package org.vae4j.table;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Infers each column's type from the training rows and fits its preprocessing (docs/DATA.md,
 * "Tables"): the rules are applied to the non-missing cells of each column, in this order.
 * <ol>
 *   <li>a column whose type the schema file sets is that type, or left out if it says {@code drop};</li>
 *   <li>no value (every cell empty or NaN), or one value: left out (empty / constant);</li>
 *   <li>every cell a number: two values 0 and 1 is binary; every value a distinct integer, strictly
 *       increasing or decreasing down the file (a row number or key) is left out as ID-like;
 *       otherwise numeric;</li>
 *   <li>95% or more of the cells numbers (at least 20): an error naming the first cell that is not;</li>
 *   <li>otherwise (labels): two labels is binary; every label distinct (at least 20 rows) is left out
 *       as ID-like; more than {@code maxCategories} labels is an error naming the column; otherwise
 *       categorical with the labels sorted.</li>
 * </ol>
 * A numeric column gets the LOG transform when its skewness exceeds {@value #SKEW_LIMIT} in
 * absolute value and the log makes it smaller, unless the schema file sets the transform. Every
 * column left out is logged at INFO with its reason and kept in {@link TableSchema#dropped()}.
 * Immutable and thread-safe.
 */
public final class SchemaFitter {

    /** |skewness| above which a numeric column is log-transformed by default. */
    public static final double SKEW_LIMIT = 2.0;
    /** The most labels a categorical column may have by default. */
    public static final int DEFAULT_MAX_CATEGORIES = 100;
    /** Rows needed before an all-distinct label column counts as ID-like. */
    static final int ID_MIN_ROWS = 20;

    private static final Logger LOG = LoggerFactory.getLogger(SchemaFitter.class);

    /**
     * What a schema file says of one column: any of type, transform and drop (null = infer).
     *
     * @param type      the column's type, or {@code null} to infer it
     * @param transform a numeric column's transform, or {@code null} to choose it by skewness
     * @param drop      whether to leave the column out
     */
    public record Override(ColumnType type, Transform transform, boolean drop) {
    }

    private final Map<String, Override> overrides;
    private final int maxCategories;

    /**
     * A fitter with settings for some columns.
     *
     * @param overrides     column name to its settings (copied); columns not named are inferred
     * @param maxCategories the most labels a categorical column may have, &gt;= 2
     * @throws IllegalArgumentException for {@code maxCategories < 2}
     * @throws NullPointerException     for a null map, key or value
     */
    public SchemaFitter(Map<String, Override> overrides, int maxCategories) {
        if (maxCategories < 2) {
            throw new IllegalArgumentException("max categories must be >= 2, got " + maxCategories);
        }
        this.overrides = Map.copyOf(overrides);
        this.maxCategories = maxCategories;
    }

    /**
     * {@return this fitter with one column's settings changed: each non-null part of {@code o} (and
     * {@code drop} when true) replaces what the fitter had for that column (for command-line flags
     * on top of a schema file)}
     *
     * @param column the column's name
     * @param o      the settings to lay over the current ones
     */
    public SchemaFitter with(String column, Override o) {
        Map<String, Override> m = new LinkedHashMap<>(overrides);
        Override old = m.getOrDefault(column, new Override(null, null, false));
        m.put(column, new Override(o.type() != null ? o.type() : old.type(),
                o.transform() != null ? o.transform() : old.transform(), o.drop() || old.drop()));
        return new SchemaFitter(m, maxCategories);
    }

    /** {@return a fitter that infers every column, with {@link #DEFAULT_MAX_CATEGORIES}} */
    public static SchemaFitter defaults() {
        return new SchemaFitter(Map.of(), DEFAULT_MAX_CATEGORIES);
    }

    /**
     * Reads a schema file: {@code {"max_categories": 100, "columns": {"age": {"type": "numeric",
     * "transform": "log"}, "id": {"drop": true}}}}, every entry optional. {@code drop} is the JSON
     * {@code true} or {@code false}; {@code max_categories} a whole number from 2 to 2^31 - 1.
     *
     * @param file the schema file, UTF-8 JSON
     * @return a fitter with the file's column settings and {@code max_categories}
     * @throws TableFormatException     if the file is not valid JSON (the message names the file, the line and
     *                                  the column)
     * @throws IllegalArgumentException for an unknown key, a value of the wrong JSON type, an unknown type or
     *                                  transform, a {@code drop} other than true or false, or a
     *                                  {@code max_categories} that is not a whole number in [2, 2^31 - 1] (the
     *                                  message names the file, the key and the value)
     * @throws IOException              if the file cannot be read
     */
    public static SchemaFitter fromFile(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try (JsonParser p = new JsonFactory().createParser(text)) {
            Map<String, Object> root = JsonValues.readObject(p);
            Map<String, Override> o = new LinkedHashMap<>();
            int max = DEFAULT_MAX_CATEGORIES;
            for (String k : root.keySet()) {
                if (!k.equals("columns") && !k.equals("max_categories")) {
                    throw new IllegalArgumentException(file + ": unknown key \"" + k + "\" (expected columns, max_categories)");
                }
            }
            if (root.containsKey("max_categories")) {
                max = maxCategories(JsonValues.number(root, "max_categories", file.toString()), file);
            }
            if (root.containsKey("columns")) {
                Map<String, Object> cols = JsonValues.map(root.get("columns"), file + ": \"columns\"");
                for (Map.Entry<String, Object> e : cols.entrySet()) {
                    String where = file + ": column \"" + e.getKey() + "\"";
                    Map<String, Object> m = JsonValues.map(e.getValue(), where);
                    for (String k : m.keySet()) {
                        if (!Set.of("type", "transform", "drop").contains(k)) {
                            throw new IllegalArgumentException(where + ": unknown key \"" + k
                                    + "\" (expected type, transform, drop)");
                        }
                    }
                    ColumnType t = m.containsKey("type") ? ColumnType.parse(JsonValues.string(m, "type", where), where) : null;
                    Transform tr = m.containsKey("transform")
                            ? Transform.parse(JsonValues.string(m, "transform", where), where) : null;
                    o.put(e.getKey(), new Override(t, tr, m.containsKey("drop") && drop(m.get("drop"), where)));
                }
            }
            return new SchemaFitter(o, max);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            long line = at == null ? 0 : Math.max(0, at.getLineNr());
            String column = at == null || at.getColumnNr() < 1 ? "" : " at column " + at.getColumnNr();
            throw new TableFormatException(file, line, "not valid JSON" + column + ": " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(file.toString()) ? e : new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** {@code max_categories} of a schema file: a whole number in [2, 2^31 - 1]. */
    private static int maxCategories(double v, Path file) {
        if (v != Math.rint(v) || v < 2 || v > Integer.MAX_VALUE) {
            String shown = v == Math.rint(v) && Math.abs(v) < 1e18 ? Long.toString((long) v) : Double.toString(v);
            throw new IllegalArgumentException(file + ": \"max_categories\" must be a whole number from 2 to "
                    + Integer.MAX_VALUE + ", got " + shown);
        }
        return (int) v;
    }

    /** A column's {@code drop}: the JSON true or false, nothing else. */
    private static boolean drop(Object v, String where) {
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException(where + ": \"drop\" must be true or false, got "
                    + (v instanceof String s ? "\"" + s + "\"" : String.valueOf(v)));
        }
        return b;
    }

    /**
     * Fits the schema on the training rows.
     *
     * @param table the training rows
     * @return the modelled columns with their fitted preprocessing, and the columns left out
     * @throws TableFormatException for a column named in the schema file that the table lacks, a
     *                              numeric column with a non-number, a binary one without two values, too
     *                              many labels, or no column left to model
     */
    public TableSchema fit(CsvTable table) {
        for (String name : overrides.keySet()) {
            if (table.columnIndex(name) < 0) {
                throw new TableFormatException(table.file(), 1, "the schema names column \"" + name
                        + "\", which the header lacks");
            }
        }
        List<Column> cols = new ArrayList<>();
        List<TableSchema.Dropped> dropped = new ArrayList<>();
        for (int j = 0; j < table.header().length; j++) {
            String name = table.header()[j];
            Override o = overrides.getOrDefault(name, new Override(null, null, false));
            String reason = o.drop() ? "left out by the schema" : null;
            Column c = reason == null ? fitColumn(table, j, o, dropped) : null;
            if (reason != null) {
                dropped.add(new TableSchema.Dropped(name, reason));
            }
            if (c != null) {
                cols.add(c);
            }
        }
        for (TableSchema.Dropped d : dropped) {
            LOG.info("column \"{}\" is not modelled: {}", d.name(), d.reason());
        }
        if (cols.isEmpty()) {
            throw new TableFormatException(table.file(), 0, "no column is left to model (left out: " + dropped + ")");
        }
        return new TableSchema(cols, dropped);
    }

    private Column fitColumn(CsvTable t, int j, Override o, List<TableSchema.Dropped> dropped) {
        String name = t.header()[j];
        int n = t.size();
        List<String> cells = new ArrayList<>(n);
        long[] lines = new long[n];
        for (int r = 0; r < n; r++) {
            String cell = t.rows().get(r)[j];
            if (!Column.isMissing(cell)) {
                lines[cells.size()] = t.lines()[r];
                cells.add(cell.strip());
            }
        }
        if (cells.isEmpty()) {
            dropped.add(new TableSchema.Dropped(name, "every cell is empty"));
            return null;
        }
        double[] v = new double[cells.size()];
        int firstText = -1;
        for (int i = 0; i < v.length; i++) {
            v[i] = Column.parseNumber(cells.get(i));
            if (Double.isNaN(v[i]) && firstText < 0) {
                firstText = i;
            }
        }
        boolean numeric = firstText < 0;
        Set<String> distinct = new HashSet<>();
        for (String c : cells) {
            distinct.add(numeric ? Double.toString(Column.parseNumber(c)) : c);
        }
        ColumnType type = o.type();
        if (type == null) {
            if (distinct.size() == 1) {
                dropped.add(new TableSchema.Dropped(name, "constant (every cell is \"" + cells.get(0) + "\")"));
                return null;
            }
            if (numeric) {
                if (distinct.size() == 2 && distinct.contains("0.0") && distinct.contains("1.0")) {
                    type = ColumnType.BINARY;
                } else if (distinct.size() == v.length && idLike(v)) {
                    dropped.add(new TableSchema.Dropped(name, "ID-like (every value a distinct integer, in order)"));
                    return null;
                } else {
                    type = ColumnType.NUMERIC;
                }
            } else if (mostlyNumbers(v)) {
                throw new TableFormatException(t.file(), lines[firstText], TableFormatException.column(j, name)
                        + " looks numeric (" + countNumbers(v) + " of " + v.length + " cells are numbers), but \""
                        + CsvSource.shorten(cells.get(firstText)) + "\" is not a number (a missing value is an empty"
                        + " cell or NaN; to model the column as labels, set its type to categorical in a schema file)");
            } else if (distinct.size() == 2) {
                type = ColumnType.BINARY;
            } else if (distinct.size() == cells.size() && cells.size() >= ID_MIN_ROWS) {
                dropped.add(new TableSchema.Dropped(name, "ID-like (every label distinct)"));
                return null;
            } else {
                type = ColumnType.CATEGORICAL;
            }
        }
        switch (type) {
            case NUMERIC -> {
                if (!numeric) {
                    throw new TableFormatException(t.file(), lines[firstText], TableFormatException.column(j, name)
                            + " is numeric, but \"" + CsvSource.shorten(cells.get(firstText)) + "\" is not a number"
                            + " (a missing value is an empty cell or NaN)");
                }
                return fitNumeric(name, v, o.transform());
            }
            case BINARY -> {
                if (distinct.size() != 2) {
                    throw new TableFormatException(t.file(), 0, TableFormatException.column(j, name)
                            + " is binary, but the training rows have " + distinct.size() + " distinct values");
                }
                List<String> labels = new ArrayList<>(new TreeSet<>(numeric ? List.of() : distinct));
                if (numeric) {
                    double[] two = distinct.stream().mapToDouble(Double::parseDouble).sorted().toArray();
                    labels = List.of(plain(two[0]), plain(two[1]));
                }
                return new Column(name, type, Transform.NONE, 0, 1, 0, 1, labels, numeric);
            }
            default -> {
                if (distinct.size() > maxCategories) {
                    Set<String> seen = new HashSet<>();
                    int at = 0;
                    for (int i = 0; i < cells.size(); i++) {
                        if (seen.add(cells.get(i)) && seen.size() == maxCategories + 1) {
                            at = i;
                            break;
                        }
                    }
                    throw new TableFormatException(t.file(), lines[at], TableFormatException.column(j, name)
                            + " has more than " + maxCategories + " distinct labels (label " + (maxCategories + 1)
                            + " is \"" + CsvSource.shorten(cells.get(at)) + "\"): too many for a categorical column;"
                            + " raise max_categories or drop the column in a schema file");
                }
                TreeSet<String> sorted = new TreeSet<>(cells);
                return new Column(name, type, Transform.NONE, 0, 1, 0, 1, new ArrayList<>(sorted), false);
            }
        }
    }

    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /** At least 95% of the cells are numbers (and at least 20 of them): a stray label is a data error. */
    static boolean mostlyNumbers(double[] v) {
        int k = countNumbers(v);
        return k >= 20 && k >= 0.95 * v.length;
    }

    private static int countNumbers(double[] v) {
        int k = 0;
        for (double x : v) {
            k += Double.isNaN(x) ? 0 : 1;
        }
        return k;
    }

    /** Distinct integers, strictly monotone in file order. */
    static boolean idLike(double[] v) {
        if (v.length < 3) {
            return false;
        }
        boolean up = v[1] > v[0];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i])) {
                return false;
            }
            if (i > 0 && (up ? v[i] <= v[i - 1] : v[i] >= v[i - 1])) {
                return false;
            }
        }
        return true;
    }

    /** A numeric column fitted on its non-missing training values. */
    static Column fitNumeric(String name, double[] v, Transform forced) {
        double min = Arrays.stream(v).min().orElseThrow();
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i] - min;
        }
        double s = quantile(d, 0.5);
        if (!(s > 0)) {
            s = mean(d);
        }
        if (!(s > 0)) {
            s = 1;
        }
        Transform tr = forced;
        if (tr == null) {
            double skew = skewness(v);
            double[] logged = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                logged[i] = Transform.LOG.apply(v[i], min, s);
            }
            tr = Math.abs(skew) > SKEW_LIMIT && Math.abs(skewness(logged)) < Math.abs(skew) ? Transform.LOG : Transform.NONE;
        }
        double a = tr == Transform.LOG ? min : 0;
        double b = tr == Transform.LOG ? s : 1;
        double[] y = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            y[i] = tr.apply(v[i], a, b);
        }
        double center = mean(y);
        double scale = sd(y, center);
        if (tr == Transform.ROBUST) {
            center = quantile(y, 0.5);
            double iqr = (quantile(y, 0.75) - quantile(y, 0.25)) / 1.349;
            scale = iqr > 0 ? iqr : scale;
        }
        if (!(scale > 0) || !Double.isFinite(scale)) {
            scale = 1;
        }
        return new Column(name, ColumnType.NUMERIC, tr, a, b, center, scale, List.of(), false);
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    static double sd(double[] v, double mean) {
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return v.length > 1 ? Math.sqrt(s / (v.length - 1)) : 0;
    }

    /** Sample skewness (the third standardised moment); 0 for a constant. */
    static double skewness(double[] v) {
        double m = mean(v);
        double m2 = 0;
        double m3 = 0;
        for (double x : v) {
            double d = x - m;
            m2 += d * d;
            m3 += d * d * d;
        }
        m2 /= v.length;
        m3 /= v.length;
        return m2 > 0 ? m3 / Math.pow(m2, 1.5) : 0;
    }

    /**
     * {@return the q-quantile by linear interpolation between order statistics (NumPy's default)}
     *
     * @param v the values, not modified (sorted in a copy); at least one
     * @param q the quantile, in [0, 1]
     * @throws ArrayIndexOutOfBoundsException for an empty array
     */
    public static double quantile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    /** Unused-key guard for tests. */
    Map<String, Override> overrides() {
        return new HashMap<>(overrides);
    }
}

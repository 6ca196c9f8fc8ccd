package org.vae4j.table;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property: {@link TableSchema#fromJson}({@link TableSchema#toJson}) is the same schema — record
 * equality, which compares doubles bit for bit (-0.0 differs from 0.0) — for random columns of
 * every type with any finite parameters and names or labels of any characters (quotes,
 * backslashes, control characters, non-ASCII, surrogate pairs).
 */
class SchemaJsonPropertyTest {

    private static Arbitrary<String> text() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMinLength(0).ofMaxLength(12),
                Arbitraries.strings().withChars("\"\\/\n\t\u0000\u001f\u00e9\u4e2d,{}[]: ").ofMaxLength(8),
                Arbitraries.of("\uD83D\uDE00", "na\u00efve", "", "null", "1e5"));
    }

    private static Arbitrary<Double> finite() {
        return Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.longs().map(Double::longBitsToDouble)
                .filter(Double::isFinite), Arbitraries.of(0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, 1e-300, 5e-324));
    }

    private static Arbitrary<Column> columns() {
        Arbitrary<Column> numeric = Combinators.combine(text(), Arbitraries.of(Transform.values()), finite(), finite(),
                finite(), finite().map(Math::abs).filter(s -> s > 0))
                .as((name, t, a, b, center, scale) -> new Column(name, ColumnType.NUMERIC, t, a, b, center, scale,
                        List.of(), false));
        Arbitrary<Column> binary = Combinators.combine(text(), text(), text(), Arbitraries.of(true, false))
                .as((name, l0, l1, numericLabels) -> new Column(name, ColumnType.BINARY, Transform.NONE, 0, 1, 0, 1,
                        List.of(l0, l1), numericLabels));
        Arbitrary<Column> categorical = Combinators.combine(text(), text().list().ofMinSize(1).ofMaxSize(5),
                        Arbitraries.of(true, false))
                .as((name, labels, numericLabels) -> new Column(name, ColumnType.CATEGORICAL, Transform.NONE, 0, 1, 0, 1,
                        labels, numericLabels));
        return Arbitraries.oneOf(numeric, binary, categorical);
    }

    @Provide
    Arbitrary<TableSchema> schemas() {
        Arbitrary<TableSchema.Dropped> dropped = Combinators.combine(text(), text()).as(TableSchema.Dropped::new);
        return Combinators.combine(columns().list().ofMinSize(1).ofMaxSize(5), dropped.list().ofMaxSize(3))
                .as(TableSchema::new);
    }

    @Property(tries = 100)
    void jsonRoundTripGivesTheSameSchema(@ForAll("schemas") TableSchema schema) {
        String json = schema.toJson();
        assertEquals(schema, TableSchema.fromJson(json), json);
    }
}

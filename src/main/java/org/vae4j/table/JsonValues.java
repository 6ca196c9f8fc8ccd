package org.vae4j.table;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/** Small JSON trees (maps, lists, strings, doubles, booleans) read with jackson-core. Stateless. */
final class JsonValues {

    private JsonValues() {
    }

    /** Reads one object from the parser's start to its end; nothing may follow. */
    static Map<String, Object> readObject(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        Map<String, Object> m = readMap(p);
        if (p.nextToken() != null) {
            throw new IllegalArgumentException("content after the JSON object");
        }
        return m;
    }

    private static Map<String, Object> readMap(JsonParser p) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            p.nextToken();
            if (m.put(k, value(p)) != null) {
                throw new IllegalArgumentException("the key \"" + k + "\" appears twice");
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new IllegalArgumentException("unexpected " + t);
        }
        return m;
    }

    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        return switch (t) {
            case START_OBJECT -> readMap(p);
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                yield l;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalArgumentException("unexpected " + t);
        };
    }

    static List<?> list(Map<String, Object> m, String key, String where) {
        Object o = m.get(key);
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be a list, got " + o);
        }
        return l;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String where) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(where + " must be an object, got " + o);
        }
        return (Map<String, Object>) o;
    }

    static String string(Map<String, Object> m, String key, String where) {
        Object o = m.get(key);
        if (!(o instanceof String s)) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be a string, got " + o);
        }
        return s;
    }

    static double number(Map<String, Object> m, String key, String where) {
        Object o = m.get(key);
        if (!(o instanceof Double d) || !Double.isFinite(d)) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be a finite number, got " + o);
        }
        return d;
    }
}

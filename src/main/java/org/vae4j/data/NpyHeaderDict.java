package org.vae4j.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code .npy} header read as the Python literal dict it is (NumPy's {@code
 * ast.literal_eval}), not searched with patterns: keys are string literals, each at most once,
 * and exactly {@code descr}, {@code fortran_order} and {@code shape} (as NumPy requires); a key
 * that only appears inside another key's string value is not a key. Values are kept as their
 * literal text: a string's contents, or the source text of a tuple, list or name. Stateless
 * apart from the one parse; not thread-safe (use one per header).
 */
final class NpyHeaderDict {

    static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    private final String text;
    private final String name;
    private int pos;

    private NpyHeaderDict(String text, String name) {
        this.text = text;
        this.name = name;
    }

    /**
     * Parses {@code header} (stripped) into key → literal text, in order; a string value maps to
     * its contents without quotes.
     *
     * @throws IllegalArgumentException naming the file and what is wrong: not a dict literal, a
     *                                  duplicate key, a missing or an unexpected key
     */
    static Map<String, String> parse(String header, String name) {
        NpyHeaderDict p = new NpyHeaderDict(header, name);
        Map<String, String> map = p.dict();
        if (!map.keySet().equals(KEYS)) {
            Set<String> missing = new TreeSet<>(KEYS);
            missing.removeAll(map.keySet());
            Set<String> extra = new TreeSet<>(map.keySet());
            extra.removeAll(KEYS);
            throw new IllegalArgumentException(name + ": .npy header must have exactly the keys 'descr', "
                    + "'fortran_order' and 'shape'" + (missing.isEmpty() ? "" : "; missing " + missing)
                    + (extra.isEmpty() ? "" : "; unexpected " + extra));
        }
        return map;
    }

    private Map<String, String> dict() {
        Map<String, String> map = new LinkedHashMap<>();
        skipSpace();
        expect('{');
        while (true) {
            skipSpace();
            if (peek() == '}') {
                pos++;
                break;
            }
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            String value = value();
            if (map.put(key, value) != null) {
                throw error("duplicate key '" + key + "'");
            }
            skipSpace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c != '}') {
                throw error("expected ',' or '}' at offset " + pos);
            }
        }
        skipSpace();
        if (pos != text.length()) {
            throw error("text after the closing '}' at offset " + pos);
        }
        return map;
    }

    private String value() {
        char c = peek();
        if (c == '\'' || c == '"') {
            return string();
        }
        int start = pos;
        if (c == '(' || c == '[') {
            int depth = 0;
            while (pos < text.length()) {
                char d = text.charAt(pos);
                if (d == '\'' || d == '"') {
                    string();
                    continue;
                }
                pos++;
                if (d == '(' || d == '[') {
                    depth++;
                } else if (d == ')' || d == ']') {
                    if (--depth == 0) {
                        return text.substring(start, pos);
                    }
                }
            }
            throw error("unclosed '" + c + "' at offset " + start);
        }
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        if (pos == start) {
            throw error("expected a value at offset " + pos);
        }
        return text.substring(start, pos);
    }

    private String string() {
        char quote = peek();
        if (quote != '\'' && quote != '"') {
            throw error("expected a string literal at offset " + pos);
        }
        int start = ++pos;
        while (pos < text.length() && text.charAt(pos) != quote) {
            if (text.charAt(pos) == '\\') {
                throw error("escapes in string literals are not supported (offset " + pos + ")");
            }
            pos++;
        }
        if (pos >= text.length()) {
            throw error("unclosed string literal at offset " + (start - 1));
        }
        return text.substring(start, pos++);
    }

    private char peek() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(pos);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "' at offset " + pos);
        }
        pos++;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String what) {
        String shown = text.length() <= 120 ? text : text.substring(0, 117) + "...";
        return new IllegalArgumentException(name + ": .npy header is not a Python dict literal: " + what + ": " + shown);
    }
}

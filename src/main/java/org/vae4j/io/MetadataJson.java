package org.vae4j.io;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import org.vae4j.train.EpochStats;

/**
 * The structured metadata values, JSON-encoded into strings (safetensors metadata holds strings
 * only): layer widths and the training history. Parsing treats the text as hostile. Stateless;
 * thread-safe.
 */
final class MetadataJson {

    /** The most layers a width list may name. */
    static final int MAX_LAYERS = 1000;

    /** The fields of one epoch in the history, in {@link EpochStats}'s order. */
    private static final List<String> HISTORY_FIELDS = List.of("epoch", "train_loss", "reconstruction", "kl", "beta",
            "steps", "examples", "seconds");

    private MetadataJson() {
    }

    /** {@code [512, 256]}. */
    static String intArray(int[] values) {
        StringWriter s = new StringWriter();
        try (JsonGenerator g = SafeTensorsHeader.json().createGenerator(s)) {
            g.writeArray(values, 0, values.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }

    /**
     * Parses a JSON array of 1 to {@link #MAX_LAYERS} positive ints.
     *
     * @param key names the value in errors
     */
    static int[] parseWidths(String text, String key, Path file) throws ModelFileException {
        List<Integer> values = new ArrayList<>();
        try (JsonParser p = SafeTensorsHeader.json().createParser(text)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw bad(file, key, text, "not a JSON array");
            }
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                        || p.getIntValue() <= 0) {
                    throw bad(file, key, text, "entries must be positive integers");
                }
                if (values.size() == MAX_LAYERS) {
                    throw bad(file, key, text, "more than " + MAX_LAYERS + " layers");
                }
                values.add(p.getIntValue());
            }
            if (p.nextToken() != null) {
                throw bad(file, key, text, "content after the array");
            }
        } catch (JsonProcessingException e) {
            throw bad(file, key, text, "not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (ModelFileException e) {
            throw e;
        } catch (IOException e) {
            throw bad(file, key, text, e.toString());
        }
        if (values.isEmpty()) {
            throw bad(file, key, text, "at least one layer is needed");
        }
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    /** One object per epoch, with the fields of {@link EpochStats} in snake case. */
    static String history(List<EpochStats> history) {
        StringWriter s = new StringWriter();
        try (JsonGenerator g = SafeTensorsHeader.json().createGenerator(s)) {
            g.writeStartArray();
            for (EpochStats e : history) {
                g.writeStartObject();
                g.writeNumberField("epoch", e.epoch());
                g.writeNumberField("train_loss", e.trainLoss());
                g.writeNumberField("reconstruction", e.reconstruction());
                g.writeNumberField("kl", e.kl());
                g.writeNumberField("beta", e.beta());
                g.writeNumberField("steps", e.steps());
                g.writeNumberField("examples", e.examples());
                g.writeNumberField("seconds", e.seconds());
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }

    /** Parses {@link #history}'s output; unknown fields are skipped, missing ones are an error. */
    static List<EpochStats> parseHistory(String text, String key, Path file) throws ModelFileException {
        List<EpochStats> out = new ArrayList<>();
        try (JsonParser p = SafeTensorsHeader.json().createParser(text)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw bad(file, key, text, "not a JSON array");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                double[] v = new double[HISTORY_FIELDS.size()];
                boolean[] seen = new boolean[HISTORY_FIELDS.size()];
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    int i = HISTORY_FIELDS.indexOf(p.currentName());
                    JsonToken t = p.nextToken();
                    if (i < 0) {
                        p.skipChildren();
                        continue;
                    }
                    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                        v[i] = p.getDoubleValue();
                    } else if (t == JsonToken.VALUE_STRING) {
                        v[i] = parseNonFinite(p.getText(), file, key);
                    } else {
                        throw bad(file, key, text, "epoch " + (out.size() + 1) + ": field "
                                + p.currentName() + " is not a number");
                    }
                    seen[i] = true;
                }
                for (int i = 0; i < seen.length; i++) {
                    if (!seen[i]) {
                        throw bad(file, key, text, "epoch " + (out.size() + 1) + " lacks " + HISTORY_FIELDS.get(i));
                    }
                }
                out.add(new EpochStats((int) v[0], v[1], v[2], v[3], v[4], (long) v[5], (long) v[6], v[7]));
            }
            if (p.currentToken() != JsonToken.END_ARRAY || p.nextToken() != null) {
                throw bad(file, key, text, "entries must be JSON objects");
            }
        } catch (JsonProcessingException e) {
            throw bad(file, key, text, "not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (ModelFileException e) {
            throw e;
        } catch (IOException e) {
            throw bad(file, key, text, e.toString());
        }
        return out;
    }

    /** Jackson writes NaN and infinities as the strings "NaN", "Infinity", "-Infinity". */
    private static double parseNonFinite(String s, Path file, String key) throws ModelFileException {
        switch (s) {
            case "NaN":
                return Double.NaN;
            case "Infinity":
                return Double.POSITIVE_INFINITY;
            case "-Infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                throw new ModelFileException(file, "metadata " + key + ": '" + abbreviate(s) + "' is not a number");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static ModelFileException bad(Path file, String key, String text, String problem) {
        return new ModelFileException(file, "metadata " + key + " = '" + abbreviate(text) + "': " + problem);
    }
}

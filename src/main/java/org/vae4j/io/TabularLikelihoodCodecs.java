package org.vae4j.io;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import org.vae4j.loss.CategoricalLikelihood;
import org.vae4j.loss.CompositeLikelihood;
import org.vae4j.loss.LearnedGaussianLikelihood;
import org.vae4j.loss.Likelihood;

/**
 * The built-in codecs of the table likelihoods: {@code gaussian-learned} and
 * {@code gaussian-heteroscedastic} ({@link LearnedGaussianLikelihood}: its columns and
 * log-variance bound; the per-column log-variance is a tensor, stored as a parameter),
 * {@code categorical} ({@link CategoricalLikelihood}: its categories) and {@code composite}
 * ({@link CompositeLikelihood}: its spans as JSON in {@code vae4j.likelihood_spans}, each with
 * its start, width, likelihood name and that likelihood's own entries). Stateless; thread-safe.
 */
final class TabularLikelihoodCodecs {

    static final String COLUMNS = ModelFiles.PREFIX + "likelihood_columns";
    static final String LOG_VAR_BOUND = ModelFiles.PREFIX + "likelihood_log_var_bound";
    static final String CATEGORIES = ModelFiles.PREFIX + "likelihood_categories";
    static final String SPANS = ModelFiles.PREFIX + "likelihood_spans";
    /** The most spans a file may declare. */
    static final int MAX_SPANS = 1 << 16;

    private TabularLikelihoodCodecs() {
    }

    static List<LikelihoodCodec> all() {
        return List.of(new LearnedGaussian(false), new LearnedGaussian(true), new Categorical(), new Composite());
    }

    private static final class LearnedGaussian implements LikelihoodCodec {
        private final boolean heteroscedastic;

        LearnedGaussian(boolean heteroscedastic) {
            this.heteroscedastic = heteroscedastic;
        }

        @Override
        public String name() {
            return heteroscedastic ? "gaussian-heteroscedastic" : "gaussian-learned";
        }

        @Override
        public boolean handles(Likelihood l) {
            return l instanceof LearnedGaussianLikelihood g && g.isHeteroscedastic() == heteroscedastic;
        }

        @Override
        public void write(Likelihood l, Map<String, String> metadata) {
            LearnedGaussianLikelihood g = (LearnedGaussianLikelihood) l;
            metadata.put(COLUMNS, Integer.toString(g.columns()));
            metadata.put(LOG_VAR_BOUND, Double.toString(g.logVarBound()));
        }

        @Override
        public Likelihood read(ModelHeader header) throws ModelFileException {
            int columns = header.positiveInt(COLUMNS);
            double bound = header.number(LOG_VAR_BOUND);
            if (!(bound > 0) || !(bound <= 30)) {
                throw header.error("metadata " + LOG_VAR_BOUND + " = " + bound + ": must be in (0, 30]");
            }
            if (heteroscedastic) {
                return LearnedGaussianLikelihood.heteroscedastic(columns, bound);
            }
            header.checkFits("gaussian-learned likelihood of " + columns + " columns", columns, new long[] {1, columns});
            return LearnedGaussianLikelihood.perColumn(columns, bound);
        }
    }

    private static final class Categorical implements LikelihoodCodec {
        @Override
        public String name() {
            return "categorical";
        }

        @Override
        public boolean handles(Likelihood l) {
            return l instanceof CategoricalLikelihood;
        }

        @Override
        public void write(Likelihood l, Map<String, String> metadata) {
            metadata.put(CATEGORIES, Integer.toString(((CategoricalLikelihood) l).categories()));
        }

        @Override
        public Likelihood read(ModelHeader header) throws ModelFileException {
            int k = header.positiveInt(CATEGORIES);
            if (k < 2) {
                throw header.error("metadata " + CATEGORIES + " = " + k + ": a categorical column needs at least 2");
            }
            return new CategoricalLikelihood(k);
        }
    }

    private static final class Composite implements LikelihoodCodec {
        @Override
        public String name() {
            return "composite";
        }

        @Override
        public boolean handles(Likelihood l) {
            return l instanceof CompositeLikelihood;
        }

        @Override
        public void write(Likelihood l, Map<String, String> metadata) {
            StringWriter s = new StringWriter();
            try (JsonGenerator g = SafeTensorsHeader.json().createGenerator(s)) {
                g.writeStartArray();
                for (CompositeLikelihood.Span span : ((CompositeLikelihood) l).spans()) {
                    if (span.likelihood() instanceof CompositeLikelihood) {
                        throw new IllegalArgumentException("model files do not store a composite likelihood inside "
                                + "another: flatten its spans into one");
                    }
                    Map<String, String> own = new LinkedHashMap<>();
                    LikelihoodCodecs.write(span.likelihood(), own);
                    String name = own.remove(LikelihoodCodecs.LIKELIHOOD);
                    g.writeStartObject();
                    g.writeNumberField("start", span.start());
                    g.writeNumberField("width", span.width());
                    g.writeStringField("likelihood", name);
                    g.writeObjectFieldStart("entries");
                    for (Map.Entry<String, String> e : own.entrySet()) {
                        g.writeStringField(e.getKey(), e.getValue());
                    }
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            metadata.put(SPANS, s.toString());
        }

        @Override
        public Likelihood read(ModelHeader header) throws ModelFileException {
            String text = header.require(SPANS);
            List<CompositeLikelihood.Span> spans = new ArrayList<>();
            try (JsonParser p = SafeTensorsHeader.json().createParser(text)) {
                if (p.nextToken() != JsonToken.START_ARRAY) {
                    throw bad(header, "not a JSON array");
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    if (spans.size() == MAX_SPANS) {
                        throw bad(header, "more than " + MAX_SPANS + " spans");
                    }
                    spans.add(span(p, header, spans.size()));
                }
                if (p.currentToken() != JsonToken.END_ARRAY) {
                    throw bad(header, "each span must be a JSON object");
                }
                if (p.nextToken() != null) {
                    throw bad(header, "content after the array");
                }
            } catch (JsonProcessingException e) {
                throw bad(header, "not valid JSON (" + e.getOriginalMessage() + ")");
            } catch (ModelFileException e) {
                throw e;
            } catch (IOException e) {
                throw bad(header, e.toString());
            }
            try {
                return new CompositeLikelihood(spans);
            } catch (IllegalArgumentException e) {
                throw bad(header, e.getMessage());
            }
        }

        /** One span object; the parser is at its START_OBJECT and is left at its END_OBJECT. */
        private static CompositeLikelihood.Span span(JsonParser p, ModelHeader header, int k)
                throws IOException, ModelFileException {
            Integer start = null;
            Integer width = null;
            String name = null;
            Map<String, String> entries = new LinkedHashMap<>();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                t = p.nextToken();
                switch (field) {
                    case "start", "width" -> {
                        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                                || p.getIntValue() < 0) {
                            throw bad(header, "span " + k + ": " + field + " must be a non-negative int");
                        }
                        if (field.equals("start")) {
                            start = p.getIntValue();
                        } else {
                            width = p.getIntValue();
                        }
                    }
                    case "likelihood" -> {
                        if (t != JsonToken.VALUE_STRING) {
                            throw bad(header, "span " + k + ": likelihood must be a string");
                        }
                        name = p.getText();
                    }
                    case "entries" -> {
                        if (t != JsonToken.START_OBJECT) {
                            throw bad(header, "span " + k + ": entries must be an object of strings");
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String key = p.currentName();
                            if (p.nextToken() != JsonToken.VALUE_STRING) {
                                throw bad(header, "span " + k + ": entry " + key + " must be a string");
                            }
                            if (key.equals(LikelihoodCodecs.LIKELIHOOD) || key.equals(SPANS)) {
                                throw bad(header, "span " + k + ": entry " + key + " is not allowed in a span");
                            }
                            entries.put(key, p.getText());
                        }
                    }
                    default -> throw bad(header, "span " + k + ": unknown field '" + field + "'");
                }
            }
            if (t != JsonToken.END_OBJECT || start == null || width == null || name == null) {
                throw bad(header, "span " + k + " needs start, width and likelihood");
            }
            if (name.equals("composite")) {
                throw bad(header, "span " + k + ": a composite likelihood inside another is not stored");
            }
            entries.put(LikelihoodCodecs.LIKELIHOOD, name);
            Likelihood l = LikelihoodCodecs.read(new ModelHeader(entries, header.tensors(), header.file()));
            try {
                return new CompositeLikelihood.Span(start, width, l);
            } catch (IllegalArgumentException e) {
                throw bad(header, "span " + k + ": " + e.getMessage());
            }
        }

        private static ModelFileException bad(ModelHeader header, String problem) {
            return header.error("metadata " + SPANS + ": " + problem);
        }
    }
}

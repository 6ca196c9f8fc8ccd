package org.vae4j.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import org.vae4j.loss.BernoulliLikelihood;
import org.vae4j.loss.GaussianLikelihood;
import org.vae4j.loss.Likelihood;

/**
 * The {@link LikelihoodCodec}s model codecs name likelihoods with: the built-in
 * {@code bernoulli}, {@code squared-error}, {@code gaussian}, and the table likelihoods
 * {@code gaussian-learned}, {@code gaussian-heteroscedastic}, {@code categorical} and
 * {@code composite} ({@link TabularLikelihoodCodecs}), then those in
 * {@code META-INF/services/org.vae4j.io.LikelihoodCodec}, then those given to {@link #register}.
 * A likelihood is named by the first codec that {@link LikelihoodCodec#handles handles} it.
 * Thread-safe.
 */
public final class LikelihoodCodecs {

    /** The metadata key naming the likelihood. */
    public static final String LIKELIHOOD = ModelFiles.PREFIX + "likelihood";
    static final String LIKELIHOOD_VARIANCE = ModelFiles.PREFIX + "likelihood_variance";
    static final String LIKELIHOOD_CONSTANT = ModelFiles.PREFIX + "likelihood_constant";

    private static final CodecRegistry<LikelihoodCodec> REGISTRY = new CodecRegistry<>(LikelihoodCodec.class,
            LikelihoodCodec::name, LikelihoodCodecs::builtIns);

    private static List<LikelihoodCodec> builtIns() {
        List<LikelihoodCodec> all = new ArrayList<>(List.of(new Bernoulli(), new SquaredError(), new Gaussian()));
        all.addAll(TabularLikelihoodCodecs.all());
        return all;
    }

    private LikelihoodCodecs() {
    }

    /**
     * Registers a codec for a new likelihood name, for every model file written or read afterwards in this JVM.
     *
     * @param codec the codec, with a non-blank {@link LikelihoodCodec#name()}
     * @throws IllegalArgumentException for a null codec, a blank name, or a name that already has a codec
     */
    public static void register(LikelihoodCodec codec) {
        REGISTRY.register(codec);
    }

    /**
     * {@return the codec of a name, if one is registered}
     *
     * @param name a {@code vae4j.likelihood} value, e.g. {@code bernoulli}
     */
    public static Optional<LikelihoodCodec> forName(String name) {
        return REGISTRY.get(name);
    }

    /**
     * Writes {@code vae4j.likelihood} and the likelihood's own entries.
     *
     * @param likelihood the model's likelihood
     * @param metadata   the file's metadata, added to
     * @throws IllegalArgumentException when it is null or no registered codec handles it
     */
    public static void write(Likelihood likelihood, Map<String, String> metadata) {
        LikelihoodCodec c = codecFor(likelihood);
        metadata.put(LIKELIHOOD, c.name());
        c.write(likelihood, metadata);
    }

    /**
     * {@return the name a likelihood is stored under (e.g. {@code squared-error})}
     *
     * @param likelihood the likelihood
     * @throws IllegalArgumentException when it is null or no registered codec handles it
     */
    public static String name(Likelihood likelihood) {
        return codecFor(likelihood).name();
    }

    /**
     * {@return the likelihood a file names in {@code vae4j.likelihood}}
     *
     * @param header the file's header
     * @throws ModelFileException if the entry is missing, names no registered codec, or the codec's entries are
     *                            malformed (the message names the file)
     */
    public static Likelihood read(ModelHeader header) throws ModelFileException {
        String name = header.require(LIKELIHOOD);
        Optional<LikelihoodCodec> c = forName(name);
        if (c.isEmpty()) {
            throw header.error("metadata " + LIKELIHOOD + " = '" + name + "': expected " + names()
                    + " (register a LikelihoodCodec for another, with LikelihoodCodecs.register or in "
                    + "META-INF/services/" + LikelihoodCodec.class.getName() + ")");
        }
        return c.get().read(header);
    }

    private static LikelihoodCodec codecFor(Likelihood likelihood) {
        for (LikelihoodCodec c : REGISTRY.all()) {
            if (likelihood != null && c.handles(likelihood)) {
                return c;
            }
        }
        throw new IllegalArgumentException("model files know the " + names()
                + " likelihood, got " + (likelihood == null ? "null"
                : likelihood.describe() + " (" + likelihood.getClass().getName() + ")")
                + ": register a LikelihoodCodec for it (LikelihoodCodecs.register or META-INF/services/"
                + LikelihoodCodec.class.getName() + ")");
    }

    /** {@code bernoulli, gaussian or squared-error} (the built-ins, sorted), then the registered others. */
    private static String names() {
        List<String> sorted = new ArrayList<>(new TreeSet<>(REGISTRY.builtInNames()));
        String s = String.join(", ", sorted.subList(0, sorted.size() - 1)) + " or " + sorted.get(sorted.size() - 1);
        List<String> others = REGISTRY.otherNames();
        return others.isEmpty() ? s : s + ", or a registered one (" + String.join(", ", others) + ")";
    }

    private static boolean isSquaredError(Likelihood l) {
        return l instanceof GaussianLikelihood g && g.variance() == 0.5 && !g.includesConstant();
    }

    private static final class Bernoulli implements LikelihoodCodec {
        @Override
        public String name() {
            return "bernoulli";
        }

        @Override
        public boolean handles(Likelihood l) {
            return l instanceof BernoulliLikelihood;
        }

        @Override
        public Likelihood read(ModelHeader header) {
            return BernoulliLikelihood.INSTANCE;
        }
    }

    private static final class SquaredError implements LikelihoodCodec {
        @Override
        public String name() {
            return "squared-error";
        }

        @Override
        public boolean handles(Likelihood l) {
            return isSquaredError(l);
        }

        @Override
        public Likelihood read(ModelHeader header) {
            return GaussianLikelihood.squaredError();
        }
    }

    private static final class Gaussian implements LikelihoodCodec {
        @Override
        public String name() {
            return "gaussian";
        }

        @Override
        public boolean handles(Likelihood l) {
            return l instanceof GaussianLikelihood;
        }

        @Override
        public void write(Likelihood l, Map<String, String> metadata) {
            GaussianLikelihood g = (GaussianLikelihood) l;
            metadata.put(LIKELIHOOD_VARIANCE, Double.toString(g.variance()));
            metadata.put(LIKELIHOOD_CONSTANT, Boolean.toString(g.includesConstant()));
        }

        @Override
        public Likelihood read(ModelHeader header) throws ModelFileException {
            double variance = header.number(LIKELIHOOD_VARIANCE);
            // the float32 training path divides by it: a subnormal or tiny variance (1e-320) passes
            // "positive" but makes 1/variance infinite
            if (!(variance >= Float.MIN_NORMAL) || !(variance <= Float.MAX_VALUE)) {
                throw header.error("metadata " + LIKELIHOOD_VARIANCE + " = " + variance
                        + ": must be positive, finite and a normal float32 (" + Float.MIN_NORMAL + " to "
                        + Float.MAX_VALUE + ")");
            }
            return new GaussianLikelihood(variance, header.bool(LIKELIHOOD_CONSTANT));
        }
    }
}

package org.vae4j.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;

import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Activation;

/**
 * What a {@link ModelCodec} sees of a file before any tensor value is read: its metadata and its
 * tensors' names, dtypes and shapes. The typed getters read the architecture entries a codec
 * wrote and fail with a {@link ModelFileException} that names the file, the key and the problem
 * (the text is treated as hostile). Immutable and thread-safe as long as the maps given to the
 * constructor are not modified (they are wrapped, not copied).
 */
public final class ModelHeader {

    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors;
    private final Path file;

    /**
     * A header over the given maps, wrapped unmodifiable (not copied).
     *
     * @param metadata the file's {@code __metadata__} entries
     * @param tensors  the file's tensors by name
     * @param file     names the file in errors
     * @throws NullPointerException for a null map
     */
    public ModelHeader(Map<String, String> metadata, Map<String, TensorInfo> tensors, Path file) {
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
        this.file = file;
    }

    /** {@return the metadata entries, unmodifiable} */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** {@return the tensors by name (shapes and dtypes; no values), unmodifiable} */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** {@return the file, as given to the constructor (may be null)} */
    public Path file() {
        return file;
    }

    /**
     * {@return whether the metadata has {@code key}}
     *
     * @param key the metadata key
     */
    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    /**
     * {@return an error about this file, to throw: its message is the file, a colon and {@code problem}}
     *
     * @param problem what is wrong, e.g. {@code metadata vae4j.latent_size = 0: must be positive}
     */
    public ModelFileException error(String problem) {
        return new ModelFileException(file, problem);
    }

    /**
     * {@return the value of {@code key}, as written}
     *
     * @param key the metadata key, e.g. {@code vae4j.hidden_sizes}
     * @throws ModelFileException if the entry is missing (the message names the file and the key)
     */
    public String require(String key) throws ModelFileException {
        return Architecture.require(metadata, key, file);
    }

    /**
     * {@return an integer entry in [1, Integer.MAX_VALUE]}
     *
     * @param key the metadata key, e.g. {@code vae4j.hidden_sizes}
     * @throws ModelFileException if the entry is missing, not an integer or out of range (the message names the
     *                            file and the key)
     */
    public int positiveInt(String key) throws ModelFileException {
        long v = ModelFiles.parseLong(metadata, key, file);
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw error("metadata " + key + " = " + v + ": must be a positive int");
        }
        return (int) v;
    }

    /**
     * {@return a floating-point entry (any double, including non-finite ones: check the range)}
     *
     * @param key the metadata key, e.g. {@code vae4j.hidden_sizes}
     * @throws ModelFileException if the entry is missing or not a number (the message names the file and the key)
     */
    public double number(String key) throws ModelFileException {
        return ModelFiles.parseDouble(metadata, key, file);
    }

    /**
     * {@return the entry {@code true} or {@code false}, spelt exactly so}
     *
     * @param key the metadata key, e.g. {@code vae4j.hidden_sizes}
     * @throws ModelFileException if the entry is missing or another text (the message names the file and the key)
     */
    public boolean bool(String key) throws ModelFileException {
        String s = require(key);
        if (!s.equals("true") && !s.equals("false")) {
            throw error("metadata " + key + " = '" + s + "': expected true or false");
        }
        return s.equals("true");
    }

    /**
     * {@return a JSON array of 1 to 1000 positive ints, e.g. {@code [512, 256]}}
     *
     * @param key the metadata key, e.g. {@code vae4j.hidden_sizes}
     * @throws ModelFileException if the entry is missing or malformed (the message names the file and the key)
     */
    public int[] widths(String key) throws ModelFileException {
        return MetadataJson.parseWidths(require(key), key, file);
    }

    /**
     * {@return an activation by its lower-case name ({@code relu}, {@code leaky_relu}, ...)}
     *
     * @param key the metadata key, e.g. {@code vae4j.hidden_sizes}
     * @throws ModelFileException if the entry is missing or names no activation (the message names the file, the
     *                            key and the names expected)
     */
    public Activation activation(String key) throws ModelFileException {
        String name = require(key);
        for (Activation a : Activation.values()) {
            if (activationName(a).equals(name)) {
                return a;
            }
        }
        throw error("metadata " + key + " = '" + name + "': expected one of "
                + Arrays.stream(Activation.values()).map(ModelHeader::activationName).toList());
    }

    /**
     * {@return the likelihood named by {@code vae4j.likelihood}, read by its {@link LikelihoodCodec}}
     *
     * @throws ModelFileException if the entry is missing, names no registered codec, or the codec's entries are
     *                            malformed (the message names the file and the key)
     */
    public Likelihood likelihood() throws ModelFileException {
        return LikelihoodCodecs.read(this);
    }

    /**
     * {@return the metadata spelling of an activation: its constant's name in lower case, {@code relu},
     * {@code leaky_relu}, ...}
     *
     * @param a the activation
     */
    public static String activationName(Activation a) {
        return a.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * {@return the number of float values the file's parameter tensors hold (optimiser tensors excluded)}
     */
    public long storedValues() {
        long n = 0;
        for (TensorInfo t : tensors.values()) {
            if (!t.name().startsWith(OptimizerFiles.TENSOR_PREFIX)) {
                n = saturatingAdd(n, t.numel());
            }
        }
        return n;
    }

    /**
     * The guard a codec calls before allocating a model whose size it computed from the metadata:
     * a file cannot hold a model much bigger than its tensors, so a hostile or mistaken width is
     * an error here, not an {@link OutOfMemoryError}. A model up to twice the file's values (plus
     * {@link #ALLOWANCE}) passes, so that an ordinary mismatch (a missing or mis-shaped tensor)
     * gets the loader's precise message about that tensor.
     *
     * @param what       the declared model, e.g. {@code VAE 12-8-(3)-8-12 relu bernoulli}
     * @param parameters its number of scalars (saturated at Long.MAX_VALUE)
     * @param largest    the shape of its largest tensor, for the message
     * @throws ModelFileException when {@code parameters} exceeds the bound
     */
    public void checkFits(String what, long parameters, long[] largest) throws ModelFileException {
        long stored = storedValues();
        if (parameters > saturatingAdd(saturatingMultiply(2, stored), ALLOWANCE)) {
            throw error("the " + what + " declared by the metadata needs " + Arrays.toString(largest)
                    + " for its largest tensor and " + parameters + " values in all, but the file's tensors hold "
                    + stored);
        }
    }

    /** The number of values by which a declared model may exceed twice the file's (see {@link #checkFits}). */
    public static final long ALLOWANCE = 1L << 20;

    /**
     * {@return a + b, or Long.MAX_VALUE on overflow (for non-negative operands)}: to count a declared model's
     * parameters for {@link #checkFits}.
     *
     * @param a a count, &gt;= 0
     * @param b a count, &gt;= 0
     */
    public static long saturatingAdd(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /**
     * {@return a * b, or Long.MAX_VALUE on overflow (for non-negative operands)}: to count a declared model's
     * parameters for {@link #checkFits}.
     *
     * @param a a count, &gt;= 0
     * @param b a count, &gt;= 0
     */
    public static long saturatingMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }
}

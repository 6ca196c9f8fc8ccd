package org.vae4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.UnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vae4j.Autoencoder;
import org.vae4j.LatentModel;
import org.vae4j.Vae;
import org.vae4j.nn.Parameter;
import org.vae4j.optim.Adam;
import org.vae4j.optim.Optimizer;
import org.vae4j.optim.Sgd;

/**
 * Saves and loads models of any {@link LatentModel#kind() kind} that has a {@link ModelCodec}
 * ({@link Vae} and {@link Autoencoder} built in; see {@link ModelCodecs} to add one), and training
 * checkpoints, as safetensors files that PyTorch reads and writes too.
 *
 * <p><b>Tensors.</b> Each parameter is stored under its {@link Parameter#name()}, composed by the
 * model's modules as PyTorch composes {@code state_dict} names ({@code fc1, fc_mu, fc_logvar, fc3,
 * fc4} for the seed's one-hidden-layer VAE; {@code encoder.N} / {@code decoder.N} as
 * {@code nn.Sequential} names them otherwise), with PyTorch's shapes: weights (out, in), biases
 * (out). So {@code module.load_state_dict(safetensors.torch.load_file(path))} accepts a vae4j file.
 *
 * <p><b>Metadata.</b> The model kind ({@code vae4j.model}) and the architecture entries its codec
 * writes (widths, activations, likelihood), and when given the training settings and history, as
 * {@code vae4j.*} string entries, plus {@code format = pt}: a loaded model needs no other file.
 * The keys are listed in docs/MODEL_FILES.md.
 *
 * <p><b>Integrity.</b> A saved file records the SHA-256 of its whole content ({@code vae4j.sha256}:
 * the metadata and tensor table in a canonical form, then the data, see docs/MODEL_FILES.md,
 * "Integrity") and, as before, of its data section ({@code vae4j.data_sha256}); with a
 * {@link FileKey}, also an HMAC-SHA256. Loading checks them before anything else, so an edited
 * architecture entry, likelihood or training counter, a renamed tensor or a flipped data bit is an
 * error naming the file. An unkeyed digest is an integrity check, not protection against someone
 * who edits the file on purpose (they can recompute it); the keyed one is. Files written before
 * the whole-file digest (e.g. by 5b9f97e) load with a warning that their metadata is not covered;
 * files without vae4j metadata (from PyTorch) carry no digest.
 *
 * <p><b>Files from PyTorch.</b> A file without vae4j metadata is offered to each registered codec
 * to recognise from its tensor names and shapes (see docs/MODEL_FILES.md): {@code
 * fc1/fc_mu/fc_logvar/fc3/fc4} gives the seed's ReLU Bernoulli VAE,
 * {@code encoder.N/fc_mu/fc_logvar/decoder.N} a deeper one, {@code encoder.N/decoder.N} a ReLU
 * autoencoder with a linear code and a sigmoid output. For other activations build the model and
 * use {@link #loadInto}.
 *
 * <p><b>Checks.</b> Loading validates the file's header (see {@link SafeTensors}), checks its digests, has the codec
 * build the model with throw-away weights (a declared model bigger than the file's tensors is
 * refused before it is allocated), checks every tensor name, dtype and shape against the model's
 * parameters, then reads the values and checks they are finite, and only then
 * copies them: a corrupt, hostile or mismatched file gets a {@link ModelFileException} whose
 * message names the file and the problem, never an {@link OutOfMemoryError} or a half-loaded
 * model. Saving is atomic.
 *
 * <p>Stateless; thread-safe, provided no other thread changes a model while it is saved.
 */
public final class ModelFiles {

    /** The prefix of every metadata key vae4j writes (plus {@code format}). */
    public static final String PREFIX = "vae4j.";
    /** The version of the metadata layout this class writes; it reads this version and older. */
    public static final int FORMAT_VERSION = 1;

    static final String FORMAT = "format";
    static final String FORMAT_VERSION_KEY = PREFIX + "format_version";
    static final String VERSION = PREFIX + "version";
    static final String DATA_SHA256 = PREFIX + "data_sha256";
    static final String SEED = PREFIX + "seed";

    private static final Logger LOG = LoggerFactory.getLogger(ModelFiles.class);

    private ModelFiles() {
    }

    // ------------------------------------------------------------------------------ saving

    /**
     * {@link #save(LatentModel, Path, TrainingState, Map)} without training information or extra metadata.
     *
     * @param model a model whose kind has a registered {@link ModelCodec}; not modified
     * @param file  the target; missing parent folders are created
     * @throws IOException if the file cannot be written
     */
    public static void save(LatentModel model, Path file) throws IOException {
        save(model, file, null, Map.of());
    }

    /**
     * {@link #save(LatentModel, Path, TrainingState, Map)} without training information.
     *
     * @param model a model whose kind has a registered {@link ModelCodec}; not modified
     * @param file  the target; missing parent folders are created
     * @param extraMetadata further string entries; keys must not be {@code format} nor start with {@code vae4j.}
     * @throws IOException if the file cannot be written
     */
    public static void save(LatentModel model, Path file, Map<String, String> extraMetadata) throws IOException {
        save(model, file, null, extraMetadata);
    }

    /**
     * Saves a model's parameters and architecture to a safetensors file, atomically: on any error
     * the previous file at {@code file}, if any, is left unchanged.
     *
     * @param model         a model whose kind has a registered {@link ModelCodec} (e.g. a {@link Vae}); not modified
     * @param file          the target (conventionally {@code *.safetensors}); missing parent folders are created
     * @param training      the trainer settings and history to record (beta, seed, ...), or {@code null}
     * @param extraMetadata further string entries, e.g. the data set's name; keys must not be
     *                      {@code format} nor start with {@code vae4j.}
     * @throws IllegalArgumentException for a kind without a codec, a likelihood no {@link LikelihoodCodec} names,
     *                                  a reserved or null metadata key, or a null value
     * @throws IOException              when the file cannot be written
     */
    public static void save(LatentModel model, Path file, TrainingState training,
                            Map<String, String> extraMetadata) throws IOException {
        save(model, file, training, extraMetadata, null, UnaryOperator.identity());
    }

    /**
     * {@link #save(LatentModel, Path, TrainingState, Map)}, also recording the file's
     * HMAC-SHA256 with {@code key} ({@link FileKey}: the keyed digest that {@link #load(Path, FileKey)}
     * checks), or none if {@code key} is null.
     *
     * @param model a model whose kind has a registered {@link ModelCodec}; not modified
     * @param file  the target; missing parent folders are created
     * @param training the trainer settings and history to record, or {@code null}
     * @param extraMetadata further string entries; keys must not be {@code format} nor start with {@code vae4j.}
     * @param key the key of the HMAC-SHA256 digest ({@link FileKey}), or {@code null} for none
     * @throws IOException if the file cannot be written
     */
    public static void save(LatentModel model, Path file, TrainingState training,
                            Map<String, String> extraMetadata, FileKey key) throws IOException {
        save(model, file, training, extraMetadata, key, UnaryOperator.identity());
    }

    /** {@link #save}, with the output channel wrapped (tests inject failures). */
    static void save(LatentModel model, Path file, TrainingState training, Map<String, String> extraMetadata,
                     UnaryOperator<WritableByteChannel> wrap) throws IOException {
        save(model, file, training, extraMetadata, null, wrap);
    }

    private static void save(LatentModel model, Path file, TrainingState training, Map<String, String> extraMetadata,
                             FileKey key, UnaryOperator<WritableByteChannel> wrap) throws IOException {
        List<FloatTensor> tensors = parameterTensors(model);
        Map<String, String> meta = metadata(model, training, extraMetadata);
        meta.put(DATA_SHA256, SafeTensors.dataSha256(tensors));
        FileDigest.sign(meta, tensors, key);
        SafeTensors.write(file, meta, tensors, wrap);
        LOG.info("saved {} to {}", ModelCodecs.describe(ModelCodecs.codecFor(model), model), file);
    }

    /**
     * Saves a training checkpoint: the model file's content plus the optimiser's state (its step
     * count, hyperparameters and per-parameter buffers) and the training settings. Resuming from it
     * with {@link #loadCheckpoint} continues bit-identically. Atomic, as {@link #save}.
     *
     * <p>Optimiser buffers are tensors {@code optimizer.<buffer>.<parameter>} ({@code exp_avg},
     * {@code exp_avg_sq} for Adam, {@code momentum_buffer} for SGD) with the parameter's shape; so
     * strip the {@code optimizer.} and {@code best.} (the best epoch's parameters) tensors before {@code load_state_dict} in PyTorch.
     *
     * @param model     the model, not modified
     * @param file      the target; missing parent folders are created
     * @param optimizer an {@link Adam}, {@link org.vae4j.optim.AdamW} or {@link Sgd} that has been stepping {@code model.parameters()}
     * @param training  the trainer settings and history; required (the seed is part of the position)
     * @throws IllegalArgumentException for another optimiser type, optimiser state that does not match
     *                                  the model's parameters, or the reasons {@link #save} gives
     * @throws IOException              when the file cannot be written
     */
    public static void saveCheckpoint(LatentModel model, Optimizer optimizer, TrainingState training, Path file)
            throws IOException {
        saveCheckpoint(model, optimizer, training, file, Map.of());
    }

    /**
     * {@link #saveCheckpoint(LatentModel, Optimizer, TrainingState, Path)} with extra metadata entries.
     *
     * @param model     the model, not modified
     * @param optimizer the optimiser that has been stepping {@code model.parameters()}
     * @param training  the trainer settings and history; required
     * @param file      the target
     * @param extraMetadata further string entries; keys must not be {@code format} nor start with {@code vae4j.}
     * @throws IOException if the file cannot be written
     */
    public static void saveCheckpoint(LatentModel model, Optimizer optimizer, TrainingState training, Path file,
                                      Map<String, String> extraMetadata) throws IOException {
        saveCheckpoint(model, optimizer, training, file, extraMetadata, null);
    }

    /**
     * {@link #saveCheckpoint(LatentModel, Optimizer, TrainingState, Path, Map)}, also recording the
     * file's HMAC-SHA256 with {@code key} (none if null); {@link #loadCheckpoint(Path, FileKey)} checks it.
     *
     * @param model     the model, not modified
     * @param optimizer the optimiser that has been stepping {@code model.parameters()}
     * @param training  the trainer settings and history; required
     * @param file      the target
     * @param extraMetadata further string entries; keys must not be {@code format} nor start with {@code vae4j.}
     * @param key the key of the HMAC-SHA256 digest ({@link FileKey}), or {@code null} for none
     * @throws IOException if the file cannot be written
     */
    public static void saveCheckpoint(LatentModel model, Optimizer optimizer, TrainingState training, Path file,
                                      Map<String, String> extraMetadata, FileKey key) throws IOException {
        if (training == null) {
            throw new IllegalArgumentException("a checkpoint needs the training state (seed, batch size, ...)");
        }
        List<FloatTensor> tensors = parameterTensors(model);
        Map<String, String> meta = metadata(model, training, extraMetadata);
        OptimizerFiles.write(optimizer, model.parameters(), meta, tensors);
        TrainingFiles.writeBest(training.progress(), model.parameters(), meta, tensors);
        KernelRecord.write(model.kernels(), meta);
        meta.put(DATA_SHA256, SafeTensors.dataSha256(tensors));
        FileDigest.sign(meta, tensors, key);
        SafeTensors.write(file, meta, tensors);
        LOG.info("saved checkpoint after {} optimiser steps to {}", optimizer.steps(), file);
    }

    /** The parameters as PyTorch-shaped float tensors (values copied). */
    private static List<FloatTensor> parameterTensors(LatentModel model) {
        ModelCodecs.codecFor(model); // rejects a kind without a codec before anything else
        List<FloatTensor> tensors = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            tensors.add(FloatTensor.wrap(p.name(), torchShape(p), Arrays.copyOfRange(p.valueArray(), p.offset(), p.offset() + p.size())));
        }
        return tensors;
    }

    /**
     * PyTorch's shape of a parameter: (out, in) for a weight, (out) for a bias stored as (1, out),
     * (columns) for a likelihood's {@code log_var} stored as (1, columns).
     */
    static long[] torchShape(Parameter p) {
        if ((p.name().endsWith(".bias") || p.name().endsWith(".log_var")) && p.rows() == 1) {
            return new long[] {p.cols()};
        }
        return new long[] {p.rows(), p.cols()};
    }

    private static Map<String, String> metadata(LatentModel model, TrainingState training,
                                                Map<String, String> extra) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT, "pt");
        meta.put(FORMAT_VERSION_KEY, Integer.toString(FORMAT_VERSION));
        meta.put(VERSION, libraryVersion());
        ModelCodec<?> codec = ModelCodecs.codecFor(model);
        meta.put(Architecture.MODEL, codec.kind());
        ModelCodecs.write(codec, model, meta);
        if (training != null) {
            TrainingFiles.writeAll(training, meta);
        }
        if (extra == null) {
            throw new IllegalArgumentException("extra metadata must not be null (use Map.of())");
        }
        for (Map.Entry<String, String> e : extra.entrySet()) {
            String k = e.getKey();
            if (k == null || e.getValue() == null) {
                throw new IllegalArgumentException("metadata keys and values must not be null: " + k + " = "
                        + e.getValue());
            }
            if (k.equals(FORMAT) || k.startsWith(PREFIX)) {
                throw new IllegalArgumentException("metadata key '" + k + "' is reserved (format and vae4j.*)");
            }
            meta.put(k, e.getValue());
        }
        return meta;
    }

    // ------------------------------------------------------------------------------ loading

    /**
     * Loads a model saved by {@link #save} (or {@link #saveCheckpoint}), or a PyTorch
     * {@code state_dict} saved with {@code safetensors.torch.save_file} (recognised by the
     * registered codecs from the tensor names, see the class documentation).
     *
     * <p>The model is built by the {@link ModelCodec} of the kind the file names ({@code
     * vae4j.model}); every tensor of the file is then checked against the model's
     * {@link LatentModel#parameters()} by name, dtype and shape before any value is read.
     *
     * @param file the file to read
     * @return a new model of the file's kind (a {@link Vae} or {@link Autoencoder} for the built-in kinds)
     * @throws ModelFileException for an invalid file, a kind no registered codec stores, a bad declared
     *                            architecture or tensor (missing, unexpected, wrong dtype or shape,
     *                            non-finite value), or a checksum mismatch
     * @throws IOException        when the file cannot be read
     */
    public static LatentModel load(Path file) throws IOException {
        return load(file, (FileKey) null);
    }

    /**
     * {@link #load(Path)}, authenticating the file with {@code key} first: it must carry a
     * {@code vae4j.hmac_sha256} that matches (see {@link FileKey}); with a null key, as {@link #load(Path)}.
     *
     * @param file the file to read
     * @param key  the key the file's keyed digest must match
     * @return a new model of the file's kind
     * @throws ModelFileException also for a file without a keyed digest or whose digest does not match
     */
    public static LatentModel load(Path file, FileKey key) throws IOException {
        return load(file, key, Map.of());
    }

    /**
     * {@link #load(Path)} of a PyTorch state_dict (a file without vae4j metadata) whose names
     * differ from vae4j's: {@code names} maps the file's tensor or module names to vae4j's (e.g.
     * {@code enc.mean -> fc_mu} renames {@code enc.mean.weight} and {@code enc.mean.bias}), applied
     * before the known layouts of other modules are recognised (pytorch/examples' {@code fc21} /
     * {@code fc22}, nn.Sequential indices, an {@code encoder.}/{@code decoder.} or a wrapper's
     * prefix; docs/MODEL_FILES.md, "Files from PyTorch"). Without a map ({@link #load(Path)}) the
     * known layouts are recognised too.
     *
     * @param file  the safetensors file to read
     * @param names the file's names to vae4j's; empty for none
     * @return a new model of the kind the tensors are recognised as
     * @throws NullPointerException for a null {@code names}
     * @throws ModelFileException also when an entry of {@code names} matches no tensor of the
     *                            file, when the file has vae4j metadata (its names are vae4j's),
     *                            or when the renamed tensors match no known module (the message
     *                            lists the tensors found and the names expected)
     */
    public static LatentModel load(Path file, Map<String, String> names) throws IOException {
        return load(file, null, Objects.requireNonNull(names, "names"));
    }

    private static LatentModel load(Path file, FileKey key, Map<String, String> names) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            FileDigest.verify(f, key);
            boolean pytorch = !f.metadata().containsKey(Architecture.MODEL);
            if (!pytorch && !names.isEmpty()) {
                throw new ModelFileException(file, "has vae4j metadata, so its tensors have vae4j's names: load it "
                        + "without a name map");
            }
            StateDictNames.View view = pytorch ? StateDictNames.of(f.tensors(), names, file)
                    : StateDictNames.identity(f.tensors());
            Declared declared = declaredModel(f, view);
            LatentModel model = declared.model();
            Map<String, long[]> expected = shapes(model);
            checkTensors(f, view, expected, declared.description(),
                    f.metadata().containsKey(OptimizerFiles.OPTIMIZER));
            assign(model, readAll(f, view, expected.keySet()));
            if (!view.renamings().isEmpty()) {
                LOG.info("{}: read the state_dict's tensors as {} ({})", file, declared.description(),
                        String.join("; ", view.renamings()));
            }
            LOG.info("loaded {} from {}", declared.description(), file);
            return model;
        }
    }

    /**
     * {@link #load}, requiring a model of the given class.
     *
     * @param <M>  the model class
     * @param file the file to read
     * @param type the class the model must be
     * @return the model
     * @throws ModelFileException also when the file holds a model of another class
     */
    public static <M extends LatentModel> M load(Path file, Class<M> type) throws IOException {
        LatentModel m = load(file);
        if (!type.isInstance(m)) {
            throw new ModelFileException(file, "holds a " + ModelCodecs.describe(ModelCodecs.codecFor(m), m)
                    + ", not a " + type.getSimpleName() + " (use load, or load(file, " + m.getClass().getSimpleName()
                    + ".class))");
        }
        return type.cast(m);
    }

    /**
     * {@link #load}, requiring a VAE.
     *
     * @param file the file to read
     * @return the VAE
     * @throws ModelFileException also when the file holds another kind of model
     */
    public static Vae loadVae(Path file) throws IOException {
        return load(file, Vae.class);
    }

    /**
     * {@link #load}, requiring an autoencoder.
     *
     * @param file the file to read
     * @return the autoencoder
     * @throws ModelFileException also when the file holds another kind of model
     */
    public static Autoencoder loadAutoencoder(Path file) throws IOException {
        return load(file, Autoencoder.class);
    }

    /**
     * Loads a file's tensors into an existing model, e.g. a PyTorch state_dict of a module whose
     * activations the name-based recognition cannot know. Every parameter of {@code model} must be
     * in the file with PyTorch's shape, and every tensor of the file must be a parameter (optimiser
     * tensors of a checkpoint aside). If the file declares a model kind, it must be the model's, and
     * when that kind has a codec the declared architecture must be the model's. The model is
     * changed only if every check passes and every value has been read. Works for a model of any
     * kind, with or without a codec.
     *
     * @param file the file to read
     * @param model any {@link LatentModel}; its parameters are overwritten
     * @throws ModelFileException as {@link #load}, or when the declared kind or architecture differs from the model's
     * @throws IOException        when the file cannot be read
     */
    public static void loadInto(Path file, LatentModel model) throws IOException {
        Optional<ModelCodec<?>> codec = ModelCodecs.forKind(model.kind());
        String mine = codec.isPresent() ? ModelCodecs.describe(ModelCodecs.codecFor(model), model)
                : model.kind() + " " + model.describe();
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            FileDigest.verify(f, null);
            if (f.metadata().containsKey(Architecture.MODEL)) {
                String kind = f.metadata().get(Architecture.MODEL);
                if (!kind.equals(model.kind())) {
                    throw new ModelFileException(file, "the file holds a model of kind '" + kind
                            + "' but the model is a " + mine + " (kind '" + model.kind() + "')");
                }
                if (codec.isPresent()) {
                    Declared declared = declaredModel(f);
                    if (!architecture(declared.codec(), declared.model()).equals(architecture(codec.get(), model))) {
                        throw new ModelFileException(file, "the file holds a " + declared.description()
                                + " but the model is a " + mine);
                    }
                }
            }
            Map<String, long[]> expected = shapes(model);
            checkTensors(f, expected, mine, f.metadata().containsKey(OptimizerFiles.OPTIMIZER));
            assign(model, readAll(f, expected.keySet()));
        }
    }

    /** The architecture entries a codec writes for a model. */
    private static Map<String, String> architecture(ModelCodec<?> codec, LatentModel model) {
        Map<String, String> m = new LinkedHashMap<>();
        ModelCodecs.write(codec, model, m);
        return m;
    }

    /** The parameters' names and PyTorch shapes, in the model's order: what a file of it holds. */
    private static Map<String, long[]> shapes(LatentModel model) {
        Map<String, long[]> expected = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            expected.put(p.name(), torchShape(p));
        }
        return expected;
    }

    /**
     * {@return the metadata of a model file or checkpoint, after validating its header; no tensor is read}
     * @param file the file to read
     * @throws ModelFileException for an invalid file
     * @throws IOException        when the file cannot be read
     */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            return f.metadata();
        }
    }

    /**
     * {@return the training settings and history recorded in a file's metadata, if any}
     * @param metadata from {@link #readMetadata}
     * @param file     names the file in errors
     * @throws ModelFileException when the entries are present but malformed
     */
    public static Optional<TrainingState> trainingState(Map<String, String> metadata, Path file)
            throws ModelFileException {
        return TrainingFiles.read(metadata, file);
    }

    /**
     * Loads a checkpoint written by {@link #saveCheckpoint} into new objects: the model, an optimiser
     * of the saved type and hyperparameters with the saved step count and buffers, and the training
     * state. See {@link Checkpoint} for resuming.
     *
     * @param file the file to read
     * @return the model, optimiser state and training state
     * @throws ModelFileException for anything {@link #load} rejects, a file that is not a checkpoint,
     *                            or optimiser state that is missing, partial or misshapen
     * @throws IOException        when the file cannot be read
     */
    public static Checkpoint loadCheckpoint(Path file) throws IOException {
        return loadCheckpoint(file, null);
    }

    /**
     * {@link #loadCheckpoint(Path)}, authenticating the file with {@code key} first (as
     * {@link #load(Path, FileKey)}); with a null key, as {@link #loadCheckpoint(Path)}.
     *
     * @param file the file to read
     * @param key  the key the file's keyed digest must match
     * @return the model, optimiser state and training state
     * @throws IOException if the file cannot be read or is not a valid checkpoint ({@link ModelFileException}, naming the file)
     */
    public static Checkpoint loadCheckpoint(Path file, FileKey key) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            FileDigest.verify(f, key);
            Map<String, String> meta = f.metadata();
            if (!meta.containsKey(OptimizerFiles.OPTIMIZER) || !meta.containsKey(Architecture.MODEL)) {
                throw new ModelFileException(file, "is not a vae4j checkpoint (no " + OptimizerFiles.OPTIMIZER
                        + " metadata); load it as a model with ModelFiles.load");
            }
            Declared declared = declaredModel(f);
            Map<String, long[]> params = shapes(declared.model());
            TrainingState training = trainingState(meta, file)
                    .orElseThrow(() -> new ModelFileException(file, "checkpoint lacks " + SEED));
            OptimizerFiles.Declared opt = OptimizerFiles.declared(meta, f.tensors(), file);
            Map<String, long[]> expected = new LinkedHashMap<>(params);
            expected.putAll(opt.expectedShapes(params));
            expected.putAll(TrainingFiles.bestShapes(meta, params));
            checkTensors(f, expected, declared.description() + " with " + opt.describe(), false);
            Map<String, float[]> values = readAll(f, expected.keySet());
            LatentModel model = declared.model();
            assign(model, values);
            KernelRecord.restore(model, meta, file);
            Optimizer optimizer = opt.restore(model.parameters(), values);
            training = new TrainingState(training.config(), training.history(),
                    TrainingFiles.progress(meta, file, TrainingFiles.best(model.parameters(), values)));
            LOG.info("loaded checkpoint of {} after {} optimiser steps from {}", declared.description(), optimizer.steps(),
                    file);
            return new Checkpoint(model, optimizer, training, meta);
        }
    }

    /** A model built by its codec from a file's header (throw-away weights), and its description. */
    private record Declared(ModelCodec<?> codec, LatentModel model, String description) {
    }

    /**
     * The model a file declares, built by the codec of its kind; or, without vae4j metadata, the
     * first registered codec's that recognises the tensor names.
     */
    private static Declared declaredModel(SafeTensorsFile f) throws ModelFileException {
        return declaredModel(f, StateDictNames.identity(f.tensors()));
    }

    private static Declared declaredModel(SafeTensorsFile f, StateDictNames.View view) throws ModelFileException {
        Map<String, String> meta = f.metadata();
        Path file = f.path();
        String version = meta.get(FORMAT_VERSION_KEY);
        if (version != null) {
            long v = parseLong(meta, FORMAT_VERSION_KEY, file);
            if (v < 1 || v > FORMAT_VERSION) {
                throw new ModelFileException(file, "was written with model-file format version " + version
                        + " (by vae4j " + meta.getOrDefault(VERSION, "?") + "); this vae4j reads versions 1 to "
                        + FORMAT_VERSION);
            }
        }
        ModelHeader header = new ModelHeader(meta, view.tensors(), file);
        if (meta.containsKey(Architecture.MODEL)) {
            String kind = meta.get(Architecture.MODEL);
            Optional<ModelCodec<?>> codec = ModelCodecs.forKind(kind);
            if (codec.isEmpty()) {
                throw new ModelFileException(file, "metadata " + Architecture.MODEL + " = '" + abbreviate(kind)
                        + "': expected " + ModelCodecs.knownKinds() + "; no ModelCodec is registered for this kind: "
                        + "to load it, " + ModelCodecs.howToRegister());
            }
            return declared(codec.get(), codec.get().build(header), header);
        }
        List<String> recognisable = new ArrayList<>();
        for (ModelCodec<?> c : ModelCodecs.all()) {
            Optional<? extends LatentModel> m = c.recognise(header);
            if (m.isPresent()) {
                return declared(c, m.get(), header);
            }
            if (c.recognisedNames() != null) {
                recognisable.add(c.recognisedNames());
            }
        }
        List<String> found = new ArrayList<>();
        for (TensorInfo t : f.tensors().values()) {
            found.add(t.name() + " " + Arrays.toString(t.shape()));
        }
        String expected = recognisable.size() <= 1 ? String.join("", recognisable)
                : String.join(", ", recognisable.subList(0, recognisable.size() - 1)) + " or "
                + recognisable.get(recognisable.size() - 1);
        throw new ModelFileException(file, "no vae4j metadata, and the tensor names match no known module: "
                + "expected " + expected + "; found " + found.size() + " tensors "
                + (found.size() <= 24 ? found : found.subList(0, 24) + " and " + (found.size() - 24) + " more")
                + (view.renamings().isEmpty() ? "" : " (renamed: " + String.join("; ", view.renamings()) + ")")
                + ". Pass a map of the file's names to these (ModelFiles.load(file, names), e.g. "
                + "{\"enc.mean\": \"fc_mu\"}), or build the model and use ModelFiles.loadInto");
    }

    private static Declared declared(ModelCodec<?> codec, LatentModel model, ModelHeader header)
            throws ModelFileException {
        if (model == null || !codec.kind().equals(model.kind()) || !codec.modelType().isInstance(model)) {
            throw header.error("the " + codec.kind() + " codec (" + codec.getClass().getName() + ") built "
                    + (model == null ? "nothing" : "a " + model.getClass().getName() + " of kind '" + model.kind() + "'"));
        }
        return new Declared(codec, model, ModelCodecs.describe(codec, model));
    }

    /**
     * Checks that the file has every expected tensor, floating-point and of the expected shape, and
     * nothing else (except {@code optimizer.*} tensors when {@code optimizerAllowed}).
     */
    private static void checkTensors(SafeTensorsFile f, Map<String, long[]> expected, String what,
                                     boolean optimizerAllowed) throws ModelFileException {
        checkTensors(f, StateDictNames.identity(f.tensors()), expected, what, optimizerAllowed);
    }

    private static void checkTensors(SafeTensorsFile f, StateDictNames.View view, Map<String, long[]> expected,
                                     String what, boolean optimizerAllowed) throws ModelFileException {
        Path file = f.path();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            TensorInfo t = view.tensors().get(e.getKey());
            if (t == null) {
                throw new ModelFileException(file, "missing tensor " + e.getKey() + " (shape "
                        + Arrays.toString(e.getValue()) + ") of the " + what);
            }
            if (!t.dtype().isFloatingPoint()) {
                throw new ModelFileException(file, "tensor " + t.name() + " has dtype " + t.dtype()
                        + "; parameters must be F32, F64, F16 or BF16");
            }
            if (!t.hasShape(e.getValue())) {
                throw new ModelFileException(file, "tensor " + t.name() + " has shape " + Arrays.toString(t.shape())
                        + " but the " + what + " needs " + Arrays.toString(e.getValue()));
            }
        }
        for (String name : view.tensors().keySet()) {
            if (!expected.containsKey(name) && !(optimizerAllowed && (name.startsWith(OptimizerFiles.TENSOR_PREFIX)
                    || name.startsWith(TrainingFiles.BEST_PREFIX)))) {
                throw new ModelFileException(file, "unexpected tensor " + name + ": the " + what
                        + " has no such parameter");
            }
        }
    }

    /** Reads the named tensors as floats, checking each value is finite. */
    private static Map<String, float[]> readAll(SafeTensorsFile f, Iterable<String> names) throws IOException {
        return readAll(f, StateDictNames.identity(f.tensors()), names);
    }

    /** Reads the named tensors (model names, read under their names in the file) as floats. */
    private static Map<String, float[]> readAll(SafeTensorsFile f, StateDictNames.View view, Iterable<String> names)
            throws IOException {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (String name : names) {
            float[] v = f.readFloats(view.inFile(name));
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new ModelFileException(f.path(), "tensor " + name + " has the non-finite value " + v[i]
                            + " at flat index " + i);
                }
            }
            values.put(name, v);
        }
        return Collections.unmodifiableMap(values);
    }

    /** Sets every parameter from {@code values} (already checked to hold each with the right size). */
    private static void assign(LatentModel model, Map<String, float[]> values) {
        for (Parameter p : model.parameters()) {
            p.set(values.get(p.name()));
        }
    }

    // ------------------------------------------------------------------------------ helpers

    static long parseLong(Map<String, String> meta, String key, Path file) throws ModelFileException {
        String s = Architecture.require(meta, key, file);
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new ModelFileException(file, "metadata " + key + " = '" + abbreviate(s) + "': not an integer");
        }
    }

    static double parseDouble(Map<String, String> meta, String key, Path file) throws ModelFileException {
        String s = Architecture.require(meta, key, file);
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new ModelFileException(file, "metadata " + key + " = '" + abbreviate(s) + "': not a number");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** The library's version from its jar's Maven descriptor, or "unknown" (e.g. run from classes). */
    static String libraryVersion() {
        String v = ModelFiles.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (InputStream in = ModelFiles.class.getResourceAsStream("/META-INF/maven/org.vae4j/vae4j/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            LOG.debug("cannot read the library version: {}", e.toString());
        }
        return "unknown";
    }
}

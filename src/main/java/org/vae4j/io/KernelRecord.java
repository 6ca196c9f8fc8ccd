package org.vae4j.io;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vae4j.LatentModel;
import org.vae4j.internal.kernel.ScalarElementwise;
import org.vae4j.kernel.EjmlGemm;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Gemms;
import org.vae4j.kernel.Kernels;

/**
 * The kernels a checkpoint was trained with, as its metadata records them ({@code vae4j.gemm},
 * {@code vae4j.gemm_threads}, {@code vae4j.gemm_variant}, {@code vae4j.elementwise},
 * {@code vae4j.elementwise_lanes}), and which differences change a run's bits. Measured
 * (docs/ARCHITECTURE.md, Determinism): the GEMM backend ({@code vector} or {@code ejml}) and the
 * elementwise kernels ({@code vector} or {@code scalar}) change the parameters; the elementwise
 * vector width changes the losses' lane sums (so the history and, with validation, early
 * stopping), not the parameters; the GEMM thread count and the vector GEMM's lanes, tile and
 * kernel form change nothing. For a backend other than the built-in two every difference,
 * the thread count included, is taken to change the bits. Immutable; thread-safe.
 *
 * @param gemm             the GEMM backend: {@code vector}, {@code ejml}, or another backend's {@link Gemm#name()}
 * @param threads          its thread count (0 when a custom backend does not say)
 * @param gemmVariant      the vector GEMM's {@code lanes=L tile=RxV}, empty otherwise
 * @param elementwise      the elementwise kernels' {@link org.vae4j.kernel.Elementwise#name()}
 * @param elementwiseLanes the vector elementwise kernels' floats per vector, 0 for scalar ones
 */
public record KernelRecord(String gemm, int threads, String gemmVariant, String elementwise, int elementwiseLanes) {

    static final String GEMM = ModelFiles.PREFIX + "gemm";
    static final String THREADS = ModelFiles.PREFIX + "gemm_threads";
    static final String VARIANT = ModelFiles.PREFIX + "gemm_variant";
    static final String ELEMENTWISE = ModelFiles.PREFIX + "elementwise";
    static final String LANES = ModelFiles.PREFIX + "elementwise_lanes";

    private static final String VECTOR_GEMM = "org.vae4j.internal.kernel.VectorGemm";
    private static final Logger LOG = LoggerFactory.getLogger(KernelRecord.class);

    /**
     * One difference between a checkpoint's kernels and a resumed run's.
     *
     * @param what        e.g. {@code GEMM threads}
     * @param recorded    the checkpoint's value
     * @param now         the run's value
     * @param changesBits whether this difference makes the resumed run differ from an uninterrupted one
     */
    public record Difference(String what, String recorded, String now, boolean changesBits) {
        @Override
        public String toString() {
            return what + " " + now + " instead of the recorded " + recorded;
        }
    }

    /**
     * {@return what {@code kernels} are: backend name, thread count, vector GEMM variant, elementwise name and
     * lanes, as a checkpoint would record them}
     *
     * @param kernels the GEMM and elementwise kernels, e.g. {@link LatentModel#kernels()}
     * @throws IllegalStateException when the vector GEMM's settings cannot be read
     */
    public static KernelRecord of(Kernels kernels) {
        Gemm g = kernels.gemm();
        String gemm = g.name();
        int threads = 0;
        String variant = "";
        if (g instanceof EjmlGemm e) {
            gemm = "ejml";
            threads = e.threads();
        } else if (g.getClass().getName().equals(VECTOR_GEMM)) {
            gemm = "vector";
            threads = (Integer) call(g, "threads");
            variant = "lanes=" + call(null, "lanes") + " tile=" + call(g, "tile");
        }
        String elementwise = kernels.elementwise().name();
        return new KernelRecord(gemm, threads, variant, elementwise,
                elementwise.equals("vector") ? preferredLanes() : 0);
    }

    /**
     * {@return the record in a checkpoint's metadata; empty for a checkpoint written before kernels were recorded}
     *
     * @param metadata the file's metadata entries
     * @param file     the file, named in error messages; null when not known (the messages are then the problem
     *                 alone)
     * @throws ModelFileException if an entry is missing or malformed, or the thread count or lanes are out of
     *                            range (the message names the file, when given, the entry and its value)
     */
    public static Optional<KernelRecord> read(Map<String, String> metadata, Path file) throws ModelFileException {
        if (!metadata.containsKey(GEMM)) {
            return Optional.empty();
        }
        long threads = ModelFiles.parseLong(metadata, THREADS, file);
        long lanes = ModelFiles.parseLong(metadata, LANES, file);
        if (threads < 0 || threads > Integer.MAX_VALUE || lanes < 0 || lanes > 1024) {
            throw new ModelFileException(file, "metadata " + THREADS + " = " + threads + ", " + LANES + " = " + lanes
                    + ": not a thread count and a vector width");
        }
        return Optional.of(new KernelRecord(Architecture.require(metadata, GEMM, file), (int) threads,
                metadata.getOrDefault(VARIANT, ""), Architecture.require(metadata, ELEMENTWISE, file), (int) lanes));
    }

    /** Adds this record of {@code kernels} to a checkpoint's metadata. */
    static void write(Kernels kernels, Map<String, String> meta) {
        KernelRecord r = of(kernels);
        meta.put(GEMM, r.gemm());
        meta.put(THREADS, Integer.toString(r.threads()));
        meta.put(VARIANT, r.gemmVariant());
        meta.put(ELEMENTWISE, r.elementwise());
        meta.put(LANES, Integer.toString(r.elementwiseLanes()));
    }

    /** Whether the built-in backends' rules apply (else every difference counts). */
    private boolean builtIn() {
        return gemm.equals("vector") || gemm.equals("ejml");
    }

    /**
     * {@return how {@code now} differs from this (recorded) record, each difference marked with whether it changes the bits}
     * Empty when they agree.
     *
     * @param now the kernels of the run that resumes, e.g. {@code KernelRecord.of(model.kernels())}
     */
    public List<Difference> differences(KernelRecord now) {
        List<Difference> out = new ArrayList<>();
        boolean builtIn = builtIn() && now.builtIn();
        if (!gemm.equals(now.gemm())) {
            out.add(new Difference("GEMM backend", gemm, now.gemm(), true));
        }
        if (threads != now.threads()) {
            out.add(new Difference("GEMM threads", Integer.toString(threads), Integer.toString(now.threads()),
                    !builtIn));
        }
        if (!gemmVariant.equals(now.gemmVariant()) && gemm.equals(now.gemm())) {
            out.add(new Difference("GEMM kernel", gemmVariant, now.gemmVariant(), !builtIn));
        }
        if (!elementwise.equals(now.elementwise())) {
            out.add(new Difference("elementwise kernels", elementwise, now.elementwise(), true));
        } else if (elementwiseLanes != now.elementwiseLanes()) {
            out.add(new Difference("elementwise vector width", elementwiseLanes + " floats",
                    now.elementwiseLanes() + " floats", true));
        }
        return out;
    }

    /**
     * On loading a checkpoint: gives the model the recorded GEMM backend and thread count where
     * this JVM has that backend, and the scalar elementwise kernels if they were recorded, so that a resume continues bit-identically by default (a custom
     * backend, or {@code vector} without the module, cannot be restored: the model keeps its
     * default and the resume warns). Logs a warning when this is not what the JVM would choose.
     */
    static void restore(LatentModel model, Map<String, String> meta, Path file) throws ModelFileException {
        Optional<KernelRecord> recorded = read(meta, file);
        if (recorded.isEmpty()) {
            return;
        }
        KernelRecord r = recorded.get();
        if (r.elementwise().equals("scalar") && !model.kernels().elementwise().name().equals("scalar")) {
            // the scalar kernels exist everywhere (the vector ones need the module: not restored)
            model.setKernels(new Kernels(model.kernels().gemm(), ScalarElementwise.INSTANCE));
            LOG.warn("{}: the checkpoint was trained with the scalar elementwise kernels; resuming with the same "
                    + "so that the run continues bit-identically", file);
        }
        KernelRecord mine = of(model.kernels());
        boolean available = r.gemm().equals("ejml") || (r.gemm().equals("vector") && Gemms.vectorAvailable());
        if (!available || r.threads() <= 0 || (r.gemm().equals(mine.gemm()) && r.threads() == mine.threads())) {
            return;
        }
        model.setGemm(Gemms.create(r.gemm(), r.threads()));
        LOG.warn("{}: the checkpoint was trained with GEMM {} on {} thread(s); resuming with the same (this JVM's "
                        + "default is {} on {}) so that the run continues bit-identically; set the model's GEMM to "
                        + "choose otherwise{}", file, r.gemm(), r.threads(), mine.gemm(), mine.threads(),
                r.gemm().equals(mine.gemm()) ? " (the thread count alone does not change the built-in backends' bits)"
                        : "");
    }

    /**
     * The record in a {@link Checkpoint}'s metadata, which does not know its file.
     *
     * @throws IllegalStateException for a malformed record (the message starts {@code checkpoint
     *                               metadata:}); a loaded checkpoint's record was checked, naming the
     *                               file, so only a hand-made one gets here
     */
    static Optional<KernelRecord> ofCheckpoint(Map<String, String> meta) {
        try {
            return read(meta, null);
        } catch (ModelFileException e) {
            throw new IllegalStateException("checkpoint metadata: " + e.getMessage(), e);
        }
    }

    /**
     * At a resume: logs one warning per difference between the recorded kernels and the model's,
     * saying whether bit-identity with an uninterrupted run is lost.
     *
     * @return the differences
     */
    static List<Difference> check(Map<String, String> meta, LatentModel model) {
        Optional<KernelRecord> recorded = ofCheckpoint(meta);
        if (recorded.isEmpty()) {
            return List.of();
        }
        List<Difference> d = recorded.get().differences(of(model.kernels()));
        for (Difference x : d) {
            if (x.changesBits()) {
                LOG.warn("resuming with {}: the resumed run is NOT bit-identical to an uninterrupted one "
                        + "(docs/ARCHITECTURE.md, Determinism)", x);
            } else {
                LOG.warn("resuming with {}: with the built-in backends this does not change the bits "
                        + "(docs/ARCHITECTURE.md, Determinism)", x);
            }
        }
        return d;
    }

    private static Object call(Object target, String method) {
        try {
            Method m = Class.forName(VECTOR_GEMM).getMethod(method);
            return m.invoke(target);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot read the vector GEMM's " + method, e);
        }
    }

    /** The JVM's preferred float vector width, which the vector elementwise kernels use. */
    private static int preferredLanes() {
        if (!Gemms.vectorAvailable()) {
            return 0;
        }
        try {
            Object species = Class.forName("jdk.incubator.vector.FloatVector").getField("SPECIES_PREFERRED").get(null);
            return (Integer) Class.forName("jdk.incubator.vector.VectorSpecies").getMethod("length").invoke(species);
        } catch (ReflectiveOperationException | LinkageError e) {
            return 0;
        }
    }
}

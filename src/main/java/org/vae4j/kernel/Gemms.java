package org.vae4j.kernel;

import java.lang.reflect.InvocationTargetException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vae4j.internal.kernel.ScalarElementwise;

/**
 * Chooses the {@link Gemm} backend. Thread-safe.
 *
 * <p>{@code vector} ({@code org.vae4j.internal.kernel.VectorGemm}, pure Java on the JDK Vector API, OpenBLAS-class speed)
 * is used when the JVM runs with {@code --add-modules jdk.incubator.vector}; otherwise
 * {@code ejml} ({@link EjmlGemm}, the reference, about 6 times slower per training step). System
 * properties:
 * <ul>
 * <li>{@value #BACKEND_PROPERTY} = {@code auto} (default), {@code vector} or {@code ejml} forces a backend;</li>
 * <li>{@value #THREADS_PROPERTY} = number of GEMM threads (default: available processors);</li>
 * <li>{@value #FALLBACK_HINT_PROPERTY} = {@code false} silences the fallback hint below.</li>
 * </ul>
 * Each backend built logs one INFO line naming it. When {@code auto} falls back to EJML, the library
 * also gives one hint per JVM that the Vector API module is missing and how to add it: a WARN through
 * SLF4J, or, when SLF4J has no provider (and would discard it), a WARNING through the JDK's
 * {@link System.Logger}, the one place where the library does not log through SLF4J.
 */
public final class Gemms {

    /** System property naming the backend: auto, vector or ejml. */
    public static final String BACKEND_PROPERTY = "vae4j.gemm";
    /** System property with the default number of GEMM threads. */
    public static final String THREADS_PROPERTY = "vae4j.threads";
    /** System property that, set to {@code false}, silences the hint that {@code auto} fell back to EJML. */
    public static final String FALLBACK_HINT_PROPERTY = "vae4j.fallbackHint";

    private static final Logger LOG = LoggerFactory.getLogger(Gemms.class);
    private static final String VECTOR_CLASS = "org.vae4j.internal.kernel.VectorGemm";

    private static volatile Gemm current;
    private static volatile Elementwise elementwise;

    private Gemms() {
    }

    /**
     * {@return the default backend, chosen once on first use from the system properties (or the
     * one last given to {@link #set})}
     *
     * @throws IllegalArgumentException if a property has an invalid value (see {@link #create(String, int)})
     * @throws IllegalStateException if {@code vector} is forced without the Vector API module, or
     *         the vector backend cannot be loaded
     */
    public static Gemm get() {
        Gemm g = current;
        if (g == null) {
            synchronized (Gemms.class) {
                g = current;
                if (g == null) {
                    g = create(System.getProperty(BACKEND_PROPERTY, "auto"), defaultThreads());
                    current = g;
                }
            }
        }
        return g;
    }

    /**
     * The elementwise kernels: {@code VectorElementwise} when the Vector API is present and the
     * backend is not forced to {@code ejml}, else {@link ScalarElementwise}.
     */
    static Elementwise elementwise() {
        Elementwise e = elementwise;
        if (e == null) {
            synchronized (Gemms.class) {
                e = elementwise;
                if (e == null) {
                    boolean vector = vectorAvailable() && !"ejml".equals(System.getProperty(BACKEND_PROPERTY));
                    e = vector ? load("org.vae4j.internal.kernel.VectorElementwise", Elementwise.class)
                            : ScalarElementwise.INSTANCE;
                    elementwise = e;
                }
            }
        }
        return e;
    }

    /** The Vector API elementwise kernels; needs the incubator module. */
    static Elementwise vectorElementwise() {
        return load("org.vae4j.internal.kernel.VectorElementwise", Elementwise.class);
    }

    /**
     * Replaces the default backend that {@link #get()} returns from now on (for tests and
     * benchmarks). The elementwise kernels of {@link Kernels#defaults()} are not changed.
     *
     * @param gemm the new default backend, not null
     * @throws IllegalArgumentException if {@code gemm} is null
     */
    public static void set(Gemm gemm) {
        if (gemm == null) {
            throw new IllegalArgumentException("gemm must not be null");
        }
        current = gemm;
    }

    /**
     * {@return whether the JVM has the {@code jdk.incubator.vector} module, which the fast backend needs}
     */
    public static boolean vectorAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * {@return the number of GEMM threads from {@value #THREADS_PROPERTY}, or the available processors}
     *
     * @throws IllegalArgumentException if the property is set but is not a positive integer
     */
    public static int defaultThreads() {
        String s = System.getProperty(THREADS_PROPERTY);
        if (s == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int t = Integer.parseInt(s.trim());
            if (t > 0) {
                return t;
            }
        } catch (NumberFormatException e) {
            // fall through to the error
        }
        throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "=" + s + " is not a positive integer");
    }

    /**
     * {@return a new backend by name with the given number of threads} Logs its name at INFO; when
     * {@code auto} falls back to EJML, also gives the fallback hint (once per JVM).
     *
     * @param name    {@code auto} (vector if available, else ejml), {@code vector} or {@code ejml}; not null
     * @param threads GEMM threads, &gt; 0
     * @throws IllegalArgumentException for {@code threads <= 0} or an unknown or null name
     * @throws IllegalStateException for {@code vector} without the {@code jdk.incubator.vector}
     *         module, or if the vector backend cannot be loaded
     */
    public static Gemm create(String name, int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("GEMM threads must be positive, got " + threads);
        }
        switch (name == null ? "null" : name) {
            case "auto":
                if (vectorAvailable()) {
                    return logged(createVector(threads));
                }
                Gemm g = logged(EjmlGemm.withThreads(threads));
                FallbackHint.give(LOG);
                return g;
            case "vector":
                if (!vectorAvailable()) {
                    throw new IllegalStateException("-D" + BACKEND_PROPERTY + "=vector needs the JVM flag "
                            + "--add-modules jdk.incubator.vector");
                }
                return logged(createVector(threads));
            case "ejml":
                return logged(EjmlGemm.withThreads(threads));
            default:
                throw new IllegalArgumentException("unknown GEMM backend '" + name + "' (-D" + BACKEND_PROPERTY
                        + "); expected auto, vector or ejml");
        }
    }

    /**
     * {@return a new backend with the given number of threads, of the kind the
     * {@value #BACKEND_PROPERTY} property names (default {@code auto}: the best available)}
     *
     * @param threads GEMM threads, &gt; 0
     * @throws IllegalArgumentException for {@code threads <= 0} or an unknown backend name in the property
     * @throws IllegalStateException as {@link #create(String, int)}
     */
    public static Gemm create(int threads) {
        return create(System.getProperty(BACKEND_PROPERTY, "auto"), threads);
    }

    private static Gemm logged(Gemm g) {
        LOG.info("GEMM backend: {}", g.name());
        return g;
    }

    /** Loads {@code VectorGemm} by name, so this class never links against the incubator module. */
    private static Gemm createVector(int threads) {
        try {
            return (Gemm) Class.forName(VECTOR_CLASS).getMethod("create", int.class).invoke(null, threads);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot start the vector GEMM backend", e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot load the vector GEMM backend", e);
        }
    }

    private static <T> T load(String className, Class<T> type) {
        try {
            return type.cast(Class.forName(className).getMethod("create").invoke(null));
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot start " + className, e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot load " + className, e);
        }
    }
}

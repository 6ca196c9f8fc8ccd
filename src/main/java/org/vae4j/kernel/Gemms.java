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
 * {@code ejml} ({@link EjmlGemm}, the reference, an order of magnitude slower). System properties:
 * <ul>
 * <li>{@value #BACKEND_PROPERTY} = {@code auto} (default), {@code vector} or {@code ejml} forces a backend;</li>
 * <li>{@value #THREADS_PROPERTY} = number of GEMM threads (default: available processors).</li>
 * </ul>
 * The first use logs one INFO line naming the backend in use.
 */
public final class Gemms {

    /** System property naming the backend: auto, vector or ejml. */
    public static final String BACKEND_PROPERTY = "vae4j.gemm";
    /** System property with the default number of GEMM threads. */
    public static final String THREADS_PROPERTY = "vae4j.threads";

    private static final Logger LOG = LoggerFactory.getLogger(Gemms.class);
    private static final String VECTOR_CLASS = "org.vae4j.internal.kernel.VectorGemm";

    private static volatile Gemm current;
    /** Whether the hint to add the Vector API module has been logged (once per JVM). */
    private static final java.util.concurrent.atomic.AtomicBoolean FALLBACK_HINTED =
            new java.util.concurrent.atomic.AtomicBoolean();
    private static volatile Elementwise elementwise;

    private Gemms() {
    }

    /** The default backend, chosen once on first use from the system properties. */
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

    /** Replaces the default backend (for tests and benchmarks). */
    public static void set(Gemm gemm) {
        if (gemm == null) {
            throw new IllegalArgumentException("gemm must not be null");
        }
        current = gemm;
    }

    /** Whether the JVM has the {@code jdk.incubator.vector} module, which the fast backend needs. */
    public static boolean vectorAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The number of GEMM threads from {@value #THREADS_PROPERTY}, or the available processors. */
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
     * A backend by name with the given number of threads.
     *
     * @param name    {@code auto} (vector if available, else ejml), {@code vector} or {@code ejml}
     * @param threads GEMM threads, &gt; 0
     */
    public static Gemm create(String name, int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("GEMM threads must be positive, got " + threads);
        }
        switch (name) {
            case "auto":
                if (vectorAvailable()) {
                    return logged(createVector(threads));
                }
                Gemm g = EjmlGemm.withThreads(threads);
                if (FALLBACK_HINTED.compareAndSet(false, true)) { // the hint once per JVM, not per backend made
                    LOG.info("GEMM backend: {} ({} threads; reference kernel). For a ~10x faster training step, "
                            + "run the JVM with --add-modules jdk.incubator.vector", g.name(), threads);
                } else {
                    LOG.debug("GEMM backend: {}", g.name());
                }
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

    /** The best available backend with the given number of threads. */
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

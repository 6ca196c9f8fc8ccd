package org.vae4j.kernel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the process-wide default {@link Gemm} backend. Thread-safe.
 *
 * <p>The system property {@value #BACKEND_PROPERTY} selects a backend by name; {@code ejml} is
 * the reference and currently the only one.
 */
public final class Gemms {

    /** System property naming the backend to use. */
    public static final String BACKEND_PROPERTY = "vae4j.gemm";

    private static final Logger LOG = LoggerFactory.getLogger(Gemms.class);

    private static volatile Gemm current;

    private Gemms() {
    }

    /** The default backend, chosen once on first use. */
    public static Gemm get() {
        Gemm g = current;
        if (g == null) {
            synchronized (Gemms.class) {
                g = current;
                if (g == null) {
                    g = choose(System.getProperty(BACKEND_PROPERTY, "auto"));
                    current = g;
                }
            }
        }
        return g;
    }

    /** Replaces the default backend (for tests and benchmarks). */
    public static void set(Gemm gemm) {
        if (gemm == null) {
            throw new IllegalArgumentException("gemm must not be null");
        }
        current = gemm;
    }

    private static Gemm choose(String name) {
        switch (name) {
            case "auto":
            case "ejml":
                LOG.info("GEMM backend: ejml (reference kernel)");
                return EjmlGemm.INSTANCE;
            default:
                throw new IllegalArgumentException("Unknown GEMM backend '" + name + "' in -D"
                        + BACKEND_PROPERTY + "; expected one of: auto, ejml");
        }
    }
}

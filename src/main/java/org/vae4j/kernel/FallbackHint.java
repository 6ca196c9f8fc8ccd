package org.vae4j.kernel;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * The one hint that {@code auto} fell back to the slow EJML kernels, given at most once per JVM.
 * Thread-safe.
 *
 * <p>With an SLF4J provider it is one WARN through SLF4J. Without one SLF4J falls back to its NOP
 * logger and would swallow it, so the hint goes through the JDK's own {@link System.Logger}
 * instead: the one place where the library does not log through SLF4J. The system property
 * {@value Gemms#FALLBACK_HINT_PROPERTY}{@code =false} silences it on both paths.
 */
final class FallbackHint {

    /** The text of the hint; tests look for it. */
    static final String MESSAGE = "vae4j runs on its reference EJML kernels because the JVM lacks the "
            + "jdk.incubator.vector module: a training step is about 6 times slower. Run the JVM with "
            + "--add-modules jdk.incubator.vector for the Vector API kernels (or -D"
            + Gemms.FALLBACK_HINT_PROPERTY + "=false to silence this hint)";

    private static final AtomicBoolean GIVEN = new AtomicBoolean();

    private FallbackHint() {
    }

    /** Gives the hint unless it was given before in this JVM or the property turns it off. */
    static void give(Logger slf4j) {
        if (!enabled() || !GIVEN.compareAndSet(false, true)) {
            return;
        }
        if (slf4jHasProvider()) {
            slf4j.warn(MESSAGE);
        } else {
            System.getLogger(Gemms.class.getName()).log(System.Logger.Level.WARNING, MESSAGE);
        }
    }

    /** False when {@value Gemms#FALLBACK_HINT_PROPERTY} is {@code false} (any case). */
    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(Gemms.FALLBACK_HINT_PROPERTY, "true").trim());
    }

    /** Whether SLF4J found a provider, that is whether it does not discard everything. */
    static boolean slf4jHasProvider() {
        return !(LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory);
    }
}

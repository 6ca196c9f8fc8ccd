package org.vae4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.vae4j.Vae;
import org.vae4j.internal.ChildJvm;

/**
 * The hint that {@code auto} fell back to EJML, in child JVMs with and without the Vector API
 * module and an SLF4J provider (logback, on the test class path).
 */
class FallbackHintTest {

    private static final String NO_LOGBACK = ChildJvm.classPathWithout("/logback-");
    private static final String WITH_LOGBACK = System.getProperty("java.class.path");
    private static final String MODULE = "--add-modules=jdk.incubator.vector";

    /** Builds backends the ways a program does: the default twice, one by thread count, a model. */
    public static final class Probe {
        public static void main(String[] args) {
            Gemms.get();
            Gemms.get();
            Gemms.create(1);
            Gemms.create("auto", 2);
            Vae.builder(4).hidden(3).latent(2).build();
            System.out.println("backend " + Gemms.get().name());
        }
    }

    private static ChildJvm.Streams run(String classPath, String... jvmOptions) throws Exception {
        ChildJvm.Streams r = ChildJvm.runWith(List.of(jvmOptions), classPath, Probe.class);
        assertEquals(0, r.status(), r.stdout() + r.stderr());
        return r;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void withoutProviderAndModuleTheHintGoesOnceToStderrThroughTheSystemLogger() throws Exception {
        ChildJvm.Streams r = run(NO_LOGBACK, "-Xmx128m");
        assertTrue(r.stderr().contains("No SLF4J providers were found"), "premise: SLF4J has no provider\n" + r.stderr());
        assertTrue(r.stdout().contains("backend ejml"), r.stdout());
        assertEquals(1, count(r.stderr(), FallbackHint.MESSAGE), r.stderr());
        assertTrue(r.stderr().contains("WARNING: " + FallbackHint.MESSAGE), "java.util.logging's format\n" + r.stderr());
        assertEquals(0, count(r.stdout(), FallbackHint.MESSAGE), r.stdout());
    }

    @Test
    void thePropertySilencesIt() throws Exception {
        ChildJvm.Streams r = run(NO_LOGBACK, "-Xmx128m", "-D" + Gemms.FALLBACK_HINT_PROPERTY + "=false");
        assertTrue(r.stdout().contains("backend ejml"), r.stdout());
        assertEquals(0, count(r.stderr() + r.stdout(), FallbackHint.MESSAGE), r.stderr());
        ChildJvm.Streams on = run(NO_LOGBACK, "-Xmx128m", "-D" + Gemms.FALLBACK_HINT_PROPERTY + "=true");
        assertEquals(1, count(on.stderr(), FallbackHint.MESSAGE), on.stderr());
    }

    @Test
    void withTheModuleThereIsNoHint() throws Exception {
        ChildJvm.Streams r = run(NO_LOGBACK, "-Xmx128m", MODULE);
        assertTrue(r.stdout().contains("backend vector"), r.stdout());
        assertEquals(0, count(r.stderr() + r.stdout(), FallbackHint.MESSAGE), r.stderr());
    }

    @Test
    void withAProviderItIsOneSlf4jWarnAndNothingThroughTheSystemLogger() throws Exception {
        ChildJvm.Streams r = run(WITH_LOGBACK, "-Xmx128m");
        // logback-test.xml: "HH:mm:ss.SSS LEVEL logger - message" on stdout
        assertEquals(1, count(r.stdout(), FallbackHint.MESSAGE), r.stdout());
        assertTrue(r.stdout().contains("WARN  Gemms - " + FallbackHint.MESSAGE), r.stdout());
        assertEquals(0, count(r.stderr(), FallbackHint.MESSAGE), r.stderr());
    }
}

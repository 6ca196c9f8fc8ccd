package org.vae4j.jpms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.internal.ChildJvm;

/**
 * A modular application (src/test/resources/jpms/app, module org.vae4j.jpmsapp) compiled against
 * the built jar on the module path and run with {@code -m} in a child JVM. Runs in the surefire
 * execution {@code modular-app} of the integration-test phase, after the jar is packaged
 * ({@code vae4j.jar} names it). Why an automatic module: docs/ARCHITECTURE.md, "Modules".
 */
class ModularApplicationTest {

    @TempDir
    static Path dir;

    private static Path jar;
    private static List<String> modulePath;
    private static List<String> classPath;
    /** slf4j-api, jackson-core, fastcsv: real modules, on either path. */
    private static List<String> libraries;

    private static String entry(String artifact) {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> Path.of(e).getFileName().toString().startsWith(artifact + "-"))
                .findFirst().orElseThrow(() -> new AssertionError(artifact + " is not on the test class path"));
    }

    @BeforeAll
    static void compileTheApplication() throws Exception {
        String built = System.getProperty("vae4j.jar");
        assertTrue(built != null, "run by the modular-app execution, which sets vae4j.jar");
        jar = Path.of(built);
        assertTrue(Files.isRegularFile(jar), jar + " is not built");
        modulePath = new ArrayList<>(List.of(jar.toString(), entry("ejml-core")));
        libraries = List.of(entry("slf4j-api"), entry("jackson-core"), entry("fastcsv"));
        classPath = List.of(entry("ejml-fdense"), entry("ejml-ddense"));

        Path src = Path.of("src/test/resources/jpms/app");
        List<String> sources;
        try (Stream<Path> s = Files.walk(src)) {
            sources = s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).collect(Collectors.toList());
        }
        Path out = dir.resolve("app");
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-Xlint:-requires-automatic",
                "--module-path", String.join(File.pathSeparator, modulePath)));
        args.addAll(sources);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "javac " + args);
        modulePath.add(0, out.toString());
    }

    /**
     * Runs the application. An automatic module's dependencies are not resolved for it: the
     * libraries that are real modules go on the class path, or on the module path with
     * {@code --add-modules}.
     */
    private static ChildJvm.Streams run(boolean librariesAsModules, String... options) throws Exception {
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC"));
        jvm.addAll(List.of(options));
        List<String> mp = new ArrayList<>(modulePath);
        List<String> cp = new ArrayList<>(classPath);
        if (librariesAsModules) {
            mp.addAll(libraries);
            jvm.addAll(List.of("--add-modules", "org.slf4j,com.fasterxml.jackson.core,de.siegmar.fastcsv"));
        } else {
            cp.addAll(libraries);
        }
        jvm.addAll(List.of("--module-path", String.join(File.pathSeparator, mp),
                "--class-path", String.join(File.pathSeparator, cp),
                "-m", "org.vae4j.jpmsapp/org.vae4j.jpmsapp.Main"));
        ChildJvm.Streams r = ChildJvm.java(jvm);
        assertEquals(0, r.status(), r.stdout() + r.stderr());
        return r;
    }

    @Test
    void theJarIsTheAutomaticModuleOrgVae4j() {
        ModuleDescriptor d = ModuleFinder.of(jar).findAll().iterator().next().descriptor();
        assertEquals("org.vae4j", d.name());
        assertTrue(d.isAutomatic());
        assertTrue(d.packages().contains("org.vae4j.kernel"), d.packages().toString());
        // The model codecs of META-INF/services are the automatic module's services.
        assertTrue(d.provides().stream().anyMatch(p -> p.service().equals("org.vae4j.io.ModelCodec")), d.toString());
    }

    @Test
    void aModularApplicationTrainsSavesAndLoadsOnTheVectorApi() throws Exception {
        ChildJvm.Streams r = run(false, "--add-modules", "jdk.incubator.vector");
        String out = r.stdout();
        assertTrue(out.contains("module org.vae4j automatic=true app=org.vae4j.jpmsapp"), out);
        assertTrue(out.contains("backend vector"), out);
        assertTrue(out.contains("epochs 2 finite=true"), out);
        assertTrue(out.contains("loaded Vae same=true"), out);
        assertTrue(out.contains("pca 2"), out);
    }

    @Test
    void withTheLibrariesAsModulesAndWithoutTheVectorModuleItFallsBackAndSaysSo() throws Exception {
        ChildJvm.Streams r = run(true);
        assertTrue(r.stdout().contains("module org.vae4j automatic=true app=org.vae4j.jpmsapp"), r.stdout());
        assertTrue(r.stdout().contains("backend ejml"), r.stdout());
        assertTrue(r.stdout().contains("loaded Vae same=true"), r.stdout());
        // No SLF4J provider: the fallback hint through System.Logger.
        assertTrue(r.stderr().contains("WARNING: vae4j runs on its reference EJML kernels"), r.stderr());
    }
}

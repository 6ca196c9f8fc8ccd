package org.vae4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A new user's project compiles and runs README.md's first program as it is printed: this test
 * copies {@code src/it/readme-snippet/pom.xml} (nothing but the vae4j dependency) and README's
 * first {@code ```java} block, verbatim, into {@code target/readme-snippet}, builds it with the
 * Maven, local repository and online/offline mode that run this build (so against the vae4j jar
 * just installed by the root build), and runs the program on the bundled MNIST subset.
 */
class ReadmeProjectTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** README.md's first {@code ```java} block. */
    static String readmeProgram() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        int start = lines.indexOf("```java");
        assertTrue(start >= 0, "README.md has no ```java block");
        StringBuilder code = new StringBuilder();
        for (int i = start + 1; !lines.get(i).equals("```"); i++) {
            code.append(lines.get(i)).append('\n');
        }
        return code.toString();
    }

    @Test
    void readmesProgramBuildsInAFreshMavenProjectAgainstTheInstalledJarAndRuns() throws Exception {
        String mavenHome = System.getProperty("vae4j.test.maven.home");
        assertNotNull(mavenHome, "run by Maven: the examples' pom passes vae4j.test.maven.home");
        String code = readmeProgram();
        assertTrue(code.contains("public class FirstVae"), "README's first program is no longer FirstVae:\n" + code);

        Path project = Path.of("target", "readme-snippet").toAbsolutePath();
        deleteRecursively(project);
        Files.createDirectories(project.resolve("src/main/java"));
        Files.copy(ROOT.resolve("src/it/readme-snippet/pom.xml"), project.resolve("pom.xml"));
        Files.writeString(project.resolve("src/main/java/FirstVae.java"), code, StandardCharsets.UTF_8);

        List<String> mvn = new ArrayList<>(List.of(Path.of(mavenHome, "bin", "mvn").toString(), "-B", "-q",
                "-Dmaven.repo.local=" + System.getProperty("vae4j.test.maven.repo"),
                "-Dvae4j.version=" + System.getProperty("vae4j.test.version"), "-f", project.resolve("pom.xml").toString(),
                "compile"));
        if (Boolean.parseBoolean(System.getProperty("vae4j.test.maven.offline"))) {
            mvn.add(1, "-o");
        }
        Run build = run(mvn, project);
        assertEquals(0, build.status, "the fresh project does not build:\n" + build.output);

        Run program = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx1g", "-XX:+UseSerialGC",
                "-cp", project.resolve("target/classes") + File.pathSeparator + project.resolve("target/lib") + File.separator + "*",
                "FirstVae", ROOT.resolve("examples/data/mnist-subset").toString()), project);
        assertEquals(0, program.status, "README's program fails in the fresh project:\n" + program.output);
        assertTrue(program.output.contains("epoch 10: train loss") && program.output.contains("mu 5000x32, samples 64x784"),
                program.output);
    }

    private record Run(int status, String output) {
    }

    private static Run run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("VAE4J_DATA");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd.get(0) + " did not end: " + new String(out, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}

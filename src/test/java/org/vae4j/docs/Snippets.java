package org.vae4j.docs;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * The {@code ```java} blocks of a Markdown document, compiled and run as they are written: each
 * block is one complete Java source file (imports and at least one top-level type, no package),
 * named after its public type (else its first one). The blocks of one document are compiled
 * together, in a folder of their own, against the test classpath (so a later block may use a type
 * of an earlier one, as a tutorial builds on its previous step); a block whose type has a
 * {@code public static void main(String[] args)} is then run in a child JVM. Not thread-safe.
 */
final class Snippets {

    /** One block: where it starts in its document (the line of the opening fence) and its text. */
    record Block(Path document, int line, String code) {

        private static final Pattern TYPE = Pattern.compile(
                "^(public\\s+)?((?:final|abstract|sealed|non-sealed)\\s+)*(class|interface|record|enum)\\s+(\\w+)",
                Pattern.MULTILINE);

        /** The file's type name: the public top-level type, else the first top-level one, else null. */
        String typeName() {
            Matcher m = TYPE.matcher(code);
            String first = null;
            while (m.find()) {
                if (m.group(1) != null) {
                    return m.group(4);
                }
                if (first == null) {
                    first = m.group(4);
                }
            }
            return first;
        }

        /** Whether the block declares a program's entry point. */
        boolean hasMain() {
            return code.contains("public static void main(String[] args)");
        }

        String where() {
            return document.getFileName() + ":" + line;
        }
    }

    /** Exit status and merged output of a run. */
    record Run(int status, String output) {
    }

    private Snippets() {
    }

    /** Every {@code ```java} block of {@code md}, in order. */
    static List<Block> javaBlocks(Path md) throws IOException {
        List<String> lines = Files.readAllLines(md, StandardCharsets.UTF_8);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```java")) {
                continue;
            }
            int start = i;
            StringBuilder code = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                code.append(lines.get(i)).append('\n');
            }
            if (i == lines.size()) {
                throw new IllegalStateException(md.getFileName() + ":" + (start + 1) + ": unclosed ```java block");
            }
            blocks.add(new Block(md, start + 1, code.toString()));
        }
        return blocks;
    }

    /**
     * Compiles the blocks together into {@code classes}; returns the compiler's errors and
     * warnings, each prefixed by document:line, or an empty string when there were none.
     */
    static String compile(List<Block> blocks, Path sources, Path classes) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no system Java compiler: run the tests on a JDK, not a JRE");
        }
        Files.createDirectories(sources);
        Files.createDirectories(classes);
        List<Path> files = new ArrayList<>();
        for (Block b : blocks) {
            Path f = sources.resolve(b.typeName() + ".java");
            if (Files.exists(f)) {
                return b.where() + ": a second block declaring " + b.typeName() + " in the same document\n";
            }
            Files.writeString(f, b.code(), StandardCharsets.UTF_8);
            files.add(f);
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter out = new StringWriter();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "17", "-Xlint:all", "-Xlint:-processing", "-proc:none",
                    "-classpath", System.getProperty("java.class.path"), "-d", classes.toString());
            javac.getTask(out, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
        }
        StringBuilder report = new StringBuilder(out.toString());
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.NOTE) {
                continue;
            }
            String where = "?";
            if (d.getSource() != null) {
                String name = Path.of(d.getSource().toUri()).getFileName().toString();
                for (Block b : blocks) {
                    if ((b.typeName() + ".java").equals(name)) {
                        where = b.document().getFileName() + ":" + (b.line() + d.getLineNumber());
                    }
                }
            }
            report.append(where).append(": ").append(d.getKind()).append(": ")
                    .append(d.getMessage(Locale.ROOT)).append('\n');
        }
        return report.toString();
    }

    /**
     * Runs {@code mainClass} of {@code classes} in a child JVM in {@code workDir}, with the Vector
     * API module, {@code user.home} in {@code workDir} (an empty data cache), no {@code VAE4J_DATA}
     * and every download refused at once (a proxy on a closed local port).
     *
     * @throws IllegalStateException when the child has not ended after 5 minutes (it is killed)
     */
    static Run run(Path classes, String mainClass, Path workDir, List<String> args)
            throws IOException, InterruptedException {
        Path home = Files.createDirectories(workDir.resolve("home"));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx1g", "-XX:+UseSerialGC",
                "-Duser.home=" + home, "-Dhttps.proxyHost=127.0.0.1", "-Dhttps.proxyPort=9",
                "-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=9",
                "-cp", classes + java.io.File.pathSeparator + System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("VAE4J_DATA");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes(); // until the child closes its output
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(mainClass + " did not end: " + new String(out, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}

package org.vae4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/SPARK.md's {@code ```java} blocks, as the core's DocSnippetsTest does for the other docs:
 * each block a whole source file, all compiled together against this module's test classpath,
 * each program's {@code main} then run, here in this JVM (Spark's JVM options, and the tests'
 * {@link SparkTestSession} as the session the programs' {@code getOrCreate()} returns).
 */
class SparkDocSnippetsTest {

    private static final Pattern TYPE = Pattern.compile("^public\\s+(?:final\\s+)?class\\s+(\\w+)", Pattern.MULTILINE);

    @Test
    void everyJavaBlockOfSparkMdCompilesAndEveryProgramRuns(@TempDir Path tmp) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..", "docs", "SPARK.md"), StandardCharsets.UTF_8);
        List<Path> files = new ArrayList<>();
        List<String> programs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).equals("```java")) {
                continue;
            }
            int start = i + 1;
            StringBuilder code = new StringBuilder();
            for (i++; !lines.get(i).equals("```"); i++) {
                code.append(lines.get(i)).append('\n');
            }
            Matcher m = TYPE.matcher(code);
            assertTrue(m.find(), "SPARK.md:" + start + ": a ```java block must be a whole source file with a public class");
            Path f = tmp.resolve(m.group(1) + ".java");
            Files.writeString(f, code);
            files.add(f);
            if (code.indexOf("public static void main(String[] args)") >= 0) {
                programs.add(m.group(1));
            }
        }
        assertEquals(2, files.size(), "SPARK.md's Java blocks");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:none", "-classpath",
                System.getProperty("java.class.path"), "-d", tmp.toString()));
        files.forEach(f -> args.add(f.toString()));
        int status = javac.run(null, null, null, args.toArray(String[]::new));
        assertEquals(0, status, "SPARK.md's Java blocks do not compile (the compiler's messages are above)");

        Files.deleteIfExists(Path.of("target", "checkpoint.safetensors"));
        SparkTestSession.get(); // the session every getOrCreate() of the programs returns
        try (URLClassLoader loader = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, getClass().getClassLoader())) {
            for (String p : programs) {
                Method main = loader.loadClass(p).getMethod("main", String[].class);
                main.invoke(null, (Object) new String[0]);
            }
        }
        assertTrue(Files.isRegularFile(Path.of("target", "checkpoint.safetensors")));
        assertTrue(Files.isDirectory(Path.of("target", "vae-model")));
        assertEquals(List.of("TrainOnSpark", "ScoreOnSpark"), programs);
    }
}

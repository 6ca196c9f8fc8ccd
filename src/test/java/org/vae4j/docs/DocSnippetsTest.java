package org.vae4j.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.vae4j.Vae;
import org.vae4j.io.FloatTensor;
import org.vae4j.io.SafeTensors;
import org.vae4j.nn.Activation;
import org.vae4j.nn.Parameter;

/**
 * Every {@code ```java} block of README.md and docs/*.md is a complete source file that compiles
 * and, when it is a program, runs to exit status 0 (see {@link Snippets} for the rules). So a
 * snippet cannot drift from the API: renaming a method breaks this test until the docs follow.
 * docs/SPARK.md's blocks need Spark and are compiled by the spark module's own test.
 *
 * <p>Programs run in a fresh folder (their {@code out/...} files land there) that links
 * {@code examples/} and {@code src/} of the checkout, so a snippet refers to the bundled MNIST
 * subset or a test fixture by the path a reader at the checkout's root would use; MNIST itself is
 * never there (an empty cache, downloads refused), so no snippet depends on ../shared or the network.
 */
class DocSnippetsTest {

    /** The checkout's root: the core module's folder, where surefire runs. */
    static final Path ROOT = Path.of("").toAbsolutePath();

    /** Documents whose blocks need more than the core's test classpath. */
    private static final List<String> ELSEWHERE = List.of("SPARK.md");

    /** The command-line arguments a program is run with, as its document says to run it. */
    private static final Map<String, List<String>> ARGS = Map.of(
            "FirstVae", List.of("examples/data/mnist-subset"),
            "LoadFromPyTorch", List.of("src/test/resources/io/pytorch_vae_12_8_3.safetensors"));

    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(ROOT.resolve("README.md"));
        try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> !ELSEWHERE.contains(p.getFileName().toString()))
                    .sorted().forEach(docs::add);
        }
        return docs;
    }

    @TestFactory
    Stream<DynamicTest> everyJavaBlockOfTheDocsCompilesAndEveryProgramRuns(@TempDir Path tmp) throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path doc : documents()) {
            List<Snippets.Block> blocks = Snippets.javaBlocks(doc);
            if (blocks.isEmpty()) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(doc.getFileName().toString(), () -> checkDocument(doc, blocks, tmp)));
        }
        assertFalse(tests.isEmpty(), "no ```java block found in " + ROOT);
        return tests.stream();
    }

    private static void checkDocument(Path doc, List<Snippets.Block> blocks, Path tmp) throws Exception {
        for (Snippets.Block b : blocks) {
            assertNotNull(b.typeName(), b.where() + ": a ```java block must be a whole source file: its imports"
                    + " and a class (a program has a main), not statements out of context");
            assertFalse(b.code().startsWith("package "), b.where() + ": no package statement in a snippet");
        }
        Path dir = tmp.resolve(doc.getFileName().toString());
        Path classes = dir.resolve("classes");
        String errors = Snippets.compile(blocks, dir.resolve("src"), classes);
        assertEquals("", errors, "the ```java blocks of " + doc.getFileName() + " do not compile cleanly");
        List<String> programs = new ArrayList<>();
        for (Snippets.Block b : blocks) {
            if (b.hasMain()) {
                programs.add(b.typeName());
            }
        }
        for (Snippets.Block b : blocks) {
            boolean used = b.hasMain() || blocks.stream().filter(o -> o != b)
                    .anyMatch(o -> o.code().matches("(?s).*\\b" + b.typeName() + "\\b.*"));
            assertTrue(used, b.where() + ": " + b.typeName() + " is neither a program nor used by another"
                    + " block of the document, so nothing runs it");
        }
        for (String main : programs) {
            Path work = Files.createDirectories(dir.resolve("run-" + main));
            Files.createSymbolicLink(work.resolve("examples"), ROOT.resolve("examples"));
            Files.createSymbolicLink(work.resolve("src"), ROOT.resolve("src"));
            if (main.equals("LoadIntoTanhVae")) {
                writeAsPyTorchWould(work.resolve("model.safetensors"));
            }
            Snippets.Run r = Snippets.run(classes, main, work, ARGS.getOrDefault(main, List.of()));
            Files.delete(work.resolve("examples")); // the links, not what they point to
            Files.delete(work.resolve("src"));
            Path log = Files.createDirectories(ROOT.resolve("target/doc-snippets")).resolve(main + ".txt");
            Files.writeString(log, r.output());
            assertEquals(0, r.status(), doc.getFileName() + "'s " + main + " failed:\n" + r.output());
        }
    }

    /**
     * The state_dict file docs/MODEL_FILES.md's tanh example loads: a 784-400-(20) VAE's tensors
     * under the seed module's names, PyTorch's shapes, no vae4j metadata.
     */
    private static void writeAsPyTorchWould(Path file) throws IOException {
        Vae v = Vae.builder(784).hidden(400).latent(20).activation(Activation.TANH).seed(3).build();
        List<FloatTensor> tensors = new ArrayList<>();
        for (Parameter p : v.parameters()) {
            long[] shape = p.name().endsWith(".bias") ? new long[] {p.cols()} : new long[] {p.rows(), p.cols()};
            tensors.add(new FloatTensor(p.name(), shape,
                    Arrays.copyOfRange(p.valueArray(), p.offset(), p.offset() + p.size())));
        }
        SafeTensors.write(file, Map.of("format", "pt"), tensors);
    }

    @Test
    void aBlockThatDriftedFromTheApiFailsNamingItsDocumentAndLine(@TempDir Path tmp) throws IOException {
        Path md = tmp.resolve("DRIFT.md");
        Files.writeString(md, "# t\n\ntext\n\n```java\nimport org.vae4j.Vae;\n\npublic class Drift {\n"
                + "    public static void main(String[] args) {\n"
                + "        Vae.builder(4).build().evaluate(null, null);\n    }\n}\n```\n");
        List<Snippets.Block> blocks = Snippets.javaBlocks(md);
        assertEquals(1, blocks.size());
        assertEquals("Drift", blocks.get(0).typeName());
        assertTrue(blocks.get(0).hasMain());
        String errors = Snippets.compile(blocks, tmp.resolve("src"), tmp.resolve("classes"));
        // line 5 is the fence, so the call on the block's 5th line is the document's line 10
        assertTrue(errors.startsWith("DRIFT.md:10: ERROR: "), errors);
        assertTrue(errors.contains("evaluate"), errors);
    }

    @Test
    void aBlockOfStatementsHasNoTypeAndIsRefused(@TempDir Path tmp) throws IOException {
        Path md = tmp.resolve("LOOSE.md");
        Files.writeString(md, "```java\nVae vae = Vae.builder(784).build();\n```\n");
        assertEquals(null, Snippets.javaBlocks(md).get(0).typeName());
    }
}

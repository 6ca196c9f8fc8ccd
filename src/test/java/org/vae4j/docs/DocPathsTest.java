package org.vae4j.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docs cite only files of the repository that exist, and no folder of a development machine:
 * every relative Markdown link, every {@code `path`} under one of the repository's top-level
 * folders, and every such path in a {@code ```bash} block (the commands) of README.md, docs/*.md
 * and the READMEs of examples/, benchmarks/ and the bundled data sets (build outputs under a
 * {@code target/} folder excepted).
 */
class DocPathsTest {

    private static final Path ROOT = DocSnippetsTest.ROOT;

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
    private static final Pattern CODE = Pattern.compile("`([^`\\s]+)`");
    private static final Pattern REPO_PATH = Pattern.compile("^(src|docs|examples|benchmarks|spark|bench)/[^\\s\"'`)]*");
    private static final Pattern MACHINE = Pattern.compile("(?<![\\w.~])/(work|root|Users|home/(?!you\\b))[/\\w.-]*");

    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(DocSnippetsTest.documents());
        docs.add(ROOT.resolve("docs/SPARK.md"));
        docs.add(ROOT.resolve("examples/README.md"));
        docs.add(ROOT.resolve("benchmarks/README.md"));
        try (Stream<Path> s = Files.list(ROOT.resolve("examples/data"))) {
            s.map(d -> d.resolve("README.md")).filter(Files::isRegularFile).sorted().forEach(docs::add);
        }
        return docs.stream().filter(Files::isRegularFile).distinct().toList();
    }

    /** Every problem of one document: a cited path that does not exist, a machine's folder. */
    static List<String> problems(Path doc, Path root) throws IOException {
        List<String> found = new ArrayList<>();
        List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
        boolean bash = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String where = root.relativize(doc) + ":" + (i + 1) + ": ";
            if (line.strip().startsWith("```")) {
                bash = line.strip().equals("```bash");
                continue;
            }
            Matcher machine = MACHINE.matcher(line);
            while (machine.find()) {
                found.add(where + "a development machine's path " + machine.group());
            }
            Matcher link = LINK.matcher(line);
            while (link.find()) {
                String target = link.group(1);
                if (!target.contains(":") && !Files.exists(doc.getParent().resolve(target))) {
                    found.add(where + "link to a missing file " + target);
                }
            }
            List<String> tokens = new ArrayList<>();
            Matcher code = CODE.matcher(line);
            while (code.find()) {
                tokens.add(code.group(1));
            }
            if (bash) {
                tokens.addAll(List.of(line.strip().split("\\s+")));
            }
            for (String t : tokens) {
                Matcher m = REPO_PATH.matcher(t);
                if (!m.find()) {
                    continue;
                }
                String path = m.group().replaceAll("[.,;:]+$", "");
                if (path.matches(".*[<>*{}\\[\\]$].*") || path.matches(".*\\b(DIR|FILE|N)\\b.*")) {
                    continue; // a pattern or placeholder, not a file
                }
                if (path.contains("/target/")) {
                    continue; // a build's output
                }
                if (!Files.exists(root.resolve(path)) && !Files.exists(doc.getParent().resolve(path))) {
                    found.add(where + "a missing file " + path);
                }
            }
        }
        return found;
    }

    @Test
    void everyCitedRepositoryPathExistsAndNoMachinePathIsCited() throws IOException {
        List<String> all = new ArrayList<>();
        List<Path> docs = documents();
        assertTrue(docs.size() >= 10, "documents found: " + docs);
        for (Path doc : docs) {
            all.addAll(problems(doc, ROOT));
        }
        assertEquals("", String.join("\n", all));
    }

    @Test
    void theCheckFindsAMissingFileALinkAndAMachinePath(@TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("docs"));
        Files.createDirectories(tmp.resolve("bench"));
        Files.writeString(tmp.resolve("bench/real.py"), "");
        Path doc = tmp.resolve("docs/X.md");
        Files.writeString(doc, "`bench/real.py` and `bench/pytorch_ref.py`, see [it](GONE.md) and [ok](X.md)\n"
                + "```bash\nexamples/train-mnist --data examples/data/mnist-subset\n```\n"
                + "data from /work/shared/data/mnist, not from /home/you/.cache\n");
        List<String> p = problems(doc, tmp);
        assertEquals(List.of("docs/X.md:1: link to a missing file GONE.md",
                "docs/X.md:1: a missing file bench/pytorch_ref.py",
                "docs/X.md:3: a missing file examples/train-mnist",
                "docs/X.md:3: a missing file examples/data/mnist-subset",
                "docs/X.md:5: a development machine's path /work/shared/data/mnist"), p);
    }

    @Test
    void examplesReadmeStatesTheLaunchersDefaultJvmOptions() throws IOException {
        String run = Files.readString(ROOT.resolve("examples/run"));
        Matcher m = Pattern.compile("\\$\\{VAE4J_JAVA_OPTS:-([^}]*)}").matcher(run);
        assertTrue(m.find(), "examples/run has no default for VAE4J_JAVA_OPTS");
        String readme = Files.readString(ROOT.resolve("examples/README.md"));
        assertTrue(readme.contains("`VAE4J_JAVA_OPTS`: JVM options, default `" + m.group(1) + "`"),
                "examples/README.md does not state examples/run's default VAE4J_JAVA_OPTS " + m.group(1));
        assertFalse(m.group(1).isBlank());
    }
}

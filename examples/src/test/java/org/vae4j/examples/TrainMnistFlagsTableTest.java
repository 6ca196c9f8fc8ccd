package org.vae4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vae4j.objective.Corruption;
import picocli.CommandLine;

/**
 * Every flag of train-mnist, table-driven (issue 13): a good value is accepted and lands in the
 * settings; a bad one ends the program with exit status 2 (1 for a bad file or folder) before it
 * reads any data, in one line naming the flag and the value. The table must cover every option
 * the command declares, so a new flag without a row fails {@link #theTableCoversEveryFlag()}.
 */
class TrainMnistFlagsTableTest {

    @TempDir
    static Path tmp;

    /**
     * One flag: {@code good} (with {@code extra} flags it needs) is accepted and {@code reflected}
     * holds of the parsed settings; {@code bad} fails with exit {@code status} and a line holding
     * the flag and {@code shown}.
     */
    record Row(String flag, String good, List<String> extra, Predicate<TrainMnist> reflected, String bad,
               String shown, int status) {
        @Override
        public String toString() {
            return flag;
        }
    }

    static Row row(String flag, String good, Predicate<TrainMnist> reflected, String bad, String shown) {
        return new Row(flag, good, List.of(), reflected, bad, shown, TrainMnist.EXIT_USAGE);
    }

    static Path nowhere() {
        return tmp.resolve("nowhere");
    }

    static Path aFile() {
        Path f = tmp.resolve("a-file");
        try {
            Files.writeString(f, "not a folder");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return f;
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("--data", "data/mnist-subset", List.of(), o -> Path.of("data/mnist-subset").equals(o.data),
                        nowhere().toString(), nowhere() + " does not hold the mnist files (no such folder", 1),
                row("--dataset", "fashion-mnist", o -> o.dataset.equals("fashion-mnist"), "cifar", "'cifar'"),
                row("--model", "ae", o -> o.model == TrainMnist.ModelKind.ae, "gan", "'gan'"),
                row("--hidden", "16,8", o -> Arrays.equals(o.hidden, new int[] {16, 8}), "16,0", "got 0"),
                row("--latent", "3", o -> Integer.valueOf(3).equals(o.latent), "0", "got 0"),
                row("--epochs", "3", o -> o.epochs == 3, "three", "'three'"),
                row("--batch-size", "64", o -> o.batchSize == 64, "-1", "got -1"),
                row("--lr", "0.01", o -> o.lr == 0.01, "0", "got 0.0"),
                row("--beta", "0.5", o -> o.beta == 0.5, "-1", "got -1.0"),
                row("--warmup-steps", "100", o -> o.warmupSteps == 100, "-5", "got -5"),
                row("--seed", "7", o -> o.seed == 7, "seven", "'seven'"),
                row("--threads", "2", o -> Integer.valueOf(2).equals(o.threads), "0", "got 0"),
                new Row("--out", "out/x", List.of(), o -> Path.of("out/x").equals(o.out), aFile().toString(),
                        aFile() + " is a file, not a folder", TrainMnist.EXIT_USAGE),
                row("--force", null, o -> o.force, "--force=maybe", "'maybe'"),
                row("--binarise", null, o -> o.binarise, "--binarise=often", "'often'"),
                row("--corruption", "mask:0.3", o -> o.corruption.equals(Corruption.masking(0.3)), "mask:1.5", "'mask:1.5'"),
                new Row("--resume", "run/checkpoint.safetensors", List.of(),
                        o -> Path.of("run/checkpoint.safetensors").equals(o.resume), nowhere().toString(),
                        "--resume " + nowhere() + ": no such file or folder", 1),
                row("--validation", "500", o -> o.validation == 500, "1.5", "got 1.5"),
                new Row("--patience", "3", List.of("--validation", "100"), o -> o.patience == 3, "-1", "got -1",
                        TrainMnist.EXIT_USAGE),
                row("--min-delta", "0.1", o -> o.minDelta == 0.1, "-0.1", "got -0.1"),
                row("--lr-schedule", "step:2,0.5", o -> o.lrSchedule.equals("step:2,0.5"), "sawtooth", "'sawtooth'"),
                row("--lr-warmup-steps", "10", o -> o.lrWarmupSteps == 10, "-1", "got -1"),
                row("--weight-decay", "0.01", o -> o.weightDecay == 0.01, "-1", "got -1.0"),
                row("--clip-grad-norm", "1.5", o -> o.clipGradNorm == 1.5, "-1", "got -1.0"),
                row("--micro-batches", "2", o -> o.microBatches == 2, "0", "got 0"),
                row("--objective", "iwae:5", o -> o.objective.equals("iwae:5"), "iwae:0", "iwae:0"),
                row("--free-bits", "0.25", o -> o.freeBits == 0.25, "-1", "got -1.0"),
                new Row("--condition-scale", "2.5", List.of("--model", "cvae"), o -> Double.valueOf(2.5).equals(o.conditionScale), "0",
                        "got 0.0", TrainMnist.EXIT_USAGE),
                row("--kl-schedule", "cyclical:100,0.5", o -> o.klSchedule.equals("cyclical:100,0.5"),
                        "cyclical:0,0.5", "cyclical:0,0.5"),
                row("--iw-samples", "10", o -> o.iwSamples == 10, "0", "got 0"));
    }

    /** The flags parsed and checked as the program does before it loads any data. */
    static TrainMnist parsedAndChecked(List<String> args) throws TrainMnist.UsageException {
        TrainMnist o = new TrainMnist();
        TrainMnist.commandLine(o).parseArgs(args.toArray(new String[0]));
        TrainMnistSettings.check(o);
        return o;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void aGoodValueIsAcceptedAndLandsInTheSettings(Row r) throws TrainMnist.UsageException {
        List<String> args = new ArrayList<>(r.extra());
        args.add(r.flag());
        if (r.good() != null) {
            args.add(r.good());
        }
        TrainMnist o = parsedAndChecked(args);
        assertTrue(r.reflected().test(o), r.flag() + " " + r.good() + " is not in the settings");
        assertTrue(!r.reflected().test(parsedAndChecked(r.extra())), r.flag() + ": the default already passes");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void aBadValueEndsTheProgramInOneLineNamingTheFlagAndTheValue(Row r) {
        Path out = tmp.resolve("never-" + r.flag().substring(2));
        List<String> args = new ArrayList<>();
        if (!r.flag().equals("--data")) {
            args.addAll(List.of("--data", TrainMnistRunTest.SUBSET.toString()));
        }
        if (!r.flag().equals("--out")) {
            args.addAll(List.of("--out", out.toString()));
        }
        args.addAll(r.extra());
        if (r.bad().startsWith("--")) {
            args.add(r.bad());
        } else {
            args.add(r.flag());
            args.add(r.bad());
        }
        TrainMnistRunTest.Result res = TrainMnistRunTest.trainMnist(args.toArray(new String[0]));
        assertEquals(r.status(), res.status(), res.out() + res.err());
        List<String> lines = TrainMnistRunTest.programLines(res.err());
        // one line; a --data folder without the files is followed by where to put them
        assertEquals(r.flag().equals("--data") ? 2 : 1, lines.size(), res.err());
        assertTrue(!res.err().contains("\tat "), "no stack trace: " + res.err());
        String line = lines.get(0);
        assertTrue(line.startsWith("train-mnist: "), line);
        assertTrue(line.contains(r.flag()), "the line does not name " + r.flag() + ": " + line);
        assertTrue(line.contains(r.shown()), "the line does not show '" + r.shown() + "': " + line);
        assertTrue(!Files.exists(out), "nothing is written for a bad flag");
        assertEquals("", res.out(), "no output before the error");
    }

    @Test
    void theTableCoversEveryFlag() {
        Set<String> declared = new TreeSet<>();
        for (CommandLine.Model.OptionSpec s : TrainMnist.commandLine(new TrainMnist()).getCommandSpec().options()) {
            declared.add(s.longestName());
        }
        declared.remove("--help");
        Set<String> tabled = new TreeSet<>(rows().map(Row::flag).toList());
        assertEquals(declared, tabled);
    }

    @Test
    void helpListsEveryFlagAndExitsZero() {
        TrainMnistRunTest.Result r = TrainMnistRunTest.trainMnist("--help");
        assertEquals(0, r.status(), r.err());
        for (String flag : rows().map(Row::flag).toList()) {
            assertTrue(r.out().contains(flag), flag + " is not in --help:\n" + r.out());
        }
    }
}

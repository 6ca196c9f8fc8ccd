package org.vae4j.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.vae4j.io.ModelFileException;
import org.vae4j.table.TableFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code examples/vae4j}: a VAE for any CSV table (docs/TUTORIAL.md, "Tables"). Subcommands:
 * {@code train} ({@link TableTrain}), {@code score} ({@link TableScore}), {@code encode} and
 * {@code generate} ({@link TableEncode}, {@link TableGenerate}). Exit status 0 on success, 1 for
 * bad data or files (the message names the file, line and column), 2 for bad flags.
 */
@Command(name = Vae4j.PROGRAM, mixinStandardHelpOptions = true, usageHelpAutoWidth = true, version = "vae4j examples 0.1.0-SNAPSHOT",
        description = {"A variational autoencoder for CSV tables: anomaly scores, embeddings, synthetic rows.", ""},
        subcommands = {TableTrain.class, TableScore.class, TableEncode.class, TableGenerate.class},
        footer = {"", "examples/vae4j train --data FILE.csv --out DIR --seed 1",
                "examples/vae4j score --model DIR/model.safetensors --data FILE.csv --out SCORES.csv",
                "See docs/TUTORIAL.md (\"Tables\") and docs/DATA.md."})
public final class Vae4j implements Callable<Integer> {

    static final String PROGRAM = "vae4j";
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        ProgramErrors.exitOnUncaughtThrowable(PROGRAM);
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the program with its output on the given streams; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Vae4j());
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println(PROGRAM + ": " + e.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(PROGRAM + " " + cmd.getCommandName() + ": " + message(e));
            if (System.getenv("VAE4J_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            }
            return e instanceof UsageException ? EXIT_USAGE : EXIT_FAILURE;
        });
        return ProgramErrors.execute(cl, PROGRAM, args); // an Error too ends in one line
    }

    /** One line for an error: a data or file problem as its message, anything else with its class. */
    static String message(Exception e) {
        if (e instanceof UsageException || e instanceof TableFormatException || e instanceof ModelFileException) {
            return e.getMessage() + (e instanceof UsageException ? " (see --help)" : "");
        }
        if (e instanceof IOException io) {
            return TrainMnist.describe(io);
        }
        if (e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        return "internal error: " + e + (System.getenv("VAE4J_DEBUG") == null ? " (set VAE4J_DEBUG=1 for the stack trace)" : "");
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USAGE;
    }

    /** A problem with the flags. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The model file of --model: a file, or a folder holding model.safetensors. */
    static Path modelFile(Path given) {
        return java.nio.file.Files.isDirectory(given) ? given.resolve("model.safetensors") : given;
    }
}

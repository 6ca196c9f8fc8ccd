package org.vae4j.examples;

import picocli.CommandLine;

/**
 * How the example programs ({@link TrainMnist}, {@link Vae4j}) end on an {@link Error} or an
 * exception that ends another thread: one line on stderr and exit status 1, never a stack trace
 * (with {@code VAE4J_DEBUG} set, the trace follows the line). Stateless.
 */
final class ProgramErrors {

    private ProgramErrors() {
    }

    /**
     * Runs a command line; an {@link Error} (out of memory, stack overflow), which picocli lets
     * through, ends in one line on stderr and {@link TrainMnist#EXIT_FAILURE}, never a stack trace (with
     * {@code VAE4J_DEBUG} set, the trace follows).
     */
    static int execute(CommandLine cl, String program, String... args) {
        try {
            return cl.execute(args);
        } catch (Error e) {
            System.out.flush();
            cl.getErr().println(program + ": " + describe(e));
            if (System.getenv("VAE4J_DEBUG") != null) {
                e.printStackTrace(cl.getErr());
            }
            cl.getErr().flush();
            return TrainMnist.EXIT_FAILURE;
        }
    }

    /**
     * Makes an exception or error that ends another thread (a GEMM worker out of memory, say) end
     * the program with one line and {@link TrainMnist#EXIT_FAILURE} instead of a stack trace and a hang.
     */
    static void exitOnUncaughtThrowable(String program) {
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            System.out.flush();
            System.err.println(program + ": " + (e instanceof Error err ? describe(err) : "internal error: " + e)
                    + " (in thread " + thread.getName() + ")");
            if (System.getenv("VAE4J_DEBUG") != null) {
                e.printStackTrace();
            }
            System.err.flush();
            Runtime.getRuntime().halt(TrainMnist.EXIT_FAILURE);
        });
    }

    /** One line for an {@link Error}. */
    static String describe(Error e) {
        String debug = System.getenv("VAE4J_DEBUG") == null ? " (set VAE4J_DEBUG=1 for the stack trace)" : "";
        if (e instanceof OutOfMemoryError) {
            return "out of memory (" + (e.getMessage() != null ? e.getMessage() : "OutOfMemoryError")
                    + "): give the JVM a larger heap, e.g. VAE4J_JAVA_OPTS=-Xmx4g, or use a smaller model or batch";
        }
        if (e instanceof StackOverflowError) {
            return "internal error: stack overflow (java.lang.StackOverflowError)" + debug;
        }
        return "internal error: " + e + debug;
    }
}

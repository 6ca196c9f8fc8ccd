package org.vae4j.examples;

import java.io.PrintStream;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.Loss;
import org.vae4j.LatentModel;
import org.vae4j.kernel.Gemm;
import org.vae4j.loss.Likelihood;
import org.vae4j.nn.Parameter;

/**
 * A one-line progress bar with images/s and time left, redrawn in place on a terminal:
 * <pre>
 *   epoch 3/10 [##########..........]  30208/60000  7,412 img/s  0:04 left
 * </pre>
 * {@link #forTerminal} gives a bar only when the program runs on a terminal
 * ({@link #onTerminal()}); otherwise nothing is drawn (no carriage return, no escape code), so logs and pipes get only the
 * per-epoch lines. Not thread-safe.
 */
final class ProgressBar {

    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long done;
    private long lastDraw;
    private long doneAtLastDraw;
    private double rate; // images/s, smoothed over the last redraws (the first batches run before the JIT warms up)
    private int lastLength;

    private ProgressBar(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = total;
    }

    /** A bar drawn on {@code out} when on a terminal, else one that draws nothing. */
    static ProgressBar forTerminal(PrintStream out, String label, long total) {
        return new ProgressBar(onTerminal() ? out : null, label, total);
    }

    /**
     * Whether the program runs on a terminal: a {@link System#console()}, and on JDK 22 and later
     * (where a console can be there for redirected streams too) one whose {@code isTerminal()} says so.
     */
    static boolean onTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (NoSuchMethodException e) {
            return true; // JDK 17 to 21: a console is a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** Counts {@code n} more images; redraws at most ten times a second. */
    void advance(int n) {
        done += n;
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw >= REDRAW_NANOS || done >= total) {
            double recent = (done - doneAtLastDraw) / ((now - (lastDraw == 0 ? start : lastDraw)) / 1e9);
            rate = rate == 0 ? recent : 0.8 * rate + 0.2 * recent;
            lastDraw = now;
            doneAtLastDraw = done;
            draw();
        }
    }

    /** Erases the bar, leaving the cursor at the start of an empty line. */
    void finish() {
        if (out != null && lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
            lastLength = 0;
        }
    }

    private void draw() {
        int filled = (int) (WIDTH * Math.min(1.0, (double) done / total));
        String left = rate > 0 ? clock((total - done) / rate) + " left" : "";
        String line = String.format("%s [%s%s] %6d/%d  %,.0f img/s  %s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), done, total, rate, left);
        out.print("\r" + line + (line.length() < lastLength ? " ".repeat(lastLength - line.length()) : ""));
        out.flush();
        lastLength = line.length();
    }

    private static String clock(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}

package org.vae4j.examples;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;

import javax.imageio.ImageIO;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.AtomicFiles;

/** Draws rows of a matrix as a grid of grey images and writes PNG files. Stateless. */
final class Pictures {

    /** Grey level of borders and gaps. */
    private static final int BACKGROUND = 72;
    /** Extra pixels after a column listed as a gap. */
    private static final int GAP = 8;

    private Pictures() {
    }

    /** {@link #grid(FMatrixRMaj, int, int, int, int, int, String[], int...)} with 1 px borders, no labels, no gaps. */
    static BufferedImage grid(FMatrixRMaj images, int h, int w, int cols, int scale) {
        return grid(images, h, w, cols, scale, 1, null);
    }

    /**
     * A grid of {@code cols} columns of grey images, row-major: image k is row k of {@code images}
     * (n, h*w), values in [0, 1] (clamped), each pixel drawn as a {@code scale} x {@code scale}
     * square.
     *
     * @param border          pixels of background around each image
     * @param rowLabels       a text drawn left of each grid row, or null
     * @param gapAfterColumns grid columns followed by an extra gap (e.g. to set originals apart)
     */
    static BufferedImage grid(FMatrixRMaj images, int h, int w, int cols, int scale, int border, String[] rowLabels,
                              int... gapAfterColumns) {
        int n = images.numRows;
        if (images.numCols != h * w) {
            throw new IllegalArgumentException("images have " + images.numCols + " pixels, not " + h + "x" + w);
        }
        int rows = (n + cols - 1) / cols;
        int cellW = w * scale + 2 * border;
        int cellH = h * scale + 2 * border;
        int[] x0 = new int[cols];
        int labelWidth = labelWidth(rowLabels);
        int x = labelWidth;
        for (int c = 0; c < cols; c++) {
            x0[c] = x;
            x += cellW;
            final int col = c;
            if (Arrays.stream(gapAfterColumns).anyMatch(g -> g == col)) {
                x += GAP;
            }
        }
        BufferedImage img = new BufferedImage(x, rows * cellH, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = img.getRaster();
        int[] background = new int[img.getWidth() * img.getHeight()];
        Arrays.fill(background, BACKGROUND);
        raster.setSamples(0, 0, img.getWidth(), img.getHeight(), 0, background);
        for (int k = 0; k < n; k++) {
            int ox = x0[k % cols] + border;
            int oy = (k / cols) * cellH + border;
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    float v = images.data[k * h * w + i * w + j];
                    int g = Math.round(255f * Math.max(0f, Math.min(1f, v)));
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            raster.setSample(ox + j * scale + dx, oy + i * scale + dy, 0, g);
                        }
                    }
                }
            }
        }
        if (rowLabels != null) {
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(labelFont());
            g.setColor(Color.WHITE);
            FontMetrics fm = g.getFontMetrics();
            for (int r = 0; r < Math.min(rows, rowLabels.length); r++) {
                int baseline = r * cellH + (cellH + fm.getAscent() - fm.getDescent()) / 2;
                g.drawString(rowLabels[r], 4, baseline);
            }
            g.dispose();
        }
        return img;
    }

    private static Font labelFont() {
        return new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    }

    private static int labelWidth(String[] labels) {
        if (labels == null || labels.length == 0) {
            return 0;
        }
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY).createGraphics();
        FontMetrics fm = g.getFontMetrics(labelFont());
        int max = 0;
        for (String s : labels) {
            max = Math.max(max, fm.stringWidth(s));
        }
        g.dispose();
        return max + 8;
    }

    /** Writes a PNG atomically; a failure is an {@link IOException} naming the file. */
    static void writePng(BufferedImage img, Path file) throws IOException {
        writeFile(file, out -> encodePng(img, out, file));
    }

    /**
     * Writes a picture atomically through {@code encoder}. ImageIO encodes in memory (its cache
     * file in {@code java.io.tmpdir} is turned off: on a full disk it fails too, and the thread
     * that closes it at exit prints a stack trace); any failure is an {@link IOException} whose
     * message names the file, e.g. {@code out/traversal.png: could not write the picture (No space
     * left on device)}.
     */
    static void writeFile(Path file, AtomicFiles.StreamWriter encoder) throws IOException {
        ImageIO.setUseCache(false);
        try {
            AtomicFiles.write(file, encoder);
        } catch (IOException e) {
            throw named(file, e);
        }
    }

    /** Encodes a PNG into {@code out}; a failure is an {@link IOException} naming {@code file}. */
    static void encodePng(BufferedImage img, OutputStream out, Path file) throws IOException {
        ImageIO.setUseCache(false);
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException(file + ": no PNG writer for a " + img.getType() + " image");
            }
        } catch (IOException e) {
            throw named(file, e);
        }
    }

    /** {@code e} itself when its message names the file, else an exception that does, with the root cause's words. */
    static IOException named(Path file, IOException e) {
        if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
            return e;
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return new IOException(file + ": could not write the picture (" + why + ")", e);
    }

    /** The rows of several matrices of the same width, one after the other, as a new matrix. */
    static FMatrixRMaj stack(FMatrixRMaj... parts) {
        int rows = 0;
        for (FMatrixRMaj p : parts) {
            rows += p.numRows;
        }
        FMatrixRMaj all = new FMatrixRMaj(rows, parts[0].numCols);
        int at = 0;
        for (FMatrixRMaj p : parts) {
            if (p.numCols != all.numCols) {
                throw new IllegalArgumentException("cannot stack rows of " + p.numCols + " and " + all.numCols + " values");
            }
            System.arraycopy(p.data, 0, all.data, at, p.getNumElements());
            at += p.getNumElements();
        }
        return all;
    }

    /** Row {@code r} of {@code m} as a new (1, cols) matrix. */
    static FMatrixRMaj row(FMatrixRMaj m, int r) {
        FMatrixRMaj one = new FMatrixRMaj(1, m.numCols);
        System.arraycopy(m.data, r * m.numCols, one.data, 0, m.numCols);
        return one;
    }

    /** The side of square images of {@code pixels} pixels, e.g. 28 for 784. */
    static int squareSide(int pixels) {
        int side = (int) Math.round(Math.sqrt(pixels));
        if (side * side != pixels) {
            throw new IllegalArgumentException("the model's " + pixels + " inputs are not a square image");
        }
        return side;
    }
}

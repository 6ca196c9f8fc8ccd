package org.vae4j.examples;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import javax.imageio.ImageIO;

import org.ejml.data.FMatrixRMaj;

/** Writes rows of a matrix as a grid of grey images in a PNG. */
final class Pictures {

    private Pictures() {
    }

    /**
     * Writes {@code images} (n, h*w) with values in [0, 1] as a grid of {@code gridCols} columns,
     * each image scaled up by {@code scale}, one pixel of border. Written atomically.
     */
    static void writeGrid(FMatrixRMaj images, int h, int w, int gridCols, int scale, Path file) throws IOException {
        int n = images.numRows;
        int gridRows = (n + gridCols - 1) / gridCols;
        int cellW = w * scale + 2;
        int cellH = h * scale + 2;
        BufferedImage img = new BufferedImage(gridCols * cellW, gridRows * cellH, BufferedImage.TYPE_BYTE_GRAY);
        var raster = img.getRaster();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                raster.setSample(x, y, 0, 96); // grey border
            }
        }
        for (int k = 0; k < n; k++) {
            int ox = (k % gridCols) * cellW + 1;
            int oy = (k / gridCols) * cellH + 1;
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
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        ImageIO.write(img, "png", tmp.toFile());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

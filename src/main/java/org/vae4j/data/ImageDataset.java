package org.vae4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.ejml.data.FMatrixRMaj;

/**
 * Images as float pixels in [0, 1], one image per row, with their labels. Immutable by
 * convention: the matrix and label array are shared, not copied; do not modify them.
 *
 * @param images (n, rows * cols) pixel values / 255
 * @param labels n labels
 * @param rows   image height
 * @param cols   image width
 */
public record ImageDataset(FMatrixRMaj images, int[] labels, int rows, int cols) {

    public ImageDataset {
        if (images.numRows != labels.length) {
            throw new IllegalArgumentException(images.numRows + " images but " + labels.length + " labels");
        }
        if (images.numCols != rows * cols) {
            throw new IllegalArgumentException("images have " + images.numCols + " pixels, not " + rows + "x" + cols);
        }
    }

    /** Number of examples. */
    public int size() {
        return labels.length;
    }

    /** The standard file names of an MNIST-format split. */
    public static final String[] TRAIN_FILES = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"};
    public static final String[] TEST_FILES = {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

    /**
     * Loads one split of an MNIST-format folder (MNIST, Fashion-MNIST): the {@code .gz} files, or
     * the same names without {@code .gz}.
     *
     * @param dir   the folder
     * @param train the training split (60,000 for MNIST) or the test split
     */
    public static ImageDataset loadMnistFormat(Path dir, boolean train) throws IOException {
        String[] names = train ? TRAIN_FILES : TEST_FILES;
        return fromIdx(locate(dir, names[0]), locate(dir, names[1]));
    }

    /** Whether {@code dir} holds all four MNIST-format files. */
    public static boolean hasMnistFormat(Path dir) {
        for (String[] names : new String[][] {TRAIN_FILES, TEST_FILES}) {
            for (String n : names) {
                if (!Files.isRegularFile(dir.resolve(n)) && !Files.isRegularFile(dir.resolve(n.replace(".gz", "")))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Path locate(Path dir, String name) {
        Path gz = dir.resolve(name);
        Path raw = dir.resolve(name.replace(".gz", ""));
        return Files.exists(gz) || !Files.exists(raw) ? gz : raw;
    }

    /** Builds a dataset from an images file (n, rows, cols) and a labels file (n). */
    public static ImageDataset fromIdx(Path imagesFile, Path labelsFile) throws IOException {
        IdxReader.IdxArray img = IdxReader.read(imagesFile);
        IdxReader.IdxArray lab = IdxReader.read(labelsFile);
        if (img.dims().length != 3) {
            throw new IllegalArgumentException(imagesFile + ": images need 3 dimensions (count, rows, cols), got "
                    + img.dims().length);
        }
        if (lab.dims().length != 1) {
            throw new IllegalArgumentException(labelsFile + ": labels need 1 dimension, got " + lab.dims().length);
        }
        if (img.count() != lab.count()) {
            throw new IllegalArgumentException(imagesFile + " has " + img.count() + " images but " + labelsFile
                    + " has " + lab.count() + " labels");
        }
        int n = img.count();
        int d = img.itemSize();
        FMatrixRMaj x = new FMatrixRMaj(n, d);
        for (int i = 0; i < n * d; i++) {
            x.data[i] = img.unsigned(i) / 255f;
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = lab.unsigned(i);
        }
        return new ImageDataset(x, labels, img.dims()[1], img.dims()[2]);
    }

    /** The first {@code n} examples (copied). */
    public ImageDataset head(int n) {
        if (n <= 0 || n > size()) {
            throw new IllegalArgumentException("head(" + n + ") of a dataset of " + size());
        }
        FMatrixRMaj x = new FMatrixRMaj(n, images.numCols);
        System.arraycopy(images.data, 0, x.data, 0, n * images.numCols);
        return new ImageDataset(x, java.util.Arrays.copyOf(labels, n), rows, cols);
    }
}

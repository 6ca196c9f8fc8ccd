package org.vae4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.internal.HeapBudget;

/**
 * Images as float pixels in [0, 1], one image per row, with their labels.
 *
 * <p>Immutable by convention: the matrix and label array are shared, not copied; do not modify
 * them. Every method that derives a new dataset ({@link #head}, {@link #select}, {@link #shuffled},
 * {@link #split}, {@link #binarised}, {@link #thresholded}) copies. Thread-safe as long as nobody
 * modifies the arrays.
 *
 * <p>Binarisation for Bernoulli likelihoods comes in the two forms of the literature:
 * <ul>
 *   <li>dynamic: a fresh Bernoulli draw each epoch, pixel = 1 with probability = grey level
 *       (Salakhutdinov &amp; Murray 2008; Burda et al. 2016). Call
 *       {@link #binarise(FMatrixRMaj, FMatrixRMaj, RandomGenerator)} once per epoch into one reused
 *       buffer;</li>
 *   <li>fixed: one seeded draw made once ({@link #binarised(long)}), or a threshold
 *       ({@link #thresholded(float)}).</li>
 * </ul>
 *
 * @param images (n, rows * cols) pixel values in [0, 1]
 * @param labels n labels, each &gt;= 0
 * @param rows   image height
 * @param cols   image width
 */
public record ImageDataset(FMatrixRMaj images, int[] labels, int rows, int cols) {

    /** The standard file names of an MNIST-format training split: images, labels. */
    public static final String[] TRAIN_FILES = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"};
    /** The standard file names of an MNIST-format test split: images, labels. */
    public static final String[] TEST_FILES = {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
    /** All four MNIST-format file names: training images and labels, then test images and labels. */
    public static final List<String> ALL_FILES = List.of(TRAIN_FILES[0], TRAIN_FILES[1], TEST_FILES[0], TEST_FILES[1]);

    /**
     * Checks the shapes and the pixel range. The matrix and the array are kept, not copied.
     *
     * @param images (n, rows * cols) pixel values in [0, 1]
     * @param labels n labels, each &gt;= 0
     * @param rows   image height, &gt; 0
     * @param cols   image width, &gt; 0
     * @throws IllegalArgumentException when an argument is null, the image size is not positive, the counts or
     *                                  widths disagree, a pixel is outside [0, 1] or NaN, or a label is negative
     */
    public ImageDataset {
        if (images == null || labels == null) {
            throw new IllegalArgumentException("images and labels must not be null");
        }
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + rows + "x" + cols);
        }
        if (images.numRows != labels.length) {
            throw new IllegalArgumentException(images.numRows + " images but " + labels.length + " labels");
        }
        if (images.numCols != rows * cols) {
            throw new IllegalArgumentException("images have " + images.numCols + " pixels, not " + rows + "x" + cols);
        }
        int total = images.getNumElements();
        for (int i = 0; i < total; i++) {
            float p = images.data[i];
            if (!(p >= 0f && p <= 1f)) {
                throw new IllegalArgumentException("pixel " + (i % images.numCols) + " of image " + (i / images.numCols)
                        + " is " + p + ", outside [0, 1]");
            }
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException("label " + i + " is negative (" + labels[i] + ")");
            }
        }
    }

    /** {@return number of examples} */
    public int size() {
        return labels.length;
    }

    /** {@return pixels per image, rows * cols} */
    public int pixels() {
        return rows * cols;
    }

    // ---- loading --------------------------------------------------------------------------------

    /**
     * Loads one split of an MNIST-format folder (MNIST, Fashion-MNIST): the {@code .gz} files, or
     * the same names without {@code .gz}. No checksum check; {@link DataLocator} adds one.
     *
     * @param dir   the folder
     * @param train true for the training split (60,000 for MNIST), false for the test split
     * @return the split's images (pixels / 255) and labels
     * @throws IllegalArgumentException when a file is corrupt, the counts differ or the images do not fit the heap
     *                                  (see {@link IdxReader})
     * @throws IOException if a file is missing or cannot be read, or its gzip stream is corrupt or truncated (the
     *                     message names the file)
     */
    public static ImageDataset loadMnistFormat(Path dir, boolean train) throws IOException {
        return loadMnistFormat(dir, train, Map.of());
    }

    /**
     * Loads one split of an MNIST-format folder, checking each file against a SHA-256.
     *
     * @param dir    the folder
     * @param train  true for the training split, false for the test split
     * @param sha256 hex SHA-256 of the uncompressed content by {@code .gz} file name; a file
     *               missing from the map is not checked
     * @return the split's images (pixels / 255) and labels
     * @throws IllegalArgumentException when a file is corrupt or its checksum differs (see {@link IdxReader})
     * @throws IOException if a file is missing or cannot be read, or its gzip stream is corrupt or truncated (the
     *                     message names the file)
     */
    public static ImageDataset loadMnistFormat(Path dir, boolean train, Map<String, String> sha256)
            throws IOException {
        String[] names = train ? TRAIN_FILES : TEST_FILES;
        return fromIdx(fileIn(dir, names[0]), fileIn(dir, names[1]), sha256.get(names[0]), sha256.get(names[1]));
    }

    /**
     * {@return whether {@code dir} holds all four MNIST-format files (each {@code .gz} or raw)}
     *
     * @param dir the folder; one that does not exist holds none
     */
    public static boolean hasMnistFormat(Path dir) {
        return missingMnistFiles(dir).isEmpty();
    }

    /**
     * {@return which of the four MNIST-format files {@code dir} lacks (neither {@code .gz} nor raw present), by
     * their {@code .gz} names in the order of {@link #ALL_FILES}; empty when it has them all}
     *
     * @param dir the folder; one that does not exist lacks all four
     */
    public static List<String> missingMnistFiles(Path dir) {
        return ALL_FILES.stream()
                .filter(n -> !Files.isRegularFile(dir.resolve(n)) && !Files.isRegularFile(dir.resolve(stripGz(n))))
                .toList();
    }

    /** The path of a standard file in {@code dir}: the {@code .gz} name, or the raw name if only that exists. */
    static Path fileIn(Path dir, String gzName) {
        Path gz = dir.resolve(gzName);
        Path raw = dir.resolve(stripGz(gzName));
        return Files.exists(gz) || !Files.exists(raw) ? gz : raw;
    }

    private static String stripGz(String name) {
        return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    }

    /**
     * Builds a dataset from an images file (n, rows, cols) and a labels file (n), without checksums:
     * {@link #fromIdx(Path, Path, String, String)} with null checksums.
     *
     * @param imagesFile IDX images file (n, rows, cols), gzip or raw
     * @param labelsFile IDX labels file (n), gzip or raw
     * @return the images (pixels / 255) and labels
     * @throws IllegalArgumentException when a file is corrupt, of the wrong rank, the counts differ or the images
     *                                  do not fit the heap
     * @throws IOException if a file is missing or cannot be read, or its gzip stream is corrupt or truncated (the
     *                     message names the file)
     */
    public static ImageDataset fromIdx(Path imagesFile, Path labelsFile) throws IOException {
        return fromIdx(imagesFile, labelsFile, null, null);
    }

    /**
     * Builds a dataset from an images file (n, rows, cols) and a labels file (n): pixels / 255.
     * Both headers are read and cross-checked, and the dataset's size checked against the heap
     * that is available, before either file's values are read; each file is read once, its
     * SHA-256 computed on the way.
     *
     * @param imagesFile   IDX images file (n, rows, cols), gzip or raw
     * @param labelsFile   IDX labels file (n), gzip or raw
     * @param imagesSha256 hex SHA-256 of the uncompressed images file, or null to skip the check
     * @param labelsSha256 same for the labels file
     * @return the images (pixels / 255) and labels
     * @throws IllegalArgumentException when a file is corrupt, of the wrong rank, the counts
     *                                  differ, the images do not fit the heap, or a checksum differs
     * @throws IOException if a file is missing or cannot be read, or its gzip stream is corrupt or truncated (the
     *                     message names the file)
     */
    public static ImageDataset fromIdx(Path imagesFile, Path labelsFile, String imagesSha256, String labelsSha256)
            throws IOException {
        Hashed h = readIdx(imagesFile, labelsFile, imagesSha256 != null || labelsSha256 != null, HeapBudget.SYSTEM);
        IdxReader.checkSha256(imagesFile.toString(), h.imagesSha256(), imagesSha256);
        IdxReader.checkSha256(labelsFile.toString(), h.labelsSha256(), labelsSha256);
        return h.data();
    }

    /** A dataset with the SHA-256 of its two files' uncompressed bytes (null when not hashed). */
    record Hashed(ImageDataset data, String imagesSha256, String labelsSha256) {
    }

    /** Loads one split of an MNIST-format folder once, hashing both files on the way. */
    static Hashed loadHashed(Path dir, boolean train) throws IOException {
        String[] names = train ? TRAIN_FILES : TEST_FILES;
        return readIdx(fileIn(dir, names[0]), fileIn(dir, names[1]), true, HeapBudget.SYSTEM);
    }

    /**
     * Reads an images and a labels file: both headers first (ranks, counts), then the heap
     * budget of the float pixels and labels, then the images' values straight into the matrix (in
     * 64 KiB pieces, no byte copy of the whole file), then the labels.
     */
    static Hashed readIdx(Path imagesFile, Path labelsFile, boolean hash, LongSupplier budget) throws IOException {
        try (IdxInput img = IdxInput.open(imagesFile, hash); IdxInput lab = IdxInput.open(labelsFile, hash)) {
            int[] id = img.dims();
            int[] ld = lab.dims();
            if (id.length != 3) {
                throw new IllegalArgumentException(imagesFile + ": images need 3 dimensions (count, rows, cols), got "
                        + id.length + " " + Arrays.toString(id));
            }
            if (ld.length != 1) {
                throw new IllegalArgumentException(labelsFile + ": labels need 1 dimension, got " + ld.length
                        + " " + Arrays.toString(ld));
            }
            if (id[0] != ld[0]) {
                throw new IllegalArgumentException(imagesFile + " has " + id[0] + " images but " + labelsFile
                        + " has " + ld[0] + " labels");
            }
            int n = id[0];
            int d = id[1] * id[2]; // n * d <= IdxReader.MAX_VALUES: checked by the header
            HeapBudget.require(budget, 4L * n * d + 5L * n, imagesFile + ": " + n + " images of " + id[1] + "x" + id[2]
                    + " (" + HeapBudget.megabytes((long) n * d) + " of pixels, 4 bytes each as floats) with their labels");
            FMatrixRMaj x = new FMatrixRMaj(n, d);
            byte[] chunk = new byte[(int) Math.min(1 << 16, img.values())];
            for (int at = 0; at < n * d; at += chunk.length) {
                int len = Math.min(chunk.length, n * d - at);
                img.readFully(chunk, 0, len);
                for (int i = 0; i < len; i++) {
                    x.data[at + i] = (chunk[i] & 0xFF) / 255f;
                }
            }
            String imagesSha = img.finish();
            byte[] labelBytes = new byte[n];
            lab.readFully(labelBytes, 0, n);
            String labelsSha = lab.finish();
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = labelBytes[i] & 0xFF;
            }
            return new Hashed(new ImageDataset(x, labels, id[1], id[2]), imagesSha, labelsSha);
        }
    }

    // ---- subsets, shuffling, splitting -----------------------------------------------------------

    /**
     * {@return the first {@code n} examples (copied)}
     *
     * @param n how many, 1 &lt;= n &lt;= size()
     * @throws IllegalArgumentException for n out of that range
     */
    public ImageDataset head(int n) {
        if (n <= 0 || n > size()) {
            throw new IllegalArgumentException("head(" + n + ") of a dataset of " + size());
        }
        FMatrixRMaj x = new FMatrixRMaj(n, images.numCols);
        System.arraycopy(images.data, 0, x.data, 0, n * images.numCols);
        return new ImageDataset(x, Arrays.copyOf(labels, n), rows, cols);
    }

    /**
     * {@return the examples at {@code indices}, in that order (copied)} An index may repeat.
     *
     * @param indices the examples' indices, each in 0..size()-1; not modified
     * @throws IllegalArgumentException when an index is outside 0..size()-1
     */
    public ImageDataset select(int[] indices) {
        final int d = images.numCols;
        FMatrixRMaj x = new FMatrixRMaj(indices.length, d);
        int[] y = new int[indices.length];
        for (int r = 0; r < indices.length; r++) {
            int i = indices[r];
            if (i < 0 || i >= size()) {
                throw new IllegalArgumentException("index " + i + " (position " + r + ") is outside 0.."
                        + (size() - 1));
            }
            System.arraycopy(images.data, i * d, x.data, r * d, d);
            y[r] = labels[i];
        }
        return new ImageDataset(x, y, rows, cols);
    }

    /**
     * {@return a copy with the examples in a random order drawn from {@code seed} (Fisher-Yates)}
     *
     * @param seed the seed of a {@link SplittableRandom}; the same seed gives the same order
     */
    public ImageDataset shuffled(long seed) {
        return select(permutation(size(), new SplittableRandom(seed)));
    }

    /**
     * A training and a validation part, for model selection without touching the test set.
     *
     * @param train      the remaining examples, in their original order
     * @param validation {@code validationSize} examples drawn at random, in their original order
     */
    public record Split(ImageDataset train, ImageDataset validation) {
    }

    /**
     * Splits off a random validation set (not stratified). The same seed gives the same split.
     * For MNIST the usual choice is 10,000 of the 60,000 training images.
     *
     * @param validationSize examples in the validation part, 1..size()-1
     * @param seed           seed of the draw
     * @return the two parts, each in the original order
     * @throws IllegalArgumentException when validationSize leaves either part empty
     */
    public Split split(int validationSize, long seed) {
        if (validationSize <= 0 || validationSize >= size()) {
            throw new IllegalArgumentException("validation size must be in 1.." + (size() - 1) + " for a dataset of "
                    + size() + ", got " + validationSize);
        }
        int[] perm = permutation(size(), new SplittableRandom(seed));
        int[] validation = Arrays.copyOfRange(perm, 0, validationSize);
        int[] train = Arrays.copyOfRange(perm, validationSize, perm.length);
        Arrays.sort(validation);
        Arrays.sort(train);
        return new Split(select(train), select(validation));
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    static int[] permutation(int n, RandomGenerator rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    // ---- binarisation ---------------------------------------------------------------------------

    /**
     * Dynamic binarisation: {@code dst[i] = 1} with probability {@code src[i]}, else 0, one fresh
     * uniform draw per pixel ({@code rng.nextFloat() < src[i]}). Call once per epoch into the same
     * buffer; allocates nothing. A grey level of 0 always gives 0, and 1 always gives 1.
     *
     * @param src pixels in [0, 1]; not modified (unless it is {@code dst})
     * @param dst same shape as src; modified. May be src itself (the grey levels are then lost)
     * @param rng source of the draws, advanced by {@code src.getNumElements()} floats
     * @throws IllegalArgumentException when the shapes differ
     */
    public static void binarise(FMatrixRMaj src, FMatrixRMaj dst, RandomGenerator rng) {
        if (src.numRows != dst.numRows || src.numCols != dst.numCols) {
            throw new IllegalArgumentException("binarise: dst is (" + dst.numRows + ", " + dst.numCols
                    + ") but src is (" + src.numRows + ", " + src.numCols + ")");
        }
        final float[] s = src.data;
        final float[] t = dst.data;
        final int n = src.getNumElements();
        for (int i = 0; i < n; i++) {
            t[i] = rng.nextFloat() < s[i] ? 1f : 0f;
        }
    }

    /**
     * Fixed stochastic binarisation: one Bernoulli draw per pixel from {@code seed}, made once (the
     * "statically binarised MNIST" protocol). The same seed gives the same images.
     *
     * @param seed the seed of the {@link SplittableRandom} the draws come from
     * @return a copy with pixels 0 or 1 and the same labels
     */
    public ImageDataset binarised(long seed) {
        FMatrixRMaj x = new FMatrixRMaj(images.numRows, images.numCols);
        binarise(images, x, new SplittableRandom(seed));
        return new ImageDataset(x, labels.clone(), rows, cols);
    }

    /**
     * Deterministic binarisation by threshold: 1 where the pixel is greater than {@code threshold}, else 0.
     *
     * @param threshold in [0, 1); 0.5 is the usual choice
     * @return a copy with pixels 0 or 1 and the same labels
     * @throws IllegalArgumentException for a threshold outside [0, 1) or NaN
     */
    public ImageDataset thresholded(float threshold) {
        if (!(threshold >= 0f && threshold < 1f)) {
            throw new IllegalArgumentException("threshold must be in [0, 1), got " + threshold);
        }
        FMatrixRMaj x = new FMatrixRMaj(images.numRows, images.numCols);
        final int n = images.getNumElements();
        for (int i = 0; i < n; i++) {
            x.data[i] = images.data[i] > threshold ? 1f : 0f;
        }
        return new ImageDataset(x, labels.clone(), rows, cols);
    }
}

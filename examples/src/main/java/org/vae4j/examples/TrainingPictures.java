package org.vae4j.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.ConditionalVae;
import org.vae4j.LatentModel;
import org.vae4j.data.ImageDataset;
import org.vae4j.eval.Interpolation;
import org.vae4j.eval.LatentSpace;
import org.vae4j.eval.LatentUsage;

/**
 * The pictures of a trained model on a test set: samples from the prior, reconstructions,
 * interpolations, latent traversals and, for a 2-D latent space, the decoded manifold and the test
 * codes coloured by label. Every file is written atomically. Stateless.
 */
final class TrainingPictures {

    /** Interpolation rows and points per row (both ends included). */
    static final int INTERPOLATION_PAIRS = 8;
    static final int INTERPOLATION_STEPS = 10;
    /** Traversal: steps per latent dimension over [-RANGE, RANGE] (prior standard deviations). */
    static final int TRAVERSAL_STEPS = 11;
    static final double TRAVERSAL_RANGE = 3.0;
    /** Manifold: a MANIFOLD_SIZE^2 grid of quantiles MANIFOLD_LOW .. MANIFOLD_HIGH (Kingma & Welling, fig. 4). */
    static final int MANIFOLD_SIZE = 20;
    static final double MANIFOLD_LOW = 0.05;
    static final double MANIFOLD_HIGH = 0.95;

    private TrainingPictures() {
    }

    /**
     * Writes every picture that fits the model into {@code out} and returns the file names. An
     * autoencoder has no prior, so it gets no samples.png.
     *
     * @param classNames the legend of latent-scatter.png, one name per label
     */
    static List<String> writeAll(LatentModel model, ImageDataset test, String[] classNames, long seed, Path out)
            throws IOException {
        return writeAll(model, test, classNames, seed, out, null);
    }

    /**
     * {@link #writeAll(LatentModel, ImageDataset, String[], long, Path)} with the data named in the
     * titles (latent-scatter.png), e.g. {@code the bundled 5,000-image MNIST subset}; null for none.
     */
    static List<String> writeAll(LatentModel model, ImageDataset test, String[] classNames, long seed, Path out,
                                 String dataLabel) throws IOException {
        int h = test.rows();
        int w = test.cols();
        List<String> written = new ArrayList<>();
        // a conditional model sees each test image with its one-hot label, and gets conditional samples
        FMatrixRMaj c = model.conditionSize() > 0 ? ConditionalVae.oneHot(test.labels(), model.conditionSize()) : null;
        if (c != null) {
            writeConditionalSamples(model, classNames, h, w, seed, out.resolve(CONDITIONAL_SAMPLES));
            written.add(CONDITIONAL_SAMPLES);
        } else if (model.hasStochasticPosterior()) {
            FMatrixRMaj samples = model.sample(64, new SplittableRandom(seed));
            Pictures.writePng(Pictures.grid(samples, h, w, 8, 2), out.resolve("samples.png"));
            written.add("samples.png");
        }
        writeReconstructions(model, test, c, out.resolve("reconstructions.png"));
        written.add("reconstructions.png");
        writeInterpolations(model, test, c, out.resolve("interpolations.png"));
        written.add("interpolations.png");
        writeTraversal(model, test, c, classNames, out.resolve("traversal.png"));
        written.add("traversal.png");
        if (latentSize(model) == 2) {
            writeManifold(model, test, c, out.resolve("manifold.png"));
            written.add("manifold.png");
            FMatrixRMaj codes = codes(model, test.images(), c);
            Charts.writeScatter(scatterTitle(model.hasStochasticPosterior(), test.size(), dataLabel), "z1", "z2", Arrays.copyOf(codes.data, codes.getNumElements()),
                    test.labels(), classNames, out.resolve("latent-scatter.png"));
            written.add("latent-scatter.png");
        }
        return written;
    }

    /** The title of latent-scatter.png, e.g. {@code posterior means of the 1,000 test images of MNIST}. */
    static String scatterTitle(boolean stochastic, int images, String dataLabel) {
        return String.format("%s of the %,d test images%s", stochastic ? "posterior means" : "codes", images,
                dataLabel != null ? " of " + dataLabel : "");
    }

    /** The picture of a conditional model's samples: one row per class, the same prior draws in every row. */
    static final String CONDITIONAL_SAMPLES = "conditional-samples.png";
    /** Prior draws per row of conditional-samples.png. */
    static final int CONDITIONAL_SAMPLE_COLUMNS = 10;

    /**
     * One row per class: CONDITIONAL_SAMPLE_COLUMNS draws z_1 .. z_m ~ N(0, I) (the same in every
     * row), row k decoded given the one-hot label k. A row shows one class; a column keeps the
     * style z encodes.
     */
    static void writeConditionalSamples(LatentModel model, String[] classNames, int h, int w, long seed, Path file)
            throws IOException {
        int classes = model.conditionSize();
        int m = CONDITIONAL_SAMPLE_COLUMNS;
        FMatrixRMaj draws = new FMatrixRMaj(m, model.latentSize());
        model.prior().sample(draws, new SplittableRandom(seed));
        FMatrixRMaj z = new FMatrixRMaj(classes * m, model.latentSize());
        int[] labels = new int[classes * m];
        for (int k = 0; k < classes; k++) {
            System.arraycopy(draws.data, 0, z.data, k * m * draws.numCols, m * draws.numCols);
            Arrays.fill(labels, k * m, (k + 1) * m, k);
        }
        FMatrixRMaj images = model.decodeMean(z, ConditionalVae.oneHot(labels, classes));
        String[] rowLabels = new String[classes];
        for (int k = 0; k < classes; k++) {
            rowLabels[k] = k < classNames.length ? classNames[k] : Integer.toString(k);
        }
        Pictures.writePng(Pictures.grid(images, h, w, m, 2, 1, rowLabels), file);
    }

    /** Rows {@code indices} of the conditions, or null without them. */
    private static FMatrixRMaj rows(FMatrixRMaj c, int[] indices) {
        return c == null ? null : org.vae4j.train.ValidationSplit.rows(c, indices);
    }

    /** Rows of 16 test images, each above its reconstruction given its label for a conditional model (two such pairs of rows). */
    static void writeReconstructions(LatentModel model, ImageDataset test, FMatrixRMaj c, Path file) throws IOException {
        int n = Math.min(32, test.size());
        int half = Math.max(1, n / 2);
        FMatrixRMaj first = test.head(half).images();
        int[] secondRows = IntStream.range(half, n).toArray();
        FMatrixRMaj second = test.select(secondRows).images();
        List<FMatrixRMaj> parts = new ArrayList<>(List.of(first,
                reconstruct(model, first, rows(c, IntStream.range(0, half).toArray()))));
        if (second.numRows == half) {
            parts.add(second);
            parts.add(reconstruct(model, second, rows(c, secondRows)));
        }
        String[] labels = parts.size() == 4 ? new String[] {"input", "output", "input", "output"}
                : new String[] {"input", "output"};
        Pictures.writePng(Pictures.grid(Pictures.stack(parts.toArray(FMatrixRMaj[]::new)), test.rows(), test.cols(),
                half, 2, 1, labels), file);
    }

    /**
     * Spherical interpolations between the codes of test pairs with different labels: each row is
     * image a, then {@link #INTERPOLATION_STEPS} decoded points from code(a) to code(b), then image b.
     */
    static void writeInterpolations(LatentModel model, ImageDataset test, FMatrixRMaj c, Path file) throws IOException {
        int[][] pairs = pairsWithDifferentLabels(test, INTERPOLATION_PAIRS);
        int[] a = Arrays.stream(pairs).mapToInt(p -> p[0]).toArray();
        int[] b = Arrays.stream(pairs).mapToInt(p -> p[1]).toArray();
        FMatrixRMaj from = test.select(a).images();
        FMatrixRMaj to = test.select(b).images();
        // a conditional model: each end encoded given its label, the label blended along the path
        FMatrixRMaj path = c == null
                ? LatentSpace.interpolate(model, from, to, INTERPOLATION_STEPS, Interpolation.SPHERICAL)
                : LatentSpace.interpolate(model, from, rows(c, a), to, rows(c, b), INTERPOLATION_STEPS,
                        Interpolation.SPHERICAL);
        List<FMatrixRMaj> rows = new ArrayList<>();
        for (int i = 0; i < pairs.length; i++) {
            rows.add(Pictures.row(from, i));
            for (int s = 0; s < INTERPOLATION_STEPS; s++) {
                rows.add(Pictures.row(path, i * INTERPOLATION_STEPS + s));
            }
            rows.add(Pictures.row(to, i));
        }
        Pictures.writePng(Pictures.grid(Pictures.stack(rows.toArray(FMatrixRMaj[]::new)), test.rows(), test.cols(),
                INTERPOLATION_STEPS + 2, 2, 1, null, 0, INTERPOLATION_STEPS), file);
    }

    /**
     * One row per latent dimension, most used first. VAE: dimension u swept over -3 .. 3 with the
     * others at 0 (the prior's mean), rows sorted by KL per dimension on the test set, labelled
     * with it. Autoencoder: around the mean test code, over its mean +- 3 standard deviations, rows
     * sorted by the code's variance. A conditional model: KL given the true labels, every code
     * decoded given the label of the first test image (named in the row labels).
     */
    static void writeTraversal(LatentModel model, ImageDataset test, FMatrixRMaj c, String[] classNames, Path file)
            throws IOException {
        int latent = latentSize(model);
        FMatrixRMaj x = test.images();
        List<FMatrixRMaj> rows = new ArrayList<>();
        String[] labels = new String[latent];
        if (model.hasStochasticPosterior()) {
            double[] kl = LatentUsage.klPerDimension(model, x, c);
            Integer[] order = sortedDescending(kl);
            FMatrixRMaj base = new FMatrixRMaj(1, latent);
            for (int r = 0; r < latent; r++) {
                int u = order[r];
                if (c == null) {
                    rows.add(LatentSpace.traverse(model, base, u, -TRAVERSAL_RANGE, TRAVERSAL_RANGE, TRAVERSAL_STEPS));
                    labels[r] = String.format("z%d  KL %.2f", u, kl[u]);
                } else {
                    FMatrixRMaj codes = LatentSpace.traversalCodes(base, u, -TRAVERSAL_RANGE, TRAVERSAL_RANGE,
                            TRAVERSAL_STEPS);
                    rows.add(model.decodeMean(codes, firstLabel(c, TRAVERSAL_STEPS)));
                    labels[r] = String.format("z%d  KL %.2f  (%s)", u, kl[u], classNames[test.labels()[0]]);
                }
            }
        } else {
            FMatrixRMaj codes = model.encodeMean(x);
            double[] mean = new double[latent];
            double[] var = new double[latent];
            meanAndVariance(codes, mean, var);
            Integer[] order = sortedDescending(var);
            FMatrixRMaj base = new FMatrixRMaj(1, latent);
            for (int u = 0; u < latent; u++) {
                base.data[u] = (float) mean[u];
            }
            for (int r = 0; r < latent; r++) {
                int u = order[r];
                double sd = Math.sqrt(var[u]);
                rows.add(LatentSpace.traverse(model, base, u, mean[u] - TRAVERSAL_RANGE * sd,
                        mean[u] + TRAVERSAL_RANGE * sd, TRAVERSAL_STEPS));
                labels[r] = String.format("z%d  sd %.2f", u, sd);
            }
        }
        int scale = latent <= 10 ? 2 : 1;
        Pictures.writePng(Pictures.grid(Pictures.stack(rows.toArray(FMatrixRMaj[]::new)), test.rows(), test.cols(),
                TRAVERSAL_STEPS, scale, 1, labels), file);
    }

    /**
     * The decoded 2-D latent plane (Kingma &amp; Welling 2013, fig. 4): a grid of codes
     * z = (Phi^-1(p1), Phi^-1(p2)), p in 0.05 .. 0.95, so each cell covers equal prior mass. z1
     * grows to the right, z2 upwards. For an autoencoder (no prior) the grid spans the 5th to the
     * 95th percentile of each code dimension on the test set.
     */
    static void writeManifold(LatentModel model, ImageDataset test, FMatrixRMaj c, Path file) throws IOException {
        int n = MANIFOLD_SIZE;
        double[][] axis = new double[2][n];
        if (model.hasStochasticPosterior()) {
            for (int d = 0; d < 2; d++) {
                for (int i = 0; i < n; i++) {
                    axis[d][i] = normalQuantile(MANIFOLD_LOW + (MANIFOLD_HIGH - MANIFOLD_LOW) * i / (n - 1));
                }
            }
        } else {
            FMatrixRMaj codes = codes(model, test.images(), c);
            for (int d = 0; d < 2; d++) {
                float[] v = new float[codes.numRows];
                for (int r = 0; r < v.length; r++) {
                    v[r] = codes.data[2 * r + d];
                }
                Arrays.sort(v);
                double lo = v[(int) (MANIFOLD_LOW * (v.length - 1))];
                double hi = v[(int) (MANIFOLD_HIGH * (v.length - 1))];
                for (int i = 0; i < n; i++) {
                    axis[d][i] = lo + (hi - lo) * i / (n - 1);
                }
            }
        }
        FMatrixRMaj grid = new FMatrixRMaj(n * n, 2);
        for (int row = 0; row < n; row++) {
            for (int col = 0; col < n; col++) {
                int k = row * n + col;
                grid.data[2 * k] = (float) axis[0][col];
                grid.data[2 * k + 1] = (float) axis[1][n - 1 - row];
            }
        }
        FMatrixRMaj decoded = c == null ? model.decodeMean(grid) : model.decodeMean(grid, firstLabel(c, n * n));
        Pictures.writePng(Pictures.grid(decoded, test.rows(), test.cols(), n, 1, 1, null), file);
    }

    /**
     * The inverse of the standard normal CDF, Phi^-1(p) for 0 &lt; p &lt; 1 (Acklam's rational
     * approximation, relative error below 1.2e-9).
     */
    static double normalQuantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must be in (0, 1), got " + p);
        }
        final double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        final double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01};
        final double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        final double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
            3.754408661907416e+00};
        final double low = 0.02425;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) {
            return -normalQuantile(1 - p);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }

    /** Latent size of a VAE, code size of an autoencoder. */
    static int latentSize(LatentModel model) {
        return model.latentSize();
    }

    /** Posterior means of a VAE (given the labels c of a conditional one), codes of an autoencoder: (n, latent). */
    static FMatrixRMaj codes(LatentModel model, FMatrixRMaj x, FMatrixRMaj c) {
        return c == null ? model.encodeMean(x) : model.encodeMean(x, c);
    }

    private static FMatrixRMaj reconstruct(LatentModel model, FMatrixRMaj x, FMatrixRMaj c) {
        return c == null ? model.reconstruct(x) : model.reconstruct(x, c);
    }

    /** {@code n} copies of the first row of the conditions. */
    private static FMatrixRMaj firstLabel(FMatrixRMaj c, int n) {
        return rows(c, new int[n]);
    }

    /** Pairs (i, j) of test images, i = 0, 1, ..., j the next unused image with another label. */
    private static int[][] pairsWithDifferentLabels(ImageDataset test, int count) {
        int n = Math.min(count, test.size() / 2);
        int[][] pairs = new int[n][];
        boolean[] used = new boolean[test.size()];
        int next = 0;
        for (int p = 0; p < n; p++) {
            while (used[next]) {
                next++;
            }
            int a = next;
            used[a] = true;
            int b = a + 1;
            while (b < test.size() && (used[b] || test.labels()[b] == test.labels()[a])) {
                b++;
            }
            if (b == test.size()) {
                b = a + 1 < test.size() ? a + 1 : a;
            }
            used[b] = true;
            pairs[p] = new int[] {a, b};
        }
        return pairs;
    }

    private static Integer[] sortedDescending(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> values[i]).reversed());
        return order;
    }

    private static void meanAndVariance(FMatrixRMaj x, double[] mean, double[] var) {
        int n = x.numRows;
        int d = x.numCols;
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < d; c++) {
                mean[c] += x.data[r * d + c];
            }
        }
        for (int c = 0; c < d; c++) {
            mean[c] /= n;
        }
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < d; c++) {
                double e = x.data[r * d + c] - mean[c];
                var[c] += e * e;
            }
        }
        for (int c = 0; c < d; c++) {
            var[c] /= n;
        }
    }
}

package org.vae4j.eval;

import java.util.function.UnaryOperator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;

/**
 * Generation by moving through latent space: interpolation between the codes of two inputs and
 * traversal of one latent dimension, decoded to the model's mean output (pixel probabilities for
 * the Bernoulli likelihood). The code of an input is its posterior mean
 * ({@link LatentModel#encodeMean}): mu(x) for a VAE, the code for an autoencoder. Samples from the
 * prior are {@link LatentModel#sample}. Stateless.
 */
public final class LatentSpace {

    private LatentSpace() {
    }

    /**
     * Decoded interpolations between the posterior means of corresponding rows of two inputs:
     * decodeMean(path(mu(from_i), mu(to_i))).
     *
     * @param model an unconditional model (for a conditional one use the method that takes conditions)
     * @param from  (n, inputSize), not modified
     * @param to    (n, inputSize), not modified
     * @param steps points per path including both ends, &gt;= 2
     * @param kind  {@link Interpolation#LINEAR} or {@link Interpolation#SPHERICAL}
     * @return a new (n * steps, inputSize) matrix, pair i in rows [i * steps, (i + 1) * steps)
     * @throws IllegalArgumentException for a null {@code kind}, a null input, inputs with different numbers of
     *                                  rows or none, {@code steps < 2}, data of the wrong width, or a conditional
     *                                  model
     */
    public static FMatrixRMaj interpolate(LatentModel model, FMatrixRMaj from, FMatrixRMaj to, int steps,
                                          Interpolation kind) {
        return interpolate(model::encodeMean, model::decodeMean, from, to, steps, kind);
    }

    /**
     * As {@link #interpolate(LatentModel, FMatrixRMaj, FMatrixRMaj, int, Interpolation)} for a
     * conditional model: each end is encoded given its own condition, mu(from_i, cFrom_i) and
     * mu(to_i, cTo_i), and the point at t of the path is decoded given the linear blend of the
     * conditions, (1 - t) cFrom_i + t cTo_i (a one-hot label fades into the other).
     *
     * @param model the model, conditional or not
     * @param from  (n, inputSize) first ends, not modified
     * @param cFrom (n, conditionSize) condition of {@code from}, or {@code null} for an unconditional model; not
     *              modified
     * @param to    (n, inputSize) second ends, not modified
     * @param cTo   (n, conditionSize) condition of {@code to}, or {@code null} for an unconditional model; not
     *              modified
     * @param steps points per path including both ends, &gt;= 2
     * @param kind  {@link Interpolation#LINEAR} or {@link Interpolation#SPHERICAL}
     * @return a new (n * steps, inputSize) matrix, pair i in rows [i * steps, (i + 1) * steps)
     * @throws IllegalArgumentException for a null input or {@code kind}, inputs with different numbers of rows or
     *                                  none, {@code steps < 2}, data of the wrong width, or conditions that break
     *                                  {@link LatentModel#checkCondition}
     */
    public static FMatrixRMaj interpolate(LatentModel model, FMatrixRMaj from, FMatrixRMaj cFrom, FMatrixRMaj to,
                                          FMatrixRMaj cTo, int steps, Interpolation kind) {
        if (from == null || to == null || from.numRows != to.numRows) {
            throw new IllegalArgumentException("interpolation needs two inputs with the same number of rows");
        }
        model.checkCondition(cFrom, from.numRows, "condition of the first inputs");
        model.checkCondition(cTo, to.numRows, "condition of the second inputs");
        if (kind == null) {
            throw new IllegalArgumentException("interpolation kind must not be null");
        }
        FMatrixRMaj path = kind.path(model.encodeMean(from, cFrom), model.encodeMean(to, cTo), steps);
        FMatrixRMaj c = path.numRows == 0 || cFrom == null ? null : new FMatrixRMaj(path.numRows, cFrom.numCols);
        if (c != null) {
            int w = cFrom.numCols;
            for (int i = 0; i < from.numRows; i++) {
                for (int s = 0; s < steps; s++) {
                    double t = (double) s / (steps - 1);
                    for (int j = 0; j < w; j++) {
                        c.data[(i * steps + s) * w + j] = (float) ((1 - t) * cFrom.data[i * w + j]
                                + t * cTo.data[i * w + j]);
                    }
                }
            }
        }
        return model.decodeMean(path, c);
    }

    private static FMatrixRMaj interpolate(UnaryOperator<FMatrixRMaj> encode, UnaryOperator<FMatrixRMaj> decode,
                                           FMatrixRMaj from, FMatrixRMaj to, int steps, Interpolation kind) {
        if (kind == null) {
            throw new IllegalArgumentException("interpolation kind must not be null");
        }
        if (from == null || to == null || from.numRows != to.numRows) {
            throw new IllegalArgumentException("interpolation needs two inputs with the same number of rows");
        }
        return decode.apply(kind.path(encode.apply(from), encode.apply(to), steps));
    }

    /**
     * The codes of a traversal: {@code steps} copies of {@code base} with dimension {@code dimension}
     * set to from, from + (to - from) / (steps - 1), ..., to.
     *
     * @param base      (1, latent) code, not modified
     * @param dimension the dimension that moves, 0 &lt;= dimension &lt; latent
     * @param from      its value in the first code, finite
     * @param to        its value in the last code, finite
     * @param steps     number of codes, &gt;= 2
     * @return a new (steps, latent) matrix
     * @throws IllegalArgumentException for a base that is not one non-empty row, a dimension out of range,
     *                                  {@code steps < 2} or a non-finite end
     */
    public static FMatrixRMaj traversalCodes(FMatrixRMaj base, int dimension, double from, double to, int steps) {
        if (base == null || base.numRows != 1 || base.numCols == 0) {
            throw new IllegalArgumentException("the base code must be one row (1, latent)");
        }
        if (dimension < 0 || dimension >= base.numCols) {
            throw new IllegalArgumentException("latent dimension must be in [0, " + base.numCols + "), got " + dimension);
        }
        if (steps < 2) {
            throw new IllegalArgumentException("a traversal needs at least 2 steps, got " + steps);
        }
        if (!Double.isFinite(from) || !Double.isFinite(to)) {
            throw new IllegalArgumentException("traversal range must be finite, got " + from + " .. " + to);
        }
        final int latent = base.numCols;
        FMatrixRMaj codes = new FMatrixRMaj(steps, latent);
        for (int s = 0; s < steps; s++) {
            System.arraycopy(base.data, 0, codes.data, s * latent, latent);
            double t = (double) s / (steps - 1);
            codes.data[s * latent + dimension] = (float) (from + t * (to - from));
        }
        return codes;
    }

    /**
     * A decoded traversal of one latent dimension around a base code (e.g. 0, the prior's mean,
     * or mu(x) of an input), over e.g. -3 .. 3 prior standard deviations: decodeMean(traversalCodes(...)).
     *
     * @param model     an unconditional model
     * @param base      (1, latentSize) code, not modified
     * @param dimension the dimension that moves, 0 &lt;= dimension &lt; latentSize
     * @param from      its value at the first step, finite
     * @param to        its value at the last step, finite
     * @param steps     number of decoded points, &gt;= 2
     * @return a new (steps, inputSize) matrix
     * @throws IllegalArgumentException for a base that is not (1, latentSize), a dimension out of range,
     *                                  {@code steps < 2}, a non-finite end, or a conditional model
     */
    public static FMatrixRMaj traverse(LatentModel model, FMatrixRMaj base, int dimension, double from, double to,
                                       int steps) {
        return model.decodeMean(traversalCodesFor(base, model.latentSize(), dimension, from, to, steps));
    }

    /**
     * Traversals of every latent dimension, one after the other (a picture with one row per
     * dimension).
     *
     * @param model an unconditional model
     * @param base  (1, latentSize) code, not modified
     * @param from  the value of the moving dimension at the first step, finite
     * @param to    its value at the last step, finite
     * @param steps decoded points per dimension, &gt;= 2
     * @return a new (latent * steps, inputSize) matrix: dimension u in rows [u * steps, (u + 1) * steps)
     * @throws IllegalArgumentException for a base that is not (1, latentSize), {@code steps < 2}, a non-finite
     *                                  end, or a conditional model
     */
    public static FMatrixRMaj traverseEach(LatentModel model, FMatrixRMaj base, double from, double to, int steps) {
        final int latent = model.latentSize();
        FMatrixRMaj codes = new FMatrixRMaj(latent * steps, latent);
        for (int u = 0; u < latent; u++) {
            FMatrixRMaj one = traversalCodesFor(base, latent, u, from, to, steps);
            System.arraycopy(one.data, 0, codes.data, u * steps * latent, steps * latent);
        }
        return model.decodeMean(codes);
    }

    private static FMatrixRMaj traversalCodesFor(FMatrixRMaj base, int latent, int dimension, double from, double to,
                                           int steps) {
        if (base == null || base.numCols != latent) {
            throw new IllegalArgumentException("the base code must be (1, " + latent + "), got "
                    + (base == null ? "null" : "(" + base.numRows + ", " + base.numCols + ")"));
        }
        return traversalCodes(base, dimension, from, to, steps);
    }
}

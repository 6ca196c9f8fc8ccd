package org.vae4j;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.nn.Parameter;

/**
 * Central finite-difference checks of hand-written backward passes, made robust for float32.
 *
 * <p>The tests differentiate a scalar objective, usually {@code L = sum(R * f(inputs))} with a
 * fixed random R (so the backward pass is fed {@code dL/df = R}), or a model's loss. Each
 * element of a value matrix is moved by {@code +-h} in float; the objective is accumulated in
 * double and the numeric derivative divides by the step actually taken in float. An element
 * passes when
 * <pre>
 *   |analytic - numeric| &lt;= RTOL * max(|analytic|, |numeric|) + ATOL
 * </pre>
 * With h = 1e-2 float noise and truncation error stay below 1e-4 on the tests' objectives,
 * while a wrong factor (a missing 1/2, a missing 1/s^2) is off by 50% or more.
 */
public final class GradientCheck {

    /** Relative tolerance. */
    public static final double RTOL = 1e-2;
    /** Absolute tolerance. */
    public static final double ATOL = 1e-3;
    /** Default step for smooth objectives. */
    public static final float STEP = 1e-2f;

    private GradientCheck() {
    }

    /** A (rows, cols) matrix of independent uniform values in [lo, hi). */
    public static FMatrixRMaj uniform(int rows, int cols, double lo, double hi, SplittableRandom rng) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = (float) rng.nextDouble(lo, hi);
        }
        return m;
    }

    /** Uniform magnitudes in [lo, hi) with random signs: values kept away from 0 (ReLU kinks). */
    public static FMatrixRMaj awayFromZero(int rows, int cols, double lo, double hi, SplittableRandom rng) {
        FMatrixRMaj m = uniform(rows, cols, lo, hi, rng);
        for (int i = 0; i < m.getNumElements(); i++) {
            if (rng.nextBoolean()) {
                m.data[i] = -m.data[i];
            }
        }
        return m;
    }

    /** sum(r * m) in double: an objective whose gradient with respect to m is r. */
    public static double dot(FMatrixRMaj r, FMatrixRMaj m) {
        double s = 0;
        for (int i = 0; i < m.getNumElements(); i++) {
            s += (double) r.data[i] * m.data[i];
        }
        return s;
    }

    /** {@link #assertGradient(String, FMatrixRMaj, FMatrixRMaj, DoubleSupplier, float)} with {@link #STEP}. */
    public static void assertGradient(String name, FMatrixRMaj values, FMatrixRMaj analytic, DoubleSupplier loss) {
        assertGradient(name, values, analytic, loss, STEP);
    }

    /**
     * Asserts that {@code analytic} is the gradient of {@code loss} with respect to {@code values}.
     * Each element of {@code values} is perturbed in place and restored bit for bit.
     *
     * @param analytic a copy of the analytic gradient (the loss may overwrite the original)
     */
    public static void assertGradient(String name, FMatrixRMaj values, FMatrixRMaj analytic, DoubleSupplier loss,
                                      float step) {
        check(name, values, analytic, loss, step, false);
    }

    /**
     * As {@link #assertGradient}, for piecewise-linear objectives (ReLU): an element that fails is
     * skipped when its two one-sided differences disagree, i.e. a kink lies within the step. A
     * wrong factor gives agreeing one-sided differences and still fails.
     *
     * @return how many elements were skipped
     */
    public static int assertGradientSkippingKinks(String name, FMatrixRMaj values, FMatrixRMaj analytic,
                                                  DoubleSupplier loss, float step) {
        return check(name, values, analytic, loss, step, true);
    }

    /**
     * As {@link #assertGradient(String, FMatrixRMaj, FMatrixRMaj, DoubleSupplier)} with respect to
     * a parameter: each of its values is perturbed where it lives (in the model's flat array, at
     * its offset), so the loss sees the perturbation.
     */
    public static void assertGradient(String name, Parameter values, FMatrixRMaj analytic, DoubleSupplier loss) {
        check(name, values.valueArray(), values.offset(), values.rows(), values.cols(), analytic, loss, STEP, false);
    }

    /** {@link #assertGradientSkippingKinks(String, FMatrixRMaj, FMatrixRMaj, DoubleSupplier, float)} for a parameter. */
    public static int assertGradientSkippingKinks(String name, Parameter values, FMatrixRMaj analytic,
                                                  DoubleSupplier loss, float step) {
        return check(name, values.valueArray(), values.offset(), values.rows(), values.cols(), analytic, loss, step,
                true);
    }

    private static int check(String name, FMatrixRMaj values, FMatrixRMaj analytic, DoubleSupplier loss,
                             float step, boolean skipKinks) {
        return check(name, values.data, 0, values.numRows, values.numCols, analytic, loss, step, skipKinks);
    }

    /** Perturbs data[offset + i] for the (rows, cols) values starting there. */
    private static int check(String name, float[] data, int offset, int rows, int cols, FMatrixRMaj analytic,
                             DoubleSupplier loss, float step, boolean skipKinks) {
        if (rows != analytic.numRows || cols != analytic.numCols) {
            fail(name + ": gradient shape differs from the value shape");
        }
        double base = skipKinks ? loss.getAsDouble() : Double.NaN;
        int skipped = 0;
        double largest = 0;
        for (int i = 0; i < rows * cols; i++) {
            float orig = data[offset + i];
            float plus = orig + step;
            float minus = orig - step;
            data[offset + i] = plus;
            double lossPlus = loss.getAsDouble();
            data[offset + i] = minus;
            double lossMinus = loss.getAsDouble();
            data[offset + i] = orig;
            double numeric = (lossPlus - lossMinus) / ((double) plus - minus);
            double a = analytic.data[i];
            largest = Math.max(largest, Math.abs(numeric));
            if (close(a, numeric)) {
                continue;
            }
            if (skipKinks) {
                double forward = (lossPlus - base) / ((double) plus - orig);
                double backward = (base - lossMinus) / ((double) orig - minus);
                if (!close(forward, backward)) {
                    skipped++;
                    continue;
                }
            }
            fail(String.format("%s[%d] (row %d, col %d): analytic %.6g, numeric %.6g", name, i,
                    i / cols, i % cols, a, numeric));
        }
        // A check that only ever compares zeros proves nothing.
        assertTrue(largest > 10 * ATOL, name + ": all numeric derivatives are below " + 10 * ATOL);
        return skipped;
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= RTOL * Math.max(Math.abs(a), Math.abs(b)) + ATOL;
    }
}

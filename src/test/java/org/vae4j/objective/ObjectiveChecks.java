package org.vae4j.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.vae4j.Fixture.assertClose;
import static org.vae4j.Fixture.assertTensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.Fixture;
import org.vae4j.LatentModel;
import org.vae4j.Loss;
import org.vae4j.nn.Parameter;
import org.vae4j.random.Noise;
import org.vae4j.train.GradientFunction;

/**
 * What the objective tests share: one gradient computation, parameters and gradients read through
 * {@link Parameter#valueArray()} / {@link Parameter#gradArray()} at {@link Parameter#offset()},
 * central finite differences over every parameter, and the parity tolerance of
 * {@code PyTorchParityTest} (1e-5 relative plus 2e-6 times the tensor's largest value).
 */
final class ObjectiveChecks {

    /** Finite differences: relative and absolute tolerance, as {@code GradientCheck}. */
    static final double FD_RTOL = 1e-2;
    static final double FD_ATOL = 1e-3;

    private ObjectiveChecks() {
    }

    /** Zeroes the gradients and runs {@code objective} on x as one batch with the given noise (null: drawn). */
    static Loss gradients(Objective objective, LatentModel model, FMatrixRMaj x, FMatrixRMaj eps, double beta) {
        StepContext ctx = new StepContext(new Noise(1)).set(1, 0, beta, x.numRows).fixedNoise(eps);
        return new GradientFunction(objective, 1).compute(model, Batch.of(x), ctx);
    }

    /** As {@link #gradients(Objective, LatentModel, FMatrixRMaj, FMatrixRMaj, double)} with condition c (rows 0, 1, ...). */
    static Loss gradients(Objective objective, LatentModel model, FMatrixRMaj x, FMatrixRMaj c, FMatrixRMaj eps,
                          double beta, int microBatches) {
        StepContext ctx = new StepContext(new Noise(1)).set(1, 0, beta, x.numRows).fixedNoise(eps);
        int[] ids = new int[x.numRows];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        return new GradientFunction(objective, microBatches).compute(model, new Batch().set(x, x, c, ids, 0), ctx);
    }

    /** Row r of (n, cols) standard normal draws. */
    static FMatrixRMaj gaussian(int rows, int cols, SplittableRandom rng) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = (float) rng.nextGaussian();
        }
        return m;
    }

    static FMatrixRMaj uniform(int rows, int cols, SplittableRandom rng) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = (float) rng.nextDouble();
        }
        return m;
    }

    /** A copy of every parameter's gradient, in the model's order. */
    static List<float[]> gradients(LatentModel model) {
        List<float[]> g = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            float[] a = new float[p.size()];
            System.arraycopy(p.gradArray(), p.offset(), a, 0, p.size());
            g.add(a);
        }
        return g;
    }

    /** p's gradient as a (rows, cols) matrix. */
    static FMatrixRMaj gradient(Parameter p) {
        FMatrixRMaj m = new FMatrixRMaj(p.rows(), p.cols());
        System.arraycopy(p.gradArray(), p.offset(), m.data, 0, p.size());
        return m;
    }

    static Parameter parameter(LatentModel model, String name) {
        for (Parameter p : model.parameters()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no parameter " + name);
    }

    /** Sets every parameter to the fixture's tensor of its name (shapes must agree). */
    static void loadParameters(LatentModel model, Fixture f) {
        for (Parameter p : model.parameters()) {
            FMatrixRMaj ref = f.tensor(p.name());
            assertEquals(p.rows(), ref.numRows, p.name() + " rows");
            assertEquals(p.cols(), ref.numCols, p.name() + " cols");
            p.set(ref.data);
        }
    }

    /** Every parameter's gradient equals the fixture's {@code prefix + name} to the parity tolerance. */
    static void assertGradients(LatentModel model, Fixture f, String prefix) {
        assertTrue(model.parameters().size() >= 10, "every parameter is compared");
        for (Parameter p : model.parameters()) {
            assertTensor(f.tensor(prefix + p.name()), gradient(p), prefix + p.name());
        }
    }

    /**
     * Checks the analytic gradient {@code loss} leaves in every parameter against central
     * differences of the loss's value (each value moved by +-step in float, the loss in double).
     */
    static void assertEveryParameterGradient(LatentModel model, DoubleSupplier loss, float step) {
        loss.getAsDouble();
        List<float[]> analytic = gradients(model);
        for (int k = 0; k < analytic.size(); k++) {
            assertGradient(model.parameters().get(k), analytic.get(k), loss, step);
        }
    }

    /** Central differences of {@code loss} over p's values against {@code analytic}. */
    static void assertGradient(Parameter p, float[] analytic, DoubleSupplier loss, float step) {
        double largest = 0;
        for (int i = 0; i < p.size(); i++) {
            float[] v = p.valueArray();
            int at = p.offset() + i;
            float orig = v[at];
            float plus = orig + step;
            float minus = orig - step;
            v[at] = plus;
            double up = loss.getAsDouble();
            v[at] = minus;
            double down = loss.getAsDouble();
            v[at] = orig;
            double numeric = (up - down) / ((double) plus - minus);
            largest = Math.max(largest, Math.abs(numeric));
            double a = analytic[i];
            if (!(Math.abs(a - numeric) <= FD_RTOL * Math.max(Math.abs(a), Math.abs(numeric)) + FD_ATOL)) {
                fail(String.format("%s[%d] (row %d, col %d): analytic %.6g, numeric %.6g", p.name(), i,
                        i / p.cols(), i % p.cols(), a, numeric));
            }
        }
        assertTrue(largest > 10 * FD_ATOL, p.name() + ": all numeric derivatives are below " + 10 * FD_ATOL);
    }
}

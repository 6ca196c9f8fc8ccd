package org.vae4j.eval;

import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.nn.Parameter;

/** Small data sets and parameter helpers shared by the evaluation tests. */
final class EvalFixtures {

    private EvalFixtures() {
    }

    /** (n, d) values uniform in [0, 1). */
    static FMatrixRMaj uniform(int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        FMatrixRMaj x = new FMatrixRMaj(n, d);
        for (int i = 0; i < x.getNumElements(); i++) {
            x.data[i] = (float) rng.nextDouble();
        }
        return x;
    }

    /** Binary rows: one of 4 random prototypes with 5% of the pixels flipped. */
    static FMatrixRMaj prototypes(int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] protos = new float[4][d];
        for (float[] p : protos) {
            for (int j = 0; j < d; j++) {
                p[j] = rng.nextBoolean() ? 1f : 0f;
            }
        }
        FMatrixRMaj x = new FMatrixRMaj(n, d);
        for (int r = 0; r < n; r++) {
            float[] p = protos[rng.nextInt(4)];
            for (int j = 0; j < d; j++) {
                x.data[r * d + j] = rng.nextDouble() < 0.05 ? 1f - p[j] : p[j];
            }
        }
        return x;
    }

    /** The parameter with the given name. */
    static Parameter parameter(LatentModel model, String name) {
        return model.parameters().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no parameter " + name));
    }

    /** Rows [start, end) as a new matrix. */
    static FMatrixRMaj rows(FMatrixRMaj x, int start, int end) {
        FMatrixRMaj r = new FMatrixRMaj(end - start, x.numCols);
        System.arraycopy(x.data, start * x.numCols, r.data, 0, (end - start) * x.numCols);
        return r;
    }
}

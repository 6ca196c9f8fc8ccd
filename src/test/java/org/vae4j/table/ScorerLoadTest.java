package org.vae4j.table;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.internal.Rows;
import org.vae4j.nn.Parameter;

/**
 * A table model's scorer under load, as the inference views' load test: 8 threads x 1,000
 * {@code score} calls on one scorer, mixed batch sizes (1 to 150 rows, across the scorer's
 * 128-row chunks), each result bitwise equal to the same call made on one thread beforehand.
 */
class ScorerLoadTest {

    @Test
    void eightThreadsOnOneScorerEqualOneThread() throws Exception {
        CsvTable table = TableModelTest.correlated(400, 5);
        TableSchema schema = SchemaFitter.defaults().fit(table);
        FMatrixRMaj x = new TableEncoder(schema, table.header(), null).encodeAll(table);
        TableModel model = TableModel.create(schema, new int[] {16}, 3, 7, 2, 11);
        SplittableRandom rng = new SplittableRandom(2);
        for (Parameter p : model.model().parameters()) {
            float[] v = new float[p.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = p.value(i) + (float) (0.2 * rng.nextGaussian());
            }
            p.set(v);
        }
        Scorer scorer = model.scorer();
        int[] sizes = {1, 3, 17, 64, 129, 150};
        List<int[]> calls = new ArrayList<>();
        List<double[]> expected = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            int start = (i * 41) % (x.numRows - sizes[i]);
            calls.add(new int[] {start, sizes[i]});
            expected.add(flat(scorer.score(Rows.copyRows(x, start, start + sizes[i], new FMatrixRMaj(1, 1)), start)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final int thread = t;
                fs.add(pool.submit(() -> {
                    go.await();
                    int bad = 0;
                    FMatrixRMaj buf = new FMatrixRMaj(1, 1);
                    for (int i = 0; i < 1000; i++) {
                        int j = (5 * thread + 7 * i) % calls.size();
                        int[] c = calls.get(j);
                        RowScores s = scorer.score(Rows.copyRows(x, c[0], c[0] + c[1], buf), c[0]);
                        if (!Arrays.equals(expected.get(j), flat(s))) {
                            bad++;
                        }
                    }
                    return bad;
                }));
            }
            go.countDown();
            int bad = 0;
            for (Future<Integer> f : fs) {
                bad += f.get();
            }
            assertEquals(0, bad, "mismatches in 8,000 score calls");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every value of the scores, in one array. */
    private static double[] flat(RowScores s) {
        int n = s.rows;
        double[] out = new double[5 * n + s.share.length];
        System.arraycopy(s.negElbo, 0, out, 0, n);
        System.arraycopy(s.negLogPx, 0, out, n, n);
        System.arraycopy(s.missingTerm, 0, out, 2 * n, n);
        System.arraycopy(s.score, 0, out, 3 * n, n);
        for (int r = 0; r < n; r++) {
            out[4 * n + r] = 0;
            for (int c = 0; c < s.columns; c++) {
                out[4 * n + r] += s.observed[r * s.columns + c] ? 1 << Math.min(c, 30) : 0;
            }
        }
        System.arraycopy(s.share, 0, out, 5 * n, s.share.length);
        return out;
    }
}

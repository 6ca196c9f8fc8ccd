package org.vae4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.random.Noise;

/**
 * One shared inference view under load: 8 threads x 1,000 calls each, on every model kind, with
 * mixed batch sizes (1 to 300 rows, the larger ones split over the view's 2 threads while the
 * other callers run) and every method, each result compared bit for bit with the same call made
 * on one thread beforehand. No timing is asserted. (The model itself, shared the same way, gave
 * wrong results in most calls and index errors in the GEMM kernels: its buffers are shared.)
 */
class InferenceLoadTest {

    static final int THREADS = 8;
    static final int CALLS = 1000;
    private static final int[] SIZES = {1, 2, 5, 17, 33, 64, 129, 200, 300};
    private static final Noise NOISE = new Noise(23);

    /** One call: an operation on rows [start, start + size) of the kind's data, with their ids. */
    record Call(int op, int start, int size) {
    }

    @Test
    void eightThreadsOnOneViewEqualOneThreadOnEveryKind() throws Exception {
        for (InferenceKinds.Kind k : InferenceKinds.all(400)) {
            InferenceView view = k.model().inference(2);
            List<Call> calls = new ArrayList<>();
            for (int op = 0; op < 7; op++) {
                for (int i = 0; i < SIZES.length; i++) {
                    int size = SIZES[i];
                    calls.add(new Call(op, (i * 37 + op * 11) % (400 - size), size));
                }
            }
            InferenceView single = k.model().inference(1);
            List<double[]> expected = new ArrayList<>();
            for (Call c : calls) {
                expected.add(run(single, k, c));
            }
            int mismatches = load(calls, expected, t -> run(view, k, t));
            assertEquals(0, mismatches, k.name() + ": mismatches in " + THREADS * CALLS + " calls");
        }
    }

    /** Runs THREADS x CALLS calls, thread t's call i being calls[(7 t + 13 i) mod n]; returns the mismatches. */
    static int load(List<Call> calls, List<double[]> expected, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int thread = t;
                Callable<Integer> body = () -> {
                    go.await();
                    int bad = 0;
                    for (int i = 0; i < CALLS; i++) {
                        int j = (7 * thread + 13 * i) % calls.size();
                        if (!Arrays.equals(expected.get(j), task.run(calls.get(j)))) {
                            bad++;
                        }
                    }
                    return bad;
                };
                results.add(pool.submit(body));
            }
            go.countDown();
            int bad = 0;
            for (Future<Integer> f : results) {
                bad += f.get();
            }
            return bad;
        } finally {
            pool.shutdownNow();
        }
    }

    interface Task {
        double[] run(Call c) throws Exception;
    }

    /** The call's result as doubles (floats widen exactly, so equality is bitwise but for NaN, which none has). */
    static double[] run(InferenceView v, InferenceKinds.Kind k, Call c) {
        FMatrixRMaj x = k.rows(c.start(), c.start() + c.size());
        FMatrixRMaj cond = k.conditions(c.start(), c.start() + c.size());
        long id = c.start();
        switch (c.op()) {
            case 0:
                return widen(v.encodeMean(x, cond));
            case 1:
                return widen(v.encodeSample(x, cond, NOISE, id));
            case 2:
                return widen(v.decodeMean(v.encodeMean(x, cond), cond));
            case 3:
                return widen(v.reconstruct(x, cond));
            case 4:
                return widen(v.reconstructSample(x, cond, NOISE, id));
            case 5: {
                RowLosses l = v.negativeElbo(x, cond, NOISE, id);
                double[] out = Arrays.copyOf(l.reconstruction, 2 * l.rows());
                System.arraycopy(l.kl, 0, out, l.rows(), l.rows());
                return out;
            }
            default:
                return widen(v.sample(c.size(), cond, NOISE, id));
        }
    }

    static double[] widen(FMatrixRMaj m) {
        double[] d = new double[m.getNumElements()];
        for (int i = 0; i < d.length; i++) {
            d[i] = m.data[i];
        }
        return d;
    }
}

package org.vae4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.vae4j.kernel.Gemm;
import org.vae4j.kernel.Gemms;
import org.vae4j.kernel.Kernels;
import org.vae4j.nn.Parameter;
import org.vae4j.nn.ParameterStore;

/**
 * The optimisers' flat pass split over the GEMM backend's threads ({@link Gemm#forEachRange}):
 * the same bits as the one-thread pass for 1, 2 and 3 threads, step after step, on a store large
 * enough to be split (tensor sizes not multiples of the vector width or of the 64-element units).
 */
@EnabledIf("org.vae4j.kernel.Gemms#vectorAvailable")
class ParallelStepTest {

    /** 110,000 values in all: over the split threshold (2^15) for 3 threads. */
    private static final int[][] SHAPES = {{211, 397}, {1, 211}, {3, 333}, {1, 1}, {97, 263}};

    private static List<Parameter> tensors() {
        SplittableRandom rng = new SplittableRandom(5);
        List<Parameter> ps = new ArrayList<>();
        for (int k = 0; k < SHAPES.length; k++) {
            Parameter p = new Parameter("t" + k, SHAPES[k][0], SHAPES[k][1]);
            float[] v = new float[p.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rng.nextDouble(-1, 1);
            }
            p.set(v);
            ps.add(p);
        }
        new ParameterStore(ps);
        return ps;
    }

    private static void gradients(List<Parameter> ps, int step) {
        SplittableRandom rng = new SplittableRandom(100 + step);
        for (Parameter p : ps) {
            float[] g = new float[p.size()];
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) rng.nextDouble(-2, 2);
            }
            p.setGrad(g);
        }
    }

    private static void check(String what, Supplier<Optimizer> make) {
        Kernels base = Kernels.defaults();
        List<Parameter> serial = tensors();
        Optimizer reference = make.get();
        for (int threads = 1; threads <= 3; threads++) {
            Kernels k = base.withGemm(Gemms.create("vector", threads));
            List<Parameter> split = tensors();
            Optimizer o = make.get();
            if (threads == 1) {
                serial = tensors();
                reference = make.get();
            }
            for (int step = 0; step < 3; step++) {
                gradients(split, step);
                o.step(split, k);
                if (threads == 1) {
                    gradients(serial, step);
                    reference.step(serial, base.elementwise());
                }
            }
            for (int t = 0; t < serial.size(); t++) {
                assertArrayEquals(serial.get(t).valueCopy().data, split.get(t).valueCopy().data,
                        what + ", " + threads + " thread(s), " + serial.get(t).name());
            }
            assertEquals(reference.state().keySet(), o.state().keySet());
            for (String key : reference.state().keySet()) {
                for (int t = 0; t < serial.size(); t++) {
                    assertArrayEquals(reference.state().get(key).get(t), o.state().get(key).get(t),
                            what + " " + key + ", " + threads + " thread(s), tensor " + t);
                }
            }
        }
    }

    @Test
    void adamOnAnyThreadCountGivesTheOneThreadBits() {
        check("adam", () -> new Adam(1e-2));
    }

    @Test
    void adamWOnAnyThreadCountGivesTheOneThreadBits() {
        check("adamw", () -> new AdamW(1e-2, 0.1));
    }

    @Test
    void sgdOnAnyThreadCountGivesTheOneThreadBits() {
        check("sgd", () -> new Sgd(1e-2, 0.9));
        check("sgd without momentum", () -> new Sgd(1e-2, 0));
    }

    /**
     * The ranges really are split: on 3 threads a pass over n elements runs as 3 disjoint ranges
     * that cover [0, n), each starting at a multiple of 64; a small pass runs as one range.
     */
    @Test
    void aLargePassIsSplitIntoAlignedRangesThatCoverIt() {
        Gemm g = Gemms.create("vector", 3);
        for (int n : new int[] {1 << 15, 100_003, 854_080}) {
            List<int[]> ranges = Collections.synchronizedList(new ArrayList<>());
            g.forEachRange(n, (from, to) -> ranges.add(new int[] {from, to}));
            List<int[]> sorted = new ArrayList<>(ranges);
            sorted.sort((a, b) -> Integer.compare(a[0], b[0]));
            assertEquals(3, sorted.size(), "ranges of " + n);
            int next = 0;
            for (int[] r : sorted) {
                assertEquals(next, r[0], "ranges of " + n + " are consecutive");
                assertEquals(0, r[0] % 64, "range start " + r[0]);
                assertTrue(r[1] > r[0]);
                next = r[1];
            }
            assertEquals(n, next);
        }
        List<int[]> small = new ArrayList<>();
        g.forEachRange(1000, (from, to) -> small.add(new int[] {from, to}));
        assertEquals(1, small.size());
        assertArrayEquals(new int[] {0, 1000}, small.get(0));
    }
}

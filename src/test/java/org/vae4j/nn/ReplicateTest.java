package org.vae4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.vae4j.kernel.Kernels;

/**
 * Module replicas: the same function as the module, buffers of their own, the tensors of the
 * map (the module's own for {@link TensorMap#shared()}, a frozen copy for a snapshot).
 */
class ReplicateTest {

    private static final Kernels K = Kernels.defaults();

    private static FMatrixRMaj random(int rows, int cols, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        FMatrixRMaj x = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = (float) rng.nextGaussian();
        }
        return x;
    }

    /** A network of every module kind, its parameters in one store. */
    private static Sequential network() {
        SplittableRandom rng = new SplittableRandom(1);
        Sequential s = new Sequential(List.of(new Dense(6, 8, Init.TORCH_DEFAULT, rng), new LayerNorm(8),
                new ActivationLayer(Activation.TANH, 8), new Dropout(8, 0.5, 3), new Dense(8, 5, Init.TORCH_DEFAULT,
                        rng)));
        new ParameterStore(s.parameters());
        SplittableRandom r = new SplittableRandom(2);
        for (Parameter p : s.parameters()) {
            float[] v = new float[p.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = p.value(i) + (float) (0.3 * r.nextGaussian());
            }
            p.set(v);
        }
        s.setTraining(false);
        return s;
    }

    @Test
    void aReplicaComputesTheSameFunctionWithBuffersOfItsOwn() {
        Sequential m = network();
        Sequential r = m.replicate(TensorMap.shared());
        r.setTraining(false);
        assertEquals(m.names(), r.names());
        FMatrixRMaj x1 = random(7, 6, 3);
        FMatrixRMaj x2 = random(4, 6, 4);
        FMatrixRMaj y1 = m.forward(K, x1);
        float[] kept = Arrays.copyOf(y1.data, y1.getNumElements());
        FMatrixRMaj y2 = r.forward(K, x2);
        assertNotSame(y1, y2);
        assertArrayEquals(kept, Arrays.copyOf(y1.data, y1.getNumElements()), "the replica wrote the module's buffer");
        assertArrayEquals(kept, Arrays.copyOf(r.forward(K, x1).data, kept.length));
        // shared: the replica reads the module's tensors, so it follows a change
        Parameter w = m.parameters().get(0);
        assertSame(w.valueArray(), r.parameters().get(0).valueArray());
        w.set(new float[w.size()]);
        assertArrayEquals(Arrays.copyOf(m.forward(K, x1).data, kept.length),
                Arrays.copyOf(r.forward(K, x1).data, kept.length));
    }

    private static void refusedAsASnapshot(org.junit.jupiter.api.function.Executable e) {
        IllegalStateException x = assertThrows(IllegalStateException.class, e);
        assertTrue(x.getMessage().contains("is a snapshot without gradients"), x.getMessage());
    }

    @Test
    void aSnapshotsGradientsAndBackwardAreRefusedClearly() {
        SplittableRandom rng = new SplittableRandom(4);
        Dense dense = new Dense(6, 8, Init.TORCH_DEFAULT, rng);
        LayerNorm norm = new LayerNorm(8);
        Dense fused = new Dense(8, 5, Init.TORCH_DEFAULT, rng);
        Sequential s = new Sequential(List.of(dense, norm, fused, new ActivationLayer(Activation.TANH, 5)));
        new ParameterStore(s.parameters());
        TensorMap snap = TensorMap.snapshot(s.parameters());
        Parameter w = snap.get(dense.weight());
        refusedAsASnapshot(() -> w.grad(0));
        refusedAsASnapshot(w::gradCopy);
        refusedAsASnapshot(w::zeroGrad);
        refusedAsASnapshot(() -> w.setGrad(new float[w.size()]));
        assertTrue(assertThrows(IllegalStateException.class, () -> w.grad(0)).getMessage().contains("weight"));
        // the live parameter keeps its gradient
        assertEquals(0f, dense.weight().grad(0));
        // each module kind with parameters refuses a replica's backward on the snapshot
        FMatrixRMaj x = random(3, 6, 6);
        Dense rd = dense.replicate(snap);
        rd.forward(K, x);
        refusedAsASnapshot(() -> rd.backward(K, random(3, 8, 7), true));
        LayerNorm rn = norm.replicate(snap);
        rn.forward(K, random(3, 8, 8));
        refusedAsASnapshot(() -> rn.backward(K, random(3, 8, 9), true));
        Sequential rs = s.replicate(snap); // the last Dense's bias gradient summed in the activation's pass
        rs.forward(K, x);
        refusedAsASnapshot(() -> rs.backward(K, random(3, 5, 10), true));
        float[] g = s.parameters().get(0).gradArray();
        for (float v : g) {
            assertEquals(0f, v, "the snapshot's backward reached the model's gradients");
        }
    }

    @Test
    void aSnapshotReplicaKeepsTheValuesOfItsMomentAndHasNoGradients() {
        Sequential m = network();
        TensorMap snap = TensorMap.snapshot(m.parameters());
        int total = 0;
        for (Parameter p : m.parameters()) {
            total += p.size();
        }
        assertEquals(total, snap.size());
        assertFalse(snap.isShared());
        Sequential r = m.replicate(snap);
        r.setTraining(false);
        FMatrixRMaj x = random(5, 6, 5);
        float[] before = Arrays.copyOf(m.forward(K, x).data, 25);
        for (Parameter p : m.parameters()) {
            p.set(new float[p.size()]);
        }
        assertFalse(Arrays.equals(before, Arrays.copyOf(m.forward(K, x).data, 25)));
        assertArrayEquals(before, Arrays.copyOf(r.forward(K, x).data, 25));
        Parameter rw = r.parameters().get(0);
        assertEquals(m.parameters().get(0).name(), rw.name());
        assertEquals(0, rw.gradArray().length);
        // a parameter the snapshot does not hold is refused by name
        Parameter other = new Parameter("stray", 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> snap.get(other));
        assertTrue(e.getMessage().contains("stray"), e.getMessage());
    }

    @Test
    void replicasKeepTheirSettingsAndTheirOwnState() {
        Concat c = new Concat(3, 2);
        c.setCondition(random(4, 2, 1));
        Concat rc = c.replicate(TensorMap.shared());
        assertEquals(null, rc.condition());
        assertEquals(2, rc.conditionSize());
        Dropout d = new Dropout(4, 0.25, 9);
        d.forward(K, random(2, 4, 2));
        Dropout rd = d.replicate(TensorMap.shared());
        assertEquals(0, rd.calls());
        assertEquals(9, rd.seed());
        assertEquals(0.25, rd.p());
        assertTrue(rd.isTraining());
        // in training mode the replica draws the module's first masks (same seed, its own count)
        FMatrixRMaj x = random(3, 4, 3);
        Dropout fresh = new Dropout(4, 0.25, 9);
        assertArrayEquals(fresh.forward(K, x).data, rd.forward(K, x).data);
        LayerNorm ln = new LayerNorm(5, 1e-3);
        assertEquals(1e-3, ln.replicate(TensorMap.shared()).eps());
    }

    @Test
    void aSequentialSubclassMustSayHowToReplicate() {
        Sequential sub = new Sequential(List.of(new ActivationLayer(Activation.RELU, 3))) {
        };
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> sub.replicate(TensorMap.shared()));
        assertTrue(e.getMessage().contains("replicate"), e.getMessage());
        Module user = new Module() {
            public int inputSize() {
                return 1;
            }

            public int outputSize() {
                return 1;
            }

            public FMatrixRMaj forward(Kernels kernels, FMatrixRMaj x) {
                return x;
            }

            public FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dy, boolean inputGradient) {
                return dy;
            }

            public List<Parameter> parameters() {
                return List.of();
            }
        };
        assertThrows(UnsupportedOperationException.class, () -> user.replicate(TensorMap.shared()));
    }
}

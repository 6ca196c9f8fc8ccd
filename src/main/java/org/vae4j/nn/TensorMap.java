package org.vae4j.nn;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which tensor a {@link Module#replicate replica} of a module reads in place of each of the
 * module's parameters: the same tensor ({@link #shared()}), or the tensor of a read-only copy of
 * a model's values taken once ({@link #snapshot}). A replica computes its module's function on
 * the mapped tensors with work buffers of its own, so replicas on one map can run their forwards
 * on several threads at once without copying the weights per thread.
 *
 * <p>A snapshot holds all values in one flat array, copied from the parameters when it is taken
 * (4 bytes per scalar, once, whatever the number of replicas); it has no gradient storage (its
 * tensors' {@link Parameter#gradArray()} is empty, and their {@link Parameter#grad(int)},
 * {@link Parameter#gradCopy()}, {@link Parameter#setGrad}, {@link Parameter#zeroGrad()} and a
 * replica's backward throw an {@link IllegalStateException}: they are for inference, never trained) and
 * nothing writes it afterwards, so later changes to the model (training, {@link Parameter#set})
 * do not reach it. Immutable and thread-safe once built; the values are safely published by the
 * final fields to every thread that reaches the map.
 */
public final class TensorMap {

    private static final TensorMap SHARED = new TensorMap(null, 0);

    private final Map<Tensor, Tensor> map; // null: every tensor maps to itself
    private final int size;

    private TensorMap(Map<Tensor, Tensor> map, int size) {
        this.map = map;
        this.size = size;
    }

    /**
     * {@return the identity: a replica reads the module's own tensors (live: it sees every later change)}
     */
    public static TensorMap shared() {
        return SHARED;
    }

    /**
     * {@return a read-only copy of {@code parameters}' current values in one new flat array (no gradients)}
     *
     * @param parameters the tensors to copy (a model's parameters, in order); every module that is
     *                   replicated on the map must have all its parameters among them
     * @throws IllegalArgumentException when two parameters are one tensor, or they hold more than
     *                                  2^31 values together
     */
    public static TensorMap snapshot(List<Parameter> parameters) {
        long total = 0;
        for (Parameter p : parameters) {
            total += p.size();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("more than 2^31 parameters do not fit one flat array");
        }
        float[] values = new float[(int) total];
        Map<Tensor, Tensor> map = new IdentityHashMap<>();
        int at = 0;
        for (Parameter p : parameters) {
            Tensor t = p.tensor();
            if (map.containsKey(t)) {
                throw new IllegalArgumentException("parameter " + p.name() + " is listed twice (one tensor)");
            }
            System.arraycopy(t.values, t.offset, values, at, t.size());
            map.put(t, new Tensor(t.rows, t.cols, values, Tensor.NO_GRADIENTS, at));
            at += t.size();
        }
        return new TensorMap(map, at);
    }

    /** {@return whether this is {@link #shared()}} */
    public boolean isShared() {
        return map == null;
    }

    /** {@return the number of scalars held by this snapshot (0 for {@link #shared()})} */
    public int size() {
        return size;
    }

    /**
     * {@return the parameter a replica reads in place of {@code p}: the same name, on the mapped
     * tensor ({@code p} itself for {@link #shared()})}
     *
     * @param p one of the module's parameters
     * @throws IllegalArgumentException when {@code p} is not one of the snapshot's tensors (a module
     *                                  whose parameters are not all in the model's list)
     */
    public Parameter get(Parameter p) {
        if (map == null) {
            return p;
        }
        Tensor t = map.get(p.tensor());
        if (t == null) {
            throw new IllegalArgumentException("parameter " + p + " is not in the snapshot: a module's parameters must"
                    + " all be among the model's parameters()");
        }
        return Parameter.onTensor(p.name(), t);
    }
}

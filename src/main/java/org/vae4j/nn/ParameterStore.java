package org.vae4j.nn;

import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.vae4j.kernel.Elementwise;
import org.vae4j.kernel.Gemm;

/**
 * All parameters of a model in one flat float32 array of values and one of gradients: tensor k
 * occupies {@code [offset(k), offset(k) + size(k))} of both, in the model's parameter order (the
 * order of files and optimiser state), with no gaps. Each {@link Parameter} is a view: its
 * {@link Parameter#valueArray()} is {@link #values()} and its {@link Parameter#offset()} is
 * {@link #offset(int)}. The whole-model operations are each one pass over a flat array: zeroing
 * the gradients, the finiteness check, the gradient norm and scaling (and, in {@code optim},
 * clipping and the optimiser steps).
 *
 * <p><b>Adoption.</b> Building a store over tensors that belong to no store adopts them: their
 * current values and gradients are copied into the store's arrays and each tensor is rebound to
 * (flat array, offset), so every name of it ({@link Parameter#withPrefix}) follows. A tensor lives
 * in one store only. Building a store over <em>exactly</em> the tensors of an existing store, in
 * its order (the same model's parameters, possibly under other names), adopts nothing: the new
 * store shares the existing store's arrays. Any other list containing an adopted tensor (a new
 * model built from some of another model's modules, or two models' tensors mixed) is refused
 * with an {@link IllegalArgumentException} naming the tensor: moving it would leave the other
 * model's store, and the optimiser stepping it, working on arrays no module reads any more. Build
 * the new model from new modules and copy the values ({@link Parameter#set}) instead.
 *
 * <p>Mutable through its tensors, not thread-safe.
 */
public final class ParameterStore {

    private final List<Parameter> parameters;
    private final Tensor[] tensors;
    private final int[] offsets; // offsets[k] of tensor k; offsets[n] = total
    private final Map<String, Integer> index = new HashMap<>();
    private final float[] values;
    private final float[] grads;

    /**
     * A store over {@code parameters}, adopting their tensors (see the class comment).
     *
     * @param parameters the model's parameters in its order (files, optimiser state); copied
     * @throws IllegalArgumentException when two parameters share a name or a tensor, when a
     *         tensor already belongs to a store that is not exactly these tensors, or when the
     *         tensors hold more than 2^31 values together
     */
    public ParameterStore(List<Parameter> parameters) {
        this.parameters = List.copyOf(parameters);
        int n = this.parameters.size();
        this.tensors = new Tensor[n];
        this.offsets = new int[n + 1];
        Map<Tensor, String> seen = new IdentityHashMap<>();
        long total = 0;
        for (int k = 0; k < n; k++) {
            Parameter p = this.parameters.get(k);
            if (index.put(p.name(), k) != null) {
                throw new IllegalArgumentException("two parameters named " + p.name());
            }
            String before = seen.put(p.tensor(), p.name());
            if (before != null) {
                throw new IllegalArgumentException("parameters " + before + " and " + p.name()
                        + " are one tensor: a store holds each tensor once");
            }
            tensors[k] = p.tensor();
            offsets[k] = (int) total;
            total += p.size();
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("more than 2^31 parameters do not fit one flat array");
            }
        }
        offsets[n] = (int) total;
        ParameterStore existing = spanningTensors(tensors);
        if (existing != null) {
            this.values = existing.values;
            this.grads = existing.grads;
            return;
        }
        for (int k = 0; k < n; k++) {
            ParameterStore owner = tensors[k].owner;
            if (owner != null) {
                Parameter p = this.parameters.get(k);
                throw new IllegalArgumentException("parameter " + p + " already belongs to another model's "
                        + "parameter store (as " + owner.parameters.get(tensors[k].index).name() + "): a tensor "
                        + "lives in one store only. Build the new model from new modules and copy the values "
                        + "(Parameter.set), or over all of the other model's parameters in their order");
            }
        }
        this.values = new float[(int) total];
        this.grads = new float[(int) total];
        for (int k = 0; k < n; k++) {
            tensors[k].rebind(this, k, values, grads, offsets[k]);
        }
    }

    /**
     * The store whose tensors are exactly {@code params}' tensors in order, or {@code null}: when
     * it is not null, {@code params}' values are {@code spanning(params).values()[0 .. size())}
     * in order, and a whole-model operation can be one pass over the flat array. Allocation-free.
     *
     * @param params parameters in order, under any names
     * @return the store that holds exactly these tensors in this order, or {@code null} when there
     *         is none (no parameter, a tensor in no store, or a different list or order)
     */
    public static ParameterStore spanning(List<Parameter> params) {
        int n = params.size();
        if (n == 0) {
            return null;
        }
        ParameterStore s = params.get(0).tensor().owner;
        if (s == null || s.tensors.length != n) {
            return null;
        }
        for (int k = 0; k < n; k++) {
            if (params.get(k).tensor() != s.tensors[k]) {
                return null;
            }
        }
        return s;
    }

    private static ParameterStore spanningTensors(Tensor[] ts) {
        if (ts.length == 0 || ts[0].owner == null) {
            return null;
        }
        ParameterStore s = ts[0].owner;
        if (s.tensors.length != ts.length) {
            return null;
        }
        for (int k = 0; k < ts.length; k++) {
            if (ts[k] != s.tensors[k]) {
                return null;
            }
        }
        return s;
    }

    /** {@return the tensors, in order} */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** {@return the number of scalars in all tensors (the used length of the flat arrays)} */
    public int size() {
        return offsets[parameters.size()];
    }

    /**
     * {@return where tensor {@code k} starts in {@link #values()} and {@link #gradients()}}
     *
     * @param k the tensor's position in {@link #parameters()}, 0 &lt;= k &lt;= size of the list
     *          (k = the size gives {@link #size()})
     * @throws ArrayIndexOutOfBoundsException when {@code k} is out of range
     */
    public int offset(int k) {
        return offsets[k];
    }

    /**
     * {@return the tensor named {@code name}, e.g. {@code fc1.weight}}
     *
     * @param name the parameter's name in this store's list
     * @throws IllegalArgumentException when no parameter has that name
     */
    public Parameter get(String name) {
        Integer k = index.get(name);
        if (k == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return parameters.get(k);
    }

    /**
     * {@return the live flat array of all values ({@link #size()} floats, tensor k at {@link #offset}(k)):
     * what a data-parallel worker ships, without a copy} <b>Read-only by contract</b>: writing it
     * changes the model's parameters, and code outside the optimisers writes through
     * {@link #setValues} or {@link Parameter#set} instead. The array stays the same for the
     * store's life.
     */
    public float[] values() {
        return values;
    }

    /**
     * {@return the live flat array of all gradients, indexed as {@link #values()}; read-only by contract}
     */
    public float[] gradients() {
        return grads;
    }

    /** Sets every gradient to zero (one pass, on the caller's thread). */
    public void zeroGradients() {
        zeroRange(0, size());
    }

    /**
     * Sets every gradient to zero, in ranges over {@code threads}' threads
     * ({@link Gemm#forEachRange}: a large model's gradients are split, a small one's zeroed on
     * the caller). Allocation-free.
     *
     * @param threads the backend whose threads share the pass, not null
     */
    public void zeroGradients(Gemm threads) {
        threads.forEachRange(size(), zeroRange);
    }

    /**
     * {@return whether every gradient is finite (no NaN, no infinity; one pass, on the caller's thread)}
     *
     * @param kernel the elementwise kernels that run the check
     */
    public boolean gradientsFinite(Elementwise kernel) {
        return kernel.allFinite(grads, size());
    }

    /**
     * {@return whether every gradient is finite}: {@link #gradientsFinite(Elementwise)} in ranges
     * over {@code threads}' threads, each range checked by {@code kernel}. The answer does not
     * depend on the split. Allocation-free; not for concurrent calls on one store.
     *
     * @param kernel  the elementwise kernels that check each range, not null
     * @param threads the backend whose threads share the pass, not null
     */
    public boolean gradientsFinite(Elementwise kernel, Gemm threads) {
        finiteKernel = kernel;
        nonFiniteSeen = false;
        try {
            threads.forEachRange(size(), finiteRange);
        } finally {
            finiteKernel = null;
        }
        return !nonFiniteSeen;
    }

    // The range passes, made once (a step allocates nothing). finiteKernel is set by the caller
    // before the pass starts (the backend's hand-off publishes it); a range that finds a
    // non-finite gradient sets nonFiniteSeen, read after every range has finished.
    private final Gemm.RangeTask zeroRange = this::zeroRange;
    private final Gemm.RangeTask finiteRange = this::finiteRange;
    private Elementwise finiteKernel;
    private volatile boolean nonFiniteSeen;

    private void zeroRange(int from, int to) {
        Arrays.fill(grads, from, to, 0f);
    }

    private void finiteRange(int from, int to) {
        if (!finiteKernel.allFinite(grads, from, to)) {
            nonFiniteSeen = true;
        }
    }

    /** {@return the 2-norm of all gradients as one vector, accumulated in double (one pass)} */
    public double gradientNorm() {
        double s = 0;
        for (int i = 0, n = size(); i < n; i++) {
            s += grads[i] * (double) grads[i];
        }
        return Math.sqrt(s);
    }

    /**
     * Multiplies every gradient by {@code factor} (in float32, one pass), e.g. to clip the norm.
     *
     * @param factor the multiplier
     */
    public void scaleGradients(float factor) {
        for (int i = 0, n = size(); i < n; i++) {
            grads[i] *= factor;
        }
    }

    /**
     * Copies all values into {@code flat[offset ..]}, in order.
     *
     * @param flat   the destination array, with room for {@link #size()} floats from {@code offset}
     * @param offset where in {@code flat} tensor 0's first scalar goes, &gt;= 0
     * @throws IllegalArgumentException when {@code flat} has no room for {@link #size()} floats from {@code offset}
     */
    public void copyValuesTo(float[] flat, int offset) {
        checkRoom(flat, offset);
        System.arraycopy(values, 0, flat, offset, size());
    }

    /**
     * Sets all values from {@code flat[offset ..]}, in order (as {@link #copyValuesTo} wrote them).
     *
     * @param flat   the source array, holding {@link #size()} floats from {@code offset}; not modified
     * @param offset where in {@code flat} tensor 0's first scalar is, &gt;= 0
     * @throws IllegalArgumentException when {@code flat} holds fewer than {@link #size()} floats from {@code offset}
     */
    public void setValues(float[] flat, int offset) {
        checkRoom(flat, offset);
        System.arraycopy(flat, offset, values, 0, size());
    }

    /**
     * Copies all gradients into {@code flat[offset ..]}, in order.
     *
     * @param flat   the destination array, with room for {@link #size()} floats from {@code offset}
     * @param offset where in {@code flat} tensor 0's first scalar goes, &gt;= 0
     * @throws IllegalArgumentException when {@code flat} has no room for {@link #size()} floats from {@code offset}
     */
    public void copyGradientsTo(float[] flat, int offset) {
        checkRoom(flat, offset);
        System.arraycopy(grads, 0, flat, offset, size());
    }

    /**
     * Sets all gradients from {@code flat[offset ..]}, in order.
     *
     * @param flat   the source array, holding {@link #size()} floats from {@code offset}; not modified
     * @param offset where in {@code flat} tensor 0's first scalar is, &gt;= 0
     * @throws IllegalArgumentException when {@code flat} holds fewer than {@link #size()} floats from {@code offset}
     */
    public void setGradients(float[] flat, int offset) {
        checkRoom(flat, offset);
        System.arraycopy(flat, offset, grads, 0, size());
    }

    /**
     * Adds this store's gradients into another array: {@code flat[offset + i] += gradient_i} for
     * every scalar, in order (float32), e.g. to sum workers' gradients.
     *
     * @param flat   the accumulator, modified: {@link #size()} floats from {@code offset}
     * @param offset where in {@code flat} tensor 0's first scalar is, &gt;= 0
     * @throws IllegalArgumentException when {@code flat} has no room for {@link #size()} floats from {@code offset}
     */
    public void addGradientsTo(float[] flat, int offset) {
        checkRoom(flat, offset);
        for (int i = 0, n = size(); i < n; i++) {
            flat[offset + i] += grads[i];
        }
    }

    /** {@return a new array holding a copy of all values, in order} */
    public float[] valuesCopy() {
        return Arrays.copyOf(values, size());
    }

    private void checkRoom(float[] flat, int offset) {
        if (offset < 0 || flat.length - offset < size()) {
            throw new IllegalArgumentException("a flat parameter array needs " + size() + " floats from offset "
                    + offset + ", got an array of " + flat.length);
        }
    }

    @Override
    public String toString() {
        return parameters.size() + " tensors, " + size() + " scalars";
    }
}

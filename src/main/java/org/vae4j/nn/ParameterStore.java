package org.vae4j.nn;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.vae4j.kernel.Elementwise;

/**
 * All parameters of a model as one flat float32 index space: tensor k occupies
 * {@code [offset(k), offset(k) + size(k))}, in the model's parameter order (the order of files
 * and optimiser state). The values and the gradients each have a flat view: copying them into or
 * out of one {@code float[]} (what a data-parallel worker ships and an all-reduce sums), and the
 * whole-model operations each run as one pass over every tensor: zeroing the gradients, the
 * finiteness check, the gradient norm and scaling.
 *
 * <p>The storage stays one EJML matrix per tensor, because the GEMM kernels take
 * {@code FMatrixRMaj}, whose data cannot start at an offset inside a shared array; the flat view
 * costs one copy where a flat array is needed, and nothing elsewhere.
 *
 * <p>Mutable through its tensors, not thread-safe.
 */
public final class ParameterStore {

    private final List<Parameter> parameters;
    private final int[] offsets; // offsets[k] of tensor k; offsets[n] = total
    private final Map<String, Integer> index = new HashMap<>();

    public ParameterStore(List<Parameter> parameters) {
        this.parameters = List.copyOf(parameters);
        this.offsets = new int[parameters.size() + 1];
        long total = 0;
        for (int k = 0; k < parameters.size(); k++) {
            Parameter p = parameters.get(k);
            if (index.put(p.name(), k) != null) {
                throw new IllegalArgumentException("two parameters named " + p.name());
            }
            offsets[k] = (int) total;
            total += p.size();
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("more than 2^31 parameters do not fit one flat array");
            }
        }
        offsets[parameters.size()] = (int) total;
    }

    /** The tensors, in order. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** Number of scalars in all tensors. */
    public int size() {
        return offsets[parameters.size()];
    }

    /** Where tensor {@code k} starts in the flat index space. */
    public int offset(int k) {
        return offsets[k];
    }

    /** The tensor named {@code name}, e.g. {@code fc1.weight}. */
    public Parameter get(String name) {
        Integer k = index.get(name);
        if (k == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return parameters.get(k);
    }

    /** Sets every gradient to zero. */
    public void zeroGradients() {
        for (int k = 0; k < parameters.size(); k++) {
            Arrays.fill(parameters.get(k).grad().data, 0, parameters.get(k).size(), 0f);
        }
    }

    /** Whether every gradient is finite. */
    public boolean gradientsFinite(Elementwise kernel) {
        for (int k = 0; k < parameters.size(); k++) {
            Parameter p = parameters.get(k);
            if (!kernel.allFinite(p.grad().data, p.size())) {
                return false;
            }
        }
        return true;
    }

    /** The 2-norm of all gradients as one vector, accumulated in double. */
    public double gradientNorm() {
        double s = 0;
        for (int k = 0; k < parameters.size(); k++) {
            float[] g = parameters.get(k).grad().data;
            for (int i = 0, n = parameters.get(k).size(); i < n; i++) {
                s += g[i] * (double) g[i];
            }
        }
        return Math.sqrt(s);
    }

    /** Multiplies every gradient by {@code factor} (in float32). */
    public void scaleGradients(float factor) {
        for (int k = 0; k < parameters.size(); k++) {
            float[] g = parameters.get(k).grad().data;
            for (int i = 0, n = parameters.get(k).size(); i < n; i++) {
                g[i] *= factor;
            }
        }
    }

    /** Copies all values into {@code flat[offset ..]}, in order. */
    public void copyValuesTo(float[] flat, int offset) {
        checkRoom(flat, offset);
        for (int k = 0; k < parameters.size(); k++) {
            System.arraycopy(parameters.get(k).value().data, 0, flat, offset + offsets[k], parameters.get(k).size());
        }
    }

    /** Sets all values from {@code flat[offset ..]}. */
    public void setValues(float[] flat, int offset) {
        checkRoom(flat, offset);
        for (int k = 0; k < parameters.size(); k++) {
            System.arraycopy(flat, offset + offsets[k], parameters.get(k).value().data, 0, parameters.get(k).size());
        }
    }

    /** Copies all gradients into {@code flat[offset ..]}, in order. */
    public void copyGradientsTo(float[] flat, int offset) {
        checkRoom(flat, offset);
        for (int k = 0; k < parameters.size(); k++) {
            System.arraycopy(parameters.get(k).grad().data, 0, flat, offset + offsets[k], parameters.get(k).size());
        }
    }

    /** Sets all gradients from {@code flat[offset ..]}. */
    public void setGradients(float[] flat, int offset) {
        checkRoom(flat, offset);
        for (int k = 0; k < parameters.size(); k++) {
            System.arraycopy(flat, offset + offsets[k], parameters.get(k).grad().data, 0, parameters.get(k).size());
        }
    }

    /** {@code flat[offset + i] += gradient_i} for every scalar, in order (float32). */
    public void addGradientsTo(float[] flat, int offset) {
        checkRoom(flat, offset);
        for (int k = 0; k < parameters.size(); k++) {
            float[] g = parameters.get(k).grad().data;
            int o = offset + offsets[k];
            for (int i = 0, n = parameters.get(k).size(); i < n; i++) {
                flat[o + i] += g[i];
            }
        }
    }

    /** A new array of all values, in order. */
    public float[] values() {
        float[] flat = new float[size()];
        copyValuesTo(flat, 0);
        return flat;
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

package org.vae4j.optim;

import java.util.ArrayList;
import java.util.List;

import org.vae4j.nn.Parameter;

/**
 * One per-parameter float buffer an optimiser keeps (a moment, a momentum buffer), held as one
 * flat array: parameter k's buffer is {@code flat()[offset(k) .. offset(k) + size_k)}, in the
 * parameters' order, so that when the parameters are one store's the update is one pass over
 * aligned flat arrays. Checked against the parameters on every step. Not thread-safe.
 */
final class ParameterState {

    private float[] flat = new float[0];
    private int[] offsets; // offsets[k] of buffer k; offsets[n] = total; null while unbound

    /** Allocates a zeroed buffer on first use, then checks {@code params} still match it. */
    ParameterState bind(List<Parameter> params) {
        if (offsets == null) {
            int[] o = new int[params.size() + 1];
            for (int k = 0; k < params.size(); k++) {
                o[k + 1] = o[k] + params.get(k).size();
            }
            flat = new float[o[params.size()]];
            offsets = o;
        } else if (offsets.length - 1 != params.size()) {
            throw new IllegalArgumentException("optimiser was used with " + (offsets.length - 1)
                    + " parameters, now given " + params.size());
        } else {
            for (int k = 0; k < params.size(); k++) {
                if (offsets[k + 1] - offsets[k] != params.get(k).size()) {
                    throw new IllegalArgumentException("parameter " + params.get(k).name() + " has "
                            + params.get(k).size() + " values, the optimiser's state for it has "
                            + (offsets[k + 1] - offsets[k]));
                }
            }
        }
        return this;
    }

    /** The flat buffer (live). */
    float[] flat() {
        return flat;
    }

    /** Where buffer k starts in {@link #flat()}. */
    int offset(int k) {
        return offsets[k];
    }

    /** Copies of the per-parameter buffers, in order; empty while unbound. */
    List<float[]> buffers() {
        List<float[]> out = new ArrayList<>();
        if (offsets != null) {
            for (int k = 0; k + 1 < offsets.length; k++) {
                out.add(java.util.Arrays.copyOfRange(flat, offsets[k], offsets[k + 1]));
            }
        }
        return out;
    }

    /** Replaces the state with copies of {@code buffers} (one per parameter); an empty list unbinds. */
    void restore(List<float[]> buffers) {
        if (buffers.isEmpty()) {
            clear();
            return;
        }
        int[] o = new int[buffers.size() + 1];
        for (int k = 0; k < buffers.size(); k++) {
            o[k + 1] = o[k] + buffers.get(k).length;
        }
        float[] f = new float[o[buffers.size()]];
        for (int k = 0; k < buffers.size(); k++) {
            System.arraycopy(buffers.get(k), 0, f, o[k], buffers.get(k).length);
        }
        flat = f;
        offsets = o;
    }

    void clear() {
        flat = new float[0];
        offsets = null;
    }
}

package org.vae4j.optim;

import java.util.ArrayList;
import java.util.List;

import org.vae4j.nn.Parameter;

/** Per-parameter float buffers an optimiser keeps, checked against the parameters on every step. */
final class ParameterState {

    private final List<float[]> buffers = new ArrayList<>();

    /** Allocates zeroed buffers on first use, then checks {@code params} still match them. */
    List<float[]> bind(List<Parameter> params) {
        if (buffers.isEmpty()) {
            for (Parameter p : params) {
                buffers.add(new float[p.size()]);
            }
        } else if (buffers.size() != params.size()) {
            throw new IllegalArgumentException("optimiser was used with " + buffers.size()
                    + " parameters, now given " + params.size());
        } else {
            for (int i = 0; i < params.size(); i++) {
                if (buffers.get(i).length != params.get(i).size()) {
                    throw new IllegalArgumentException("parameter " + params.get(i).name() + " has "
                            + params.get(i).size() + " values, the optimiser's state for it has "
                            + buffers.get(i).length);
                }
            }
        }
        return buffers;
    }

    List<float[]> buffers() {
        return buffers;
    }

    void clear() {
        buffers.clear();
    }
}

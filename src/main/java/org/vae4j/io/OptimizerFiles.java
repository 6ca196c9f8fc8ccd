package org.vae4j.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vae4j.nn.Parameter;
import org.vae4j.optim.Adam;
import org.vae4j.optim.AdamW;
import org.vae4j.optim.Optimizer;
import org.vae4j.optim.Sgd;

/**
 * The optimiser part of a checkpoint: type, hyperparameters and step count as metadata, and the
 * per-parameter buffers as tensors {@code optimizer.<buffer>.<parameter>} shaped like the
 * parameter (PyTorch's {@code state_dict()["state"]} buffer names: {@code exp_avg},
 * {@code exp_avg_sq}, {@code momentum_buffer}); AdamW also records its weight decay. Stateless; thread-safe.
 */
final class OptimizerFiles {

    static final String TENSOR_PREFIX = "optimizer.";
    static final String OPTIMIZER = ModelFiles.PREFIX + "optimizer";
    static final String STEPS = ModelFiles.PREFIX + "optimizer_steps";
    static final String LR = ModelFiles.PREFIX + "optimizer_lr";
    static final String BETA1 = ModelFiles.PREFIX + "optimizer_beta1";
    static final String BETA2 = ModelFiles.PREFIX + "optimizer_beta2";
    static final String EPS = ModelFiles.PREFIX + "optimizer_eps";
    static final String MOMENTUM = ModelFiles.PREFIX + "optimizer_momentum";
    static final String WEIGHT_DECAY = ModelFiles.PREFIX + "optimizer_weight_decay";

    private static final List<String> ADAM_BUFFERS = List.of("exp_avg", "exp_avg_sq");
    private static final List<String> SGD_BUFFERS = List.of("momentum_buffer");

    private OptimizerFiles() {
    }

    /**
     * Adds the optimiser's metadata to {@code meta} and its buffers to {@code tensors}.
     *
     * @throws IllegalArgumentException for an optimiser other than Adam and Sgd, or state that does
     *                                  not line up with {@code params}
     */
    static void write(Optimizer optimizer, List<Parameter> params, Map<String, String> meta,
                      List<FloatTensor> tensors) {
        List<String> buffers;
        if (optimizer instanceof Adam) {
            Adam a = (Adam) optimizer;
            meta.put(OPTIMIZER, "adam");
            meta.put(BETA1, Double.toString(a.beta1()));
            meta.put(BETA2, Double.toString(a.beta2()));
            meta.put(EPS, Double.toString(a.eps()));
            buffers = ADAM_BUFFERS;
        } else if (optimizer instanceof AdamW) {
            AdamW a = (AdamW) optimizer;
            meta.put(OPTIMIZER, "adamw");
            meta.put(BETA1, Double.toString(a.beta1()));
            meta.put(BETA2, Double.toString(a.beta2()));
            meta.put(EPS, Double.toString(a.eps()));
            meta.put(WEIGHT_DECAY, Double.toString(a.weightDecay()));
            buffers = ADAM_BUFFERS;
        } else if (optimizer instanceof Sgd) {
            meta.put(OPTIMIZER, "sgd");
            meta.put(MOMENTUM, Double.toString(((Sgd) optimizer).momentum()));
            buffers = SGD_BUFFERS;
        } else {
            throw new IllegalArgumentException("checkpoints hold Adam, AdamW or Sgd optimisers, got "
                    + (optimizer == null ? "null" : optimizer.getClass().getName()));
        }
        meta.put(LR, Double.toString(optimizer.learningRate()));
        meta.put(STEPS, Long.toString(optimizer.steps()));
        Map<String, List<float[]>> state = optimizer.state();
        for (String buffer : buffers) {
            List<float[]> arrays = state.get(buffer);
            if (arrays.isEmpty()) {
                continue; // no step taken since creation or reset: nothing bound yet
            }
            if (arrays.size() != params.size()) {
                throw new IllegalArgumentException("the optimiser holds " + buffer + " for " + arrays.size()
                        + " parameters but the model has " + params.size() + ": was it stepping another model?");
            }
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                if (arrays.get(i).length != p.size()) {
                    throw new IllegalArgumentException("the optimiser's " + buffer + " for " + p.name() + " has "
                            + arrays.get(i).length + " values, the parameter " + p.size());
                }
                tensors.add(FloatTensor.wrap(tensorName(buffer, p.name()), ModelFiles.torchShape(p),
                        arrays.get(i).clone()));
            }
        }
    }

    static String tensorName(String buffer, String parameter) {
        return TENSOR_PREFIX + buffer + "." + parameter;
    }

    /**
     * Reads the optimiser's declaration from metadata and makes the optimiser (so bad
     * hyperparameters are reported before any tensor is read).
     *
     * @param tensors the file's tensors: the buffers are expected if any {@code optimizer.} tensor is present
     */
    static Declared declared(Map<String, String> meta, Map<String, TensorInfo> tensors, Path file)
            throws ModelFileException {
        String type = Architecture.require(meta, OPTIMIZER, file);
        long steps = ModelFiles.parseLong(meta, STEPS, file);
        double lr = ModelFiles.parseDouble(meta, LR, file);
        if (steps < 0) {
            throw new ModelFileException(file, "metadata " + STEPS + " = " + steps + ": must be >= 0");
        }
        boolean hasBuffers = tensors.keySet().stream().anyMatch(n -> n.startsWith(TENSOR_PREFIX));
        try {
            switch (type) {
                case "adam":
                    return new Declared(new Adam(lr, ModelFiles.parseDouble(meta, BETA1, file),
                            ModelFiles.parseDouble(meta, BETA2, file), ModelFiles.parseDouble(meta, EPS, file)),
                            ADAM_BUFFERS, steps, hasBuffers);
                case "adamw":
                    return new Declared(new AdamW(lr, ModelFiles.parseDouble(meta, BETA1, file),
                            ModelFiles.parseDouble(meta, BETA2, file), ModelFiles.parseDouble(meta, EPS, file),
                            ModelFiles.parseDouble(meta, WEIGHT_DECAY, file)), ADAM_BUFFERS, steps, hasBuffers);
                case "sgd":
                    return new Declared(new Sgd(lr, ModelFiles.parseDouble(meta, MOMENTUM, file)), SGD_BUFFERS,
                            steps, hasBuffers);
                default:
                    throw new ModelFileException(file, "metadata " + OPTIMIZER + " = '" + type
                            + "': expected adam, adamw or sgd");
            }
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, "invalid " + type + " optimiser settings: " + e.getMessage(), e);
        }
    }

    /** An optimiser as a checkpoint declares it, made but not yet given its state. */
    static final class Declared {
        private final Optimizer optimizer;
        private final List<String> buffers;
        private final long steps;
        private final boolean hasBuffers;

        private Declared(Optimizer optimizer, List<String> buffers, long steps, boolean hasBuffers) {
            this.optimizer = optimizer;
            this.buffers = buffers;
            this.steps = steps;
            this.hasBuffers = hasBuffers;
        }

        String describe() {
            return optimizer.describe();
        }

        /**
         * The buffer tensors expected for these parameters (name to shape): all of them if the file
         * has any {@code optimizer.} tensor, none otherwise (an optimiser saved before its first step).
         */
        Map<String, long[]> expectedShapes(Map<String, long[]> params) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            if (hasBuffers) {
                for (String buffer : buffers) {
                    for (Map.Entry<String, long[]> p : params.entrySet()) {
                        shapes.put(tensorName(buffer, p.getKey()), p.getValue());
                    }
                }
            }
            return shapes;
        }

        /** The optimiser, given the step count and the buffers from {@code values} (checked, complete). */
        Optimizer restore(List<Parameter> params, Map<String, float[]> values) {
            List<List<float[]>> state = new ArrayList<>();
            for (String buffer : buffers) {
                List<float[]> arrays = new ArrayList<>();
                if (hasBuffers) {
                    for (Parameter p : params) {
                        arrays.add(values.get(tensorName(buffer, p.name())));
                    }
                }
                state.add(arrays);
            }
            if (optimizer instanceof Adam) {
                ((Adam) optimizer).restoreState(steps, state.get(0), state.get(1));
            } else if (optimizer instanceof AdamW) {
                ((AdamW) optimizer).restoreState(steps, state.get(0), state.get(1));
            } else {
                ((Sgd) optimizer).restoreState(steps, state.get(0));
            }
            return optimizer;
        }
    }
}

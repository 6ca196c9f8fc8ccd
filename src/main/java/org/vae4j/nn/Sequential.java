package org.vae4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Kernels;

/**
 * Modules applied in order, as PyTorch's {@code nn.Sequential}: the forward runs them first to
 * last, the backward last to first (the forward's calls in reverse). Children are named
 * {@code 0, 1, 2, ...} unless names are given, and their parameters are named by composition:
 * the Linear layers of {@code Sequential(Dense, ReLU, Dense)} give {@code 0.weight},
 * {@code 0.bias}, {@code 2.weight}, {@code 2.bias}. A {@link Dense} (the class itself, not a
 * subclass) followed by a non-identity {@link ActivationLayer} runs as one unit: the GEMM, then
 * bias and activation in one pass; backward, the activation's derivative and the bias gradient in
 * one pass, then the GEMMs. The floats and their order are those of the two modules run one after
 * the other. Mutable (through its children), not thread-safe.
 */
public class Sequential implements Module {

    private final List<String> names;
    private final List<Module> modules;
    private final List<Parameter> parameters;
    /** fused[i]: module i is a Dense whose bias is added by the activation at i + 1. */
    private final boolean[] fused;

    /**
     * Children named 0, 1, 2, ...
     *
     * @param modules the children in order, at least one; each one's input width must be the
     *                previous one's output width
     * @throws IllegalArgumentException when there is no child, two widths do not chain, or two
     *                                  parameters get one name
     */
    public Sequential(List<? extends Module> modules) {
        this(indexNames(modules.size()), modules);
    }

    /**
     * Children with the given names (the prefixes of their parameters' names; an empty name puts
     * a child's parameters at this module's level, as attributes of a PyTorch module would be).
     *
     * @param names   one name per child, in order
     * @param modules the children in order, at least one; each one's input width must be the
     *                previous one's output width
     * @throws IllegalArgumentException when there is no child, the counts differ, two widths do not
     *                                  chain, or two parameters get one name
     */
    public Sequential(List<String> names, List<? extends Module> modules) {
        if (modules.isEmpty() || names.size() != modules.size()) {
            throw new IllegalArgumentException("a Sequential needs at least one module and one name per module, got "
                    + modules.size() + " modules, " + names.size() + " names");
        }
        for (int i = 1; i < modules.size(); i++) {
            if (modules.get(i).inputSize() != modules.get(i - 1).outputSize()) {
                throw new IllegalArgumentException("module " + names.get(i) + " (" + modules.get(i).describe()
                        + ") takes " + modules.get(i).inputSize() + " columns but module " + names.get(i - 1) + " ("
                        + modules.get(i - 1).describe() + ") gives " + modules.get(i - 1).outputSize());
            }
        }
        this.names = List.copyOf(names);
        this.modules = List.copyOf(modules);
        List<Parameter> ps = new ArrayList<>();
        HashSet<String> seen = new HashSet<>();
        for (int i = 0; i < modules.size(); i++) {
            for (Parameter p : modules.get(i).parameters()) {
                Parameter named = p.withPrefix(names.get(i));
                if (!seen.add(named.name())) {
                    throw new IllegalArgumentException("two parameters named " + named.name());
                }
                ps.add(named);
            }
        }
        this.parameters = Collections.unmodifiableList(ps);
        this.fused = new boolean[modules.size()];
        for (int i = 0; i + 1 < modules.size(); i++) {
            fused[i] = modules.get(i).getClass() == Dense.class && modules.get(i + 1) instanceof ActivationLayer a
                    && a.activation() != Activation.IDENTITY;
        }
    }

    /**
     * {@return a Sequential of {@code modules}, named 0, 1, 2, ...}
     *
     * @param modules the children in order, at least one, widths chaining
     * @throws IllegalArgumentException as {@link #Sequential(List)}
     */
    public static Sequential of(Module... modules) {
        return new Sequential(List.of(modules));
    }

    /**
     * {@return a multilayer perceptron: Dense layers of the given widths, each followed by an
     * {@link ActivationLayer} of its activation, an identity included} With {@code linearNames}
     * null the children are named by index, the Dense layers 0, 2, 4, ... and the activations
     * 1, 3, 5, ...; as an identity has no parameters, a trailing identity gives the parameter names
     * of {@code nn.Sequential(Linear, ReLU, Linear)}, but an identity between two Dense layers still
     * takes an index. With names, Dense layer i is {@code linearNames[i]} and its activation
     * {@code linearNames[i] + "_act"}.
     *
     * @param linearNames the names of the Dense layers, or {@code null} for nn.Sequential's indices
     * @param sizes       widths, input first ({@code activations.length + 1} of them, each &gt; 0)
     * @param activations one per Dense layer, at least one
     * @param init        weight initialisation ({@link Init#BY_ACTIVATION} resolved per layer)
     * @param rng         source of the initial weights, drawn layer by layer in order
     * @throws IllegalArgumentException when the counts of sizes, activations and names do not fit,
     *                                  or a width is not positive
     */
    public static Sequential mlp(String[] linearNames, int[] sizes, Activation[] activations, Init init,
                                 RandomGenerator rng) {
        int n = activations.length;
        if (n == 0 || sizes.length != n + 1 || (linearNames != null && linearNames.length != n)) {
            throw new IllegalArgumentException("an MLP needs n >= 1 layers, n + 1 sizes and n activations; got "
                    + sizes.length + " sizes, " + n + " activations"
                    + (linearNames == null ? "" : ", " + linearNames.length + " names"));
        }
        List<Module> ms = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(linearNames == null ? Integer.toString(ms.size()) : linearNames[i]);
            ms.add(new Dense(sizes[i], sizes[i + 1], init.resolve(activations[i]), rng));
            names.add(linearNames == null ? Integer.toString(ms.size()) : linearNames[i] + "_act");
            ms.add(new ActivationLayer(activations[i], sizes[i + 1]));
        }
        return new Sequential(names, ms);
    }

    private static List<String> indexNames(int n) {
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(Integer.toString(i));
        }
        return names;
    }

    /**
     * A Sequential of the children's replicas under the same names. A subclass that changes the
     * forward must override this (the replica of a subclass is refused otherwise, rather than
     * silently made a plain Sequential); one that changes only the backward may call
     * {@link #replicateChildren}.
     */
    @Override
    public Sequential replicate(TensorMap tensors) {
        if (getClass() != Sequential.class) {
            throw new UnsupportedOperationException(getClass().getName() + " extends Sequential and does not override "
                    + "replicate(TensorMap), which a thread-safe inference view needs");
        }
        return replicateChildren(tensors);
    }

    /**
     * {@return a plain Sequential of the children's replicas under the same names}
     *
     * @param tensors the map each child's {@link Module#replicate} reads its parameters through
     */
    protected final Sequential replicateChildren(TensorMap tensors) {
        List<Module> copies = new ArrayList<>(modules.size());
        for (Module m : modules) {
            copies.add(m.replicate(tensors));
        }
        return new Sequential(names, copies);
    }

    /** {@return the children, in order} */
    public List<Module> modules() {
        return modules;
    }

    /** {@return the children's names, in order} */
    public List<String> names() {
        return names;
    }

    /** {@return the Dense children, in order (for architecture descriptions)} */
    public List<Dense> denseLayers() {
        List<Dense> ds = new ArrayList<>();
        for (Module m : modules) {
            if (m instanceof Dense) {
                ds.add((Dense) m);
            }
        }
        return ds;
    }

    @Override
    public int inputSize() {
        return modules.get(0).inputSize();
    }

    @Override
    public int outputSize() {
        return modules.get(modules.size() - 1).outputSize();
    }

    @Override
    public FMatrixRMaj forward(Kernels kernels, FMatrixRMaj x) {
        FMatrixRMaj h = x;
        for (int i = 0; i < modules.size(); i++) {
            if (fused[i]) {
                Dense d = (Dense) modules.get(i);
                h = d.forwardWithoutBias(kernels, h);
                h = ((ActivationLayer) modules.get(++i)).forwardBiased(kernels, h, d.bias());
            } else {
                h = modules.get(i).forward(kernels, h);
            }
        }
        return h;
    }

    @Override
    public FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dy, boolean inputGradient) {
        FMatrixRMaj g = dy;
        for (int i = modules.size() - 1; i >= 0; i--) {
            if (i > 0 && fused[i - 1]) {
                Dense d = (Dense) modules.get(i - 1);
                g = ((ActivationLayer) modules.get(i)).backwardBiased(kernels, g, d.bias());
                i--;
                g = d.backward(kernels, g, i > 0 || inputGradient, false);
            } else {
                g = modules.get(i).backward(kernels, g, i > 0 || inputGradient);
            }
        }
        return g;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public void setTraining(boolean training) {
        for (int i = 0; i < modules.size(); i++) {
            modules.get(i).setTraining(training);
        }
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("Sequential(");
        for (int i = 0; i < modules.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(modules.get(i).describe());
        }
        return s.append(')').toString();
    }
}

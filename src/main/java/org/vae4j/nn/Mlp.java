package org.vae4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Gemm;

/**
 * A stack of {@link Dense} layers, each followed by an {@link Activation}, with the activation
 * buffers its forward and backward passes need. Buffers are allocated for the largest batch seen
 * and reshaped (without allocating) for smaller ones. Mutable, not thread-safe.
 *
 * <p>Parameter names follow a PyTorch {@code nn.Sequential} of Linear and activation modules
 * ({@code prefix.0.weight}, {@code prefix.2.weight}, ...) unless explicit layer names are given.
 */
public final class Mlp {

    private final Dense[] layers;
    private final Activation[] activations;
    private final FMatrixRMaj[] pre;   // [i] (batch, out_i): x_i W_i^T + b_i
    private final FMatrixRMaj[] post;  // [i] (batch, out_i): f_i(pre[i]); same object as pre[i] for IDENTITY
    private final FMatrixRMaj[] dpost; // [i] (batch, out_i): dLoss/dpost[i], for i < last (written by layer i+1); null for last
    private final FMatrixRMaj[] dpre;  // [i] (batch, out_i): dLoss/dpre[i]; same object as the incoming gradient for IDENTITY
    private FMatrixRMaj input;         // (batch, in): the last forward input, referenced not copied

    /**
     * @param names       one parameter-name prefix per layer
     * @param sizes       layer widths, input first: {@code sizes.length == names.length + 1}
     * @param activations one activation per layer
     * @param init        weight initialisation of every layer ({@link Init#BY_ACTIVATION} is
     *                    resolved against each layer's activation)
     */
    public Mlp(String[] names, int[] sizes, Activation[] activations, Init init, RandomGenerator rng) {
        int n = names.length;
        if (n == 0 || sizes.length != n + 1 || activations.length != n) {
            throw new IllegalArgumentException("an MLP needs n >= 1 layers, n + 1 sizes and n activations; got "
                    + n + " names, " + sizes.length + " sizes, " + activations.length + " activations");
        }
        this.layers = new Dense[n];
        this.activations = activations.clone();
        this.pre = new FMatrixRMaj[n];
        this.post = new FMatrixRMaj[n];
        this.dpost = new FMatrixRMaj[n];
        this.dpre = new FMatrixRMaj[n];
        for (int i = 0; i < n; i++) {
            layers[i] = new Dense(names[i], sizes[i], sizes[i + 1], init.resolve(activations[i]), rng);
        }
    }

    /** Parameter-name prefixes of an {@code nn.Sequential} with activations between the Linears: prefix.0, prefix.2, ... */
    public static String[] sequentialNames(String prefix, int layers) {
        String[] names = new String[layers];
        for (int i = 0; i < layers; i++) {
            names[i] = prefix + "." + (2 * i);
        }
        return names;
    }

    public int inputSize() {
        return layers[0].inputSize();
    }

    public int outputSize() {
        return layers[layers.length - 1].outputSize();
    }

    public List<Dense> layers() {
        return List.of(layers);
    }

    public List<Activation> activations() {
        return List.of(activations);
    }

    /** All parameters, layer by layer, weight before bias. */
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        for (Dense d : layers) {
            ps.addAll(d.parameters());
        }
        return Collections.unmodifiableList(ps);
    }

    /**
     * Runs the stack on {@code x} and returns the output buffer (valid until the next call).
     *
     * @param x (batch, in), not modified; kept by reference for {@link #backward}
     * @return (batch, out), owned by this MLP
     */
    public FMatrixRMaj forward(Gemm gemm, FMatrixRMaj x) {
        if (x.numCols != inputSize()) {
            throw new IllegalArgumentException("MLP input has " + x.numCols + " columns, expected " + inputSize());
        }
        ensureBatch(x.numRows);
        input = x;
        FMatrixRMaj h = x;
        for (int i = 0; i < layers.length; i++) {
            layers[i].forward(gemm, h, pre[i]);
            activations[i].forward(pre[i], post[i]);
            h = post[i];
        }
        return h;
    }

    /**
     * Backward pass of the last {@link #forward}: the forward's calls in reverse. Accumulates
     * parameter gradients.
     *
     * @param dout (batch, out) gradient of the loss w.r.t. the output, not modified
     * @param dx   (batch, in) gradient w.r.t. the input, overwritten; {@code null} skips it
     */
    public void backward(Gemm gemm, FMatrixRMaj dout, FMatrixRMaj dx) {
        int last = layers.length - 1;
        if (input == null || dout.numRows != input.numRows || dout.numCols != outputSize()) {
            throw new IllegalArgumentException("MLP backward needs a gradient of shape (" + (input == null ? "?" : input.numRows)
                    + ", " + outputSize() + ") matching the last forward, got (" + dout.numRows + ", " + dout.numCols + ")");
        }
        for (int i = last; i >= 0; i--) {
            FMatrixRMaj g = i == last ? dout : dpost[i];
            FMatrixRMaj d = activations[i] == Activation.IDENTITY ? g : dpre[i];
            activations[i].backward(pre[i], post[i], g, d);
            FMatrixRMaj layerInput = i == 0 ? input : post[i - 1];
            FMatrixRMaj layerDx = i == 0 ? dx : dpost[i - 1];
            layers[i].backward(gemm, layerInput, d, layerDx, false);
        }
    }

    private void ensureBatch(int batch) {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must have at least one row");
        }
        for (int i = 0; i < layers.length; i++) {
            int w = layers[i].outputSize();
            pre[i] = reshapeOrCreate(pre[i], batch, w);
            post[i] = activations[i] == Activation.IDENTITY ? pre[i] : reshapeOrCreate(post[i], batch, w);
            dpost[i] = i == layers.length - 1 ? null : reshapeOrCreate(dpost[i], batch, w);
            dpre[i] = activations[i] == Activation.IDENTITY ? null : reshapeOrCreate(dpre[i], batch, w);
        }
    }

    /** Reuses {@code m}'s storage when it is large enough (EJML's reshape keeps capacity). */
    static FMatrixRMaj reshapeOrCreate(FMatrixRMaj m, int rows, int cols) {
        if (m == null) {
            return new FMatrixRMaj(rows, cols);
        }
        m.reshape(rows, cols);
        return m;
    }
}

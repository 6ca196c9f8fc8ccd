package org.vae4j.nn;

import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.kernel.Kernels;

/**
 * A differentiable block of a model with an explicit forward and backward pass, as in llm.c:
 * the forward stores what the backward needs in the module's own buffers, the backward
 * accumulates parameter gradients and writes the input gradient only when asked.
 *
 * <p>The contract, which {@link Dense}, {@link ActivationLayer}, {@link Sequential},
 * {@link LayerNorm}, {@link Dropout} and {@link Concat} follow and a user's module must follow too:
 * <ul>
 * <li>{@link #forward} computes y = f(x) for a (batch, {@link #inputSize()}) input into a buffer
 * the module owns (reshaped to the batch; reusing its capacity, so a smaller batch allocates
 * nothing) and returns it; the buffer stays valid until the next forward. The input is kept by
 * reference for the backward: the caller must not change it in between. A module that passes
 * its input through unchanged may return {@code x} itself.</li>
 * <li>{@link #backward} takes dL/dy of the last forward's output (not modified), adds
 * dL/dθ to every parameter's {@link Parameter#gradArray()} (never zeroing them: accumulating lets
 * a caller sum micro-batches), and returns dL/dx in a module-owned buffer when
 * {@code inputGradient} is true, else {@code null} (the first layer's input gradient is never
 * needed in training). An identity module may return {@code dy} itself.</li>
 * <li>{@link #parameters} lists the trainable tensors with names relative to the module, in
 * PyTorch {@code state_dict} order ({@code weight}, {@code bias}; a container prefixes its
 * children's names with theirs: {@code 0.weight}); the list and the tensors are fixed for the
 * module's life.</li>
 * <li>{@link #setTraining} switches between training and evaluation behaviour (dropout);
 * modules start in training mode.</li>
 * </ul>
 * All GEMMs and elementwise kernels go through the {@link Kernels} passed in. Modules are
 * mutable (parameters and buffers) and not thread-safe: one thread at a time. For inference on
 * several threads, {@link #replicate} gives each thread a module of its own on the same weights
 * (what {@link org.vae4j.LatentModel#inference()} does).
 */
public interface Module {

    /** {@return the width of an input row (the x of {@link #forward}), &gt; 0} */
    int inputSize();

    /** {@return the width of an output row (the y of {@link #forward}), &gt; 0} */
    int outputSize();

    /**
     * y = f(x).
     *
     * @param kernels the GEMM and elementwise kernels to run on
     * @param x       (batch, inputSize), not modified; kept by reference until the next forward
     * @return (batch, outputSize), owned by this module (or {@code x} itself for an identity)
     */
    FMatrixRMaj forward(Kernels kernels, FMatrixRMaj x);

    /**
     * The backward pass of the last {@link #forward}: accumulates the parameter gradients.
     *
     * @param kernels       the GEMM and elementwise kernels to run on
     * @param dy            (batch, outputSize) dL/dy, not modified
     * @param inputGradient whether to compute dL/dx
     * @return (batch, inputSize) dL/dx owned by this module (or {@code dy} itself for an
     *         identity), or {@code null} when {@code inputGradient} is false
     * @throws IllegalStateException for a replica on a {@link TensorMap#snapshot} (its parameters
     *                               have no gradients), or a backward before any forward
     */
    FMatrixRMaj backward(Kernels kernels, FMatrixRMaj dy, boolean inputGradient);

    /** {@return the trainable tensors, named relative to this module, in state_dict order; empty if none} */
    List<Parameter> parameters();

    /**
     * Switches between training and evaluation behaviour (only dropout differs among the
     * library's modules; a container passes the mode to its children). By default nothing happens.
     *
     * @param training true for training behaviour (the initial mode), false for evaluation
     */
    default void setTraining(boolean training) {
    }

    /**
     * {@return a module computing the same function as this one with work buffers of its own, reading the
     * tensors {@code tensors} maps this module's parameters to (never a copy per replica), so
     * that it can run its forward on another thread at the same time as this module or other
     * replicas} Its backward accumulates into the mapped tensors' gradients (a snapshot has none:
     * replicas on a snapshot are for inference). The replica's mode is set by its caller
     * ({@link #setTraining}); settings such as a dropout seed are copied. Every module of the
     * library implements it; a user module must override it to be served by
     * {@link org.vae4j.LatentModel#inference()} (the default refuses).
     *
     * @param tensors maps each of this module's parameters to the tensor the replica reads
     *                (the same tensors, or a snapshot of them)
     * @throws UnsupportedOperationException when this module cannot replicate itself
     */
    default Module replicate(TensorMap tensors) {
        throw new UnsupportedOperationException(describe() + " (" + getClass().getName() + ") does not implement "
                + "Module.replicate(TensorMap), which a thread-safe inference view needs");
    }

    /** {@return a short description, e.g. {@code Dense(784 -> 512)}} */
    default String describe() {
        return getClass().getSimpleName() + "(" + inputSize() + " -> " + outputSize() + ")";
    }

    /**
     * Checks an input's width, and that it has rows; a helper for implementations of {@link #forward}.
     *
     * @param m the module whose {@link #inputSize()} the input must match (named in the message)
     * @param x the input, (batch &gt;= 1, m.inputSize())
     * @throws IllegalArgumentException when {@code x} has another width or no row
     */
    static void checkInput(Module m, FMatrixRMaj x) {
        if (x.numCols != m.inputSize() || x.numRows == 0) {
            throw new IllegalArgumentException(m.describe() + " needs a (batch >= 1, " + m.inputSize()
                    + ") input, got (" + x.numRows + ", " + x.numCols + ")");
        }
    }

    /**
     * Checks dy against the last forward's output shape; a helper for implementations of {@link #backward}.
     *
     * @param m     the module whose {@link #outputSize()} dy must match (named in the message)
     * @param dy    the output gradient, (batch, m.outputSize())
     * @param batch the row count of the last forward
     * @throws IllegalArgumentException when {@code dy} is not (batch, m.outputSize())
     */
    static void checkGradient(Module m, FMatrixRMaj dy, int batch) {
        if (dy.numRows != batch || dy.numCols != m.outputSize()) {
            throw new IllegalArgumentException(m.describe() + " backward needs dy of shape (" + batch + ", "
                    + m.outputSize() + ") matching the last forward, got (" + dy.numRows + ", " + dy.numCols + ")");
        }
    }

    /**
     * {@return {@code m} reshaped to (rows, cols), reusing its storage (growing it only when too
     * small); a new matrix when {@code m} is null} The values are not cleared. A helper for a
     * module's buffers.
     *
     * @param m    the buffer to reuse, or {@code null}
     * @param rows the new row count
     * @param cols the new column count
     */
    static FMatrixRMaj reshape(FMatrixRMaj m, int rows, int cols) {
        if (m == null) {
            return new FMatrixRMaj(rows, cols);
        }
        m.reshape(rows, cols);
        return m;
    }
}

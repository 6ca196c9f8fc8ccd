package org.vae4j.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The GEMMs of one training step of the seed VAE (784-512-32, batch 128). Layers store W as
 * (out, in): forward {@code y = x W^T} ({@code multTransB}), backward {@code dW += dy^T x}
 * ({@code multAddTransA}) and {@code dx = dy W} ({@code mult}, or {@code multAdd} for the second
 * head, which accumulates into the same dh). fc1's dx is never computed (the input needs no gradient).
 */
final class GemmShapes {

    /** Which {@link org.vae4j.kernel.Gemm} method a shape calls. */
    enum Kind {
        MULT_TRANS_B("multTransB", false, true, false),
        MULT_ADD_TRANS_A("multAddTransA", true, false, true),
        MULT("mult", false, false, false),
        MULT_ADD("multAdd", false, false, true);

        final String method;
        final boolean transA;
        final boolean transB;
        final boolean accumulate;

        Kind(String method, boolean transA, boolean transB, boolean accumulate) {
            this.method = method;
            this.transA = transA;
            this.transB = transB;
            this.accumulate = accumulate;
        }
    }

    /**
     * One GEMM: C (m, n) (+)= op(A) op(B) with inner dimension k; {@code perStep} is how many
     * times a training step runs it (the two heads share shapes).
     */
    record Shape(String op, Kind kind, int m, int n, int k, int perStep) {
        /** A's stored shape (rows, cols). */
        int aRows() {
            return kind.transA ? k : m;
        }

        int aCols() {
            return kind.transA ? m : k;
        }

        /** B's stored shape (rows, cols). */
        int bRows() {
            return kind.transB ? n : k;
        }

        int bCols() {
            return kind.transB ? k : n;
        }

        double flops() {
            return 2.0 * m * n * k;
        }

        /** E.g. {@code multTransB 128x784 . (512x784)^T}. */
        String describe() {
            String a = aRows() + "x" + aCols();
            String b = bRows() + "x" + bCols();
            return kind.method + " " + (kind.transA ? "(" + a + ")^T" : a) + " . " + (kind.transB ? "(" + b + ")^T" : b);
        }
    }

    static final int BATCH = 128;
    static final int IN = 784;
    static final int HIDDEN = 512;
    static final int LATENT = 32;

    /** By name, in the order of a training step. */
    static final Map<String, Shape> ALL = new LinkedHashMap<>();

    static {
        // forward: y = x W^T
        add("fc1.fwd", Kind.MULT_TRANS_B, BATCH, HIDDEN, IN, 1);
        add("head.fwd", Kind.MULT_TRANS_B, BATCH, LATENT, HIDDEN, 2);
        add("fc3.fwd", Kind.MULT_TRANS_B, BATCH, HIDDEN, LATENT, 1);
        add("fc4.fwd", Kind.MULT_TRANS_B, BATCH, IN, HIDDEN, 1);
        // backward, decoder: dW += dy^T x, dx = dy W
        add("fc4.dW", Kind.MULT_ADD_TRANS_A, IN, HIDDEN, BATCH, 1);
        add("fc4.dx", Kind.MULT, BATCH, HIDDEN, IN, 1);
        add("fc3.dW", Kind.MULT_ADD_TRANS_A, HIDDEN, LATENT, BATCH, 1);
        add("fc3.dx", Kind.MULT, BATCH, LATENT, HIDDEN, 1);
        // backward, heads (fc_logvar then fc_mu, which accumulates into dh)
        add("head.dW", Kind.MULT_ADD_TRANS_A, LATENT, HIDDEN, BATCH, 2);
        add("head.dx", Kind.MULT, BATCH, HIDDEN, LATENT, 1);
        add("head.dxAdd", Kind.MULT_ADD, BATCH, HIDDEN, LATENT, 1);
        // backward, encoder: no dx for the input
        add("fc1.dW", Kind.MULT_ADD_TRANS_A, HIDDEN, IN, BATCH, 1);
    }

    /** Rows of an inference call ({@code benchmarks/run infer}'s batch). */
    static final int INFER_BATCH = 1000;

    /**
     * The forward GEMMs of seed-VAE inference at batch {@value #INFER_BATCH} (not part of the
     * training step; pick them with {@code --ops infer.fc1,...}), per call of the view's pass.
     */
    static final Map<String, Shape> INFERENCE = new LinkedHashMap<>();

    static {
        INFERENCE.put("infer.fc1", new Shape("infer.fc1", Kind.MULT_TRANS_B, INFER_BATCH, HIDDEN, IN, 1));
        INFERENCE.put("infer.head", new Shape("infer.head", Kind.MULT_TRANS_B, INFER_BATCH, LATENT, HIDDEN, 2));
        INFERENCE.put("infer.fc3", new Shape("infer.fc3", Kind.MULT_TRANS_B, INFER_BATCH, HIDDEN, LATENT, 1));
        INFERENCE.put("infer.fc4", new Shape("infer.fc4", Kind.MULT_TRANS_B, INFER_BATCH, IN, HIDDEN, 1));
    }

    private static void add(String op, Kind kind, int m, int n, int k, int perStep) {
        ALL.put(op, new Shape(op, kind, m, n, k, perStep));
    }

    static Shape get(String op) {
        Shape s = ALL.containsKey(op) ? ALL.get(op) : INFERENCE.get(op);
        if (s == null) {
            throw new IllegalArgumentException("unknown op '" + op + "'; expected one of " + ALL.keySet()
                    + " or " + INFERENCE.keySet());
        }
        return s;
    }

    private GemmShapes() {
    }
}

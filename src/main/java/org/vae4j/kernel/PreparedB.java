package org.vae4j.kernel;

/**
 * A right factor B of C = op(A) B that many products use unchanged, prepared once by
 * {@link Gemm#prepare}: the weights of an inference view, which every call multiplies by. A
 * backend may keep B in its own layout here (the vector backend packs it into its micro-panels
 * once, so its calls skip the packing they would otherwise do every time); the default keeps only
 * where B is. Pass it to {@link Gemm#gemm(boolean, boolean, int, float[], int, PreparedB, float[], int)}
 * of any backend: one that did not prepare it reads B from the array.
 *
 * <p><b>B must not change</b> while a prepared copy is in use: a backend that packed it would go on
 * multiplying by the old values, one that did not by the new. Immutable (the prepared layout is
 * written once, before the constructor's caller shares it) and thread-safe.
 */
public final class PreparedB {

    private final boolean transposed;
    private final int rows;
    private final int columns;
    private final float[] array;
    private final int offset;
    private final Gemm owner;
    private final Object layout;

    private PreparedB(boolean transposed, int rows, int columns, float[] array, int offset, Gemm owner,
                      Object layout) {
        this.transposed = transposed;
        this.rows = rows;
        this.columns = columns;
        this.array = array;
        this.offset = offset;
        this.owner = owner;
        this.layout = layout;
    }

    /**
     * {@return B with nothing prepared: where it is only (what {@link Gemm#prepare} gives by default)}
     *
     * @param transposed whether B is stored (n, k) and read transposed, rather than stored (k, n)
     * @param k          rows of B (the products' inner dimension), {@code >= 0}
     * @param n          columns of B, {@code >= 0}
     * @param b          the array holding B's k n floats, row-major, not modified
     * @param bo         the index of B's first element in {@code b}
     * @throws IllegalArgumentException for a negative size or offset, or B not fitting its array
     */
    public static PreparedB of(boolean transposed, int k, int n, float[] b, int bo) {
        return withLayout(null, transposed, k, n, b, bo, null);
    }

    /**
     * {@return B with a layout of {@code owner}'s own}, for a backend's {@link Gemm#prepare}: only
     * {@code owner} gets the layout back ({@link #layoutFor}).
     *
     * @param owner      the backend that made the layout, not null
     * @param transposed as {@link #of}
     * @param k          as {@link #of}
     * @param n          as {@link #of}
     * @param b          as {@link #of}
     * @param bo         as {@link #of}
     * @param layout     the backend's form of B, not null; not modified after this call
     * @throws IllegalArgumentException as {@link #of}, or for a null owner or layout
     */
    public static PreparedB withLayout(Gemm owner, boolean transposed, int k, int n, float[] b, int bo,
                                       Object layout) {
        if (k < 0 || n < 0) {
            throw new IllegalArgumentException("a prepared B needs k, n >= 0, got k=" + k + ", n=" + n);
        }
        if (b == null || bo < 0 || bo + (long) k * n > b.length) {
            throw new IllegalArgumentException(String.format(
                    "prepared B (k=%d, n=%d): %d floats from offset %d do not fit an array of %s", k, n,
                    (long) k * n, bo, b == null ? "null" : Integer.toString(b.length)));
        }
        if ((owner == null) != (layout == null)) {
            throw new IllegalArgumentException("a prepared layout needs its backend and the backend a layout");
        }
        return new PreparedB(transposed, k, n, b, bo, owner, layout);
    }

    /** {@return whether B is stored (n, k) and read transposed} */
    public boolean transposed() {
        return transposed;
    }

    /** {@return k: B's rows, the inner dimension of the products} */
    public int rows() {
        return rows;
    }

    /** {@return n: B's columns, the products' columns} */
    public int columns() {
        return columns;
    }

    /** {@return the array holding B as given (read by backends without a layout of their own)} */
    public float[] array() {
        return array;
    }

    /** {@return the index of B's first element in {@link #array()}} */
    public int offset() {
        return offset;
    }

    /**
     * {@return the layout {@code backend} made of B, or {@code null} when another backend (or none)
     * made it}
     *
     * @param backend the backend asking
     */
    public Object layoutFor(Gemm backend) {
        return backend == owner ? layout : null;
    }
}

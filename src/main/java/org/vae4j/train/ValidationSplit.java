package org.vae4j.train;

import java.util.Arrays;

import org.ejml.data.FMatrixRMaj;
import org.vae4j.random.CounterRandom;
import org.vae4j.random.Noise;

/**
 * A training matrix split into the rows trained on and the rows held out for validation. The
 * split is a seeded permutation of the rows, drawn from the stream ({@link Noise#SPLIT}, 0, 0, 0)
 * of the seed: its first {@code v} rows are the validation set, the rest the training set, and
 * each set keeps the rows in their original order. The same (seed, rows, v) always gives the same
 * split, so a resumed run holds out the same rows. A conditional model's data carries a condition
 * row per data row (e.g. a one-hot label), split with the same permutation.
 *
 * <p>The row lists are copied on the way out (and made only when asked for, so a split without
 * validation costs nothing); the matrices of a seeded split are new copies, which a caller may
 * change between epochs (e.g. a fresh binarisation of the training rows). Not thread-safe for
 * changes to the matrices; otherwise immutable.
 */
public final class ValidationSplit {

    private final FMatrixRMaj train;        // (n - v, d)
    private final FMatrixRMaj validation;   // (v, d) or null
    private final FMatrixRMaj trainConditions;      // (n - v, c) or null
    private final FMatrixRMaj validationConditions; // (v, c) or null
    private final int[] trainRows;          // null: 0 .. n-1
    private final int[] validationRows;     // null: 0 .. v-1

    private ValidationSplit(FMatrixRMaj train, FMatrixRMaj validation, int[] trainRows, int[] validationRows) {
        this(train, null, validation, null, trainRows, validationRows);
    }

    private ValidationSplit(FMatrixRMaj train, FMatrixRMaj trainConditions, FMatrixRMaj validation,
                            FMatrixRMaj validationConditions, int[] trainRows, int[] validationRows) {
        if (train == null || train.numRows == 0) {
            throw new IllegalArgumentException("training data is empty (0 rows)");
        }
        if (validation != null && validation.numCols != train.numCols) {
            throw new IllegalArgumentException("validation data has " + validation.numCols
                    + " columns, the training data " + train.numCols);
        }
        if (validation != null && validation.numRows == 0) {
            throw new IllegalArgumentException("validation data is empty (0 rows); pass null for none");
        }
        checkConditions(trainConditions, train, "training");
        if (validation != null) {
            checkConditions(validationConditions, validation, "validation");
            if (validationConditions != null && trainConditions != null
                    && validationConditions.numCols != trainConditions.numCols) {
                throw new IllegalArgumentException("validation conditions have " + validationConditions.numCols
                        + " columns, the training conditions " + trainConditions.numCols);
            }
        }
        if (validation != null && (trainConditions == null) != (validationConditions == null)) {
            throw new IllegalArgumentException("give conditions for both the training and the validation rows, "
                    + "or for neither");
        }
        this.train = train;
        this.validation = validation;
        this.trainConditions = trainConditions;
        this.validationConditions = validation == null ? null : validationConditions;
        this.trainRows = trainRows;
        this.validationRows = validationRows;
    }

    /**
     * {@return a split without validation set: {@code data} itself (not copied) is the training set}
     *
     * @param data (n, d) the training rows, n &gt;= 1
     * @throws IllegalArgumentException when {@code data} is null or has no row
     */
    public static ValidationSplit none(FMatrixRMaj data) {
        return new ValidationSplit(data, null, null, null);
    }

    /**
     * Explicit training and validation sets ({@code validation} may be null); neither is copied.
     * The row lists are then the indices within each matrix.
     *
     * @param train      (n, d) the training rows, n &gt;= 1
     * @param validation (v, d) the validation rows, v &gt;= 1, or {@code null} for none
     * @return the split of the two matrices
     * @throws IllegalArgumentException when the training set is null or empty, or the validation set
     *                                  is empty or of another width
     */
    public static ValidationSplit of(FMatrixRMaj train, FMatrixRMaj validation) {
        return new ValidationSplit(train, validation, null, null);
    }

    private static void checkConditions(FMatrixRMaj c, FMatrixRMaj x, String what) {
        if (c != null && c.numRows != x.numRows) {
            throw new IllegalArgumentException(what + " conditions have " + c.numRows + " rows, the " + what
                    + " data " + x.numRows);
        }
    }

    /**
     * As {@link #of(FMatrixRMaj, FMatrixRMaj)} with a condition row per data row (none are copied).
     *
     * @param train                (n, d) the training rows, n &gt;= 1
     * @param trainConditions      (n, c) their conditions, or {@code null} for unconditioned data
     * @param validation           (v, d) the validation rows, or {@code null} for none
     * @param validationConditions (v, c) their conditions; {@code null} exactly when
     *                             {@code trainConditions} is (ignored without validation rows)
     * @return the split of the four matrices
     * @throws IllegalArgumentException when a set is empty, the widths or row counts do not match, or
     *                                  conditions are given for only one of the two sets
     */
    public static ValidationSplit of(FMatrixRMaj train, FMatrixRMaj trainConditions, FMatrixRMaj validation,
                                     FMatrixRMaj validationConditions) {
        return new ValidationSplit(train, trainConditions, validation, validationConditions, null, null);
    }

    /**
     * As {@link #split(FMatrixRMaj, int, long)}, the conditions (one row per data row, or
     * {@code null}) split with the same rows.
     *
     * @param data       (n, d) the whole training matrix, n &gt;= 1
     * @param conditions (n, c) a condition row per data row, or {@code null}
     * @param count      the number of rows to hold out, 0 &lt;= count &lt; n (0: no validation set,
     *                   nothing copied)
     * @param seed       the seed of the permutation ({@link TrainerConfig#seed()})
     * @return the split; the matrices are new copies when {@code count > 0}
     * @throws IllegalArgumentException when {@code data} is null or empty, count is out of range, or
     *                                  the conditions have another row count
     */
    public static ValidationSplit split(FMatrixRMaj data, FMatrixRMaj conditions, int count, long seed) {
        ValidationSplit s = split(data, count, seed);
        if (conditions == null) {
            return s;
        }
        checkConditions(conditions, data, "training");
        if (s.validation == null) {
            return new ValidationSplit(data, conditions, null, null, null, null);
        }
        return new ValidationSplit(s.train, rows(conditions, s.trainRows), s.validation,
                rows(conditions, s.validationRows), s.trainRows, s.validationRows);
    }

    /**
     * As {@link #split(FMatrixRMaj, TrainerConfig)} with a condition row per data row ({@code null}: none).
     *
     * @param data       (n, d) the whole training matrix, n &gt;= 1
     * @param conditions (n, c) a condition row per data row, or {@code null}
     * @param config     gives the count ({@link TrainerConfig#validationRows}) and the seed
     * @return the split
     * @throws IllegalArgumentException when {@code data} is null or empty, the validation setting
     *                                  leaves no validation or training row, or the conditions have
     *                                  another row count
     */
    public static ValidationSplit split(FMatrixRMaj data, FMatrixRMaj conditions, TrainerConfig config) {
        if (data == null || data.numRows == 0) {
            throw new IllegalArgumentException("training data is empty (0 rows)");
        }
        return split(data, conditions, config.validationRows(data.numRows), config.seed());
    }

    /** {@return (n - v, c) the conditions of the training rows, or {@code null} for unconditioned data} */
    public FMatrixRMaj trainConditions() {
        return trainConditions;
    }

    /** {@return (v, c) the conditions of the validation rows, or {@code null} (unconditioned, or no validation set)} */
    public FMatrixRMaj validationConditions() {
        return validationConditions;
    }

    /** {@return (n - v, d) the training rows (not a copy)} */
    public FMatrixRMaj train() {
        return train;
    }

    /** {@return (v, d) the validation rows (not a copy), or {@code null} when nothing is held out} */
    public FMatrixRMaj validation() {
        return validation;
    }

    /**
     * Holds {@code count} seeded rows of {@code data} out (0 gives {@link #none}).
     *
     * @param data  (n, d) the whole training matrix, n &gt;= 1, not modified
     * @param count the number of rows to hold out, 0 &lt;= count &lt; n
     * @param seed  the seed of the permutation ({@link TrainerConfig#seed()})
     * @return the split; both matrices are new copies when {@code count > 0}
     * @throws IllegalArgumentException when {@code data} is null or empty, or count is outside [0, n)
     */
    public static ValidationSplit split(FMatrixRMaj data, int count, long seed) {
        if (data == null || data.numRows == 0) {
            throw new IllegalArgumentException("training data is empty (0 rows)");
        }
        if (count < 0 || count >= data.numRows) {
            throw new IllegalArgumentException("validation rows must be in [0, " + data.numRows + ") for "
                    + data.numRows + " rows, got " + count);
        }
        if (count == 0) {
            return none(data);
        }
        int[] perm = permutation(data.numRows, seed);
        int[] v = Arrays.copyOfRange(perm, 0, count);
        int[] t = Arrays.copyOfRange(perm, count, perm.length);
        Arrays.sort(v);
        Arrays.sort(t);
        return new ValidationSplit(rows(data, t), rows(data, v), t, v);
    }

    /**
     * As {@link #split(FMatrixRMaj, int, long)} with the count of {@link TrainerConfig#validationRows}
     * and the seed of {@link TrainerConfig#seed()}.
     *
     * @param data   (n, d) the whole training matrix, n &gt;= 1, not modified
     * @param config gives the count and the seed
     * @return the split
     * @throws IllegalArgumentException when {@code data} is null or empty, or the validation setting
     *                                  leaves no validation or training row
     */
    public static ValidationSplit split(FMatrixRMaj data, TrainerConfig config) {
        if (data == null || data.numRows == 0) {
            throw new IllegalArgumentException("training data is empty (0 rows)");
        }
        return split(data, config.validationRows(data.numRows), config.seed());
    }

    /**
     * The rows {@link #split(FMatrixRMaj, int, long)} holds out of n rows, ascending, without the
     * data: what a distributed trainer needs to split rows it never gathers (row i of the data
     * is the validation row of rank k when {@code heldOut[k] == i}; the others are the training
     * rows, in their order).
     *
     * @param n     the number of rows of the whole training matrix, &gt;= 1
     * @param count the number of rows to hold out, 0 &lt;= count &lt; n
     * @param seed  the seed of the permutation ({@link TrainerConfig#seed()})
     * @return the {@code count} held-out row indices, ascending
     * @throws IllegalArgumentException unless n &gt;= 1 and 0 &lt;= count &lt; n
     */
    public static int[] heldOut(int n, int count, long seed) {
        if (n < 1 || count < 0 || count >= n) {
            throw new IllegalArgumentException("validation rows must be in [0, " + n + ") for " + n + " rows, got "
                    + count);
        }
        int[] v = Arrays.copyOfRange(permutation(n, seed), 0, count);
        Arrays.sort(v);
        return v;
    }

    /** The seeded permutation of 0..n-1 of the split (Fisher-Yates over the SPLIT stream). */
    static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        CounterRandom rng = new Noise(seed).stream(new CounterRandom(), Noise.SPLIT, 0, 0, 0);
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    /**
     * {@return rows {@code idx} of {@code data} as a new (idx.length, d) matrix, in the order of {@code idx}}
     *
     * @param data (n, d) the source, not modified
     * @param idx  row indices in [0, n), repeats allowed, not modified
     * @throws IndexOutOfBoundsException when an index is outside [0, n)
     */
    public static FMatrixRMaj rows(FMatrixRMaj data, int[] idx) {
        int d = data.numCols;
        FMatrixRMaj m = new FMatrixRMaj(idx.length, d);
        for (int r = 0; r < idx.length; r++) {
            System.arraycopy(data.data, idx[r] * d, m.data, r * d, d);
        }
        return m;
    }

    /** {@return the index in the original matrix of each training row, ascending} */
    public int[] trainRows() {
        return trainRows != null ? trainRows.clone() : identity(train.numRows);
    }

    /**
     * {@return the index in the original matrix of each validation row, ascending (empty without validation)}
     */
    public int[] validationRows() {
        return validationRows != null ? validationRows.clone()
                : identity(validation == null ? 0 : validation.numRows);
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}

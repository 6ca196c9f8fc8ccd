package org.vae4j.spark;

import java.io.Serializable;

import org.ejml.data.FMatrixRMaj;

/**
 * The rows of one micro-batch of one step of an epoch, in their epoch order: each row's stable id
 * (its index in the training data, the key of its noise) and its values, (rows, d) row-major.
 * Built on the executors when the data is repartitioned for an epoch. Not thread-safe (mutable arrays).
 *
 * @param step  the step within the epoch, 0-based
 * @param index the micro-batch within the step, 0-based
 * @param ids   (rows) the rows' ids
 * @param cols  d
 * @param data  (rows, d) the rows' values
 */
record MicroBatch(long step, int index, int[] ids, int cols, float[] data) implements Serializable {

    int rows() {
        return ids.length;
    }

    /** A new matrix of the rows. */
    FMatrixRMaj matrix() {
        return FMatrixRMaj.wrap(ids.length, cols, data.clone());
    }

    boolean hasMissing() {
        for (float v : data) {
            if (Float.isNaN(v)) {
                return true;
            }
        }
        return false;
    }
}

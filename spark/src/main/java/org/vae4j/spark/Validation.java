package org.vae4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.InferenceView;
import org.vae4j.LatentModel;
import org.vae4j.RowLosses;
import org.vae4j.random.Noise;
import org.vae4j.train.ValidationSplit;
import scala.Tuple2;

/**
 * The rows a {@link SparkTrainer} run holds out for validation, split on the executors as the
 * local trainer splits its matrix ({@link ValidationSplit#heldOut}: the same rows, the training
 * rows and the validation rows each keeping their order and numbered 0, 1, ... in it), and the
 * validation value of each epoch: every task evaluates its validation rows with the broadcast
 * parameters ({@link InferenceView#negativeElbo}, row k's noise keyed by (EVALUATION, 0, k), as
 * {@link LatentModel#negativeElbo(FMatrixRMaj, Noise)}); the driver sums the per-row terms in row
 * order, in double. The reconstruction term is the local one bit for bit; the KL term equals it
 * to double rounding (the local evaluation sums the KL's elements per chunk of 1,000 rows, not
 * per row), so the value equals the local one to about 1e-15 relative.
 *
 * <p>Immutable; its methods are called by the driver's one thread.
 */
final class Validation {

    /** Rows per evaluation call on an executor. */
    private static final int CHUNK = 1000;

    private final JavaPairRDD<Long, float[]> rows; // (validation rank, [x] or [x | c]), persisted
    private final int count;
    private final Broadcast<int[]> keys;           // the split's keys, in both RDDs' lineage

    private Validation(JavaPairRDD<Long, float[]> rows, int count, Broadcast<int[]> keys) {
        this.rows = rows;
        this.count = count;
        this.keys = keys;
    }

    /** The training rows of the split (renumbered 0, 1, ... in their order) and, in {@code out[0]}, the held-out ones. */
    static JavaPairRDD<Long, float[]> split(JavaSparkContext sc, JavaPairRDD<Long, float[]> all, int n, int v, long seed,
                                            Validation[] out) {
        int[] held = ValidationSplit.heldOut(n, v, seed);
        int[] key = new int[n]; // training rank t >= 0, or -(validation rank + 1)
        int k = 0;
        int t = 0;
        for (int i = 0; i < n; i++) {
            key[i] = k < held.length && held[k] == i ? -(++k) : t++;
        }
        Broadcast<int[]> keys = sc.broadcast(key);
        JavaPairRDD<Long, float[]> keyed = all.mapToPair(r -> new Tuple2<>((long) keys.value()[(int) (long) r._1()],
                r._2()));
        JavaPairRDD<Long, float[]> train = keyed.filter(r -> r._1() >= 0).persist(StorageLevel.MEMORY_ONLY());
        JavaPairRDD<Long, float[]> validation = keyed.filter(r -> r._1() < 0)
                .mapToPair(r -> new Tuple2<>(-r._1() - 1, r._2())).persist(StorageLevel.MEMORY_ONLY());
        long got = validation.count();
        long trained = train.count();
        if (got != v || trained != n - v) {
            throw new IllegalStateException("the split gave " + trained + " training and " + got
                    + " validation rows, expected " + (n - v) + " and " + v + ": is the input's row order deterministic?");
        }
        out[0] = new Validation(validation, v, keys);
        return train;
    }

    int count() {
        return count;
    }

    /** Frees the rows and the split's keys: after the training rows of {@link #split} are unpersisted. */
    void unpersist() {
        rows.unpersist(false);
        keys.destroy();
    }

    /** The validation value (the mean negative ELBO with beta 1, one z per row) of the parameters {@code values}. */
    double value(JavaSparkContext sc, Broadcast<ModelFile> file, float[] values) {
        Broadcast<float[]> b = sc.broadcast(values.clone());
        try {
            List<Terms> got = new ArrayList<>(rows.mapPartitions(it -> evaluate(file, b, it)).collect());
            got.sort((x, y) -> Long.compare(x.first(), y.first()));
            double recon = 0;
            double kl = 0;
            long next = 0;
            for (Terms t : got) {
                if (t.first() != next) {
                    throw new IllegalStateException("validation rows " + next + ".." + (t.first() - 1)
                            + " were not evaluated");
                }
                for (int r = 0; r < t.recon().length; r++) {
                    recon += t.recon()[r];
                    kl += t.kl()[r];
                }
                next += t.recon().length;
            }
            if (next != count) {
                throw new IllegalStateException(next + " validation rows evaluated, expected " + count);
            }
            recon /= count;
            kl /= count;
            return recon + kl; // as Loss(recon + kl, recon, kl).total()
        } finally {
            b.destroy();
        }
    }

    /** The per-row terms of consecutive validation rows first, first + 1, ... */
    record Terms(long first, double[] recon, double[] kl) implements Serializable {
    }

    /** A partition's validation rows, sorted by rank, evaluated in runs of consecutive ranks. */
    private static Iterator<Terms> evaluate(Broadcast<ModelFile> file, Broadcast<float[]> values,
                                            Iterator<Tuple2<Long, float[]>> it) {
        List<Tuple2<Long, float[]>> all = new ArrayList<>();
        it.forEachRemaining(all::add);
        all.sort((x, y) -> Long.compare(x._1(), y._1()));
        List<Terms> out = new ArrayList<>();
        if (all.isEmpty()) {
            return out.iterator();
        }
        Workers.Worker w = Workers.borrow(file);
        try {
            LatentModel model = w.model;
            model.parameterStore().setValues(values.value(), 0);
            InferenceView view = model.inference(1);
            Noise noise = new Noise(w.config.seed());
            int start = 0;
            while (start < all.size()) {
                int end = start + 1;
                while (end < all.size() && end - start < CHUNK && all.get(end)._1() == all.get(end - 1)._1() + 1) {
                    end++;
                }
                out.add(evaluate(w, view, noise, all.subList(start, end)));
                start = end;
            }
        } finally {
            Workers.release(w);
        }
        return out.iterator();
    }

    /** Rows of consecutive ranks: split into data and condition, binarised once if the run binarises. */
    private static Terms evaluate(Workers.Worker w, InferenceView view, Noise noise, List<Tuple2<Long, float[]>> rows) {
        int d = w.model.inputSize();
        int cw = w.model.conditionSize();
        int n = rows.size();
        FMatrixRMaj x = new FMatrixRMaj(n, d);
        FMatrixRMaj c = cw > 0 ? new FMatrixRMaj(n, cw) : null;
        for (int r = 0; r < n; r++) {
            float[] row = rows.get(r)._2();
            System.arraycopy(row, 0, x.data, r * d, d);
            if (c != null) {
                System.arraycopy(row, d, c.data, r * cw, cw);
            }
        }
        long first = rows.get(0)._1();
        if (w.binarisation != null) { // once, keyed by (seed, VALIDATION, rank): train-mnist's validation images
            w.binarisation.binarise(x, x, org.vae4j.data.Binarisation.VALIDATION, first);
        }
        RowLosses l = view.negativeElbo(x, c, noise, first);
        return new Terms(first, l.reconstruction.clone(), l.kl.clone());
    }
}

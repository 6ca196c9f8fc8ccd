package org.vae4j.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.ejml.data.FMatrixRMaj;
import org.vae4j.LatentModel;
import org.vae4j.kernel.Gemms;
import org.vae4j.table.RowScores;
import org.vae4j.table.Scorer;
import scala.Tuple2;

/**
 * The executors' side of {@link VaeModel#transform}: rows in chunks through one model copy's
 * {@code encodeMean} and a {@link Scorer} (thread-safe, its own copies, one GEMM thread each),
 * one scorer per broadcast model file and JVM (the two most recent kept).
 *
 * <p>Thread-safe.
 */
final class Scoring {

    /** Rows per chunk through the model. */
    static final int CHUNK = 1024;

    private static final Map<String, Scorer> SCORERS = new LinkedHashMap<>();

    private Scoring() {
    }

    /** The column starts of a model whose likelihood has one column per input (0, 1, ..., d-1). */
    static int[] columnStarts(LatentModel model) {
        int d = model.inputSize();
        int c = model.likelihood().columnCount(d);
        if (c != d) {
            throw new IllegalArgumentException("scoring on Spark needs a likelihood with one column per input; "
                    + model.likelihood().describe() + " has " + c + " columns for " + d + " inputs");
        }
        int[] starts = new int[d];
        for (int i = 0; i < d; i++) {
            starts[i] = i;
        }
        return starts;
    }

    /** The scorer of a model file, as {@link VaeModel#localScorer} makes it. */
    static Scorer scorer(byte[] file, int samples, long seed) {
        LatentModel first = ModelBytes.load(file, "the model file").model();
        return new Scorer(() -> {
            LatentModel m = ModelBytes.load(file, "the model file").model();
            m.setGemm(Gemms.create(1));
            return m;
        }, samples, seed, columnStarts(first), null);
    }

    /** The scorer of a broadcast model file (one per file and scoring settings, per JVM). */
    private static Scorer scorer(Broadcast<ModelFile> file, int samples, long seed) {
        ModelFile f = file.value();
        String key = f.token() + "/" + samples + "/" + seed;
        synchronized (SCORERS) {
            Scorer s = SCORERS.get(key);
            if (s == null) {
                s = scorer(f.bytes(), samples, seed);
                SCORERS.put(key, s);
                Iterator<String> it = SCORERS.keySet().iterator();
                while (SCORERS.size() > 2 && it.hasNext()) {
                    it.next();
                    it.remove();
                }
            }
            return s;
        }
    }

    /** Where a row's features are: a vector column, or numeric columns. */
    record Features(int vectorColumn, int[] columns, int width) implements java.io.Serializable {
        float[] of(Row row) {
            float[] x = new float[width];
            if (vectorColumn >= 0) {
                Vector v = (Vector) row.get(vectorColumn);
                if (v == null || v.size() != width) {
                    throw new IllegalArgumentException("the features vector of a row has "
                            + (v == null ? "no value" : v.size() + " values") + ", the model's input size is " + width);
                }
                for (int i = 0; i < width; i++) {
                    x[i] = (float) v.apply(i);
                }
            } else {
                for (int i = 0; i < width; i++) {
                    Object o = row.get(columns[i]);
                    x[i] = o == null ? Float.NaN : ((Number) o).floatValue();
                }
            }
            return x;
        }
    }

    /**
     * Scores a partition of (row, id) pairs lazily, a chunk at a time: each row with its latent
     * mean, score and anomaly flag appended. A chunk holds consecutive ids (the key of the noise).
     */
    static Iterator<Row> partition(Broadcast<ModelFile> file, int samples, long seed, double threshold, Features f,
                                   Iterator<Tuple2<Row, Long>> it) {
        Scorer scorer = scorer(file, samples, seed);
        return new Iterator<>() {
            private final List<Row> out = new ArrayList<>(CHUNK);
            private final List<Row> chunk = new ArrayList<>(CHUNK);
            private Tuple2<Row, Long> pending;
            private int next;

            @Override
            public boolean hasNext() {
                if (next < out.size()) {
                    return true;
                }
                out.clear();
                next = 0;
                chunk.clear();
                long first = -1;
                while (chunk.size() < CHUNK && (pending != null || it.hasNext())) {
                    Tuple2<Row, Long> t = pending != null ? pending : it.next();
                    pending = null;
                    if (!chunk.isEmpty() && t._2() != first + chunk.size()) {
                        pending = t; // not consecutive: the next chunk
                        break;
                    }
                    if (chunk.isEmpty()) {
                        first = t._2();
                    }
                    chunk.add(t._1());
                }
                if (chunk.isEmpty()) {
                    return false;
                }
                score(file, scorer, threshold, f, chunk, first, out);
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return out.get(next++);
            }
        };
    }

    private static void score(Broadcast<ModelFile> file, Scorer scorer, double threshold, Features f, List<Row> rows,
                              long firstId, List<Row> out) {
        FMatrixRMaj x = new FMatrixRMaj(rows.size(), f.width());
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(f.of(rows.get(r)), 0, x.data, r * f.width(), f.width());
        }
        RowScores s = scorer.score(x, firstId);
        FMatrixRMaj mu;
        Workers.Worker w = Workers.borrow(file);
        try {
            mu = w.model.encodeMean(x);
        } finally {
            Workers.release(w);
        }
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            Object[] values = new Object[row.length() + 3];
            for (int i = 0; i < row.length(); i++) {
                values[i] = row.get(i);
            }
            double[] z = new double[mu.numCols];
            for (int j = 0; j < z.length; j++) {
                z[j] = mu.data[r * mu.numCols + j];
            }
            values[row.length()] = Vectors.dense(z);
            values[row.length() + 1] = s.score[r];
            values[row.length() + 2] = s.score[r] > threshold;
            out.add(RowFactory.create(values));
        }
    }
}

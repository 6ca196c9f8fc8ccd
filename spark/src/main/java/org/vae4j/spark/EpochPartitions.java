package org.vae4j.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * An epoch's data as {@link SparkTrainer} lays it out: every row keyed by its epoch position,
 * repartitioned once by micro-batch ({@link MicroBatchPartitioner}), sorted by position within
 * each partition and grouped into cached {@link MicroBatch}es in (step, index) order. Also the
 * check of the rows on the executors. Stateless; thread-safe.
 */
final class EpochPartitions {

    private EpochPartitions() {
    }

    /** The epoch's micro-batches (persisted, not yet computed): row id r is at position pos[r]. */
    static JavaRDD<MicroBatch> of(JavaPairRDD<Long, float[]> rows, Broadcast<int[]> pos, EpochLayout layout,
                                  int partitions) {
        return rows.mapToPair(t -> new Tuple2<>((long) pos.value()[(int) (long) t._1()], t))
                .repartitionAndSortWithinPartitions(new MicroBatchPartitioner(layout, partitions))
                .mapPartitions(it -> group(layout, it), true)
                .persist(StorageLevel.MEMORY_ONLY());
    }

    /** Checks a partition's rows with an executor's model copy; returns its row count. */
    static Iterator<Long> check(Broadcast<ModelFile> file, Iterator<Tuple2<Long, float[]>> it) {
        Workers.Worker w = Workers.borrow(file);
        long count = 0;
        try {
            List<float[]> chunk = new ArrayList<>();
            long first = -1;
            while (it.hasNext()) {
                Tuple2<Long, float[]> t = it.next();
                if (chunk.isEmpty()) {
                    first = t._1();
                }
                chunk.add(t._2());
                count++;
                if (chunk.size() == 1024 || !it.hasNext()) {
                    w.check(chunk, first);
                    chunk.clear();
                }
            }
        } finally {
            Workers.release(w);
        }
        return List.of(count).iterator();
    }

    /** A partition's rows, sorted by epoch position, as its micro-batches in (step, index) order. */
    static Iterator<MicroBatch> group(EpochLayout layout, Iterator<Tuple2<Long, Tuple2<Long, float[]>>> it) {
        List<MicroBatch> out = new ArrayList<>();
        List<Tuple2<Long, float[]>> current = new ArrayList<>();
        long step = -1;
        int index = -1;
        while (it.hasNext()) {
            Tuple2<Long, Tuple2<Long, float[]>> t = it.next();
            long p = t._1();
            long s = layout.stepOf(p);
            int i = layout.microBatchOf(p);
            if (s != step || i != index) {
                flush(step, index, current, out);
                step = s;
                index = i;
            }
            current.add(t._2());
        }
        flush(step, index, current, out);
        return out.iterator();
    }

    private static void flush(long step, int index, List<Tuple2<Long, float[]>> rows, List<MicroBatch> out) {
        if (rows.isEmpty()) {
            return;
        }
        int d = rows.get(0)._2().length;
        int[] ids = new int[rows.size()];
        float[] data = new float[rows.size() * d];
        for (int r = 0; r < rows.size(); r++) {
            ids[r] = (int) (long) rows.get(r)._1();
            System.arraycopy(rows.get(r)._2(), 0, data, r * d, d);
        }
        out.add(new MicroBatch(step, index, ids, d, data));
        rows.clear();
    }
}

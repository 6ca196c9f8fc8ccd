package org.vae4j.spark;

import org.apache.spark.Partitioner;

/**
 * Sends the row at epoch position p (the key, a {@code Long}) to partition i mod P, where i is
 * its micro-batch within its step ({@link EpochLayout#microBatchOf}): every micro-batch lies
 * whole in one partition, and a step's micro-batches are spread over min(N, P) partitions.
 *
 * <p>Immutable and thread-safe.
 */
final class MicroBatchPartitioner extends Partitioner {

    private static final long serialVersionUID = 1L;

    private final EpochLayout layout;
    private final int partitions;

    MicroBatchPartitioner(EpochLayout layout, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        this.layout = layout;
        this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        return layout.microBatchOf((Long) key) % partitions;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MicroBatchPartitioner m && m.partitions == partitions && m.layout.rows() == layout.rows()
                && m.layout.batchSize() == layout.batchSize() && m.layout.microBatches() == layout.microBatches();
    }

    @Override
    public int hashCode() {
        return Long.hashCode(layout.rows()) * 31 + partitions;
    }
}

package io.spool.coordinator;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the coordinator writes its records: implemented by the broker over the partitions of
 * {@code __consumer_offsets}.
 *
 * <p>The future completes when the records are durable (committed: replicated to the ISR and, by default, fsynced).
 * It fails with a Kafka {@link org.apache.kafka.common.errors.ApiException} (e.g. {@code NotLeaderOrFollowerException},
 * {@code RequestTimedOutException}) that the coordinator maps to the error its client sees. Appends to one partition
 * must complete in the order they were made, and once one fails every later append to that partition that was made
 * before the broker unloads it must fail too (a partition log has no holes).
 */
public interface CoordinatorRecordLog {

    CompletableFuture<Void> append(int partition, List<CoordinatorRecord> records);

    /**
     * Writes the records as one transactional batch of the producer ({@code producerId}, {@code producerEpoch}) to
     * {@code __consumer_offsets-<partition>}; they stay undecided until the broker appends that producer's COMMIT or
     * ABORT marker and calls {@link GroupCoordinator#completeTransaction}. The future completes as for
     * {@link #append}: when the batch is durable, in order with the partition's other appends.
     *
     * <p>By default refused: only the offsets log holds transactional batches (the transaction state log does not).
     */
    default CompletableFuture<Void> appendTransactional(int partition, long producerId, short producerEpoch,
            List<CoordinatorRecord> records) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
            "This log does not hold transactional batches"));
    }
}

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
}

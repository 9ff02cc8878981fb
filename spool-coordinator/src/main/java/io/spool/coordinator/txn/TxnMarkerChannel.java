package io.spool.coordinator.txn;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/** How the transaction coordinator writes COMMIT/ABORT markers; implemented by the broker (WriteTxnMarkers). */
public interface TxnMarkerChannel {

    /**
     * Writes a COMMIT/ABORT marker for (producerId, producerEpoch) with coordinatorEpoch to each partition's leader;
     * completes when every partition has it (the channel retries NOT_LEADER etc. itself and drops partitions that no
     * longer exist); fails only if it gives up. The coordinator retries a failed call later with its timer.
     */
    CompletableFuture<Void> writeMarkers(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit,
                                         Set<TopicPartition> partitions);
}

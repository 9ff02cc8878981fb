package io.spool.broker.txn;

import io.spool.broker.group.GroupCoordinatorService;
import io.spool.broker.handler.BrokerContext;
import io.spool.broker.replica.Partition;
import io.spool.coordinator.GroupCoordinator;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Writes transaction markers to the partitions this node leads, for WriteTxnMarkers and for the local transaction
 * coordinator. A marker is acknowledged once the in-sync replicas have it (as acks=all). A COMMIT or ABORT written
 * to a partition of {@code __consumer_offsets} also completes that producer's pending transactional offsets in the
 * group coordinator; such a marker is written only once the group coordinator has loaded the partition (Kafka
 * answers NOT_LEADER_OR_FOLLOWER meanwhile, as here). Thread-safe.
 */
public final class TxnMarkerWriter {
    private static final long TIMEOUT_MS = 30_000;

    private final BrokerContext broker;
    private final GroupCoordinator groups;

    public TxnMarkerWriter(BrokerContext broker, GroupCoordinator groups) {
        this.broker = broker;
        this.groups = groups;
    }

    /**
     * Writes one marker to each partition; per partition: NONE, UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
     * NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, or the log's INVALID_PRODUCER_EPOCH / TRANSACTION_COORDINATOR_FENCED /
     * KAFKA_STORAGE_ERROR.
     */
    public CompletableFuture<Map<TopicPartition, Errors>> write(long producerId, short producerEpoch,
            int coordinatorEpoch, boolean commit, Collection<TopicPartition> partitions) {
        Map<TopicPartition, CompletableFuture<Errors>> results = new LinkedHashMap<>();
        for (TopicPartition tp : new LinkedHashSet<>(partitions)) {
            results.put(tp, writeOne(tp, producerId, producerEpoch, coordinatorEpoch, commit));
        }
        return CompletableFuture.allOf(results.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<TopicPartition, Errors> out = new LinkedHashMap<>();
            results.forEach((tp, f) -> out.put(tp, f.join()));
            return out;
        });
    }

    private CompletableFuture<Errors> writeOne(TopicPartition tp, long producerId, short producerEpoch,
            int coordinatorEpoch, boolean commit) {
        boolean known = broker.image().topics().byName(tp.topic())
                .map(t -> t.partitions().containsKey(tp.partition())).orElse(false);
        if (!known) {
            return CompletableFuture.completedFuture(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        Optional<Partition> partition = broker.replicas().partition(tp);
        if (partition.isEmpty() || partition.get().leaderId() != broker.nodeId()) {
            return CompletableFuture.completedFuture(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        if (GroupCoordinatorService.OFFSETS_TOPIC.equals(tp.topic()) && !groups.isLoaded(tp.partition())) {
            // The group coordinator has not read this partition yet (or failed to). A marker written now could fall
            // between its read and its install, and the offsets it ends would stay pending: the coordinator retries.
            return CompletableFuture.completedFuture(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        return broker.replicas().appendTxnMarker(partition.get(), producerId, producerEpoch, coordinatorEpoch, commit,
                TIMEOUT_MS).thenApply(result -> {
                    if (result.error() == Errors.NONE && GroupCoordinatorService.OFFSETS_TOPIC.equals(tp.topic())) {
                        groups.completeTransaction(tp.partition(), producerId, commit);
                    }
                    return result.error();
                });
    }
}

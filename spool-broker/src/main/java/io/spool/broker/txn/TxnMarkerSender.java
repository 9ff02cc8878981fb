package io.spool.broker.txn;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.spool.broker.cluster.BrokerChannel;
import io.spool.coordinator.txn.TxnMarkerChannel;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.PartitionRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator's way to the partition leaders: writes a marker locally where this node leads the
 * partition ({@link TxnMarkerWriter}) and with WriteTxnMarkers to the other leaders ({@link BrokerChannel}). It
 * retries what failed (no leader, leader moved, too few in-sync replicas) until every partition has its marker or
 * {@value #GIVE_UP_MS} ms passed; the coordinator retries after that. A partition whose topic is gone, or whose log
 * refuses the marker as fenced (a newer coordinator or producer epoch wrote there), counts as done, as in Kafka.
 * Thread-safe.
 */
public final class TxnMarkerSender implements TxnMarkerChannel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TxnMarkerSender.class);
    private static final long RETRY_MS = 100;
    private static final long GIVE_UP_MS = 60_000;
    private static final int REQUEST_TIMEOUT_MS = 30_000;

    private final int nodeId;
    private final Supplier<MetadataImage> image;
    private final TxnMarkerWriter local;
    private final BrokerChannel channel;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            new DefaultThreadFactory("spool-txn-markers", true));

    public TxnMarkerSender(int nodeId, Supplier<MetadataImage> image, TxnMarkerWriter local, BrokerChannel channel) {
        this.nodeId = nodeId;
        this.image = image;
        this.local = local;
        this.channel = channel;
    }

    @Override
    public CompletableFuture<Void> writeMarkers(long producerId, short producerEpoch, int coordinatorEpoch,
            boolean commit, Set<TopicPartition> partitions) {
        Attempt attempt = new Attempt(producerId, producerEpoch, coordinatorEpoch, commit, partitions);
        attempt.round();
        return attempt.done;
    }

    /** One marker's delivery to all its partitions, over as many rounds as it takes. */
    private final class Attempt {
        final long producerId;
        final short producerEpoch;
        final int coordinatorEpoch;
        final boolean commit;
        final Set<TopicPartition> remaining = ConcurrentHashMap.newKeySet();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GIVE_UP_MS);
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Attempt(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit,
                Set<TopicPartition> partitions) {
            this.producerId = producerId;
            this.producerEpoch = producerEpoch;
            this.coordinatorEpoch = coordinatorEpoch;
            this.commit = commit;
            this.remaining.addAll(partitions);
        }

        void round() {
            if (remaining.isEmpty()) {
                done.complete(null);
                return;
            }
            if (System.nanoTime() > deadline) {
                done.completeExceptionally(new TimeoutException("Markers for producer " + producerId
                        + " not written to " + remaining + " within " + GIVE_UP_MS + " ms"));
                return;
            }
            Map<Integer, List<TopicPartition>> byLeader = new HashMap<>();
            for (TopicPartition tp : remaining) {
                Optional<PartitionRecord> record = image.get().topics().byName(tp.topic())
                        .map(t -> t.partitions().get(tp.partition()));
                if (record.isEmpty() || record.get() == null) {
                    remaining.remove(tp);
                } else if (record.get().leader() >= 0) {
                    byLeader.computeIfAbsent(record.get().leader(), id -> new ArrayList<>()).add(tp);
                }
            }
            List<CompletableFuture<?>> sent = new ArrayList<>();
            byLeader.forEach((leader, tps) -> sent.add(send(leader, tps).handle((errors, failure) -> {
                if (errors != null) {
                    errors.forEach(this::settle);
                } else {
                    LOG.debug("Markers to node {} failed: {}", leader, failure.toString());
                }
                return null;
            })));
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).whenComplete((ignored, error) -> {
                if (remaining.isEmpty()) {
                    done.complete(null);
                } else {
                    schedule();
                }
            });
        }

        private void settle(TopicPartition tp, Errors error) {
            switch (error) {
                case NONE, UNKNOWN_TOPIC_OR_PARTITION -> remaining.remove(tp);
                case INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED, PRODUCER_FENCED -> {
                    LOG.warn("Marker for producer {} (epoch {}, coordinator epoch {}) refused by {}: {}",
                            producerId, producerEpoch, coordinatorEpoch, tp, error);
                    remaining.remove(tp);
                }
                default -> LOG.debug("Marker for producer {} to {} failed with {}; retrying", producerId, tp, error);
            }
        }

        private void schedule() {
            try {
                retries.schedule(this::round, RETRY_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                done.completeExceptionally(e);
            }
        }

        private CompletableFuture<Map<TopicPartition, Errors>> send(int leader, List<TopicPartition> tps) {
            if (leader == nodeId) {
                return local.write(producerId, producerEpoch, coordinatorEpoch, commit, tps);
            }
            WriteTxnMarkersRequestData.WritableTxnMarker marker = new WriteTxnMarkersRequestData.WritableTxnMarker()
                    .setProducerId(producerId).setProducerEpoch(producerEpoch).setTransactionResult(commit)
                    .setCoordinatorEpoch(coordinatorEpoch);
            Map<String, WriteTxnMarkersRequestData.WritableTxnMarkerTopic> topics = new LinkedHashMap<>();
            for (TopicPartition tp : tps) {
                topics.computeIfAbsent(tp.topic(), name -> {
                    WriteTxnMarkersRequestData.WritableTxnMarkerTopic t =
                            new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName(name);
                    marker.topics().add(t);
                    return t;
                }).partitionIndexes().add(tp.partition());
            }
            WriteTxnMarkersRequestData request = new WriteTxnMarkersRequestData();
            request.markers().add(marker);
            return channel.call(leader, ApiKeys.WRITE_TXN_MARKERS, (short) 1, request, REQUEST_TIMEOUT_MS)
                    .thenApply(r -> errorsOf((WriteTxnMarkersResponseData) r));
        }
    }

    private static Map<TopicPartition, Errors> errorsOf(WriteTxnMarkersResponseData response) {
        Map<TopicPartition, Errors> errors = new HashMap<>();
        response.markers().forEach(m -> m.topics().forEach(t -> t.partitions().forEach(p -> errors.put(
                new TopicPartition(t.name(), p.partitionIndex()), Errors.forCode(p.errorCode())))));
        return errors;
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}

package io.spool.broker.replica;

import io.spool.metadata.MetadataDelta;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.MetadataListener;
import io.spool.metadata.PartitionRecord;
import io.spool.metadata.TopicImage;
import io.spool.storage.AppendResult;
import io.spool.storage.LogConfig;
import io.spool.storage.LogManager;
import io.spool.storage.PartitionLog;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this node hosts, kept in step with the metadata image, and the write path of a partition leader:
 * append, then (unless the topic runs in page-cache mode) wait for the group-commit fsync before the high watermark
 * moves and the producer is answered. Thread-safe: the partition map is written by the metadata apply thread only.
 */
public final class ReplicaManager implements MetadataListener {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);

    private final int nodeId;
    private final LogManager logs;
    private final Function<Map<String, String>, LogConfig> logConfig;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private boolean reconciled;
    private boolean active;
    private long appliedOffset = -1;

    /**
     * @param logConfig turns a topic's config overrides into its effective log configuration
     */
    public ReplicaManager(int nodeId, LogManager logs, Function<Map<String, String>, LogConfig> logConfig) {
        this.nodeId = nodeId;
        this.logs = logs;
        this.logConfig = logConfig;
    }

    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    /**
     * Appends to a partition this node leads. The future completes when the write is as durable as the topic asks:
     * at once in page-cache mode, after the covering fsync otherwise. A rejected append completes at once.
     */
    public CompletableFuture<AppendResult> append(Partition partition, MemoryRecords records) {
        PartitionLog log = partition.log();
        AppendResult result = log.appendAsLeader(records, partition.leaderEpoch());
        if (result.error() != org.apache.kafka.common.protocol.Errors.NONE) {
            return CompletableFuture.completedFuture(result);
        }
        if (!log.config().flushOnAck()) {
            partition.maybeAdvanceHighWatermark(log.logEndOffset());
            return CompletableFuture.completedFuture(result);
        }
        return logs.flusher().awaitDurable(log, result.lastOffset() + 1).thenApply(ignored -> {
            partition.maybeAdvanceHighWatermark(log.flushedOffset());
            return result;
        });
    }

    /**
     * Starts following the metadata, from an image that holds everything committed before this node started.
     * Images applied earlier (the replay of the metadata log at start) are ignored: an early image of the replay
     * lacks topics created later, and reconciling the logs against it would delete their data.
     */
    public synchronized void activate(MetadataImage image) {
        active = true;
        apply(image);
    }

    /** Called by the metadata apply thread for every image, in log order. */
    @Override
    public synchronized void onImage(MetadataImage image, MetadataDelta delta) {
        if (active && image.offset() > appliedOffset) {
            apply(image);
        }
    }

    private void apply(MetadataImage image) {
        appliedOffset = image.offset();
        Map<TopicPartition, Uuid> live = new HashMap<>();
        for (TopicImage topic : image.topics().all()) {
            LogConfig config = logConfig.apply(image.configs().topicConfigs(topic.name()));
            for (PartitionRecord record : topic.partitions().values()) {
                if (!record.replicas().contains(nodeId)) {
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.name(), record.partition());
                live.put(tp, topic.id());
                Partition existing = partitions.get(tp);
                if (existing != null && existing.topicId().equals(topic.id())) {
                    existing.updateLeadership(record.leader(), record.leaderEpoch());
                    if (!existing.log().config().equals(config)) {
                        existing.log().updateConfig(config);
                    }
                    continue;
                }
                if (existing != null) {
                    removePartition(tp);
                }
                PartitionLog log = logs.getOrCreate(tp, topic.id(), config);
                Partition partition = new Partition(log, record.leader(), record.leaderEpoch());
                // One node: everything that survived recovery on disk is committed.
                partition.maybeAdvanceHighWatermark(log.logEndOffset());
                partitions.put(tp, partition);
            }
        }
        for (TopicPartition tp : partitions.keySet()) {
            if (!live.containsKey(tp)) {
                removePartition(tp);
            }
        }
        if (!reconciled) {
            logs.retainOnly(live);
            reconciled = true;
        }
    }

    private void removePartition(TopicPartition tp) {
        Partition removed = partitions.remove(tp);
        if (removed != null) {
            LOG.info("Deleting log of {}", tp);
            logs.delete(tp);
        }
    }
}

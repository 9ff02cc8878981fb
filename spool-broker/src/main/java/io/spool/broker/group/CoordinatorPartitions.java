package io.spool.broker.group;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.spool.broker.replica.Partition;
import io.spool.broker.replica.ReplicaManager;
import io.spool.coordinator.CoordinatorRecord;
import io.spool.coordinator.CoordinatorRecordLog;
import io.spool.metadata.MetadataDelta;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.MetadataListener;
import io.spool.metadata.PartitionRecord;
import io.spool.metadata.TopicImage;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions of one coordinator's internal topic that this node leads: loads a partition into the coordinator
 * when the node becomes its leader (on its own thread, from a {@link CoordinatorLogReplay}), unloads it when the
 * node stops leading it, and writes the coordinator's records to it. Metadata callbacks run on the apply thread.
 */
public final class CoordinatorPartitions implements MetadataListener, CoordinatorRecordLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorPartitions.class);

    /** The coordinator side: what to do with a partition that is gained or lost. */
    public interface Host {
        /** Loads a partition this node now leads at {@code leaderEpoch} (the coordinator epoch). */
        void load(int partition, int leaderEpoch, CoordinatorLogReplay.Result replay);

        void unload(int partition);
    }

    private final String topic;
    private final int nodeId;
    private final ReplicaManager replicas;
    private final Clock clock;
    private final Host host;
    private final ExecutorService loader;
    /** Led partitions and the leader epoch each was loaded at. */
    private final Map<Integer, Integer> hosted = new HashMap<>();
    private volatile Consumer<MetadataImage> imageListener = image -> { };
    private boolean active;

    public CoordinatorPartitions(String topic, int nodeId, ReplicaManager replicas, Clock clock, Host host) {
        this.topic = topic;
        this.nodeId = nodeId;
        this.replicas = replicas;
        this.clock = clock;
        this.host = host;
        this.loader = Executors.newSingleThreadExecutor(new DefaultThreadFactory("spool-" + topic.replace("__", "")
                + "-loader", true));
    }

    public String topic() {
        return topic;
    }

    /** Called with every image before the partitions are reconciled (e.g. to refresh the known topics). */
    public void onEachImage(Consumer<MetadataImage> listener) {
        this.imageListener = listener;
    }

    /** Starts following the metadata once the start-up replay is complete (see ReplicaManager#activate). */
    public synchronized void activate(MetadataImage image) {
        active = true;
        apply(image);
    }

    @Override
    public synchronized void onImage(MetadataImage image, MetadataDelta delta) {
        // Images keep arriving while the node stops; the loader is gone by then.
        if (active && !loader.isShutdown()) {
            apply(image);
        }
    }

    private void apply(MetadataImage image) {
        imageListener.accept(image);
        Map<Integer, Integer> led = new HashMap<>();
        Optional<TopicImage> internal = image.topics().byName(topic);
        if (internal.isPresent()) {
            for (PartitionRecord p : internal.get().partitions().values()) {
                if (p.leader() == nodeId) {
                    led.put(p.partition(), p.leaderEpoch());
                }
            }
        }
        for (Map.Entry<Integer, Integer> e : led.entrySet()) {
            Integer loadedAt = hosted.get(e.getKey());
            if (loadedAt == null || loadedAt < e.getValue()) {
                // A new leader epoch without a move (e.g. a reassignment) reloads too: markers carry the epoch.
                if (loadedAt != null) {
                    loader.execute(() -> host.unload(e.getKey()));
                }
                hosted.put(e.getKey(), e.getValue());
                loader.execute(() -> load(e.getKey(), e.getValue()));
            }
        }
        for (int partition : List.copyOf(hosted.keySet())) {
            if (!led.containsKey(partition)) {
                hosted.remove(partition);
                loader.execute(() -> host.unload(partition));
            }
        }
    }

    private void load(int partition, int leaderEpoch) {
        long start = System.nanoTime();
        Optional<Partition> p = replicas.partition(new TopicPartition(topic, partition));
        if (p.isEmpty()) {
            LOG.warn("Cannot load {}-{}: this node hosts no such partition", topic, partition);
            return;
        }
        CoordinatorLogReplay.Result replay = CoordinatorLogReplay.replay(p.get().log());
        host.load(partition, leaderEpoch, replay);
        LOG.info("Loaded {} records of {}-{} at leader epoch {} in {} ms", replay.records().size(), topic, partition,
                leaderEpoch, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<CoordinatorRecord> records) {
        return appendTransactional(partition, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, records);
    }

    @Override
    public CompletableFuture<Void> appendTransactional(int partition, long producerId, short producerEpoch,
            List<CoordinatorRecord> records) {
        Optional<Partition> p = replicas.partition(new TopicPartition(topic, partition));
        if (p.isEmpty() || p.get().leaderId() != nodeId) {
            return CompletableFuture.failedFuture(new NotLeaderOrFollowerException(
                    "This node does not lead " + topic + "-" + partition));
        }
        return replicas.appendFromCoordinator(p.get(), CoordinatorLogReplay.batch(clock.millis(), records,
                producerId, producerEpoch)).thenApply(result -> {
                    if (result.error() != Errors.NONE) {
                        throw result.error().exception(result.errorMessage());
                    }
                    return null;
                });
    }

    @Override
    public void close() {
        loader.shutdownNow();
    }
}

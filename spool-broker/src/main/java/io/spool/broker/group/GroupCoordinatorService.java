package io.spool.broker.group;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.spool.broker.ServerConfig;
import io.spool.broker.replica.Partition;
import io.spool.broker.replica.ReplicaManager;
import io.spool.coordinator.CoordinatorRecord;
import io.spool.coordinator.CoordinatorRecordLog;
import io.spool.coordinator.GroupCoordinator;
import io.spool.coordinator.GroupCoordinatorConfig;
import io.spool.coordinator.TopicInfo;
import io.spool.coordinator.TopicsMetadata;
import io.spool.metadata.MetadataDelta;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.MetadataListener;
import io.spool.metadata.PartitionRecord;
import io.spool.metadata.TopicImage;
import io.spool.storage.LogReadResult;
import io.spool.storage.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts the group coordinator on this broker: writes its records to the partitions of {@code __consumer_offsets}
 * this node leads, loads a partition's groups and offsets when the node becomes its leader and unloads them when it
 * stops being, and expires old offsets. Metadata callbacks run on the apply thread; loading runs on its own thread.
 */
public final class GroupCoordinatorService implements MetadataListener, CoordinatorRecordLog, AutoCloseable {
    public static final String OFFSETS_TOPIC = "__consumer_offsets";
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinatorService.class);
    private static final int LOAD_READ_BYTES = 1024 * 1024;

    private final int nodeId;
    private final ReplicaManager replicas;
    private final Clock clock;
    private final GroupCoordinator coordinator;
    private final WheelTimer timer = new WheelTimer();
    private final ExecutorService loader = Executors.newSingleThreadExecutor(
            new DefaultThreadFactory("spool-group-loader", true));
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(
            new DefaultThreadFactory("spool-offset-expiry", true));
    private final Set<Integer> hosted = new HashSet<>();
    private volatile TopicsMetadata topics = TopicsMetadata.of(List.of());
    private boolean active;

    public GroupCoordinatorService(ServerConfig config, ReplicaManager replicas, Clock clock) {
        this.nodeId = config.nodeId();
        this.replicas = replicas;
        this.clock = clock;
        GroupCoordinatorConfig defaults = GroupCoordinatorConfig.defaults();
        GroupCoordinatorConfig settings = new GroupCoordinatorConfig(
                config.getInt("offsets.topic.num.partitions"),
                config.getInt("group.min.session.timeout.ms"),
                config.getInt("group.max.session.timeout.ms"),
                config.getInt("group.initial.rebalance.delay.ms"),
                defaults.classicMaxSize(), defaults.newMemberJoinTimeoutMs(), defaults.offsetMetadataMaxBytes(),
                config.getInt("offsets.retention.minutes") * 60_000L,
                config.getInt("group.consumer.session.timeout.ms"),
                config.getInt("group.consumer.heartbeat.interval.ms"),
                defaults.consumerMaxSize(), defaults.consumerDefaultAssignor());
        this.coordinator = new GroupCoordinator(settings, this, timer, clock, new Random(), () -> topics);
        long interval = config.getLong("offsets.retention.check.interval.ms");
        expiry.scheduleWithFixedDelay(() -> coordinator.expireOffsets(clock.millis()), interval, interval,
                TimeUnit.MILLISECONDS);
    }

    public GroupCoordinator coordinator() {
        return coordinator;
    }

    public int partitionFor(String groupId) {
        return coordinator.partitionFor(groupId);
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
        List<TopicInfo> infos = new ArrayList<>();
        for (TopicImage t : image.topics().all()) {
            infos.add(new TopicInfo(t.name(), t.id(), t.partitions().size()));
        }
        topics = TopicsMetadata.of(infos);
        Set<Integer> led = new HashSet<>();
        Optional<TopicImage> offsets = image.topics().byName(OFFSETS_TOPIC);
        if (offsets.isPresent()) {
            for (PartitionRecord p : offsets.get().partitions().values()) {
                if (p.leader() == nodeId) {
                    led.add(p.partition());
                }
            }
        }
        for (int partition : led) {
            if (hosted.add(partition)) {
                loader.execute(() -> load(partition));
            }
        }
        for (int partition : Set.copyOf(hosted)) {
            if (!led.contains(partition)) {
                hosted.remove(partition);
                loader.execute(() -> coordinator.unloadPartition(partition));
            }
        }
    }

    /**
     * Replays a partition's records, from log start to the log end, into the coordinator. The log end, not the high
     * watermark: a new leader was in the ISR, so it holds every committed record, but it learns the high watermark
     * only as its followers fetch; the records past it are kept by the new leader and become committed.
     */
    private void load(int partition) {
        long start = System.nanoTime();
        Optional<Partition> p = replicas.partition(new TopicPartition(OFFSETS_TOPIC, partition));
        if (p.isEmpty()) {
            LOG.warn("Cannot load {}-{}: this node hosts no such partition", OFFSETS_TOPIC, partition);
            return;
        }
        PartitionLog log = p.get().log();
        List<CoordinatorRecord> records = new ArrayList<>();
        long offset = log.logStartOffset();
        long end = log.logEndOffset();
        while (offset < end) {
            LogReadResult read = log.read(offset, LOAD_READ_BYTES, end, true);
            if (read.error() != Errors.NONE || read.records().sizeInBytes() == 0) {
                break;
            }
            ByteBuffer buffer = ByteBuffer.allocate(read.records().sizeInBytes());
            try {
                read.records().readFully(buffer);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            buffer.flip();
            for (RecordBatch batch : MemoryRecords.readableRecords(buffer).batches()) {
                for (Record record : batch) {
                    if (record.hasKey()) {
                        records.add(new CoordinatorRecord(Utils.toArray(record.key()),
                                record.hasValue() ? Utils.toArray(record.value()) : null));
                    }
                }
                offset = batch.nextOffset();
            }
        }
        coordinator.loadPartition(partition, records);
        LOG.info("Loaded {} records of {}-{} in {} ms", records.size(), OFFSETS_TOPIC, partition,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<CoordinatorRecord> records) {
        Optional<Partition> p = replicas.partition(new TopicPartition(OFFSETS_TOPIC, partition));
        if (p.isEmpty() || p.get().leaderId() != nodeId) {
            return CompletableFuture.failedFuture(new NotLeaderOrFollowerException(
                    "This node does not lead " + OFFSETS_TOPIC + "-" + partition));
        }
        int size = 64;
        for (CoordinatorRecord r : records) {
            size += 32 + r.key().length + (r.value() == null ? 0 : r.value().length);
        }
        long now = clock.millis();
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(size), Compression.NONE,
                TimestampType.CREATE_TIME, 0L);
        for (CoordinatorRecord r : records) {
            builder.append(now, r.key(), r.value());
        }
        return replicas.append(p.get(), builder.build()).thenApply(result -> {
            if (result.error() != Errors.NONE) {
                throw result.error().exception(result.errorMessage());
            }
            return null;
        });
    }

    @Override
    public void close() {
        expiry.shutdownNow();
        loader.shutdownNow();
        timer.close();
    }
}

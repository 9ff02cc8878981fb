package io.spool.broker.group;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.spool.broker.ServerConfig;
import io.spool.broker.replica.ReplicaManager;
import io.spool.coordinator.GroupCoordinator;
import io.spool.coordinator.GroupCoordinatorConfig;
import io.spool.coordinator.TopicInfo;
import io.spool.coordinator.TopicsMetadata;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.TopicImage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Hosts the group coordinator on this broker over the partitions of {@code __consumer_offsets} this node leads
 * (see {@link CoordinatorPartitions}), and expires old offsets.
 */
public final class GroupCoordinatorService implements AutoCloseable {
    public static final String OFFSETS_TOPIC = "__consumer_offsets";

    private final GroupCoordinator coordinator;
    private final CoordinatorPartitions partitions;
    private final CoordinatorScheduler timer = new CoordinatorScheduler("spool-group-timer");
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(
            new DefaultThreadFactory("spool-offset-expiry", true));
    private volatile TopicsMetadata topics = TopicsMetadata.of(List.of());

    public GroupCoordinatorService(ServerConfig config, ReplicaManager replicas, Clock clock) {
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
        this.partitions = new CoordinatorPartitions(OFFSETS_TOPIC, config.nodeId(), replicas, clock,
                new CoordinatorPartitions.Host() {
                    @Override
                    public void load(int partition, int leaderEpoch, CoordinatorLogReplay.Result replay) {
                        coordinator().loadPartition(partition, replay.records(), replay.openTransactions());
                    }

                    @Override
                    public void unload(int partition) {
                        coordinator().unloadPartition(partition);
                    }
                });
        partitions.onEachImage(this::refreshTopics);
        this.coordinator = new GroupCoordinator(settings, partitions, timer, clock, new Random(), () -> topics);
        long interval = config.getLong("offsets.retention.check.interval.ms");
        expiry.scheduleWithFixedDelay(() -> coordinator.expireOffsets(clock.millis()), interval, interval,
                TimeUnit.MILLISECONDS);
    }

    public GroupCoordinator coordinator() {
        return coordinator;
    }

    /** What follows the metadata: register it with the quorum. */
    public CoordinatorPartitions partitions() {
        return partitions;
    }

    public int partitionFor(String groupId) {
        return coordinator.partitionFor(groupId);
    }

    /** Starts following the metadata once the start-up replay is complete (see ReplicaManager#activate). */
    public void activate(MetadataImage image) {
        partitions.activate(image);
    }

    private void refreshTopics(MetadataImage image) {
        List<TopicInfo> infos = new ArrayList<>();
        for (TopicImage t : image.topics().all()) {
            infos.add(new TopicInfo(t.name(), t.id(), t.partitions().size()));
        }
        topics = TopicsMetadata.of(infos);
    }

    @Override
    public void close() {
        expiry.shutdownNow();
        partitions.close();
        timer.close();
    }
}

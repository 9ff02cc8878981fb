package io.spool.coordinator;

/**
 * Settings of the group coordinator, named after Apache Kafka's broker properties.
 *
 * @param offsetsTopicPartitions       {@code offsets.topic.num.partitions}: partitions of {@code __consumer_offsets}
 * @param classicMinSessionTimeoutMs   {@code group.min.session.timeout.ms}
 * @param classicMaxSessionTimeoutMs   {@code group.max.session.timeout.ms}
 * @param initialRebalanceDelayMs      {@code group.initial.rebalance.delay.ms}
 * @param classicMaxSize               {@code group.max.size}
 * @param newMemberJoinTimeoutMs       how long a new classic member may take to rejoin before it is dropped
 * @param offsetMetadataMaxBytes       {@code offset.metadata.max.bytes}
 * @param offsetsRetentionMs           {@code offsets.retention.minutes}, in ms
 * @param consumerSessionTimeoutMs     {@code group.consumer.session.timeout.ms}
 * @param consumerHeartbeatIntervalMs  {@code group.consumer.heartbeat.interval.ms}
 * @param consumerMaxSize              {@code group.consumer.max.size}
 * @param consumerDefaultAssignor      the server assignor of a consumer group whose members name none
 */
public record GroupCoordinatorConfig(
    int offsetsTopicPartitions,
    int classicMinSessionTimeoutMs,
    int classicMaxSessionTimeoutMs,
    int initialRebalanceDelayMs,
    int classicMaxSize,
    int newMemberJoinTimeoutMs,
    int offsetMetadataMaxBytes,
    long offsetsRetentionMs,
    int consumerSessionTimeoutMs,
    int consumerHeartbeatIntervalMs,
    int consumerMaxSize,
    String consumerDefaultAssignor
) {

    public GroupCoordinatorConfig {
        if (offsetsTopicPartitions <= 0) {
            throw new IllegalArgumentException("offsets.topic.num.partitions must be positive");
        }
        if (!Assignors.NAMES.contains(consumerDefaultAssignor)) {
            throw new IllegalArgumentException("unknown assignor " + consumerDefaultAssignor);
        }
    }

    public static GroupCoordinatorConfig defaults() {
        return new GroupCoordinatorConfig(50, 6_000, 1_800_000, 3_000, Integer.MAX_VALUE, 5 * 60_000, 4096,
            7L * 24 * 3600 * 1000, 45_000, 5_000, Integer.MAX_VALUE, Assignors.UNIFORM);
    }

    public GroupCoordinatorConfig withOffsetsTopicPartitions(int n) {
        return new GroupCoordinatorConfig(n, classicMinSessionTimeoutMs, classicMaxSessionTimeoutMs,
            initialRebalanceDelayMs, classicMaxSize, newMemberJoinTimeoutMs, offsetMetadataMaxBytes,
            offsetsRetentionMs, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, consumerMaxSize,
            consumerDefaultAssignor);
    }

    public GroupCoordinatorConfig withInitialRebalanceDelayMs(int ms) {
        return new GroupCoordinatorConfig(offsetsTopicPartitions, classicMinSessionTimeoutMs,
            classicMaxSessionTimeoutMs, ms, classicMaxSize, newMemberJoinTimeoutMs, offsetMetadataMaxBytes,
            offsetsRetentionMs, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, consumerMaxSize,
            consumerDefaultAssignor);
    }

    public GroupCoordinatorConfig withClassicMaxSize(int max) {
        return new GroupCoordinatorConfig(offsetsTopicPartitions, classicMinSessionTimeoutMs,
            classicMaxSessionTimeoutMs, initialRebalanceDelayMs, max, newMemberJoinTimeoutMs, offsetMetadataMaxBytes,
            offsetsRetentionMs, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, consumerMaxSize,
            consumerDefaultAssignor);
    }

    public GroupCoordinatorConfig withOffsetsRetentionMs(long ms) {
        return new GroupCoordinatorConfig(offsetsTopicPartitions, classicMinSessionTimeoutMs,
            classicMaxSessionTimeoutMs, initialRebalanceDelayMs, classicMaxSize, newMemberJoinTimeoutMs,
            offsetMetadataMaxBytes, ms, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, consumerMaxSize,
            consumerDefaultAssignor);
    }

    public GroupCoordinatorConfig withConsumerSessionTimeoutMs(int ms) {
        return new GroupCoordinatorConfig(offsetsTopicPartitions, classicMinSessionTimeoutMs,
            classicMaxSessionTimeoutMs, initialRebalanceDelayMs, classicMaxSize, newMemberJoinTimeoutMs,
            offsetMetadataMaxBytes, offsetsRetentionMs, ms, consumerHeartbeatIntervalMs, consumerMaxSize,
            consumerDefaultAssignor);
    }
}

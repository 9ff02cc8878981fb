package io.spool.metadata;

import java.util.Map;

/**
 * What the controller needs from the server configuration.
 *
 * @param defaultPartitions        {@code num.partitions}: partitions of a topic created with -1
 * @param defaultReplicationFactor {@code default.replication.factor}: replicas of a topic created with -1
 * @param deleteTopicEnable        {@code delete.topic.enable}
 * @param brokerConfigs            the broker's static configs by Kafka name (e.g. {@code log.retention.ms}); topic
 *                                 configs fall back to their broker synonyms here
 */
public record ControllerSettings(int defaultPartitions, short defaultReplicationFactor, boolean deleteTopicEnable,
        Map<String, String> brokerConfigs) {

    public ControllerSettings {
        brokerConfigs = Map.copyOf(brokerConfigs);
    }

    /** Kafka's defaults: one partition, one replica, deletion enabled, no broker overrides. */
    public static ControllerSettings defaults() {
        return new ControllerSettings(1, (short) 1, true, Map.of());
    }

    public ControllerSettings withDefaultPartitions(int partitions) {
        return new ControllerSettings(partitions, defaultReplicationFactor, deleteTopicEnable, brokerConfigs);
    }

    public ControllerSettings withDefaultReplicationFactor(short replicationFactor) {
        return new ControllerSettings(defaultPartitions, replicationFactor, deleteTopicEnable, brokerConfigs);
    }

    public ControllerSettings withDeleteTopicEnable(boolean enable) {
        return new ControllerSettings(defaultPartitions, defaultReplicationFactor, enable, brokerConfigs);
    }

    public ControllerSettings withBrokerConfigs(Map<String, String> configs) {
        return new ControllerSettings(defaultPartitions, defaultReplicationFactor, deleteTopicEnable, configs);
    }
}

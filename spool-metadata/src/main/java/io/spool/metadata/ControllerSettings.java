package io.spool.metadata;

import java.util.Map;

/**
 * What the controller needs from the server configuration.
 *
 * @param defaultPartitions                  {@code num.partitions}: partitions of a topic created with -1
 * @param defaultReplicationFactor           {@code default.replication.factor}: replicas of a topic created with -1
 * @param deleteTopicEnable                  {@code delete.topic.enable}
 * @param brokerConfigs                      the broker's static configs by Kafka name (e.g.
 *                                           {@code log.retention.ms}); topic configs fall back to their broker
 *                                           synonyms here
 * @param clusterId                          the id every registering broker must name, or null to accept any
 * @param brokerSessionTimeoutMs             {@code broker.session.timeout.ms}: an unfenced broker not heard from
 *                                           for longer is fenced
 * @param sessionCheckIntervalMs             how often the active controller looks for expired sessions; 0 for never
 *                                           (tests run the check themselves)
 * @param autoLeaderRebalanceEnable          {@code auto.leader.rebalance.enable}: the active controller moves
 *                                           leadership back to preferred replicas
 * @param leaderImbalanceCheckIntervalMs     {@code leader.imbalance.check.interval.seconds} in milliseconds: how
 *                                           often it looks; 0 for never (tests run the check themselves)
 * @param leaderImbalancePerBrokerPercentage {@code leader.imbalance.per.broker.percentage}: the share of a broker's
 *                                           preferred partitions that it may not lead before they are rebalanced
 */
public record ControllerSettings(int defaultPartitions, short defaultReplicationFactor, boolean deleteTopicEnable,
        Map<String, String> brokerConfigs, String clusterId, long brokerSessionTimeoutMs,
        long sessionCheckIntervalMs, boolean autoLeaderRebalanceEnable, long leaderImbalanceCheckIntervalMs,
        int leaderImbalancePerBrokerPercentage) {

    /** Kafka's {@code broker.session.timeout.ms} default. */
    public static final long DEFAULT_BROKER_SESSION_TIMEOUT_MS = 9000;
    public static final long DEFAULT_SESSION_CHECK_INTERVAL_MS = 250;
    /** Kafka's {@code leader.imbalance.check.interval.seconds} default, 300 s. */
    public static final long DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL_MS = 300_000;
    /** Kafka's {@code leader.imbalance.per.broker.percentage} default. */
    public static final int DEFAULT_LEADER_IMBALANCE_PER_BROKER_PERCENTAGE = 10;

    public ControllerSettings {
        brokerConfigs = Map.copyOf(brokerConfigs);
        if (brokerSessionTimeoutMs <= 0) {
            throw new IllegalArgumentException("Broker session timeout must be positive: " + brokerSessionTimeoutMs);
        }
        if (sessionCheckIntervalMs < 0) {
            throw new IllegalArgumentException("Session check interval must not be negative: "
                    + sessionCheckIntervalMs);
        }
        if (leaderImbalanceCheckIntervalMs < 0) {
            throw new IllegalArgumentException("Leader imbalance check interval must not be negative: "
                    + leaderImbalanceCheckIntervalMs);
        }
        if (leaderImbalancePerBrokerPercentage < 0 || leaderImbalancePerBrokerPercentage > 100) {
            throw new IllegalArgumentException("Leader imbalance per broker percentage must be within [0, 100]: "
                    + leaderImbalancePerBrokerPercentage);
        }
    }

    /** Settings with Kafka's default leader rebalancing: enabled, every 300 s, above 10 %. */
    public ControllerSettings(int defaultPartitions, short defaultReplicationFactor, boolean deleteTopicEnable,
            Map<String, String> brokerConfigs, String clusterId, long brokerSessionTimeoutMs,
            long sessionCheckIntervalMs) {
        this(defaultPartitions, defaultReplicationFactor, deleteTopicEnable, brokerConfigs, clusterId,
                brokerSessionTimeoutMs, sessionCheckIntervalMs, true, DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL_MS,
                DEFAULT_LEADER_IMBALANCE_PER_BROKER_PERCENTAGE);
    }

    /** Settings that accept any cluster id, with the default session timeout, check interval and rebalancing. */
    public ControllerSettings(int defaultPartitions, short defaultReplicationFactor, boolean deleteTopicEnable,
            Map<String, String> brokerConfigs) {
        this(defaultPartitions, defaultReplicationFactor, deleteTopicEnable, brokerConfigs, null,
                DEFAULT_BROKER_SESSION_TIMEOUT_MS, DEFAULT_SESSION_CHECK_INTERVAL_MS);
    }

    /** Kafka's defaults: one partition, one replica, deletion enabled, no broker overrides, 9 s sessions. */
    public static ControllerSettings defaults() {
        return new ControllerSettings(1, (short) 1, true, Map.of());
    }

    public ControllerSettings withDefaultPartitions(int partitions) {
        return new ControllerSettings(partitions, defaultReplicationFactor, deleteTopicEnable, brokerConfigs,
                clusterId, brokerSessionTimeoutMs, sessionCheckIntervalMs, autoLeaderRebalanceEnable,
                leaderImbalanceCheckIntervalMs, leaderImbalancePerBrokerPercentage);
    }

    public ControllerSettings withDefaultReplicationFactor(short replicationFactor) {
        return new ControllerSettings(defaultPartitions, replicationFactor, deleteTopicEnable, brokerConfigs,
                clusterId, brokerSessionTimeoutMs, sessionCheckIntervalMs, autoLeaderRebalanceEnable,
                leaderImbalanceCheckIntervalMs, leaderImbalancePerBrokerPercentage);
    }

    public ControllerSettings withDeleteTopicEnable(boolean enable) {
        return new ControllerSettings(defaultPartitions, defaultReplicationFactor, enable, brokerConfigs,
                clusterId, brokerSessionTimeoutMs, sessionCheckIntervalMs, autoLeaderRebalanceEnable,
                leaderImbalanceCheckIntervalMs, leaderImbalancePerBrokerPercentage);
    }

    public ControllerSettings withBrokerConfigs(Map<String, String> configs) {
        return new ControllerSettings(defaultPartitions, defaultReplicationFactor, deleteTopicEnable, configs,
                clusterId, brokerSessionTimeoutMs, sessionCheckIntervalMs, autoLeaderRebalanceEnable,
                leaderImbalanceCheckIntervalMs, leaderImbalancePerBrokerPercentage);
    }

    public ControllerSettings withClusterId(String id) {
        return new ControllerSettings(defaultPartitions, defaultReplicationFactor, deleteTopicEnable, brokerConfigs,
                id, brokerSessionTimeoutMs, sessionCheckIntervalMs, autoLeaderRebalanceEnable,
                leaderImbalanceCheckIntervalMs, leaderImbalancePerBrokerPercentage);
    }

    public ControllerSettings withBrokerSessionTimeoutMs(long timeoutMs) {
        return new ControllerSettings(defaultPartitions, defaultReplicationFactor, deleteTopicEnable, brokerConfigs,
                clusterId, timeoutMs, sessionCheckIntervalMs, autoLeaderRebalanceEnable,
                leaderImbalanceCheckIntervalMs, leaderImbalancePerBrokerPercentage);
    }

    public ControllerSettings withSessionCheckIntervalMs(long intervalMs) {
        return new ControllerSettings(defaultPartitions, defaultReplicationFactor, deleteTopicEnable, brokerConfigs,
                clusterId, brokerSessionTimeoutMs, intervalMs, autoLeaderRebalanceEnable,
                leaderImbalanceCheckIntervalMs, leaderImbalancePerBrokerPercentage);
    }

    public ControllerSettings withAutoLeaderRebalanceEnable(boolean enable) {
        return new ControllerSettings(defaultPartitions, defaultReplicationFactor, deleteTopicEnable, brokerConfigs,
                clusterId, brokerSessionTimeoutMs, sessionCheckIntervalMs, enable, leaderImbalanceCheckIntervalMs,
                leaderImbalancePerBrokerPercentage);
    }

    public ControllerSettings withLeaderImbalanceCheckIntervalMs(long intervalMs) {
        return new ControllerSettings(defaultPartitions, defaultReplicationFactor, deleteTopicEnable, brokerConfigs,
                clusterId, brokerSessionTimeoutMs, sessionCheckIntervalMs, autoLeaderRebalanceEnable, intervalMs,
                leaderImbalancePerBrokerPercentage);
    }

    public ControllerSettings withLeaderImbalancePerBrokerPercentage(int percentage) {
        return new ControllerSettings(defaultPartitions, defaultReplicationFactor, deleteTopicEnable, brokerConfigs,
                clusterId, brokerSessionTimeoutMs, sessionCheckIntervalMs, autoLeaderRebalanceEnable,
                leaderImbalanceCheckIntervalMs, percentage);
    }
}

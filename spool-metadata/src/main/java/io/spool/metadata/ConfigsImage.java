package io.spool.metadata;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Config overrides stored in the metadata log: per topic, and per broker (the broker id in decimal, or the empty
 * string for the cluster-wide broker default). Only explicitly set values are here; defaults come from
 * {@link TopicConfigs} and the broker's own configuration. Immutable.
 */
public final class ConfigsImage {
    public static final ConfigsImage EMPTY = new ConfigsImage(Map.of(), Map.of());

    private final Map<String, Map<String, String>> topics;
    private final Map<String, Map<String, String>> brokers;

    ConfigsImage(Map<String, Map<String, String>> topics, Map<String, Map<String, String>> brokers) {
        this.topics = freeze(topics);
        this.brokers = freeze(brokers);
    }

    private static Map<String, Map<String, String>> freeze(Map<String, Map<String, String>> configs) {
        Map<String, Map<String, String>> copy = new HashMap<>();
        configs.forEach((resource, values) -> {
            if (!values.isEmpty()) {
                copy.put(resource, Collections.unmodifiableMap(new HashMap<>(values)));
            }
        });
        return Collections.unmodifiableMap(copy);
    }

    /** The overrides of this topic; empty when none. */
    public Map<String, String> topicConfigs(String topic) {
        return topics.getOrDefault(topic, Map.of());
    }

    /** The overrides of this broker, or of the cluster-wide default for {@code ""}; empty when none. */
    public Map<String, String> brokerConfigs(String brokerIdOrEmptyForDefault) {
        return brokers.getOrDefault(brokerIdOrEmptyForDefault, Map.of());
    }

    Map<String, Map<String, String>> allTopicConfigs() {
        return topics;
    }

    Map<String, Map<String, String>> allBrokerConfigs() {
        return brokers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigsImage other && topics.equals(other.topics) && brokers.equals(other.brokers);
    }

    @Override
    public int hashCode() {
        return topics.hashCode() * 31 + brokers.hashCode();
    }

    @Override
    public String toString() {
        return "ConfigsImage(topics=" + topics + ", brokers=" + brokers + ")";
    }
}

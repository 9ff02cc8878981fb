package io.spool.metadata;

import java.util.List;
import java.util.Map;

/**
 * One topic of a CreateTopics request.
 *
 * @param numPartitions     -1 for the default
 * @param replicationFactor -1 for the default
 * @param assignments       manual replica assignment by partition index; empty for automatic placement (then both
 *                          counts must be -1)
 */
public record CreateTopicSpec(String name, int numPartitions, short replicationFactor,
        Map<Integer, List<Integer>> assignments, Map<String, String> configs) {

    public CreateTopicSpec {
        assignments = assignments == null ? Map.of() : assignments;
        configs = configs == null ? Map.of() : configs;
    }

    /** A topic with these counts, automatic placement and no config overrides. */
    public static CreateTopicSpec of(String name, int numPartitions, int replicationFactor) {
        return new CreateTopicSpec(name, numPartitions, (short) replicationFactor, Map.of(), Map.of());
    }

    public CreateTopicSpec withConfigs(Map<String, String> newConfigs) {
        return new CreateTopicSpec(name, numPartitions, replicationFactor, assignments, newConfigs);
    }
}

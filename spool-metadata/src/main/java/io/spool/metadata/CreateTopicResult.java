package io.spool.metadata;

import java.util.Map;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * The outcome for one topic name of a CreateTopics request. On success, {@code configs} holds every topic config's
 * effective value; on error, the counts are -1 and the configs empty.
 */
public record CreateTopicResult(String name, Uuid topicId, Errors error, String message, int numPartitions,
        short replicationFactor, Map<String, String> configs) {

    static CreateTopicResult error(String name, Errors error, String message) {
        return new CreateTopicResult(name, Uuid.ZERO_UUID, error, message, -1, (short) -1, Map.of());
    }
}

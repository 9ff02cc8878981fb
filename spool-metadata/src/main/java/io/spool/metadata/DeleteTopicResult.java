package io.spool.metadata;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/** The outcome for one topic of a DeleteTopics request; {@code name} may be null and {@code id} zero if unknown. */
public record DeleteTopicResult(String name, Uuid id, Errors error, String message) {
}

package io.spool.metadata;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/** The outcome of a leader election for one partition; {@code message} is null on success. */
public record ElectLeaderResult(TopicPartition partition, Errors error, String message) {
}

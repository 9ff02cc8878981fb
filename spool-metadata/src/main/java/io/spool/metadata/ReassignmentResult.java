package io.spool.metadata;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/** The outcome of starting, replacing or cancelling one partition's reassignment; {@code message} null on success. */
public record ReassignmentResult(TopicPartition partition, Errors error, String message) {
}

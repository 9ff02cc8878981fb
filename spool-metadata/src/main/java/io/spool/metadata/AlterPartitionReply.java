package io.spool.metadata;

import org.apache.kafka.common.protocol.Errors;

/**
 * The controller's answer to an ISR change: the error, and the partition's state: the committed new state on
 * success, the current state on an error where the partition is known, else null.
 */
public record AlterPartitionReply(Errors error, PartitionRecord partition) {
}

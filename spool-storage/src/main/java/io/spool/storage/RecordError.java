package io.spool.storage;

/**
 * A record-level validation failure, as carried by ProduceResponse's {@code record_errors}.
 *
 * @param batchIndex the index of the offending record within its batch (Kafka's naming)
 * @param message    a human-readable reason, or null
 */
public record RecordError(int batchIndex, String message) {
}

package io.spool.metadata;

/**
 * A block of producer ids was handed to {@code brokerId}; {@code nextProducerId} is the first id of the next
 * block the controller may hand out.
 */
public record ProducerIdsRecord(int brokerId, long nextProducerId) implements MetadataRecord {
}

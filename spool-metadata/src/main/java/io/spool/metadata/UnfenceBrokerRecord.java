package io.spool.metadata;

/**
 * The broker with this id and registration epoch is unfenced: it has heartbeated since it registered and may lead
 * partitions and be placed on.
 */
public record UnfenceBrokerRecord(int brokerId, long brokerEpoch) implements MetadataRecord {
}

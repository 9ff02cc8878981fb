package io.spool.metadata;

/**
 * The broker with this id and registration epoch is fenced: it leads no partition and joins no ISR until it is
 * unfenced again. Written when its session expires, when it shuts down in a controlled way or asks to be fenced,
 * and before it registers again while unfenced.
 */
public record FenceBrokerRecord(int brokerId, long brokerEpoch) implements MetadataRecord {
}

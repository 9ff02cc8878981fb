package io.spool.storage;

/**
 * One aborted transaction as a fetch response lists it: the producer and the offset of the transaction's first
 * batch in this partition. A read_committed consumer drops that producer's transactional records from
 * {@code firstOffset} up to the producer's abort marker.
 */
public record AbortedTxn(long producerId, long firstOffset) {
}

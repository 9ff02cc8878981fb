package io.spool.metadata;

/** The producer ids {@code [firstProducerId, firstProducerId + size)}, owned by one broker. */
public record ProducerIdBlock(long firstProducerId, int size) {
    /** The last id of the block. */
    public long lastProducerId() {
        return firstProducerId + size - 1;
    }
}

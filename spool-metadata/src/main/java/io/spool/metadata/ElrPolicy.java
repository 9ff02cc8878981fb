package io.spool.metadata;

/**
 * Whether a topic's partitions keep eligible leader replicas (KIP-966), and the topic's {@code min.insync.replicas}
 * that decides when. Immutable.
 *
 * @param enabled whether {@code eligible.leader.replicas.version} is at least 1
 * @param minIsr  the topic's effective {@code min.insync.replicas} (topic override, else the cluster-wide dynamic
 *                config, else the static broker config, else 1)
 */
record ElrPolicy(boolean enabled, int minIsr) {
    /** ELR off: the ISR never becomes empty and no ELR is kept. */
    static final ElrPolicy DISABLED = new ElrPolicy(false, 1);

    /** Kafka's effective min ISR of a partition: never more than its replicas. */
    int effectiveMinIsr(PartitionRecord partition) {
        return Math.max(1, Math.min(minIsr, partition.replicas().size()));
    }
}

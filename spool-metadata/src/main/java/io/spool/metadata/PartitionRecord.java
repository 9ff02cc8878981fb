package io.spool.metadata;

import java.util.List;
import java.util.Objects;

import org.apache.kafka.common.Uuid;

/**
 * The full state of one partition: its replicas in preference order, the in-sync replicas, the leader
 * ({@code -1} when there is none), the two epochs, and the eligible leader replicas of KIP-966. A later record for
 * the same partition replaces it.
 *
 * <p>{@code elr} (Kafka's EligibleLeaderReplicas) holds replicas that left the ISR while it was smaller than
 * {@code min.insync.replicas}: since the high watermark cannot advance below that size, they hold every committed
 * record and may lead when the ISR is empty. It never shares a member with the ISR. {@code lastKnownElr} holds the
 * last leader of a partition that lost its leader with ELR enabled (Kafka's "last known leader", kept in the same
 * field), empty otherwise. See {@link PartitionChange} for the rules.
 */
public record PartitionRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader,
        int leaderEpoch, int partitionEpoch, List<Integer> elr, List<Integer> lastKnownElr)
        implements MetadataRecord {

    /** The leader value of a partition that has no leader. */
    public static final int NO_LEADER = -1;

    public PartitionRecord {
        Objects.requireNonNull(topicId, "topicId");
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        elr = List.copyOf(elr);
        lastKnownElr = List.copyOf(lastKnownElr);
    }

    /** A partition with no eligible leader replicas (as every partition was before KIP-966). */
    public PartitionRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader,
            int leaderEpoch, int partitionEpoch) {
        this(topicId, partition, replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of());
    }

    /** This partition with other eligible leader replicas and last known ELR. */
    public PartitionRecord withElr(List<Integer> newElr, List<Integer> newLastKnownElr) {
        return new PartitionRecord(topicId, partition, replicas, isr, leader, leaderEpoch, partitionEpoch, newElr,
                newLastKnownElr);
    }
}

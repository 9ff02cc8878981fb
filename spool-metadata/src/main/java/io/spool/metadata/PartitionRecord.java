package io.spool.metadata;

import java.util.List;
import java.util.Objects;

import org.apache.kafka.common.Uuid;

/**
 * The full state of one partition: its replicas in preference order, the in-sync replicas, the leader
 * ({@code -1} when there is none) and the two epochs. A later record for the same partition replaces it.
 */
public record PartitionRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader,
        int leaderEpoch, int partitionEpoch) implements MetadataRecord {

    /** The leader value of a partition that has no leader. */
    public static final int NO_LEADER = -1;

    public PartitionRecord {
        Objects.requireNonNull(topicId, "topicId");
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }
}

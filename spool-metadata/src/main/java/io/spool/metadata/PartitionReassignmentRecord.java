package io.spool.metadata;

import java.util.List;
import java.util.Objects;

import org.apache.kafka.common.Uuid;

/**
 * The ongoing reassignment of one partition (KIP-455): the replicas it is adding (not yet caught up) and the ones it
 * will remove once they have. Both are members of the partition's replica list, which holds the target replicas
 * first and the removing ones last; the original assignment is the replicas without {@code adding}, the target the
 * replicas without {@code removing}. Written after the {@link PartitionRecord} it describes, in the same batch. Two
 * empty lists mean that no reassignment is in progress (one was completed or cancelled). A later record for the
 * same partition replaces it; removing the topic removes it.
 */
public record PartitionReassignmentRecord(Uuid topicId, int partition, List<Integer> adding, List<Integer> removing)
        implements MetadataRecord {

    public PartitionReassignmentRecord {
        Objects.requireNonNull(topicId, "topicId");
        adding = List.copyOf(adding);
        removing = List.copyOf(removing);
    }

    /** The record that ends the partition's reassignment. */
    static PartitionReassignmentRecord cleared(Uuid topicId, int partition) {
        return new PartitionReassignmentRecord(topicId, partition, List.of(), List.of());
    }

    /** Whether this record describes a reassignment in progress (as opposed to ending one). */
    public boolean inProgress() {
        return !adding.isEmpty() || !removing.isEmpty();
    }
}

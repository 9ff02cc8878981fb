package io.spool.metadata;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;

/**
 * One topic as of an image: its name, id, partitions by index (iterated in index order) and the reassignments in
 * progress by partition index (only partitions being reassigned have one). Immutable.
 */
public record TopicImage(String name, Uuid id, Map<Integer, PartitionRecord> partitions,
        Map<Integer, PartitionReassignmentRecord> reassignments) {

    public TopicImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        partitions = Collections.unmodifiableMap(new TreeMap<>(partitions));
        reassignments = reassignments == null || reassignments.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new TreeMap<>(reassignments));
    }

    /** A topic none of whose partitions is being reassigned. */
    public TopicImage(String name, Uuid id, Map<Integer, PartitionRecord> partitions) {
        this(name, id, partitions, Map.of());
    }

    /** The partition with this index, or null. */
    public PartitionRecord partition(int index) {
        return partitions.get(index);
    }

    /** The reassignment in progress of the partition with this index, if there is one. */
    public Optional<Reassignment> reassignment(int index) {
        PartitionReassignmentRecord record = reassignments.get(index);
        PartitionRecord partition = partitions.get(index);
        if (record == null || partition == null) {
            return Optional.empty();
        }
        return Optional.of(new Reassignment(partition.replicas(), record.adding(), record.removing()));
    }
}

package io.spool.metadata;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;

/** One topic as of an image: its name, id and partitions by index (iterated in index order). Immutable. */
public record TopicImage(String name, Uuid id, Map<Integer, PartitionRecord> partitions) {
    public TopicImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        partitions = Collections.unmodifiableMap(new TreeMap<>(partitions));
    }

    /** The partition with this index, or null. */
    public PartitionRecord partition(int index) {
        return partitions.get(index);
    }
}

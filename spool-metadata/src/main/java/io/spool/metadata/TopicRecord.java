package io.spool.metadata;

import java.util.Objects;

import org.apache.kafka.common.Uuid;

/** A topic was created with this name and id; its partitions follow as {@link PartitionRecord}s. */
public record TopicRecord(String name, Uuid topicId) implements MetadataRecord {
    public TopicRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topicId, "topicId");
    }
}

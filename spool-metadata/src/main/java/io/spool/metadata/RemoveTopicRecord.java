package io.spool.metadata;

import java.util.Objects;

import org.apache.kafka.common.Uuid;

/** The topic with this id was deleted, with its partitions and its topic-level configs. */
public record RemoveTopicRecord(Uuid topicId) implements MetadataRecord {
    public RemoveTopicRecord {
        Objects.requireNonNull(topicId, "topicId");
    }
}

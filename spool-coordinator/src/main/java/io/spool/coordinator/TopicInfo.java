package io.spool.coordinator;

import java.util.Objects;
import org.apache.kafka.common.Uuid;

/** What the coordinator needs to know of a topic: its name, id and partition count. */
public record TopicInfo(String name, Uuid id, int partitions) {

    public TopicInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
    }
}

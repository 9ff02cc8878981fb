package io.spool.coordinator;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * The topics of the cluster as the coordinator sees them: for topic ids in OffsetCommit/OffsetFetch v10 and for the
 * KIP-848 server-side assignors. The broker provides one per metadata image (cheap lookups); immutable.
 */
public interface TopicsMetadata {

    /** @return the topic, or null when there is none of that name */
    TopicInfo byName(String name);

    /** @return the topic, or null when there is none of that id */
    TopicInfo byId(Uuid id);

    Collection<TopicInfo> all();

    static TopicsMetadata of(List<TopicInfo> topics) {
        Map<String, TopicInfo> byName = new HashMap<>();
        Map<Uuid, TopicInfo> byId = new HashMap<>();
        for (TopicInfo t : topics) {
            byName.put(t.name(), t);
            byId.put(t.id(), t);
        }
        List<TopicInfo> all = List.copyOf(topics);
        return new TopicsMetadata() {
            @Override
            public TopicInfo byName(String name) {
                return byName.get(name);
            }

            @Override
            public TopicInfo byId(Uuid id) {
                return byId.get(id);
            }

            @Override
            public Collection<TopicInfo> all() {
                return all;
            }
        };
    }

    static TopicsMetadata empty() {
        return of(List.of());
    }
}

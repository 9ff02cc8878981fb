package io.spool.metadata;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.Uuid;

/**
 * All topics of an image, by name and by id. Immutable; {@link MetadataDelta} builds a new one (copying the maps,
 * which is linear in the number of topics, acceptable for the topic counts a metadata change touches today).
 */
public final class TopicsImage {
    public static final TopicsImage EMPTY = new TopicsImage(Map.of());

    private final Map<Uuid, TopicImage> byId;
    private final Map<String, TopicImage> byName;

    TopicsImage(Map<Uuid, TopicImage> byId) {
        this.byId = Collections.unmodifiableMap(new HashMap<>(byId));
        Map<String, TopicImage> names = new HashMap<>();
        for (TopicImage topic : byId.values()) {
            names.put(topic.name(), topic);
        }
        this.byName = Collections.unmodifiableMap(names);
    }

    public Optional<TopicImage> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Optional<TopicImage> byId(Uuid id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Collection<TopicImage> all() {
        return byId.values();
    }

    /** Topics by id, unmodifiable. */
    public Map<Uuid, TopicImage> topicsById() {
        return byId;
    }

    /** Topics by name, unmodifiable. */
    public Map<String, TopicImage> topicsByName() {
        return byName;
    }

    public int size() {
        return byId.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicsImage other && byId.equals(other.byId);
    }

    @Override
    public int hashCode() {
        return byId.hashCode();
    }

    @Override
    public String toString() {
        return "TopicsImage" + byName.keySet();
    }
}

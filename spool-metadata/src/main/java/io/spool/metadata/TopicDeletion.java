package io.spool.metadata;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Resolves the names and ids of one DeleteTopics request to the topics to delete, adding an error result for every
 * entry that cannot be deleted. Used by one controller operation, on the controller thread.
 */
final class TopicDeletion {
    private final TopicsImage topics;
    private final List<DeleteTopicResult> results;
    private final Map<Uuid, String> toDelete = new LinkedHashMap<>();

    TopicDeletion(TopicsImage topics, List<DeleteTopicResult> results) {
        this.topics = topics;
        this.results = results;
    }

    void resolve(List<String> names, List<Uuid> ids) {
        Set<String> duplicateNames = duplicates(names);
        Set<Uuid> duplicateIds = duplicates(ids);
        Set<Uuid> seenIds = new HashSet<>();
        for (Uuid id : ids) {
            if (id == null || id.equals(Uuid.ZERO_UUID)) {
                error(null, Uuid.ZERO_UUID, Errors.INVALID_REQUEST, "Neither topic name nor id were specified.");
            } else if (duplicateIds.contains(id)) {
                if (seenIds.add(id)) {
                    error(null, id, Errors.INVALID_REQUEST, "Duplicate topic id.");
                }
            } else {
                seenIds.add(id);
                topics.byId(id).ifPresentOrElse(t -> toDelete.put(id, t.name()),
                        () -> error(null, id, Errors.UNKNOWN_TOPIC_ID, Errors.UNKNOWN_TOPIC_ID.message()));
            }
        }
        Set<String> seenNames = new HashSet<>();
        for (String name : names) {
            if (name == null) {
                error(null, Uuid.ZERO_UUID, Errors.INVALID_REQUEST, "Invalid null topic name.");
            } else if (duplicateNames.contains(name)) {
                if (seenNames.add(name)) {
                    error(name, Uuid.ZERO_UUID, Errors.INVALID_REQUEST, "Duplicate topic name.");
                }
            } else {
                resolveName(name, duplicateIds);
            }
        }
    }

    private void resolveName(String name, Set<Uuid> duplicateIds) {
        TopicImage topic = topics.byName(name).orElse(null);
        if (topic == null) {
            error(name, Uuid.ZERO_UUID, Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
        } else if (toDelete.containsKey(topic.id()) || duplicateIds.contains(topic.id())) {
            if (toDelete.remove(topic.id()) != null) {
                error(null, topic.id(), Errors.INVALID_REQUEST,
                        "The provided topic name maps to an ID that was already supplied.");
            }
            error(name, topic.id(), Errors.INVALID_REQUEST,
                    "The provided topic name maps to an ID that was already supplied.");
        } else {
            toDelete.put(topic.id(), name);
        }
    }

    private void error(String name, Uuid id, Errors error, String message) {
        results.add(new DeleteTopicResult(name, id, error, message));
    }

    private static <T> Set<T> duplicates(List<T> values) {
        Set<T> seen = new HashSet<>();
        Set<T> duplicates = new HashSet<>();
        for (T value : values) {
            if (value != null && !seen.add(value)) {
                duplicates.add(value);
            }
        }
        return duplicates;
    }

    /** The topics to delete: id to name. */
    Map<Uuid, String> toDelete() {
        return toDelete;
    }
}

package io.spool.coordinator;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Committed offsets of the groups of one shard, plus the count of commits in flight per partition (written but not
 * yet durable), which {@code requireStable} fetches treat as unstable. Guarded by the coordinator lock.
 */
final class OffsetStore {

    private final Map<String, Map<TopicPartition, CoordinatorRecordSerde.OffsetValue>> committed = new HashMap<>();
    private final Map<String, Map<TopicPartition, Integer>> pending = new HashMap<>();

    void put(String group, TopicPartition tp, CoordinatorRecordSerde.OffsetValue value) {
        committed.computeIfAbsent(group, g -> new TreeMap<>(OffsetStore::compare)).put(tp, value);
    }

    void remove(String group, TopicPartition tp) {
        Map<TopicPartition, CoordinatorRecordSerde.OffsetValue> m = committed.get(group);
        if (m != null) {
            m.remove(tp);
            if (m.isEmpty()) {
                committed.remove(group);
            }
        }
    }

    void removeGroup(String group) {
        committed.remove(group);
    }

    /** @return the group's offsets, sorted by topic and partition; empty when none */
    Map<TopicPartition, CoordinatorRecordSerde.OffsetValue> offsets(String group) {
        return committed.getOrDefault(group, Map.of());
    }

    CoordinatorRecordSerde.OffsetValue offset(String group, TopicPartition tp) {
        return offsets(group).get(tp);
    }

    Iterable<String> groups() {
        return committed.keySet();
    }

    void addPending(String group, TopicPartition tp) {
        pending.computeIfAbsent(group, g -> new HashMap<>()).merge(tp, 1, Integer::sum);
    }

    void removePending(String group, TopicPartition tp) {
        Map<TopicPartition, Integer> m = pending.get(group);
        if (m != null && m.merge(tp, -1, Integer::sum) <= 0) {
            m.remove(tp);
            if (m.isEmpty()) {
                pending.remove(group);
            }
        }
    }

    boolean hasPending(String group, TopicPartition tp) {
        Map<TopicPartition, Integer> m = pending.get(group);
        return m != null && m.containsKey(tp);
    }

    boolean hasPending(String group) {
        return pending.containsKey(group);
    }

    Map<String, Map<TopicPartition, CoordinatorRecordSerde.OffsetValue>> snapshot() {
        Map<String, Map<TopicPartition, CoordinatorRecordSerde.OffsetValue>> out = new TreeMap<>();
        committed.forEach((g, m) -> {
            TreeMap<TopicPartition, CoordinatorRecordSerde.OffsetValue> copy = new TreeMap<>(OffsetStore::compare);
            copy.putAll(m);
            out.put(g, copy);
        });
        return out;
    }

    static int compare(TopicPartition a, TopicPartition b) {
        int c = a.topic().compareTo(b.topic());
        return c != 0 ? c : Integer.compare(a.partition(), b.partition());
    }
}

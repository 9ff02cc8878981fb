package io.spool.coordinator;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import org.apache.kafka.common.Uuid;

/**
 * An immutable set of partitions by topic id, sorted (so that records and tests are deterministic). Topics with no
 * partitions are never kept. Used for KIP-848 assignments: current, target, pending revocation.
 */
public record Assignment(Map<Uuid, SortedSet<Integer>> partitions) {

    private static final Assignment EMPTY = new Assignment(Map.of());

    public Assignment {
        TreeMap<Uuid, SortedSet<Integer>> copy = new TreeMap<>();
        partitions.forEach((topic, parts) -> {
            if (!parts.isEmpty()) {
                copy.put(topic, Collections.unmodifiableSortedSet(new TreeSet<>(parts)));
            }
        });
        partitions = Collections.unmodifiableSortedMap(copy);
    }

    public static Assignment empty() {
        return EMPTY;
    }

    public static Assignment of(Map<Uuid, ? extends Set<Integer>> partitions) {
        TreeMap<Uuid, SortedSet<Integer>> m = new TreeMap<>();
        partitions.forEach((t, p) -> m.put(t, new TreeSet<>(p)));
        return new Assignment(m);
    }

    public boolean isEmpty() {
        return partitions.isEmpty();
    }

    public int size() {
        return partitions.values().stream().mapToInt(Set::size).sum();
    }

    public boolean contains(Uuid topic, int partition) {
        SortedSet<Integer> p = partitions.get(topic);
        return p != null && p.contains(partition);
    }

    public Assignment minus(Assignment other) {
        return filter((t, p) -> !other.contains(t, p));
    }

    public Assignment intersect(Assignment other) {
        return filter(other::contains);
    }

    public Assignment union(Assignment other) {
        TreeMap<Uuid, SortedSet<Integer>> m = new TreeMap<>();
        partitions.forEach((t, p) -> m.computeIfAbsent(t, k -> new TreeSet<>()).addAll(p));
        other.partitions.forEach((t, p) -> m.computeIfAbsent(t, k -> new TreeSet<>()).addAll(p));
        return new Assignment(m);
    }

    public Assignment filter(BiPredicate<Uuid, Integer> keep) {
        TreeMap<Uuid, SortedSet<Integer>> m = new TreeMap<>();
        partitions.forEach((t, parts) -> parts.forEach(p -> {
            if (keep.test(t, p)) {
                m.computeIfAbsent(t, k -> new TreeSet<>()).add(p);
            }
        }));
        return new Assignment(m);
    }
}

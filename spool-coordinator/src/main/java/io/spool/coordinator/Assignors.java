package io.spool.coordinator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The KIP-848 server-side assignors. Both are deterministic functions of (subscriptions, topics, previous target).
 * <ul>
 * <li>{@code uniform}: balances the partitions of the subscribed topics over the members subscribed to them (counts
 * differ by at most one where subscriptions are equal) and keeps partitions where they were when that stays
 * balanced.</li>
 * <li>{@code range}: per topic, contiguous ranges of partitions to the subscribed members in member id order (the
 * first {@code partitions % members} get one more), so equal-sized topics are co-partitioned.</li>
 * </ul>
 * Stateless and thread-safe.
 */
final class Assignors {

    static final String UNIFORM = "uniform";
    static final String RANGE = "range";
    static final Set<String> NAMES = Set.of(UNIFORM, RANGE);

    private Assignors() {
    }

    /**
     * @param subscriptions member id to the topics it subscribes to (resolved, existing topics only)
     * @param previous      the previous target, for stickiness
     */
    static Map<String, Assignment> assign(String assignor, SortedMap<String, Set<TopicInfo>> subscriptions,
                                          Map<String, Assignment> previous) {
        return RANGE.equals(assignor) ? range(subscriptions) : uniform(subscriptions, previous);
    }

    static Map<String, Assignment> range(SortedMap<String, Set<TopicInfo>> subscriptions) {
        Map<Uuid, List<String>> membersByTopic = new TreeMap<>();
        Map<Uuid, TopicInfo> topics = new HashMap<>();
        subscriptions.forEach((member, subscribed) -> subscribed.forEach(t -> {
            membersByTopic.computeIfAbsent(t.id(), k -> new ArrayList<>()).add(member);
            topics.put(t.id(), t);
        }));
        Map<String, Map<Uuid, Set<Integer>>> out = new TreeMap<>();
        subscriptions.keySet().forEach(m -> out.put(m, new TreeMap<>()));
        membersByTopic.forEach((topic, members) -> {
            int n = topics.get(topic).partitions();
            int per = n / members.size();
            int extra = n % members.size();
            int next = 0;
            for (int i = 0; i < members.size(); i++) {
                int count = per + (i < extra ? 1 : 0);
                Set<Integer> parts = new TreeSet<>();
                for (int p = next; p < next + count; p++) {
                    parts.add(p);
                }
                next += count;
                out.get(members.get(i)).put(topic, parts);
            }
        });
        Map<String, Assignment> result = new TreeMap<>();
        out.forEach((m, a) -> result.put(m, Assignment.of(a)));
        return result;
    }

    private record Partition(TopicInfo topic, int index) {
    }

    static Map<String, Assignment> uniform(SortedMap<String, Set<TopicInfo>> subscriptions,
                                           Map<String, Assignment> previous) {
        Map<Uuid, List<String>> eligible = new HashMap<>();
        subscriptions.forEach((m, topics) -> topics.forEach(t ->
            eligible.computeIfAbsent(t.id(), k -> new ArrayList<>()).add(m)));
        List<Partition> partitions = new ArrayList<>();
        Map<Uuid, TopicInfo> byId = new TreeMap<>();
        subscriptions.values().forEach(ts -> ts.forEach(t -> byId.put(t.id(), t)));
        byId.values().forEach(t -> {
            for (int p = 0; p < t.partitions(); p++) {
                partitions.add(new Partition(t, p));
            }
        });
        int members = (int) subscriptions.values().stream().filter(s -> !s.isEmpty()).count();
        int cap = members == 0 ? 0 : (partitions.size() + members - 1) / members;
        Map<String, Integer> load = new TreeMap<>();
        subscriptions.keySet().forEach(m -> load.put(m, 0));
        Map<Partition, String> owner = new HashMap<>();
        for (Partition p : partitions) {
            String prev = previousOwner(previous, p);
            if (prev != null && eligible.get(p.topic().id()).contains(prev) && load.get(prev) < cap) {
                owner.put(p, prev);
                load.merge(prev, 1, Integer::sum);
            }
        }
        for (Partition p : partitions) {
            if (!owner.containsKey(p)) {
                String best = leastLoaded(eligible.get(p.topic().id()), load, null);
                owner.put(p, best);
                load.merge(best, 1, Integer::sum);
            }
        }
        rebalance(partitions, eligible, load, owner);
        Map<String, Map<Uuid, Set<Integer>>> out = new TreeMap<>();
        subscriptions.keySet().forEach(m -> out.put(m, new TreeMap<>()));
        owner.forEach((p, m) -> out.get(m).computeIfAbsent(p.topic().id(), k -> new TreeSet<>()).add(p.index()));
        Map<String, Assignment> result = new TreeMap<>();
        out.forEach((m, a) -> result.put(m, Assignment.of(a)));
        return result;
    }

    /** Moves partitions from a member to an eligible one with at least two fewer, until no such move is left. */
    private static void rebalance(List<Partition> partitions, Map<Uuid, List<String>> eligible,
                                  Map<String, Integer> load, Map<Partition, String> owner) {
        boolean moved = true;
        for (int round = 0; moved && round < partitions.size() + 1; round++) {
            moved = false;
            for (Partition p : partitions) {
                String from = owner.get(p);
                String to = leastLoaded(eligible.get(p.topic().id()), load, from);
                if (to != null && load.get(from) - load.get(to) > 1) {
                    owner.put(p, to);
                    load.merge(from, -1, Integer::sum);
                    load.merge(to, 1, Integer::sum);
                    moved = true;
                }
            }
        }
    }

    private static String leastLoaded(List<String> candidates, Map<String, Integer> load, String except) {
        String best = null;
        for (String m : candidates) {
            if (!m.equals(except) && (best == null || load.get(m) < load.get(best)
                || (load.get(m).equals(load.get(best)) && m.compareTo(best) < 0))) {
                best = m;
            }
        }
        return best;
    }

    private static String previousOwner(Map<String, Assignment> previous, Partition p) {
        for (var e : previous.entrySet()) {
            if (e.getValue().contains(p.topic().id(), p.index())) {
                return e.getKey();
            }
        }
        return null;
    }
}

package io.spool.metadata;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.common.protocol.Errors;

/**
 * Chooses replicas for new partitions on the unfenced brokers, or checks a manual assignment against the registered
 * ones. Stateless and thread-safe.
 *
 * <p>Placement first lays the unfenced brokers out in one ring that alternates racks: racks in name order (brokers
 * without a rack share one unnamed rack, first), brokers of a rack in id order, taking one broker of each rack in
 * turn. Partition {@code p} of a topic placed from {@code start} is led by the broker at ring index
 * {@code start + p}, so leaders spread evenly; its followers are the next brokers around the ring, skipping brokers
 * of a rack the partition already uses until every rack holds a replica. Without racks this is plain round-robin
 * in id order. Given the same brokers and start, the result is always the same.
 */
final class ReplicaPlacer {
    /** Replica lists by partition index, or the error that prevents them. */
    record Placement(Map<Integer, List<Integer>> replicas, Errors error, String message) {
        static Placement failed(Errors error, String message) {
            return new Placement(Map.of(), error, message);
        }

        boolean failed() {
            return error != Errors.NONE;
        }
    }

    private ReplicaPlacer() {
    }

    /**
     * Places {@code numPartitions} partitions from ring index {@code start}. Fails with INVALID_REPLICATION_FACTOR
     * and the message of Kafka's placer (CreateTopics prefixes it, CreatePartitions does not, as in Kafka).
     */
    static Placement place(ClusterImage cluster, int numPartitions, short replicationFactor, int start) {
        Map<Integer, String> racks = new HashMap<>();
        cluster.unfencedBrokerIds().forEach(id -> racks.put(id, cluster.brokers().get(id).rack()));
        List<Integer> ring = rackAlternatingRing(racks);
        if (ring.isEmpty() && !cluster.registrations().isEmpty()) {
            return Placement.failed(Errors.INVALID_REPLICATION_FACTOR, "All brokers are currently fenced.");
        }
        if (replicationFactor > ring.size()) {
            return Placement.failed(Errors.INVALID_REPLICATION_FACTOR, "The target replication factor of "
                    + replicationFactor + " cannot be reached because only " + ring.size()
                    + " unfenced broker(s) are registered.");
        }
        int rackCount = new HashSet<>(racks.values()).size();
        Map<Integer, List<Integer>> result = new TreeMap<>();
        for (int p = 0; p < numPartitions; p++) {
            result.put(p, replicasOf(ring, racks, rackCount, Math.floorMod(start + p, ring.size()),
                    replicationFactor));
        }
        return new Placement(result, Errors.NONE, null);
    }

    /** The brokers, one rack after another in turn. */
    private static List<Integer> rackAlternatingRing(Map<Integer, String> racks) {
        Map<String, Deque<Integer>> byRack = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
        new TreeMap<>(racks).forEach((id, rack) -> byRack.computeIfAbsent(rack, r -> new ArrayDeque<>()).add(id));
        List<Integer> ring = new ArrayList<>(racks.size());
        while (ring.size() < racks.size()) {
            for (Deque<Integer> brokers : byRack.values()) {
                if (!brokers.isEmpty()) {
                    ring.add(brokers.poll());
                }
            }
        }
        return ring;
    }

    /** The leader at {@code leaderIndex}, then the next brokers around the ring, new racks first. */
    private static List<Integer> replicasOf(List<Integer> ring, Map<Integer, String> racks, int rackCount,
            int leaderIndex, int replicationFactor) {
        List<Integer> replicas = new ArrayList<>(replicationFactor);
        Set<String> usedRacks = new HashSet<>();
        List<Integer> deferred = new ArrayList<>();
        for (int step = 0; step < ring.size() && replicas.size() < replicationFactor; step++) {
            int broker = ring.get((leaderIndex + step) % ring.size());
            String rack = racks.get(broker);
            if (usedRacks.size() < rackCount && usedRacks.contains(rack)) {
                deferred.add(broker);
            } else {
                replicas.add(broker);
                usedRacks.add(rack);
            }
        }
        for (int i = 0; replicas.size() < replicationFactor; i++) {
            replicas.add(deferred.get(i));
        }
        return List.copyOf(replicas);
    }

    /**
     * Checks a manual assignment: dense 0-based partitions, non-empty lists of distinct registered brokers. As in
     * Kafka, a fenced broker may be named; the controller then leaves it out of the partition's first ISR.
     */
    static Placement checkManual(Set<Integer> registered, Map<Integer, List<Integer>> assignments) {
        Map<Integer, List<Integer>> sorted = new TreeMap<>(assignments);
        Integer replicationFactor = null;
        for (Map.Entry<Integer, List<Integer>> entry : sorted.entrySet()) {
            List<Integer> replicas = entry.getValue();
            if (replicas == null || replicas.isEmpty()) {
                return invalid("The manual partition assignment includes an empty replica list.");
            }
            Set<Integer> seen = new HashSet<>();
            for (Integer brokerId : replicas) {
                if (brokerId == null || !registered.contains(brokerId)) {
                    return invalid("The manual partition assignment includes broker " + brokerId
                            + ", but no such broker is registered.");
                }
                if (!seen.add(brokerId)) {
                    return invalid("The manual partition assignment includes the broker " + brokerId
                            + " more than once.");
                }
            }
            if (replicationFactor != null && replicas.size() != replicationFactor) {
                return invalid("The manual partition assignment includes a partition with " + replicas.size()
                        + " replica(s), but this is not consistent with previous partitions, which have "
                        + replicationFactor + " replica(s).");
            }
            replicationFactor = replicas.size();
        }
        for (int p = 0; p < sorted.size(); p++) {
            if (!sorted.containsKey(p)) {
                return invalid("partitions should be a consecutive 0-based integer sequence");
            }
        }
        Map<Integer, List<Integer>> copy = new TreeMap<>();
        sorted.forEach((p, replicas) -> copy.put(p, List.copyOf(replicas)));
        return new Placement(copy, Errors.NONE, null);
    }

    private static Placement invalid(String message) {
        return Placement.failed(Errors.INVALID_REPLICA_ASSIGNMENT, message);
    }
}

package io.spool.metadata;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.common.protocol.Errors;

/**
 * Chooses replicas for new partitions, or checks a manual assignment, against the registered brokers. Placement is
 * round-robin over brokers in id order: partition {@code p} of a topic placed from {@code start} gets the
 * {@code replicationFactor} brokers starting at index {@code start + p}, so leaders (first replicas) spread evenly.
 * Racks are not considered yet. Stateless and thread-safe.
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

    static Placement place(Collection<Integer> brokerIds, int numPartitions, short replicationFactor, int start) {
        List<Integer> brokers = new ArrayList<>(brokerIds);
        brokers.sort(Integer::compare);
        if (replicationFactor > brokers.size()) {
            return Placement.failed(Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition "
                    + replicationFactor + " time(s): The target replication factor of " + replicationFactor
                    + " cannot be reached because only " + brokers.size() + " broker(s) are registered.");
        }
        Map<Integer, List<Integer>> result = new TreeMap<>();
        for (int p = 0; p < numPartitions; p++) {
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            for (int r = 0; r < replicationFactor; r++) {
                replicas.add(brokers.get(Math.floorMod(start + p + r, brokers.size())));
            }
            result.put(p, List.copyOf(replicas));
        }
        return new Placement(result, Errors.NONE, null);
    }

    /** Checks a manual assignment: dense 0-based partitions, non-empty lists of distinct registered brokers. */
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

package io.spool.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * Plans a rebalance: given every partition's replicas and the brokers that should hold them, moves as few replicas
 * as it can so that each allowed broker holds its fair share (the total over the brokers, rounded down or up) and
 * no replica stays on a broker that is not allowed (one being decommissioned). A replica keeps its position in the
 * list, so a partition's preferred leader changes only when its first replica moves; leaders are evened out
 * afterwards by preferred-leader election. Deterministic; stateless.
 */
final class ReplicaBalancer {
    private ReplicaBalancer() {
    }

    /** Plans are printed and applied in topic, then partition order. */
    private static final class TreeMapByPartition extends java.util.TreeMap<TopicPartition, List<Integer>> {
        TreeMapByPartition() {
            super(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        }
    }

    /** The new replica list of every partition that changes, in partition order. */
    static Map<TopicPartition, List<Integer>> plan(Map<TopicPartition, List<Integer>> current, Set<Integer> brokers) {
        if (brokers.isEmpty()) {
            throw new IllegalArgumentException("No broker to place replicas on");
        }
        List<TopicPartition> partitions = new ArrayList<>(current.keySet());
        partitions.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        Map<Integer, Integer> load = new HashMap<>();
        brokers.forEach(b -> load.put(b, 0));
        int total = 0;
        for (List<Integer> replicas : current.values()) {
            total += replicas.size();
            for (int r : replicas) {
                load.computeIfPresent(r, (b, n) -> n + 1);
            }
        }
        int floor = total / brokers.size();
        int withExtra = total % brokers.size();
        // The brokers allowed one more than the floor: those that already hold the most, so fewer replicas move.
        List<Integer> byLoad = new ArrayList<>(new TreeSet<>(brokers));
        byLoad.sort(Comparator.comparingInt((Integer b) -> -load.get(b)).thenComparingInt(b -> b));
        Map<Integer, Integer> target = new HashMap<>();
        for (int i = 0; i < byLoad.size(); i++) {
            target.put(byLoad.get(i), floor + (i < withExtra ? 1 : 0));
        }
        Map<TopicPartition, List<Integer>> plan = new TreeMapByPartition();
        for (TopicPartition tp : partitions) {
            List<Integer> replicas = new ArrayList<>(current.get(tp));
            boolean changed = false;
            for (int i = 0; i < replicas.size(); i++) {
                int r = replicas.get(i);
                boolean mustMove = !brokers.contains(r);
                boolean overloaded = !mustMove && load.get(r) > target.get(r);
                if (!mustMove && !overloaded) {
                    continue;
                }
                Integer to = leastLoaded(brokers, replicas, load, target, mustMove);
                if (to == null) {
                    continue;
                }
                replicas.set(i, to);
                load.merge(to, 1, Integer::sum);
                if (!mustMove) {
                    load.merge(r, -1, Integer::sum);
                }
                changed = true;
            }
            if (changed) {
                plan.put(tp, List.copyOf(replicas));
            }
        }
        balancePreferredLeaders(partitions, current, plan, brokers);
        return plan;
    }

    /**
     * Puts first in each partition's list (its preferred leader) the replica that leads fewest partitions so far,
     * keeping the present first replica on a tie, so preferred-leader election spreads leadership evenly.
     */
    private static void balancePreferredLeaders(List<TopicPartition> partitions,
            Map<TopicPartition, List<Integer>> current, Map<TopicPartition, List<Integer>> plan, Set<Integer> brokers) {
        Map<Integer, Integer> leads = new HashMap<>();
        brokers.forEach(b -> leads.put(b, 0));
        for (TopicPartition tp : partitions) {
            List<Integer> replicas = new ArrayList<>(plan.getOrDefault(tp, current.get(tp)));
            int best = replicas.get(0);
            for (int r : replicas) {
                if (leads.getOrDefault(r, Integer.MAX_VALUE) < leads.getOrDefault(best, Integer.MAX_VALUE)) {
                    best = r;
                }
            }
            leads.merge(best, 1, Integer::sum);
            if (best != replicas.get(0)) {
                replicas.remove(Integer.valueOf(best));
                replicas.add(0, best);
                plan.put(tp, List.copyOf(replicas));
            }
        }
    }

    /**
     * The allowed broker, not yet a replica of this partition, furthest below its target (any below it when a
     * replica must move off a disallowed broker, else only one below its target), or null.
     */
    private static Integer leastLoaded(Set<Integer> brokers, List<Integer> replicas, Map<Integer, Integer> load,
            Map<Integer, Integer> target, boolean mustMove) {
        Integer best = null;
        for (int b : new TreeSet<>(brokers)) {
            if (replicas.contains(b)) {
                continue;
            }
            int room = target.get(b) - load.get(b);
            if (!mustMove && room <= 0) {
                continue;
            }
            if (best == null || room > target.get(best) - load.get(best)) {
                best = b;
            }
        }
        return best;
    }
}

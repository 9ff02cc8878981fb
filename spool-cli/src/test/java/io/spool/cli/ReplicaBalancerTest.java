package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReplicaBalancerTest {

    /** Round-robin placement of {@code partitions} partitions with {@code rf} replicas over brokers 1..n. */
    private static Map<TopicPartition, List<Integer>> roundRobin(int partitions, int rf, int brokers) {
        Map<TopicPartition, List<Integer>> layout = new LinkedHashMap<>();
        for (int p = 0; p < partitions; p++) {
            List<Integer> replicas = new ArrayList<>();
            for (int r = 0; r < rf; r++) {
                replicas.add(1 + (p + r) % brokers);
            }
            layout.put(new TopicPartition("t", p), replicas);
        }
        return layout;
    }

    private static Map<Integer, Integer> loads(Map<TopicPartition, List<Integer>> layout) {
        Map<Integer, Integer> load = new HashMap<>();
        layout.values().forEach(rs -> rs.forEach(r -> load.merge(r, 1, Integer::sum)));
        return load;
    }

    private static Map<TopicPartition, List<Integer>> apply(Map<TopicPartition, List<Integer>> layout,
            Map<TopicPartition, List<Integer>> plan) {
        Map<TopicPartition, List<Integer>> result = new LinkedHashMap<>(layout);
        result.putAll(plan);
        return result;
    }

    @Test
    void shouldGiveANewBrokerItsShareAndMoveNoMoreThanThat() {
        Map<TopicPartition, List<Integer>> layout = roundRobin(30, 3, 3);
        Map<TopicPartition, List<Integer>> plan = ReplicaBalancer.plan(layout, Set.of(1, 2, 3, 4));
        Map<TopicPartition, List<Integer>> after = apply(layout, plan);

        assertThat(loads(after).values()).allSatisfy(n -> assertThat(n).isBetween(22, 23));
        int moved = 0;
        for (TopicPartition tp : plan.keySet()) {
            List<Integer> added = new ArrayList<>(plan.get(tp));
            added.removeAll(layout.get(tp));
            moved += added.size();
        }
        assertThat(moved).as("replicas moved").isEqualTo(loads(after).get(4));
        after.values().forEach(rs -> assertThat(new HashSet<>(rs)).hasSize(3));
    }

    @Test
    void shouldSpreadPreferredLeadersEvenly() {
        Map<TopicPartition, List<Integer>> layout = roundRobin(12, 3, 3);
        Map<TopicPartition, List<Integer>> after = apply(layout, ReplicaBalancer.plan(layout, Set.of(1, 2, 3, 4)));
        Map<Integer, Integer> leaders = new HashMap<>();
        after.values().forEach(rs -> leaders.merge(rs.get(0), 1, Integer::sum));

        assertThat(leaders).containsOnlyKeys(1, 2, 3, 4);
        assertThat(leaders.values()).allSatisfy(n -> assertThat(n).isEqualTo(3));
    }

    @Test
    void shouldMoveEveryReplicaOffADecommissionedBroker() {
        Map<TopicPartition, List<Integer>> layout = roundRobin(20, 2, 4);
        Map<TopicPartition, List<Integer>> after = apply(layout, ReplicaBalancer.plan(layout, Set.of(1, 2, 3)));

        assertThat(loads(after)).doesNotContainKey(4);
        assertThat(loads(after).values()).allSatisfy(n -> assertThat(n).isBetween(13, 14));
        after.values().forEach(rs -> assertThat(new HashSet<>(rs)).hasSize(2));
    }

    @Test
    void shouldLeaveABalancedClusterAlone() {
        assertThat(ReplicaBalancer.plan(roundRobin(12, 3, 3), Set.of(1, 2, 3))).isEmpty();
    }

    @Test
    void shouldKeepReplicaCountsAndDistinctBrokersForManyLayouts() {
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 200; round++) {
            int brokers = 2 + random.nextInt(6);
            int rf = 1 + random.nextInt(brokers);
            Map<TopicPartition, List<Integer>> layout = new LinkedHashMap<>();
            for (int p = 0; p < 1 + random.nextInt(40); p++) {
                List<Integer> all = new ArrayList<>();
                for (int b = 1; b <= brokers; b++) {
                    all.add(b);
                }
                java.util.Collections.shuffle(all, random);
                layout.put(new TopicPartition("t", p), new ArrayList<>(all.subList(0, rf)));
            }
            Set<Integer> allowed = new HashSet<>();
            for (int b = 1; b <= brokers + 1; b++) {
                allowed.add(b);
            }
            if (allowed.size() > rf + 1) {
                allowed.remove(1 + random.nextInt(brokers));
            }
            Map<TopicPartition, List<Integer>> after = apply(layout, ReplicaBalancer.plan(layout, allowed));
            after.forEach((tp, rs) -> {
                assertThat(rs).hasSize(rf);
                assertThat(new HashSet<>(rs)).hasSize(rf);
                assertThat(allowed).containsAll(rs);
            });
        }
    }
}

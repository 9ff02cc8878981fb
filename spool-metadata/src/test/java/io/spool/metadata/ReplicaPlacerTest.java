package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ReplicaPlacerTest {

    /** Builds a {@link ClusterImage} broker by broker. */
    private static final class Brokers {
        private final MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);

        Brokers unfenced(String rack, int... ids) {
            for (int id : ids) {
                delta.replay(new RegisterBrokerRecord(id, 1, List.of(), rack));
                delta.replay(new UnfenceBrokerRecord(id, 1));
            }
            return this;
        }

        Brokers fenced(String rack, int... ids) {
            for (int id : ids) {
                delta.replay(new RegisterBrokerRecord(id, 1, List.of(), rack));
            }
            return this;
        }

        ClusterImage build() {
            return delta.apply(0).cluster();
        }
    }

    private static Map<Integer, List<Integer>> place(ClusterImage cluster, int partitions, int rf, int start) {
        ReplicaPlacer.Placement placement = ReplicaPlacer.place(cluster, partitions, (short) rf, start);
        assertThat(placement.error()).isEqualTo(Errors.NONE);
        return placement.replicas();
    }

    @Test
    void shouldPlaceRoundRobinInIdOrderWhenNoRacks() {
        ClusterImage cluster = new Brokers().unfenced(null, 3, 0, 2, 1).build();
        assertThat(place(cluster, 4, 3, 0)).isEqualTo(Map.of(0, List.of(0, 1, 2), 1, List.of(1, 2, 3),
                2, List.of(2, 3, 0), 3, List.of(3, 0, 1)));
        assertThat(place(cluster, 1, 2, 6)).isEqualTo(Map.of(0, List.of(2, 3)));
    }

    @Test
    void shouldPlaceOnlyOnUnfencedBrokers() {
        ClusterImage cluster = new Brokers().unfenced(null, 0, 2).fenced(null, 1, 3).build();
        for (List<Integer> replicas : place(cluster, 8, 2, 3).values()) {
            assertThat(replicas).containsExactlyInAnyOrder(0, 2);
        }
        ReplicaPlacer.Placement tooMany = ReplicaPlacer.place(cluster, 1, (short) 3, 0);
        assertThat(tooMany.error()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR);
        assertThat(tooMany.message()).isEqualTo("The target replication factor of 3 cannot be reached because only 2"
                + " unfenced broker(s) are registered.");
    }

    @Test
    void shouldSayAllBrokersAreFencedWhenNoneIsUnfenced() {
        ReplicaPlacer.Placement placement = ReplicaPlacer.place(new Brokers().fenced(null, 0, 1).build(), 1,
                (short) 1, 0);
        assertThat(placement.error()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR);
        assertThat(placement.message()).isEqualTo("All brokers are currently fenced.");
        assertThat(ReplicaPlacer.place(ClusterImage.EMPTY, 1, (short) 1, 0).message()).contains("only 0 unfenced");
    }

    @Test
    void shouldSpreadReplicasOfAPartitionOverDistinctRacks() {
        ClusterImage cluster = new Brokers().unfenced("a", 0, 1).unfenced("b", 2, 3).unfenced("c", 4, 5).build();
        for (int start = 0; start < 6; start++) {
            Map<Integer, List<Integer>> placement = place(cluster, 12, 3, start);
            for (List<Integer> replicas : placement.values()) {
                assertThat(racks(cluster, replicas)).as("racks of %s", replicas).hasSize(3);
            }
            assertThat(leaderCounts(placement).values()).as("leaders per broker").containsOnly(2);
        }
    }

    @Test
    void shouldUseEveryRackBeforeReusingOne() {
        ClusterImage cluster = new Brokers().unfenced("a", 0, 1).unfenced("b", 2, 3).build();
        for (List<Integer> replicas : place(cluster, 8, 3, 1).values()) {
            assertThat(replicas).doesNotHaveDuplicates();
            assertThat(racks(cluster, replicas)).containsExactlyInAnyOrder("a", "b");
        }
        ClusterImage uneven = new Brokers().unfenced("a", 0, 1, 2).unfenced("b", 3).build();
        for (List<Integer> replicas : place(uneven, 8, 2, 0).values()) {
            assertThat(replicas).contains(3);
        }
    }

    @Test
    void shouldTreatBrokersWithoutRackAsOneRack() {
        ClusterImage cluster = new Brokers().unfenced(null, 0, 1).unfenced("a", 2).build();
        for (List<Integer> replicas : place(cluster, 6, 2, 0).values()) {
            assertThat(replicas).contains(2);
        }
    }

    @Test
    void shouldPlaceTheSameWayGivenTheSameBrokersAndStart() {
        ClusterImage one = new Brokers().unfenced("b", 5, 1).unfenced("a", 2, 7, 9).build();
        ClusterImage two = new Brokers().unfenced("a", 9, 7, 2).unfenced("b", 1, 5).build();
        assertThat(place(one, 10, 3, 4)).isEqualTo(place(two, 10, 3, 4));
        assertThat(place(one, 10, 3, 4)).isNotEqualTo(place(one, 10, 3, 5));
    }

    @Test
    void shouldAcceptFencedButRegisteredBrokersInManualAssignment() {
        ReplicaPlacer.Placement placement = ReplicaPlacer.checkManual(Set.of(0, 1),
                Map.of(0, List.of(1, 0)));
        assertThat(placement.error()).isEqualTo(Errors.NONE);
        assertThat(ReplicaPlacer.checkManual(Set.of(0, 1), Map.of(0, List.of(2))).error())
                .isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
    }

    private static Set<String> racks(ClusterImage cluster, List<Integer> replicas) {
        Set<String> racks = new HashSet<>();
        replicas.forEach(id -> racks.add(cluster.brokers().get(id).rack()));
        return racks;
    }

    private static Map<Integer, Integer> leaderCounts(Map<Integer, List<Integer>> placement) {
        Map<Integer, Integer> counts = new HashMap<>();
        new ArrayList<>(placement.values()).forEach(r -> counts.merge(r.get(0), 1, Integer::sum));
        return counts;
    }
}

package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Eligible leader replicas (KIP-966) as the controller keeps them, with {@code eligible.leader.replicas.version=1}
 * (the default): a topic of three replicas and {@code min.insync.replicas=2} loses and regains in-sync replicas
 * through AlterPartition, fencing, unfencing and re-registration. After every test, replaying the whole metadata log
 * from an empty image rebuilds every intermediate image, as a broker following the log would.
 */
class ControllerElrTest {
    private static final Map<String, String> MIN_ISR_2 = Map.of("min.insync.replicas", "2");

    private TestCluster cluster = new TestCluster();
    private final List<MetadataImage> images = new ArrayList<>();

    @AfterEach
    void replayEveryIntermediateImage() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        MetadataImage image = MetadataImage.EMPTY;
        List<MetadataImage> replayed = new ArrayList<>();
        for (int offset = 0; offset < cluster.quorum.log().size(); offset++) {
            delta = new MetadataDelta(image);
            cluster.quorum.log().get(offset).forEach(delta::replay);
            image = delta.apply(offset);
            replayed.add(image);
        }
        assertThat(replayed.get(replayed.size() - 1).topics()).isEqualTo(cluster.quorum.image().topics());
        for (MetadataImage seen : images) {
            assertThat(replayed).anySatisfy(r -> assertThat(r.topics()).isEqualTo(seen.topics()));
        }
        cluster.close();
    }

    private PartitionRecord partition(Uuid topic) {
        images.add(cluster.quorum.image());
        return cluster.partition(topic, 0);
    }

    private static PartitionRecord state(Uuid topic, List<Integer> isr, int leader, int leaderEpoch,
            int partitionEpoch, List<Integer> elr, List<Integer> lastKnownElr) {
        return new PartitionRecord(topic, 0, List.of(1, 2, 3), isr, leader, leaderEpoch, partitionEpoch, elr,
                lastKnownElr);
    }

    private Uuid topic(Map<String, String> configs) {
        cluster.withBrokers(1, 2, 3);
        return cluster.topic("t", Map.of(0, List.of(1, 2, 3)), configs);
    }

    @Test
    void shouldMoveReplicasToElrWhenIsrShrinksBelowMinIsrAndClearItWhenIsrGrowsBack() {
        Uuid t = topic(MIN_ISR_2);

        assertThat(cluster.alterIsr(t, 0, 1, 2).error()).isEqualTo(Errors.NONE);
        assertThat(partition(t)).as("ISR at min ISR: no ELR").isEqualTo(state(t, List.of(1, 2), 1, 0, 1,
                List.of(), List.of()));
        assertThat(cluster.alterIsr(t, 0, 1).error()).isEqualTo(Errors.NONE);
        assertThat(partition(t)).as("below min ISR: the removed replica is eligible").isEqualTo(state(t,
                List.of(1), 1, 0, 2, List.of(2), List.of()));
        assertThat(cluster.alterIsr(t, 0, 1, 3).error()).isEqualTo(Errors.NONE);
        assertThat(partition(t)).as("back at min ISR: ELR cleared").isEqualTo(state(t, List.of(1, 3), 1, 0, 3,
                List.of(), List.of()));
    }

    @Test
    void shouldClearElrWhenTheTopicsMinIsrChanges() {
        Uuid t = topic(MIN_ISR_2);
        Uuid other = cluster.topic("u", Map.of(0, List.of(1, 2, 3)), MIN_ISR_2);
        cluster.alterIsr(t, 0, 1);
        cluster.alterIsr(other, 0, 1);
        assertThat(partition(t).elr()).containsExactly(2, 3);
        assertThat(partition(other).elr()).containsExactly(2, 3);

        // The ELR was chosen under the old minimum: a change of the topic's override clears it, for that topic.
        assertThat(alter(new ConfigResourceId(ConfigResourceType.TOPIC, "t"), "3").error()).isEqualTo(Errors.NONE);
        assertThat(partition(t)).isEqualTo(state(t, List.of(1), 1, 0, 2, List.of(), List.of()));
        assertThat(cluster.partition(other, 0).elr()).as("another topic keeps its ELR").containsExactly(2, 3);
        // Setting a topic's value it already has writes no config record and changes nothing (as in Kafka).
        assertThat(alter(new ConfigResourceId(ConfigResourceType.TOPIC, "u"), "2").error()).isEqualTo(Errors.NONE);
        assertThat(partition(other).elr()).containsExactly(2, 3);
        assertThat(alter(new ConfigResourceId(ConfigResourceType.TOPIC, "u"), "1").error()).isEqualTo(Errors.NONE);
        assertThat(partition(other)).isEqualTo(state(other, List.of(1), 1, 0, 2, List.of(), List.of()));
    }

    private AlterConfigsResult alter(ConfigResourceId resource, String minIsr) {
        return cluster.controller.incrementalAlterConfigs(Map.of(resource, List.of(new ConfigOp(
                "min.insync.replicas", ConfigOp.Kind.SET, minIsr))), false).join().get(0);
    }

    @Test
    void shouldEmptyIsrWhenLastMemberIsFencedAndElectElrMemberWhenItIsUnfenced() {
        Uuid t = topic(MIN_ISR_2);
        cluster.alterIsr(t, 0, 1, 2);
        cluster.shutDown(3);
        cluster.shutDown(2);
        assertThat(partition(t)).isEqualTo(state(t, List.of(1), 1, 0, 2, List.of(2), List.of()));

        cluster.shutDown(1);
        assertThat(partition(t)).as("the last ISR member joins the ELR; its leadership is remembered")
                .isEqualTo(state(t, List.of(), PartitionRecord.NO_LEADER, 1, 3, List.of(1, 2), List.of(1)));

        cluster.register(3, null, cluster.epoch(3));
        assertThat(cluster.heartbeat(3).fenced()).isFalse();
        assertThat(partition(t).leader()).as("3 is neither in the ISR nor the ELR").isEqualTo(
                PartitionRecord.NO_LEADER);

        cluster.register(2, null, cluster.epoch(2));
        assertThat(cluster.heartbeat(2).fenced()).isFalse();
        assertThat(partition(t)).as("an ELR member leads alone, the rest of the ELR stays eligible")
                .isEqualTo(state(t, List.of(2), 2, 2, 4, List.of(1), List.of()));
    }

    @Test
    void shouldRemoveBrokerFromElrWhenItRegistersAfterAnUncleanShutdown() {
        Uuid t = topic(MIN_ISR_2);
        cluster.alterIsr(t, 0, 1, 2);
        cluster.alterIsr(t, 0, 1);
        cluster.expireAllBut(1, 3);
        assertThat(partition(t).elr()).containsExactly(2);

        cluster.register(2, null, -1);
        assertThat(partition(t)).as("a crashed broker may have lost what it acknowledged").isEqualTo(state(t,
                List.of(1), 1, 0, 3, List.of(), List.of()));
    }

    @Test
    void shouldKeepBrokerInElrWhenItRegistersAfterACleanShutdown() {
        Uuid t = topic(MIN_ISR_2);
        cluster.alterIsr(t, 0, 1, 2);
        cluster.alterIsr(t, 0, 1);
        cluster.shutDown(2);
        int before = cluster.quorum.log().size();

        cluster.register(2, null, cluster.epoch(2));

        assertThat(cluster.quorum.log()).hasSize(before + 1);
        assertThat(cluster.lastBatch()).singleElement().isInstanceOf(RegisterBrokerRecord.class);
        assertThat(partition(t).elr()).containsExactly(2);
    }

    @Test
    void shouldElectLastKnownLeaderWhenIsrAndElrAreEmpty() {
        Uuid t = topic(MIN_ISR_2);
        cluster.alterIsr(t, 0, 1, 2);
        cluster.alterIsr(t, 0, 1);
        cluster.expireAllBut();
        assertThat(partition(t)).isEqualTo(state(t, List.of(), PartitionRecord.NO_LEADER, 1, 3, List.of(1, 2),
                List.of(1)));
        cluster.register(2, null, -1);
        cluster.register(1, null, -1);
        assertThat(partition(t)).as("both restarted uncleanly").isEqualTo(state(t, List.of(),
                PartitionRecord.NO_LEADER, 1, 5, List.of(), List.of(1)));

        assertThat(cluster.heartbeat(2).fenced()).isFalse();
        assertThat(partition(t).leader()).as("2 is not the last known leader").isEqualTo(PartitionRecord.NO_LEADER);
        assertThat(cluster.heartbeat(1).fenced()).isFalse();
        assertThat(partition(t)).as("the last known leader, as before KIP-966").isEqualTo(state(t, List.of(1), 1,
                2, 6, List.of(), List.of()));
    }

    @Test
    void shouldPreferElrMemberToUncleanElection() {
        Uuid t = topic(Map.of("min.insync.replicas", "2", "unclean.leader.election.enable", "true"));
        cluster.alterIsr(t, 0, 1, 2);
        cluster.alterIsr(t, 0, 1);
        cluster.shutDown(2);
        cluster.shutDown(3);
        cluster.shutDown(1);
        assertThat(partition(t)).isEqualTo(state(t, List.of(), PartitionRecord.NO_LEADER, 1, 3, List.of(1, 2),
                List.of(1)));

        cluster.register(3, null, cluster.epoch(3));
        cluster.heartbeat(3);
        assertThat(partition(t).leader()).as("3 is out of sync but the ELR is not empty").isEqualTo(3);
    }

    @Test
    void shouldElectOutOfSyncReplicaUncleanlyOnlyWhenElrCannotSupplyALeader() {
        Uuid t = topic(Map.of("min.insync.replicas", "2", "unclean.leader.election.enable", "true"));
        cluster.alterIsr(t, 0, 1, 2);
        cluster.alterIsr(t, 0, 1);
        cluster.shutDown(2);
        cluster.shutDown(3);
        cluster.shutDown(1);
        cluster.register(2, null, -1);
        cluster.register(1, null, -1);
        assertThat(partition(t)).isEqualTo(state(t, List.of(), PartitionRecord.NO_LEADER, 1, 5, List.of(),
                List.of(1)));

        cluster.register(3, null, cluster.epoch(3));
        assertThat(cluster.heartbeat(3).fenced()).isFalse();

        assertThat(partition(t)).as("an unclean election: ISR of the new leader alone, ELR cleared").isEqualTo(
                state(t, List.of(3), 3, 2, 6, List.of(), List.of()));
    }

    @Test
    void shouldElectElrMemberThroughUncleanElectLeaders() {
        Uuid t = topic(MIN_ISR_2);
        cluster.alterIsr(t, 0, 1, 2);
        cluster.alterIsr(t, 0, 1);
        cluster.expireAllBut(2, 3);
        assertThat(partition(t)).isEqualTo(state(t, List.of(2), 2, 1, 3, List.of(1), List.of()));

        List<ElectLeaderResult> results = cluster.controller.electLeaders(false,
                List.of(new TopicPartition("t", 0))).join();

        assertThat(results).singleElement().extracting(ElectLeaderResult::error)
                .isEqualTo(Errors.PREFERRED_LEADER_NOT_AVAILABLE);
        assertThat(partition(t).leader()).isEqualTo(2);
    }

    @Test
    void shouldKeepIsrOfLastMemberWhenElrIsDisabled() {
        cluster.close();
        cluster = new TestCluster(ControllerSettings.defaults().withBrokerConfigs(Map.of(
                ReplicationControl.ELR_VERSION, "0")));
        Uuid t = topic(MIN_ISR_2);
        cluster.alterIsr(t, 0, 1);
        cluster.shutDown(1);
        assertThat(partition(t)).isEqualTo(state(t, List.of(1), PartitionRecord.NO_LEADER, 1, 2, List.of(),
                List.of()));
    }

    @Test
    void shouldUseAtMostTheReplicationFactorAsMinIsr() {
        cluster.withBrokers(1, 2);
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2)), Map.of("min.insync.replicas", "3"));
        cluster.alterIsr(t, 0, 1);
        assertThat(cluster.partition(t, 0).elr()).containsExactly(2);
        cluster.alterIsr(t, 0, 1, 2);
        assertThat(cluster.partition(t, 0).elr()).as("2 replicas are the effective min ISR").isEmpty();
    }
}

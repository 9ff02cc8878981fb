package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ElectLeaders: preferred and unclean elections, every error, and the automatic preferred-leader rebalance. */
class ControllerElectLeadersTest {
    private TestCluster cluster = new TestCluster().withBrokers(1, 2, 3);

    @AfterEach
    void close() {
        cluster.close();
    }

    private static TopicPartition tp(String topic, int partition) {
        return new TopicPartition(topic, partition);
    }

    private static ElectLeaderResult ok(TopicPartition tp) {
        return new ElectLeaderResult(tp, Errors.NONE, null);
    }

    private List<ElectLeaderResult> elect(boolean unclean, TopicPartition... partitions) {
        return cluster.controller.electLeaders(unclean, List.of(partitions)).join();
    }

    /** Fences broker 1 (moving its leadership away) and brings it back unfenced, out of every ISR. */
    private void bounceBroker1() {
        cluster.expireAllBut(2, 3);
        cluster.register(1, null);
        assertThat(cluster.heartbeat(1).fenced()).isFalse();
    }

    @Test
    void shouldElectPreferredReplicaInOneBatchWhenItIsInIsrAgain() {
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2, 3), 1, List.of(1, 3, 2)));
        bounceBroker1();
        assertThat(cluster.partition(t, 0).leader()).as("no election on unfencing").isEqualTo(2);
        cluster.alterIsr(t, 0, 2, 3, 1);
        cluster.alterIsr(t, 1, 3, 2, 1);
        PartitionRecord before = cluster.partition(t, 0);
        int batches = cluster.quorum.log().size();

        assertThat(elect(false, tp("t", 0), tp("t", 1))).containsExactly(ok(tp("t", 0)), ok(tp("t", 1)));

        assertThat(cluster.quorum.log()).hasSize(batches + 1);
        assertThat(cluster.partition(t, 0)).isEqualTo(new PartitionRecord(t, 0, List.of(1, 2, 3), List.of(2, 3, 1),
                1, before.leaderEpoch() + 1, before.partitionEpoch() + 1));
        assertThat(cluster.partition(t, 1).leader()).isEqualTo(1);
    }

    @Test
    void shouldAnswerElectionNotNeededWhenPreferredReplicaLeads() {
        cluster.topic("t", Map.of(0, List.of(1, 2)));
        int batches = cluster.quorum.log().size();
        assertThat(elect(false, tp("t", 0))).extracting(ElectLeaderResult::error)
                .containsExactly(Errors.ELECTION_NOT_NEEDED);
        assertThat(cluster.quorum.log()).hasSize(batches);
    }

    @Test
    void shouldAnswerPreferredLeaderNotAvailableWhenPreferredIsOutOfIsrOrFenced() {
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2, 3)));
        bounceBroker1();
        assertThat(elect(false, tp("t", 0))).extracting(ElectLeaderResult::error)
                .containsExactly(Errors.PREFERRED_LEADER_NOT_AVAILABLE);

        cluster.alterIsr(t, 0, 2, 3, 1);
        cluster.expireAllBut(2, 3);
        assertThat(elect(false, tp("t", 0))).extracting(ElectLeaderResult::error)
                .containsExactly(Errors.PREFERRED_LEADER_NOT_AVAILABLE);
        assertThat(cluster.partition(t, 0).leader()).isEqualTo(2);
    }

    @Test
    void shouldAnswerUnknownTopicOrPartitionAndStillElectTheOthers() {
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2)));
        bounceBroker1();
        cluster.alterIsr(t, 0, 2, 1);

        List<ElectLeaderResult> results = elect(false, tp("nope", 0), tp("t", 5), tp("t", 0), tp("t", 0));

        assertThat(results).extracting(ElectLeaderResult::partition)
                .containsExactly(tp("nope", 0), tp("t", 5), tp("t", 0));
        assertThat(results).extracting(ElectLeaderResult::error).containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.NONE);
        assertThat(cluster.partition(t, 0).leader()).isEqualTo(1);
    }

    @Test
    void shouldAnswerOnlyPartitionsThatNeedAnElectionWhenNoneAreNamed() {
        Uuid a = cluster.topic("a", Map.of(0, List.of(1, 2), 1, List.of(2, 1), 2, List.of(1, 3)));
        cluster.topic("b", Map.of(0, List.of(3, 1)));
        bounceBroker1();
        cluster.alterIsr(a, 0, 2, 1);

        List<ElectLeaderResult> results = cluster.controller.electLeaders(false, null).join();

        assertThat(results).containsExactly(ok(tp("a", 0)), new ElectLeaderResult(tp("a", 2),
                Errors.PREFERRED_LEADER_NOT_AVAILABLE, "The preferred replica 1 is not an unfenced member of the ISR "
                + "[3]."));
        assertThat(cluster.partition(a, 0).leader()).isEqualTo(1);
    }

    @Test
    void shouldElectOutOfSyncReplicaUncleanlyOnlyForLeaderlessPartitions() {
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2), 1, List.of(2, 3)));
        cluster.alterIsr(t, 0, 1);
        cluster.expireAllBut(2, 3);
        PartitionRecord leaderless = cluster.partition(t, 0);
        assertThat(leaderless.leader()).isEqualTo(PartitionRecord.NO_LEADER);

        assertThat(elect(true, tp("t", 0), tp("t", 1))).containsExactly(ok(tp("t", 0)),
                new ElectLeaderResult(tp("t", 1), Errors.ELECTION_NOT_NEEDED, Errors.ELECTION_NOT_NEEDED.message()));

        assertThat(cluster.partition(t, 0)).isEqualTo(new PartitionRecord(t, 0, List.of(1, 2), List.of(2), 2,
                leaderless.leaderEpoch() + 1, leaderless.partitionEpoch() + 1));
    }

    @Test
    void shouldElectLeaderlessPartitionFromIsrBeforeOutOfSyncReplicas() {
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2, 3), 1, List.of(1, 2, 3)));
        // leaderless with unfenced in-sync replicas: not a state the controller makes, but one elections must handle
        PartitionRecord leaderless = new PartitionRecord(t, 0, List.of(1, 2, 3), List.of(3, 2), -1, 4, 7);
        cluster.quorum.append(List.of(leaderless, new PartitionRecord(t, 1, List.of(1, 2, 3), List.of(3, 2), -1, 4,
                7))).join();

        assertThat(elect(true, tp("t", 0))).containsExactly(ok(tp("t", 0)));
        assertThat(elect(false, tp("t", 1))).containsExactly(ok(tp("t", 1)));

        assertThat(cluster.partition(t, 0)).isEqualTo(new PartitionRecord(t, 0, List.of(1, 2, 3), List.of(3, 2), 2,
                5, 8));
        assertThat(cluster.partition(t, 1)).isEqualTo(new PartitionRecord(t, 1, List.of(1, 2, 3), List.of(3, 2), 2,
                5, 8));
    }

    @Test
    void shouldAnswerEligibleLeadersNotAvailableWhenEveryReplicaIsFenced() {
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2)));
        cluster.alterIsr(t, 0, 1);
        cluster.expireAllBut(3);

        assertThat(elect(true, tp("t", 0))).extracting(ElectLeaderResult::error)
                .containsExactly(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE);
        assertThat(cluster.partition(t, 0).leader()).isEqualTo(PartitionRecord.NO_LEADER);
    }

    @Test
    void shouldAnswerNotControllerWhenNotActive() {
        cluster.topic("t", Map.of(0, List.of(1, 2)));
        cluster.quorum.setActiveController(false);

        assertThat(elect(false, tp("t", 0), tp("x", 1))).extracting(ElectLeaderResult::error)
                .containsExactly(Errors.NOT_CONTROLLER, Errors.NOT_CONTROLLER);
        assertThat(elect(true, tp("t", 0))).extracting(ElectLeaderResult::error)
                .containsExactly(Errors.NOT_CONTROLLER);
        assertThatThrownBy(() -> cluster.controller.electLeaders(false, null).join())
                .hasCauseInstanceOf(NotControllerException.class);
        assertThat(cluster.controller.checkLeaderImbalance().join()).isEmpty();
    }

    @Test
    void shouldAnswerAppendErrorForEveryElection() {
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2)));
        bounceBroker1();
        cluster.alterIsr(t, 0, 2, 1);
        cluster.quorum.failAppends(new NotControllerException("lost leadership"));

        assertThat(elect(false, tp("t", 0), tp("u", 0))).extracting(ElectLeaderResult::error)
                .containsExactly(Errors.NOT_CONTROLLER, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(cluster.partition(t, 0).leader()).isEqualTo(2);
    }

    @Test
    void shouldRebalanceLeadershipBackToPreferredReplicaOnTheCheckNotOnUnfencing() {
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2, 3), 1, List.of(2, 3, 1), 2, List.of(1, 3, 2)));
        bounceBroker1();
        assertThat(cluster.controller.checkLeaderImbalance().join()).as("1 is not in the ISRs yet").isEmpty();
        cluster.alterIsr(t, 0, 2, 3, 1);
        assertThat(cluster.partition(t, 0).leader()).isEqualTo(2);
        int batches = cluster.quorum.log().size();

        assertThat(cluster.controller.checkLeaderImbalance().join()).containsExactly(ok(tp("t", 0)));

        assertThat(cluster.quorum.log()).hasSize(batches + 1);
        assertThat(cluster.partition(t, 0).leader()).isEqualTo(1);
        assertThat(cluster.partition(t, 2).leader()).as("1 is still out of its ISR").isEqualTo(3);
        assertThat(cluster.controller.checkLeaderImbalance().join()).isEmpty();
    }

    @Test
    void shouldRebalanceOnlyBrokersWhoseImbalanceExceedsThePercentage() {
        cluster.close();
        cluster = new TestCluster(ControllerSettings.defaults().withLeaderImbalancePerBrokerPercentage(50))
                .withBrokers(1, 2, 3);
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2), 1, List.of(1, 2), 2, List.of(2, 1), 3, List.of(2, 1),
                4, List.of(2, 1)));
        bounceBroker1();
        cluster.alterIsr(t, 0, 2, 1);
        cluster.alterIsr(t, 2, 2, 1);
        cluster.alterIsr(t, 3, 2, 1);
        // broker 1 leads none of its 2 partitions (100 % > 50 %); broker 2 leads all of its own
        assertThat(cluster.controller.checkLeaderImbalance().join()).containsExactly(ok(tp("t", 0)));
        assertThat(cluster.partition(t, 0).leader()).isEqualTo(1);
        assertThat(cluster.partition(t, 1).leader()).as("1 is not in the ISR").isEqualTo(2);

        cluster.alterIsr(t, 1, 2, 1);
        // now 1 of broker 1's 2 partitions is not led by it: 50 % is not above 50 %
        assertThat(cluster.controller.checkLeaderImbalance().join()).isEmpty();
        assertThat(cluster.partition(t, 1).leader()).isEqualTo(2);
    }

    @Test
    void shouldNotRebalanceWhenDisabled() {
        cluster.close();
        cluster = new TestCluster(ControllerSettings.defaults().withAutoLeaderRebalanceEnable(false))
                .withBrokers(1, 2, 3);
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2)));
        bounceBroker1();
        cluster.alterIsr(t, 0, 2, 1);
        assertThat(cluster.controller.checkLeaderImbalance().join()).isEmpty();
        assertThat(cluster.partition(t, 0).leader()).isEqualTo(2);
    }
}

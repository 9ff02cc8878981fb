package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AlterPartition: every error, in Apache Kafka's order, and the committed ISR change. */
class ControllerAlterPartitionTest {
    private final TestCluster cluster = new TestCluster().withBrokers(1, 2, 3);
    private Uuid topic;
    /** Partition 0: replicas [1, 2, 3], ISR [1, 2, 3], leader 1, leader epoch 2, partition epoch 5. */
    private PartitionRecord current;

    @BeforeEach
    void createTopic() {
        topic = cluster.topic("t", Map.of(0, List.of(1, 2, 3)));
        current = new PartitionRecord(topic, 0, List.of(1, 2, 3), List.of(1, 2, 3), 1, 2, 5);
        cluster.quorum.append(List.of(current)).join();
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    private AlterPartitionReply alter(int broker, int leaderEpoch, int partitionEpoch, Integer... newIsr) {
        return alter(broker, cluster.epoch(broker), topic, 0, leaderEpoch, partitionEpoch, newIsr);
    }

    private AlterPartitionReply alter(int broker, long brokerEpoch, Uuid topicId, int partition, int leaderEpoch,
            int partitionEpoch, Integer... newIsr) {
        return cluster.controller.alterPartition(broker, brokerEpoch, topicId, partition, leaderEpoch,
                partitionEpoch, Arrays.asList(newIsr)).join();
    }

    @Test
    void shouldCommitNewIsrWithSameLeaderAndNextPartitionEpoch() {
        AlterPartitionReply reply = alter(1, 2, 5, 1, 3);

        PartitionRecord expected = new PartitionRecord(topic, 0, List.of(1, 2, 3), List.of(1, 3), 1, 2, 6);
        assertThat(reply).isEqualTo(new AlterPartitionReply(Errors.NONE, expected));
        assertThat(cluster.partition(topic, 0)).isEqualTo(expected);
        assertThat(cluster.lastBatch()).containsExactly(expected);

        AlterPartitionReply expand = alter(1, 2, 6, 1, 3, 2);
        assertThat(expand.error()).isEqualTo(Errors.NONE);
        assertThat(expand.partition().isr()).containsExactly(1, 3, 2);
        assertThat(expand.partition().partitionEpoch()).isEqualTo(7);
    }

    @Test
    void shouldAnswerCurrentStateWithoutAppendingWhenIsrUnchanged() {
        int before = cluster.quorum.log().size();
        assertThat(alter(1, 2, 5, 1, 2, 3)).isEqualTo(new AlterPartitionReply(Errors.NONE, current));
        assertThat(cluster.quorum.log()).hasSize(before);
    }

    @Test
    void shouldReturnStaleBrokerEpochFirst() {
        Uuid unknownTopic = Uuid.randomUuid();
        assertThat(alter(1, cluster.epoch(1) + 1, topic, 0, 2, 5, 1)).isEqualTo(
                new AlterPartitionReply(Errors.STALE_BROKER_EPOCH, current));
        assertThat(alter(9, cluster.epoch(1), topic, 0, 2, 5, 1).error()).isEqualTo(Errors.STALE_BROKER_EPOCH);
        assertThat(alter(1, 0, unknownTopic, 0, 0, 0).error()).isEqualTo(Errors.STALE_BROKER_EPOCH);
    }

    @Test
    void shouldReturnUnknownTopicIdOrPartition() {
        assertThat(alter(1, cluster.epoch(1), Uuid.randomUuid(), 0, 2, 5, 1))
                .isEqualTo(new AlterPartitionReply(Errors.UNKNOWN_TOPIC_ID, null));
        assertThat(alter(1, cluster.epoch(1), topic, 7, 2, 5, 1))
                .isEqualTo(new AlterPartitionReply(Errors.UNKNOWN_TOPIC_OR_PARTITION, null));
    }

    @Test
    void shouldReturnNotControllerWhenRequestIsNewerThanImage() {
        assertThat(alter(1, 3, 5, 1)).isEqualTo(new AlterPartitionReply(Errors.NOT_CONTROLLER, current));
        assertThat(alter(1, 2, 6, 1)).isEqualTo(new AlterPartitionReply(Errors.NOT_CONTROLLER, current));
    }

    @Test
    void shouldReturnFencedLeaderEpochForOlderLeaderEpochBeforeCheckingLeader() {
        assertThat(alter(1, 1, 5, 1)).isEqualTo(new AlterPartitionReply(Errors.FENCED_LEADER_EPOCH, current));
        assertThat(alter(2, cluster.epoch(2), topic, 0, 1, 4, 2).error()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
    }

    @Test
    void shouldReturnInvalidRequestWhenNotLeaderBeforeCheckingPartitionEpoch() {
        assertThat(alter(2, cluster.epoch(2), topic, 0, 2, 5, 2, 1))
                .isEqualTo(new AlterPartitionReply(Errors.INVALID_REQUEST, current));
        assertThat(alter(2, cluster.epoch(2), topic, 0, 2, 4, 2, 1).error()).isEqualTo(Errors.INVALID_REQUEST);
    }

    @Test
    void shouldReturnInvalidUpdateVersionForOlderPartitionEpoch() {
        assertThat(alter(1, 2, 4, 1, 2)).isEqualTo(new AlterPartitionReply(Errors.INVALID_UPDATE_VERSION, current));
    }

    @Test
    void shouldReturnInvalidRequestForBadIsr() {
        assertThat(alter(1, 2, 5).error()).as("empty").isEqualTo(Errors.INVALID_REQUEST);
        assertThat(alter(1, 2, 5, 2, 3).error()).as("without the leader").isEqualTo(Errors.INVALID_REQUEST);
        assertThat(alter(1, 2, 5, 1, 1).error()).as("duplicate").isEqualTo(Errors.INVALID_REQUEST);
        assertThat(alter(1, 2, 5, 1, 4).error()).as("not a replica").isEqualTo(Errors.INVALID_REQUEST);
        assertThat(alter(1, 2, 5, 1, null).error()).as("null").isEqualTo(Errors.INVALID_REQUEST);
        assertThat(cluster.controller.alterPartition(1, cluster.epoch(1), topic, 0, 2, 5, null).join().error())
                .isEqualTo(Errors.INVALID_REQUEST);
    }

    @Test
    void shouldReturnIneligibleReplicaWhenNewIsrHoldsFencedBroker() {
        cluster.expireAllBut(1, 2);
        PartitionRecord shrunk = cluster.partition(topic, 0);
        assertThat(shrunk.isr()).containsExactly(1, 2);

        assertThat(alter(1, 2, 6, 1, 2, 3)).isEqualTo(new AlterPartitionReply(Errors.INELIGIBLE_REPLICA, shrunk));

        cluster.register(3, null);
        cluster.heartbeat(3);
        assertThat(alter(1, 2, 6, 1, 2, 3).error()).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldReturnAppendErrorWithCurrentState() {
        cluster.quorum.failAppends(new NotControllerException("lost leadership"));
        assertThat(alter(1, 2, 5, 1, 2)).isEqualTo(new AlterPartitionReply(Errors.NOT_CONTROLLER, current));
        assertThat(cluster.partition(topic, 0)).isEqualTo(current);
    }
}

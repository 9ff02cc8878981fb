package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ControllerCreatePartitionsTest {
    private final TestCluster cluster = new TestCluster().withBrokers(1, 2, 3);
    private final Uuid topicId = cluster.topic("t", Map.of(0, List.of(1, 2), 1, List.of(2, 3), 2, List.of(3, 1)));

    @AfterEach
    void close() {
        cluster.close();
    }

    private CreatePartitionsResult grow(CreatePartitionsSpec spec) {
        return grow(spec, false);
    }

    private CreatePartitionsResult grow(CreatePartitionsSpec spec, boolean validateOnly) {
        List<CreatePartitionsResult> results = cluster.controller.createPartitions(List.of(spec), validateOnly).join();
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    private TopicImage topic() {
        return cluster.quorum.image().topics().byId(topicId).orElseThrow();
    }

    @Test
    void shouldAddPlacedPartitionsWithTheTopicsReplicationFactorInOneBatch() {
        int before = cluster.quorum.log().size();

        CreatePartitionsResult result = grow(CreatePartitionsSpec.of("t", 6));

        assertThat(result).isEqualTo(new CreatePartitionsResult("t", Errors.NONE, null));
        assertThat(cluster.quorum.log()).hasSize(before + 1);
        assertThat(cluster.lastBatch()).hasSize(3).allMatch(r -> r instanceof PartitionRecord);
        assertThat(topic().partitions()).hasSize(6);
        for (int p = 3; p < 6; p++) {
            PartitionRecord partition = topic().partition(p);
            assertThat(partition.replicas()).hasSize(2).doesNotHaveDuplicates().isSubsetOf(1, 2, 3);
            assertThat(partition.isr()).isEqualTo(partition.replicas());
            assertThat(partition.leader()).isEqualTo(partition.replicas().get(0));
            assertThat(partition.leaderEpoch()).isZero();
            assertThat(partition.partitionEpoch()).isZero();
        }
        assertThat(topic().partition(0).replicas()).containsExactly(1, 2);
    }

    @Test
    void shouldUseExplicitAssignmentsAndLeaveFencedReplicasOutOfTheIsr() {
        cluster.register(4, null);

        CreatePartitionsResult result = grow(new CreatePartitionsSpec("t", 5, List.of(List.of(4, 1), List.of(3, 2))));

        assertThat(result.error()).isEqualTo(Errors.NONE);
        assertThat(topic().partition(3).replicas()).containsExactly(4, 1);
        assertThat(topic().partition(3).isr()).containsExactly(1);
        assertThat(topic().partition(3).leader()).isEqualTo(1);
        assertThat(topic().partition(4).replicas()).containsExactly(3, 2);
        assertThat(topic().partition(4).leader()).isEqualTo(3);
    }

    @Test
    void shouldRefuseCountNotHigherThanCurrentWithKafkasMessages() {
        assertThat(grow(CreatePartitionsSpec.of("t", 2))).isEqualTo(new CreatePartitionsResult("t",
                Errors.INVALID_PARTITIONS, "The topic t currently has 3 partition(s); 2 would not be an increase."));
        assertThat(grow(CreatePartitionsSpec.of("t", 3))).isEqualTo(new CreatePartitionsResult("t",
                Errors.INVALID_PARTITIONS, "Topic already has 3 partition(s)."));
        assertThat(topic().partitions()).hasSize(3);
    }

    @Test
    void shouldAnswerUnknownTopicWhenMissingOrDeleted() {
        assertThat(grow(CreatePartitionsSpec.of("nope", 4)))
                .isEqualTo(new CreatePartitionsResult("nope", Errors.UNKNOWN_TOPIC_OR_PARTITION, null));
        assertThat(cluster.controller.deleteTopics(List.of("t"), List.of()).join().get(0).error())
                .isEqualTo(Errors.NONE);
        assertThat(grow(CreatePartitionsSpec.of("t", 4)).error()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void shouldRefuseBadAssignmentsWithKafkasMessages() {
        assertBadAssignment(5, List.of(List.of(1, 2)),
                "Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.");
        assertBadAssignment(4, List.of(List.of(1)), "The manual partition assignment includes a partition with 1 "
                + "replica(s), but this is not consistent with previous partitions, which have 2 replica(s).");
        assertBadAssignment(4, List.of(List.of(2, 2)),
                "The manual partition assignment includes the broker 2 more than once.");
        assertBadAssignment(4, List.of(List.of(9, 7)),
                "The manual partition assignment includes broker 7, but no such broker is registered.");
        assertBadAssignment(4, List.of(List.of()), "The manual partition assignment includes an empty replica list.");
        assertThat(topic().partitions()).hasSize(3);
    }

    @Test
    void shouldRefuseAssignmentWhoseReplicasAreAllFenced() {
        cluster.register(4, null);
        cluster.register(5, null);
        assertBadAssignment(5, List.of(List.of(1, 2), List.of(4, 5)), "All brokers specified in the manual "
                + "partition assignment for partition 4 are fenced or in controlled shutdown.");
    }

    private void assertBadAssignment(int count, List<List<Integer>> assignments, String message) {
        assertThat(grow(new CreatePartitionsSpec("t", count, assignments)))
                .isEqualTo(new CreatePartitionsResult("t", Errors.INVALID_REPLICA_ASSIGNMENT, message));
    }

    @Test
    void shouldRefuseDuplicateTopicAndStillServeTheOthers() {
        cluster.topic("u", Map.of(0, List.of(1)));

        List<CreatePartitionsResult> results = cluster.controller.createPartitions(List.of(
                CreatePartitionsSpec.of("t", 4), CreatePartitionsSpec.of("u", 2), CreatePartitionsSpec.of("t", 5)),
                false).join();

        assertThat(results).containsExactly(
                new CreatePartitionsResult("t", Errors.INVALID_REQUEST, "Duplicate topic name."),
                new CreatePartitionsResult("u", Errors.NONE, null));
        assertThat(topic().partitions()).hasSize(3);
        assertThat(cluster.quorum.image().topics().byName("u").orElseThrow().partitions()).hasSize(2);
    }

    @Test
    void shouldRefuseWhenTooFewUnfencedBrokers() {
        cluster.expireAllBut(1);

        CreatePartitionsResult result = grow(CreatePartitionsSpec.of("t", 4));

        assertThat(result.error()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR);
        assertThat(result.message()).as("Kafka's placer's message, without CreateTopics' prefix")
                .isEqualTo("The target replication factor of 2 cannot be reached because only 1 unfenced broker(s) "
                        + "are registered.");
    }

    @Test
    void shouldRefuseEveryTopicWhenTheRequestAddsMoreThanTheLimit() {
        cluster.topic("u", Map.of(0, List.of(1)));
        int limit = PartitionAddition.MAX_PARTITIONS_PER_REQUEST;
        String message = "Excessively large number of additional partitions per request.";

        List<CreatePartitionsResult> results = cluster.controller.createPartitions(List.of(
                CreatePartitionsSpec.of("t", 3 + limit / 2), CreatePartitionsSpec.of("u", 2 + limit / 2),
                CreatePartitionsSpec.of("missing", 2)), true).join();

        assertThat(results).containsExactly(new CreatePartitionsResult("t", Errors.POLICY_VIOLATION, message),
                new CreatePartitionsResult("u", Errors.POLICY_VIOLATION, message),
                new CreatePartitionsResult("missing", Errors.POLICY_VIOLATION, message));
        assertThat(grow(CreatePartitionsSpec.of("t", 3 + limit), true).error()).isEqualTo(Errors.NONE);
        assertThat(cluster.controller.createPartitions(List.of(CreatePartitionsSpec.of("t", 2),
                CreatePartitionsSpec.of("u", 2 + limit)), true).join())
                .as("a decrease does not offset another topic's increase")
                .extracting(CreatePartitionsResult::error).containsOnly(Errors.POLICY_VIOLATION);
        assertThat(topic().partitions()).hasSize(3);
    }

    @Test
    void shouldChangeNothingWhenValidateOnly() {
        int before = cluster.quorum.log().size();

        assertThat(grow(CreatePartitionsSpec.of("t", 8), true).error()).isEqualTo(Errors.NONE);
        assertThat(grow(CreatePartitionsSpec.of("t", 2), true).error()).isEqualTo(Errors.INVALID_PARTITIONS);

        assertThat(cluster.quorum.log()).hasSize(before);
        assertThat(topic().partitions()).hasSize(3);
    }

    @Test
    void shouldPassNewPartitionsToListenersAsChangesOfTheExistingTopic() {
        MetadataDelta delta = new MetadataDelta(cluster.quorum.image());
        grow(CreatePartitionsSpec.of("t", 4));
        cluster.lastBatch().forEach(delta::replay);

        assertThat(delta.createdTopicIds()).isEmpty();
        assertThat(delta.changedTopics().get(topicId).partitions()).hasSize(4);
    }
}

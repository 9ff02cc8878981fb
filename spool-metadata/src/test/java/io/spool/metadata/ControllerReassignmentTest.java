package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AlterPartitionReassignments and ListPartitionReassignments: start, replace, cancel, completion and errors. */
class ControllerReassignmentTest {
    private static final TopicPartition T0 = new TopicPartition("t", 0);

    private TestCluster cluster = new TestCluster().withBrokers(1, 2, 3, 4, 5);
    /** Partition 0: replicas [1, 2, 3], ISR [1, 2, 3], leader 1, epochs 0. */
    private Uuid t;

    @BeforeEach
    void createTopic() {
        t = cluster.topic("t", Map.of(0, List.of(1, 2, 3), 1, List.of(2, 3, 1)));
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    private ReassignmentResult reassign(TopicPartition tp, Integer... target) {
        return reassignAll(Map.of(tp, Optional.of(Arrays.asList(target)))).get(0);
    }

    private ReassignmentResult cancel(TopicPartition tp) {
        return reassignAll(Map.of(tp, Optional.empty())).get(0);
    }

    private List<ReassignmentResult> reassignAll(Map<TopicPartition, Optional<List<Integer>>> targets) {
        return cluster.controller.alterPartitionReassignments(targets).join();
    }

    private static ReassignmentResult ok(TopicPartition tp) {
        return new ReassignmentResult(tp, Errors.NONE, null);
    }

    private Optional<Reassignment> reassignment() {
        return cluster.quorum.image().reassignment(t, 0);
    }

    private PartitionRecord p0() {
        return cluster.partition(t, 0);
    }

    @Test
    void shouldStartReassignmentWithTargetFirstAndIsrUnchanged() {
        int batches = cluster.quorum.log().size();

        assertThat(reassign(T0, 3, 4)).isEqualTo(ok(T0));

        assertThat(cluster.quorum.log()).hasSize(batches + 1);
        assertThat(cluster.lastBatch()).containsExactly(
                new PartitionRecord(t, 0, List.of(3, 4, 1, 2), List.of(1, 2, 3), 1, 0, 1),
                new PartitionReassignmentRecord(t, 0, List.of(4), List.of(1, 2)));
        Reassignment expected = new Reassignment(List.of(3, 4, 1, 2), List.of(4), List.of(1, 2));
        assertThat(reassignment()).contains(expected);
        assertThat(expected.target()).containsExactly(3, 4);
        assertThat(expected.original()).containsExactly(3, 1, 2);
        assertThat(cluster.controller.listPartitionReassignments(null)).isEqualTo(Map.of(T0, expected));
        assertThat(cluster.controller.listPartitionReassignments(List.of(T0, new TopicPartition("t", 1),
                new TopicPartition("x", 0)))).isEqualTo(Map.of(T0, expected));
    }

    @Test
    void shouldCompleteWhenLeaderAddsNewReplicaToIsrAndHandLeadershipToTarget() {
        reassign(T0, 3, 4);

        AlterPartitionReply reply = cluster.alterIsr(t, 0, 1, 2, 3, 4);

        PartitionRecord completed = new PartitionRecord(t, 0, List.of(3, 4), List.of(3, 4), 3, 1, 2);
        assertThat(reply).isEqualTo(new AlterPartitionReply(Errors.NEW_LEADER_ELECTED, completed));
        assertThat(cluster.lastBatch()).containsExactly(completed,
                new PartitionReassignmentRecord(t, 0, List.of(), List.of()));
        assertThat(reassignment()).isEmpty();
        assertThat(cluster.controller.listPartitionReassignments(null)).isEmpty();
    }

    @Test
    void shouldCompleteKeepingLeaderInTarget() {
        reassign(T0, 1, 4);
        assertThat(p0().replicas()).containsExactly(1, 4, 2, 3);

        assertThat(cluster.alterIsr(t, 0, 1, 2, 4)).as("ISR change without 3 is accepted and completes")
                .isEqualTo(new AlterPartitionReply(Errors.NONE, new PartitionRecord(t, 0, List.of(1, 4),
                        List.of(1, 4), 1, 0, 2)));
        assertThat(reassignment()).isEmpty();
    }

    @Test
    void shouldWaitForEveryAddingReplica() {
        reassign(T0, 4, 5, 1);

        assertThat(cluster.alterIsr(t, 0, 1, 2, 3, 4).error()).isEqualTo(Errors.NONE);
        assertThat(p0()).isEqualTo(new PartitionRecord(t, 0, List.of(4, 5, 1, 2, 3), List.of(1, 2, 3, 4), 1, 0,
                2));
        assertThat(reassignment()).contains(new Reassignment(List.of(4, 5, 1, 2, 3), List.of(4, 5), List.of(2, 3)));

        assertThat(cluster.alterIsr(t, 0, 1, 4, 5).error()).isEqualTo(Errors.NONE);
        assertThat(p0()).isEqualTo(new PartitionRecord(t, 0, List.of(4, 5, 1), List.of(1, 4, 5), 1, 0, 3));
        assertThat(reassignment()).isEmpty();
    }

    @Test
    void shouldCompleteAtOnceWhenOnlyRemovingOrReordering() {
        assertThat(reassign(T0, 2, 1)).isEqualTo(ok(T0));
        assertThat(cluster.lastBatch()).containsExactly(new PartitionRecord(t, 0, List.of(2, 1), List.of(1, 2), 1,
                0, 1));
        assertThat(reassignment()).isEmpty();

        assertThat(reassign(T0, 1, 2)).isEqualTo(ok(T0));
        assertThat(p0()).isEqualTo(new PartitionRecord(t, 0, List.of(1, 2), List.of(1, 2), 1, 0, 2));
    }

    @Test
    void shouldDoNothingWhenTargetEqualsCurrentReplicas() {
        int batches = cluster.quorum.log().size();
        assertThat(reassign(T0, 1, 2, 3)).isEqualTo(ok(T0));
        assertThat(cluster.quorum.log()).hasSize(batches);

        reassign(T0, 4, 1);
        batches = cluster.quorum.log().size();
        assertThat(reassign(T0, 4, 1)).as("the same target again").isEqualTo(ok(T0));
        assertThat(cluster.quorum.log()).hasSize(batches);
    }

    @Test
    void shouldReplaceReassignmentComputedFromOriginalReplicas() {
        reassign(T0, 1, 2, 4);
        assertThat(reassignment()).contains(new Reassignment(List.of(1, 2, 4, 3), List.of(4), List.of(3)));

        assertThat(reassign(T0, 1, 2, 5)).isEqualTo(ok(T0));

        assertThat(p0()).isEqualTo(new PartitionRecord(t, 0, List.of(1, 2, 5, 3), List.of(1, 2, 3), 1, 0, 2));
        assertThat(reassignment()).contains(new Reassignment(List.of(1, 2, 5, 3), List.of(5), List.of(3)));
    }

    @Test
    void shouldDropReplicasAddedByTheOldTargetFromReplicasAndIsr() {
        reassign(T0, 4, 5, 1);
        cluster.alterIsr(t, 0, 1, 2, 3, 4);

        assertThat(reassign(T0, 5, 1)).isEqualTo(ok(T0));

        assertThat(cluster.lastBatch()).containsExactly(
                new PartitionRecord(t, 0, List.of(5, 1, 2, 3), List.of(1, 2, 3), 1, 0, 3),
                new PartitionReassignmentRecord(t, 0, List.of(5), List.of(2, 3)));
    }

    @Test
    void shouldCompleteReplacementAtOnceWhenNewReplicasAreAlreadyInSync() {
        reassign(T0, 4, 5, 1);
        cluster.alterIsr(t, 0, 1, 2, 3, 4);

        assertThat(reassign(T0, 4, 1)).isEqualTo(ok(T0));

        assertThat(cluster.lastBatch()).containsExactly(new PartitionRecord(t, 0, List.of(4, 1), List.of(1, 4), 1,
                0, 3), new PartitionReassignmentRecord(t, 0, List.of(), List.of()));
    }

    @Test
    void shouldCancelRestoringOriginalReplicasAndIsr() {
        reassign(T0, 4, 5, 1);
        cluster.alterIsr(t, 0, 1, 2, 3, 4);

        assertThat(cancel(T0)).isEqualTo(ok(T0));

        assertThat(cluster.lastBatch()).containsExactly(
                new PartitionRecord(t, 0, List.of(1, 2, 3), List.of(1, 2, 3), 1, 0, 3),
                new PartitionReassignmentRecord(t, 0, List.of(), List.of()));
        assertThat(reassignment()).isEmpty();
        assertThat(cancel(T0)).isEqualTo(new ReassignmentResult(T0, Errors.NO_REASSIGNMENT_IN_PROGRESS,
                Errors.NO_REASSIGNMENT_IN_PROGRESS.message()));
    }

    @Test
    void shouldCancelElectingAnOriginalReplicaWhenAnAddedOneLeads() {
        reassign(T0, 4, 5, 1);
        cluster.alterIsr(t, 0, 1, 2, 3, 4);
        cluster.expireAllBut(2, 3, 4, 5);
        cluster.alterIsr(t, 0, 4);
        assertThat(p0().leader()).isEqualTo(4);
        assertThat(p0().isr()).containsExactly(4);

        assertThat(cancel(T0)).isEqualTo(new ReassignmentResult(T0, Errors.INVALID_REPLICA_ASSIGNMENT,
                "Unable to change the reassignment because none of the in-sync replicas [4] would remain, which "
                        + "would require an unclean leader election."));

        cluster.alterIsr(t, 0, 4, 2);
        PartitionRecord before = p0();
        assertThat(cancel(T0)).isEqualTo(ok(T0));
        assertThat(p0()).isEqualTo(new PartitionRecord(t, 0, List.of(1, 2, 3), List.of(2), 2,
                before.leaderEpoch() + 1, before.partitionEpoch() + 1));
    }

    @Test
    void shouldCancelWithUncleanElectionWhenTopicAllowsIt() {
        Uuid u = cluster.topic("u", Map.of(0, List.of(1)), Map.of("unclean.leader.election.enable", "true"));
        TopicPartition u0 = new TopicPartition("u", 0);
        reassign(u0, 2, 3);
        cluster.alterIsr(u, 0, 1, 2);
        cluster.expireAllBut(2, 3, 4, 5);
        cluster.register(1, null);
        cluster.heartbeat(1);
        PartitionRecord before = cluster.partition(u, 0);
        assertThat(before.leader()).isEqualTo(2);
        assertThat(before.isr()).containsExactly(2);

        assertThat(cancel(u0)).isEqualTo(ok(u0));

        assertThat(cluster.partition(u, 0)).isEqualTo(new PartitionRecord(u, 0, List.of(1), List.of(1), 1,
                before.leaderEpoch() + 1, before.partitionEpoch() + 1));
    }

    @Test
    void shouldRejectInvalidTargetsAndUnknownPartitions() {
        Map<TopicPartition, Optional<List<Integer>>> targets = new LinkedHashMap<>();
        targets.put(T0, Optional.of(List.of()));
        targets.put(new TopicPartition("t", 1), Optional.of(List.of(1, 1)));
        targets.put(new TopicPartition("t", 2), Optional.of(List.of(1)));
        targets.put(new TopicPartition("x", 0), Optional.of(List.of(1)));
        targets.put(new TopicPartition("t", 3), Optional.empty());

        List<ReassignmentResult> results = reassignAll(targets);

        assertThat(results).extracting(ReassignmentResult::partition).containsExactlyElementsOf(targets.keySet());
        assertThat(results).extracting(ReassignmentResult::error).containsExactly(Errors.INVALID_REPLICA_ASSIGNMENT,
                Errors.INVALID_REPLICA_ASSIGNMENT, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(reassign(T0, 1, 9)).isEqualTo(new ReassignmentResult(T0, Errors.INVALID_REPLICA_ASSIGNMENT,
                "The manual partition assignment includes broker 9, but no such broker is registered."));
        assertThat(reassign(T0, 1, null).error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(reassignment()).isEmpty();
    }

    @Test
    void shouldRejectReplicationFactorChangeWhenNotAllowed() {
        assertThat(cluster.controller.alterPartitionReassignments(Map.of(T0, Optional.of(List.of(1, 2))), false)
                .join()).containsExactly(new ReassignmentResult(T0, Errors.INVALID_REPLICATION_FACTOR,
                        "The replication factor is changed from 3 to 2"));
        assertThat(cluster.controller.alterPartitionReassignments(Map.of(T0, Optional.of(List.of(4, 9))), false)
                .join().get(0).error()).as("unknown broker first").isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(cluster.controller.alterPartitionReassignments(Map.of(T0, Optional.of(List.of(2, 3, 4))), false)
                .join()).containsExactly(ok(T0));
        assertThat(cluster.controller.alterPartitionReassignments(Map.of(T0, Optional.of(List.of(5, 3, 4))), false)
                .join()).as("against the 3 replicas it is heading for, not the 4 it has").containsExactly(ok(T0));
        assertThat(cluster.controller.alterPartitionReassignments(Map.of(T0, Optional.empty()), false).join())
                .containsExactly(ok(T0));
    }

    @Test
    void shouldAcceptFencedButRegisteredTargetBroker() {
        cluster.expireAllBut(1, 2, 3, 4);
        assertThat(reassign(T0, 1, 5)).isEqualTo(ok(T0));
        assertThat(cluster.alterIsr(t, 0, 1, 5).error()).as("5 is fenced").isEqualTo(Errors.INELIGIBLE_REPLICA);
    }

    @Test
    void shouldStartSeveralReassignmentsInOneBatch() {
        Map<TopicPartition, Optional<List<Integer>>> targets = new LinkedHashMap<>();
        targets.put(T0, Optional.of(List.of(4, 2, 3)));
        targets.put(new TopicPartition("t", 1), Optional.of(List.of(5, 3, 1)));
        int batches = cluster.quorum.log().size();

        assertThat(reassignAll(targets)).containsExactly(ok(T0), ok(new TopicPartition("t", 1)));

        assertThat(cluster.quorum.log()).hasSize(batches + 1);
        assertThat(cluster.controller.listPartitionReassignments(null)).containsOnlyKeys(T0,
                new TopicPartition("t", 1));
    }

    @Test
    void shouldNotLetAFencedRemovingReplicaBlockCompletion() {
        reassign(T0, 1, 4);
        cluster.expireAllBut(1, 3, 4, 5);
        assertThat(p0().isr()).containsExactly(1, 3);
        assertThat(reassignment()).isPresent();

        cluster.alterIsr(t, 0, 1, 3, 4);

        assertThat(p0()).satisfies(p -> {
            assertThat(p.replicas()).containsExactly(1, 4);
            assertThat(p.isr()).containsExactly(1, 4);
        });
        assertThat(reassignment()).isEmpty();
    }

    @Test
    void shouldCompleteWhenFencingElectsAnAddingReplicaUncleanly() {
        Uuid u = cluster.topic("u", Map.of(0, List.of(1)), Map.of("unclean.leader.election.enable", "true"));
        reassign(new TopicPartition("u", 0), 2);
        assertThat(cluster.partition(u, 0).isr()).containsExactly(1);

        cluster.expireAllBut(2, 3, 4, 5);

        PartitionRecord p = cluster.partition(u, 0);
        assertThat(p.replicas()).containsExactly(2);
        assertThat(p.isr()).containsExactly(2);
        assertThat(p.leader()).isEqualTo(2);
        assertThat(cluster.quorum.image().reassignment(u, 0)).isEmpty();
    }

    @Test
    void shouldKeepReassignmentAcrossSnapshotAndFailover() {
        reassign(T0, 4, 5, 1);
        MetadataImage image = cluster.quorum.image();
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        MetadataRecordSerde.decode(MetadataRecordSerde.encode(image.toRecords())).forEach(delta::replay);

        MetadataImage restored = delta.apply(image.offset());

        assertThat(restored).isEqualTo(image);
        assertThat(restored.reassignment(t, 0)).contains(new Reassignment(List.of(4, 5, 1, 2, 3), List.of(4, 5),
                List.of(2, 3)));

        try (Controller successor = new Controller(cluster.quorum, cluster.clock, ControllerSettings.defaults()
                .withSessionCheckIntervalMs(0).withLeaderImbalanceCheckIntervalMs(0))) {
            PartitionRecord p = p0();
            assertThat(successor.alterPartition(1, cluster.epoch(1), t, 0, p.leaderEpoch(), p.partitionEpoch(),
                    List.of(1, 2, 3, 4, 5)).join().partition().replicas()).containsExactly(4, 5, 1);
        }
    }

    @Test
    void shouldForgetReassignmentWhenTopicIsDeleted() {
        reassign(T0, 4, 5, 1);
        assertThat(cluster.controller.deleteTopics(List.of("t"), List.of()).join())
                .extracting(DeleteTopicResult::error).containsExactly(Errors.NONE);
        assertThat(cluster.controller.listPartitionReassignments(null)).isEmpty();
        assertThat(cluster.quorum.image().reassignment(t, 0)).isEmpty();

        Uuid again = cluster.topic("t", Map.of(0, List.of(1, 2, 3)));
        assertThat(cluster.quorum.image().reassignment(again, 0)).isEmpty();
        assertThat(cluster.controller.listPartitionReassignments(List.of(T0))).isEmpty();
    }

    @Test
    void shouldAnswerNotControllerWhenNotActive() {
        cluster.quorum.setActiveController(false);
        int batches = cluster.quorum.log().size();

        assertThat(reassign(T0, 4)).isEqualTo(new ReassignmentResult(T0, Errors.NOT_CONTROLLER,
                Errors.NOT_CONTROLLER.message()));
        assertThat(cancel(T0).error()).isEqualTo(Errors.NOT_CONTROLLER);
        assertThat(cluster.quorum.log()).hasSize(batches);
    }

    @Test
    void shouldAnswerAppendErrorAndKeepState() {
        cluster.quorum.failAppends(new IllegalStateException("disk"));
        assertThat(reassign(T0, 4).error()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(reassign(T0, 1, 2, 3).error()).as("nothing to append").isEqualTo(Errors.NONE);
        assertThat(reassignment()).isEmpty();
        assertThat(p0().replicas()).containsExactly(1, 2, 3);
    }
}

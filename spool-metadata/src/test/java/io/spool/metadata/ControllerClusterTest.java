package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Registration, heartbeats, session expiry and controlled shutdown. */
class ControllerClusterTest {
    private TestCluster cluster = new TestCluster();

    @AfterEach
    void close() {
        cluster.close();
    }

    private static PartitionRecord partition(Uuid topic, int index, List<Integer> replicas, List<Integer> isr,
            int leader, int leaderEpoch, int partitionEpoch) {
        return new PartitionRecord(topic, index, replicas, isr, leader, leaderEpoch, partitionEpoch);
    }

    @Test
    void shouldRegisterBrokerFencedWithEpochFromClockWhenNew() {
        BrokerRegistrationReply reply = cluster.register(1, "rack-a");

        assertThat(reply).isEqualTo(new BrokerRegistrationReply(Errors.NONE, 1_000_000));
        BrokerRegistration registration = cluster.quorum.image().cluster().registration(1).orElseThrow();
        assertThat(registration.epoch()).isEqualTo(1_000_000);
        assertThat(registration.fenced()).isTrue();
        assertThat(registration.rack()).isEqualTo("rack-a");
        assertThat(registration.record().clusterId()).isEqualTo(TestCluster.CLUSTER_ID);
        assertThat(cluster.quorum.image().cluster().brokers()).containsOnlyKeys(1);
        assertThat(cluster.quorum.image().cluster().unfencedBrokerIds()).isEmpty();
        assertThat(cluster.fenced(1)).isTrue();
        assertThat(cluster.fenced(2)).isTrue();
    }

    @Test
    void shouldRaiseEpochOnEveryRegistrationEvenWhenClockStandsStill() {
        assertThat(cluster.register(1, null).brokerEpoch()).isEqualTo(1_000_000);
        assertThat(cluster.register(1, null).brokerEpoch()).isEqualTo(1_000_001);
        cluster.clock.advance(5000);
        assertThat(cluster.register(1, null).brokerEpoch()).isEqualTo(1_005_000);
        assertThat(cluster.quorum.image().cluster().registration(1).orElseThrow().epoch()).isEqualTo(1_005_000);
    }

    @Test
    void shouldRejectRegistrationWhenClusterIdDiffers() {
        int before = cluster.quorum.log().size();
        List<Endpoint> endpoints = List.of(new Endpoint("PLAINTEXT", "h", 1));
        assertThat(cluster.controller.registerBroker(1, "other", endpoints, null).join())
                .isEqualTo(new BrokerRegistrationReply(Errors.INCONSISTENT_CLUSTER_ID, -1));
        assertThat(cluster.controller.registerBroker(1, null, endpoints, null).join().error())
                .isEqualTo(Errors.INCONSISTENT_CLUSTER_ID);
        assertThat(cluster.quorum.log()).hasSize(before);
    }

    @Test
    void shouldAcceptAnyClusterIdWhenSettingsNameNone() {
        try (Controller open = new Controller(cluster.quorum, cluster.clock, ControllerSettings.defaults()
                .withSessionCheckIntervalMs(0))) {
            assertThat(open.registerBroker(1, "whatever", List.of(), null).join().error()).isEqualTo(Errors.NONE);
        }
    }

    @Test
    void shouldAnswerNotControllerToEveryOperationWhenNotActive() {
        cluster.withBrokers(1);
        Uuid topic = cluster.topic("t", Map.of(0, List.of(1)));
        cluster.quorum.setActiveController(false);
        int before = cluster.quorum.log().size();
        Controller controller = cluster.controller;

        assertThat(cluster.register(2, null).error()).isEqualTo(Errors.NOT_CONTROLLER);
        assertThat(cluster.heartbeat(1).error()).isEqualTo(Errors.NOT_CONTROLLER);
        assertThat(controller.alterPartition(1, cluster.epoch(1), topic, 0, 0, 0, List.of(1)).join())
                .isEqualTo(new AlterPartitionReply(Errors.NOT_CONTROLLER, null));
        assertThat(controller.createTopics(List.of(CreateTopicSpec.of("x", 1, 1)), true).join())
                .extracting(CreateTopicResult::error).containsExactly(Errors.NOT_CONTROLLER);
        assertThat(controller.deleteTopics(List.of("t"), List.of(topic)).join())
                .extracting(DeleteTopicResult::error).containsExactly(Errors.NOT_CONTROLLER, Errors.NOT_CONTROLLER);
        assertThatThrownBy(() -> controller.allocateProducerIds(1, 10).join())
                .hasCauseInstanceOf(NotControllerException.class);
        cluster.clock.advance(60_000);
        controller.checkSessions().join();
        assertThat(cluster.quorum.log()).hasSize(before);
        assertThat(cluster.fenced(1)).isFalse();
    }

    @Test
    void shouldRejectHeartbeatOfUnknownBrokerOrStaleEpoch() {
        cluster.register(1, null);
        assertThat(cluster.controller.heartbeat(7, 1, 0, false, false).join())
                .isEqualTo(new BrokerHeartbeatReply(Errors.BROKER_ID_NOT_REGISTERED, true, false));
        assertThat(cluster.controller.heartbeat(1, cluster.epoch(1) - 1, 100, false, false).join().error())
                .isEqualTo(Errors.STALE_BROKER_EPOCH);
        assertThat(cluster.fenced(1)).isTrue();
    }

    @Test
    void shouldUnfenceOnHeartbeatOnlyOnceBrokerHasCaughtUpToItsRegistration() {
        cluster.register(1, null);
        long registeredAt = cluster.quorum.image().offset();
        long epoch = cluster.epoch(1);

        assertThat(cluster.controller.heartbeat(1, epoch, registeredAt - 1, false, false).join())
                .isEqualTo(new BrokerHeartbeatReply(Errors.NONE, true, false));
        assertThat(cluster.controller.heartbeat(1, epoch, registeredAt, true, false).join())
                .isEqualTo(new BrokerHeartbeatReply(Errors.NONE, true, false));
        assertThat(cluster.fenced(1)).isTrue();

        assertThat(cluster.controller.heartbeat(1, epoch, registeredAt, false, false).join())
                .isEqualTo(new BrokerHeartbeatReply(Errors.NONE, false, false));
        assertThat(cluster.lastBatch()).containsExactly(new UnfenceBrokerRecord(1, epoch));
        assertThat(cluster.quorum.image().cluster().unfencedBrokerIds()).containsExactly(1);

        int before = cluster.quorum.log().size();
        assertThat(cluster.heartbeat(1)).isEqualTo(new BrokerHeartbeatReply(Errors.NONE, false, false));
        assertThat(cluster.quorum.log()).hasSize(before);
    }

    @Test
    void shouldFenceExpiredBrokerMovingLeadershipAndShrinkingIsrsInOneBatch() {
        cluster.withBrokers(1, 2, 3);
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2, 3), 1, List.of(2, 1, 3), 2, List.of(3, 2, 1)));
        Uuid other = cluster.topic("other", Map.of(0, List.of(3, 2)));
        int before = cluster.quorum.log().size();

        cluster.expireAllBut(2, 3);

        assertThat(cluster.quorum.log()).hasSize(before + 1);
        assertThat(cluster.lastBatch()).containsExactly(new FenceBrokerRecord(1, cluster.epoch(1)),
                partition(t, 0, List.of(1, 2, 3), List.of(2, 3), 2, 1, 1),
                partition(t, 1, List.of(2, 1, 3), List.of(2, 3), 2, 0, 1),
                partition(t, 2, List.of(3, 2, 1), List.of(3, 2), 3, 0, 1));
        assertThat(cluster.fenced(1)).isTrue();
        assertThat(cluster.partition(other, 0)).isEqualTo(partition(other, 0, List.of(3, 2), List.of(3, 2), 3, 0,
                0));
    }

    @Test
    void shouldNotFenceBrokerWithinItsSession() {
        cluster.withBrokers(1);
        cluster.clock.advance(TestCluster.SESSION_TIMEOUT_MS);
        cluster.controller.checkSessions().join();
        assertThat(cluster.fenced(1)).isFalse();
        cluster.clock.advance(1);
        cluster.controller.checkSessions().join();
        assertThat(cluster.fenced(1)).isTrue();
    }

    @Test
    void shouldElectNoBrokerBeingFencedWhenSeveralExpireTogether() {
        cluster.withBrokers(1, 2, 3);
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2, 3)));

        cluster.expireAllBut(3);

        assertThat(cluster.lastBatch()).filteredOn(r -> r instanceof FenceBrokerRecord).hasSize(2);
        assertThat(cluster.partition(t, 0)).isEqualTo(partition(t, 0, List.of(1, 2, 3), List.of(3), 3, 1, 2));
    }

    @Test
    void shouldKeepLastIsrMemberLeaderlessAndElectItAgainWhenItReturns() {
        withElrDisabled();
        cluster.withBrokers(1, 2);
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2)));

        cluster.expireAllBut(2);
        assertThat(cluster.partition(t, 0)).isEqualTo(partition(t, 0, List.of(1, 2), List.of(2), 2, 1, 1));
        cluster.expireAllBut();
        assertThat(cluster.partition(t, 0)).isEqualTo(partition(t, 0, List.of(1, 2), List.of(2),
                PartitionRecord.NO_LEADER, 2, 2));

        cluster.register(1, null);
        assertThat(cluster.heartbeat(1).fenced()).isFalse();
        assertThat(cluster.partition(t, 0).leader()).as("1 is not in the ISR").isEqualTo(PartitionRecord.NO_LEADER);

        cluster.register(2, null);
        assertThat(cluster.heartbeat(2).fenced()).isFalse();
        assertThat(cluster.lastBatch()).containsExactly(new UnfenceBrokerRecord(2, cluster.epoch(2)),
                partition(t, 0, List.of(1, 2), List.of(2), 2, 3, 3));
    }

    @Test
    void shouldElectOutOfSyncReplicaWhenUncleanElectionEnabledForTopic() {
        withElrDisabled();
        cluster.withBrokers(1, 2);
        Uuid clean = cluster.topic("clean", Map.of(0, List.of(1, 2)));
        Uuid unclean = cluster.topic("unclean", Map.of(0, List.of(1, 2)),
                Map.of("unclean.leader.election.enable", "true"));
        shrinkIsrToLeader(clean);
        shrinkIsrToLeader(unclean);

        cluster.expireAllBut(2);

        assertThat(cluster.partition(clean, 0)).isEqualTo(partition(clean, 0, List.of(1, 2), List.of(1),
                PartitionRecord.NO_LEADER, 1, 2));
        assertThat(cluster.partition(unclean, 0)).isEqualTo(partition(unclean, 0, List.of(1, 2), List.of(2), 2,
                1, 2));
    }

    @Test
    void shouldElectOutOfSyncReplicaWhenUncleanElectionEnabledForBrokers() {
        cluster.close();
        cluster = new TestCluster(ControllerSettings.defaults()
                .withBrokerConfigs(Map.of("unclean.leader.election.enable", "true")));
        cluster.withBrokers(1, 2);
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2)));
        shrinkIsrToLeader(t);
        cluster.expireAllBut();
        assertThat(cluster.partition(t, 0).leader()).isEqualTo(PartitionRecord.NO_LEADER);

        cluster.register(2, null);
        cluster.heartbeat(2);

        assertThat(cluster.partition(t, 0)).isEqualTo(partition(t, 0, List.of(1, 2), List.of(2), 2, 2, 3));
    }

    /** The cluster as it was before KIP-966 (eligible.leader.replicas.version=0). */
    private void withElrDisabled() {
        cluster.close();
        cluster = new TestCluster(ControllerSettings.defaults().withBrokerConfigs(Map.of(
                ReplicationControl.ELR_VERSION, "0")));
    }

    private void shrinkIsrToLeader(Uuid topic) {
        PartitionRecord p = cluster.partition(topic, 0);
        assertThat(cluster.controller.alterPartition(p.leader(), cluster.epoch(p.leader()), topic, 0,
                p.leaderEpoch(), p.partitionEpoch(), List.of(p.leader())).join().error()).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldGiveEveryBrokerAFreshSessionWhenControllerBecomesActiveAgain() {
        cluster.withBrokers(1, 2);
        cluster.quorum.setActiveController(false);
        cluster.controller.checkSessions().join();
        cluster.clock.advance(3 * TestCluster.SESSION_TIMEOUT_MS);
        cluster.quorum.setActiveController(true);

        cluster.controller.checkSessions().join();
        assertThat(cluster.quorum.image().cluster().unfencedBrokerIds()).containsExactly(1, 2);

        cluster.expireAllBut(2);
        assertThat(cluster.quorum.image().cluster().unfencedBrokerIds()).containsExactly(2);
    }

    @Test
    void shouldFenceExpiredBrokersInTheBackgroundWhenCheckIntervalSet() {
        MutableClock clock = new MutableClock(0);
        LocalMetadataQuorum quorum = new LocalMetadataQuorum().withBrokers(1);
        try (Controller background = new Controller(quorum, clock, ControllerSettings.defaults()
                .withBrokerSessionTimeoutMs(1000).withSessionCheckIntervalMs(5))) {
            background.checkSessions().join();
            clock.advance(1001);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> quorum.image().cluster().isFenced(1));
            assertThat(background.heartbeat(1, 1, quorum.image().offset(), false, false).join().fenced()).isFalse();
        }
    }

    @Test
    void shouldStartSessionOfBrokerUnfencedBySomeoneElse() {
        cluster.controller.checkSessions().join();
        cluster.quorum.withBrokers(5);
        cluster.controller.checkSessions().join();
        cluster.clock.advance(TestCluster.SESSION_TIMEOUT_MS);
        cluster.controller.checkSessions().join();
        assertThat(cluster.fenced(5)).isFalse();
        cluster.clock.advance(1);
        cluster.controller.checkSessions().join();
        assertThat(cluster.fenced(5)).isTrue();
    }

    @Test
    void shouldFenceThenRegisterInOneBatchWhenUnfencedBrokerRegistersAgain() {
        cluster.withBrokers(1, 2);
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2)));
        long oldEpoch = cluster.epoch(1);

        BrokerRegistrationReply reply = cluster.register(1, "rack-b");

        assertThat(reply.brokerEpoch()).isGreaterThan(oldEpoch);
        List<MetadataRecord> batch = cluster.lastBatch();
        assertThat(batch).hasSize(3);
        assertThat(batch.get(0)).isEqualTo(new FenceBrokerRecord(1, oldEpoch));
        assertThat(batch.get(1)).isEqualTo(partition(t, 0, List.of(1, 2), List.of(2), 2, 1, 1));
        assertThat(batch.get(2)).isInstanceOfSatisfying(RegisterBrokerRecord.class, r -> {
            assertThat(r.incarnation()).isEqualTo(reply.brokerEpoch());
            assertThat(r.rack()).isEqualTo("rack-b");
        });
        assertThat(cluster.fenced(1)).isTrue();
        assertThat(cluster.heartbeat(1).fenced()).isFalse();
        assertThat(cluster.partition(t, 0).leader()).isEqualTo(2);
    }

    @Test
    void shouldMoveLeadershipAwayAndFenceOnControlledShutdown() {
        withElrDisabled();
        cluster.withBrokers(1, 2, 3);
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2, 3), 1, List.of(2, 3, 1)));
        Uuid solo = cluster.topic("solo", Map.of(0, List.of(1)));

        assertThat(cluster.shutDown(1)).isEqualTo(new BrokerHeartbeatReply(Errors.NONE, true, true));

        assertThat(cluster.partition(t, 0)).isEqualTo(partition(t, 0, List.of(1, 2, 3), List.of(2, 3), 2, 1, 1));
        assertThat(cluster.partition(t, 1)).isEqualTo(partition(t, 1, List.of(2, 3, 1), List.of(2, 3), 2, 0, 1));
        assertThat(cluster.partition(solo, 0)).isEqualTo(partition(solo, 0, List.of(1), List.of(1),
                PartitionRecord.NO_LEADER, 1, 1));
        assertThat(cluster.fenced(1)).isTrue();

        int before = cluster.quorum.log().size();
        assertThat(cluster.shutDown(1)).isEqualTo(new BrokerHeartbeatReply(Errors.NONE, true, true));
        assertThat(cluster.quorum.log()).hasSize(before);
    }

    @Test
    void shouldFenceUnfencedBrokerThatAsksToBeFenced() {
        cluster.withBrokers(1, 2);
        Uuid t = cluster.topic("t", Map.of(0, List.of(1, 2)));

        assertThat(cluster.controller.heartbeat(1, cluster.epoch(1), cluster.quorum.image().offset(), true, false)
                .join()).isEqualTo(new BrokerHeartbeatReply(Errors.NONE, true, false));

        assertThat(cluster.fenced(1)).isTrue();
        assertThat(cluster.partition(t, 0).leader()).isEqualTo(2);
    }

    @Test
    void shouldReportAppendFailureOfHeartbeatAndKeepState() {
        cluster.register(1, null);
        cluster.quorum.failAppends(new NotControllerException("lost leadership"));
        assertThat(cluster.heartbeat(1)).isEqualTo(new BrokerHeartbeatReply(Errors.NOT_CONTROLLER, true, false));
        assertThat(cluster.register(1, null).error()).isEqualTo(Errors.NOT_CONTROLLER);
        cluster.quorum.failAppends(new IllegalStateException("disk"));
        assertThat(cluster.heartbeat(1).error()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(cluster.fenced(1)).isTrue();
    }

    @Test
    void shouldPlaceNewTopicsOnUnfencedBrokersOnly() {
        cluster.withBrokers(1, 2);
        cluster.register(3, null);

        List<CreateTopicResult> tooMany = cluster.controller.createTopics(List.of(CreateTopicSpec.of("x", 3, 3)),
                false).join();
        assertThat(tooMany.get(0).error()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR);
        assertThat(tooMany.get(0).message()).contains("only 2 unfenced broker(s)");

        assertThat(cluster.controller.createTopics(List.of(CreateTopicSpec.of("y", 6, 2)), false).join().get(0)
                .error()).isEqualTo(Errors.NONE);
        TopicImage y = cluster.quorum.image().topics().byName("y").orElseThrow();
        assertThat(y.partitions().values()).allSatisfy(p -> {
            assertThat(p.replicas()).containsExactlyInAnyOrder(1, 2);
            assertThat(p.isr()).isEqualTo(p.replicas());
            assertThat(p.leader()).isEqualTo(p.replicas().get(0));
        });
    }

    @Test
    void shouldAllowFencedBrokersInManualAssignmentButNotAsOnlyReplicas() {
        cluster.withBrokers(1);
        cluster.register(3, null);

        Uuid t = cluster.topic("t", Map.of(0, List.of(3, 1)));
        assertThat(cluster.partition(t, 0)).isEqualTo(partition(t, 0, List.of(3, 1), List.of(1), 1, 0, 0));

        CreateTopicResult allFenced = cluster.controller.createTopics(List.of(new CreateTopicSpec("u", -1,
                (short) -1, Map.of(0, List.of(1), 1, List.of(3)), Map.of())), false).join().get(0);
        assertThat(allFenced.error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(allFenced.message()).contains("partition 1 are fenced");
    }
}

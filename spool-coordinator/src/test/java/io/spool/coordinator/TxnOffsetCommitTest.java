package io.spool.coordinator;

import static io.spool.coordinator.Harness.done;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class TxnOffsetCommitTest {

    private static final long PID = 4000L;
    private static final short V5 = 5;

    private final Harness h = new Harness();

    static TxnOffsetCommitRequestData txnCommit(String group, long producerId, String topic, int partition,
                                                long offset) {
        return new TxnOffsetCommitRequestData().setTransactionalId("tx").setGroupId(group).setProducerId(producerId)
            .setProducerEpoch((short) 0).setTopics(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                .setName(topic).setPartitions(new ArrayList<>(List.of(
                    new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(partition)
                        .setCommittedOffset(offset).setCommittedLeaderEpoch(2).setCommittedMetadata("t"))))));
    }

    static short error(TxnOffsetCommitResponseData r) {
        return r.topics().get(0).partitions().get(0).errorCode();
    }

    private short commitTxn(TxnOffsetCommitRequestData req, short version) {
        return error(done(h.coordinator.txnCommitOffsets(req, version)));
    }

    private OffsetFetchResponsePartitions fetched(GroupCoordinator c, String group, String topic, int p,
                                                  boolean requireStable) {
        var req = OffsetCommitFetchTest.fetch(group, topic, p).setRequireStable(requireStable);
        return done(c.fetchOffsets(req, (short) 9)).groups().get(0).topics().get(0).partitions().get(0);
    }

    private OffsetFetchResponsePartitions fetched(String group, String topic, int p, boolean requireStable) {
        return fetched(h.coordinator, group, topic, p, requireStable);
    }

    /** The broker's part: the marker is written to the log, then the coordinator is told. */
    private void endTransaction(long producerId, boolean commit) {
        h.log.endTransaction(0, producerId, commit);
        h.coordinator.completeTransaction(0, producerId, commit);
    }

    @Test
    void shouldKeepOffsetsPendingWhenTransactionIsOpen() {
        assertThat(commitTxn(txnCommit("g", PID, "foo", 1, 42), V5)).isZero();
        assertThat(fetched("g", "foo", 1, false).committedOffset()).isEqualTo(-1);
        assertThat(fetched("g", "foo", 1, false).errorCode()).isZero();
        assertThat(fetched("g", "foo", 1, true).errorCode()).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code());
        assertThat(fetched("g", "foo", 2, true).errorCode()).isZero();
        assertThat(fetched("other", "foo", 1, true).errorCode()).isZero();
        assertThat(h.log.openTransactions(0)).containsOnlyKeys(PID);
        assertThat(h.coordinator.snapshot().offsets()).isEmpty();
    }

    @Test
    void shouldCommitPendingOffsetsWhenMarkerCommits() {
        done(h.coordinator.commitOffsets(OffsetCommitFetchTest.commit("g", "foo", 1, 5), (short) 9));
        assertThat(commitTxn(txnCommit("g", PID, "foo", 1, 9), V5)).isZero();
        assertThat(commitTxn(txnCommit("g", PID, "foo", 1, 10), V5)).isZero();
        assertThat(fetched("g", "foo", 1, false).committedOffset()).isEqualTo(5);
        endTransaction(PID, true);
        OffsetFetchResponsePartitions p = fetched("g", "foo", 1, true);
        assertThat(p.errorCode()).isZero();
        assertThat(p.committedOffset()).isEqualTo(10);
        assertThat(p.committedLeaderEpoch()).isEqualTo(2);
        assertThat(p.metadata()).isEqualTo("t");
        assertThat(h.reload().snapshot()).isEqualTo(h.coordinator.snapshot());
    }

    @Test
    void shouldDropPendingOffsetsWhenMarkerAborts() {
        done(h.coordinator.commitOffsets(OffsetCommitFetchTest.commit("g", "foo", 1, 5), (short) 9));
        assertThat(commitTxn(txnCommit("g", PID, "foo", 1, 9), V5)).isZero();
        assertThat(commitTxn(txnCommit("g", PID + 1, "foo", 2, 3), V5)).isZero();
        endTransaction(PID, false);
        assertThat(fetched("g", "foo", 1, true).committedOffset()).isEqualTo(5);
        assertThat(fetched("g", "foo", 2, true).errorCode()).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code());
        endTransaction(PID + 1, true);
        assertThat(fetched("g", "foo", 2, true).committedOffset()).isEqualTo(3);
        assertThat(h.reload().snapshot()).isEqualTo(h.coordinator.snapshot());
    }

    @Test
    void shouldAnswerUnstableWhileTransactionalAppendIsInFlight() {
        h.log.hold = true;
        var f = h.coordinator.txnCommitOffsets(txnCommit("g", PID, "foo", 0, 7), V5);
        assertThat(f).isNotDone();
        assertThat(fetched("g", "foo", 0, true).errorCode()).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code());
        h.log.flush();
        assertThat(error(done(f))).isZero();
        assertThat(fetched("g", "foo", 0, true).errorCode()).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code());
    }

    @Test
    void shouldApplyTransactionEndAfterWriteLandsWhenReportOvertakesIt() {
        h.log.hold = true;
        var f = h.coordinator.txnCommitOffsets(txnCommit("g", PID, "foo", 0, 7), V5);
        h.coordinator.completeTransaction(0, PID, true);
        h.log.flush();
        h.log.endTransaction(0, PID, true);
        assertThat(error(done(f))).isZero();
        assertThat(fetched("g", "foo", 0, true).committedOffset()).isEqualTo(7);
        assertThat(h.reload().snapshot()).isEqualTo(h.coordinator.snapshot());
    }

    @Test
    void shouldAnswerEveryPartitionWithAppendErrorAndForgetCreatedGroupWhenAppendFails() {
        h.log.hold = true;
        var f = h.coordinator.txnCommitOffsets(txnCommit("g", PID, "foo", 0, 7), V5);
        h.log.failPending(new NotLeaderOrFollowerException("gone"));
        assertThat(error(done(f))).isEqualTo(Errors.NOT_COORDINATOR.code());
        assertThat(fetched("g", "foo", 0, true).errorCode()).isZero();
        assertThat(h.coordinator.snapshot().groups()).doesNotContainKey("g");
    }

    @Test
    void shouldRejectRequestsWithKafkaErrorsWhenGroupOrPartitionIsInvalid() {
        assertThat(commitTxn(txnCommit("", PID, "foo", 0, 1), V5)).isEqualTo(Errors.INVALID_GROUP_ID.code());
        var member = txnCommit("nogroup", PID, "foo", 0, 1).setGenerationIdOrMemberEpoch(1).setMemberId("m");
        assertThat(commitTxn(member, V5)).isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(commitTxn(member, (short) 6)).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        var big = txnCommit("g", PID, "foo", 0, 1);
        big.topics().get(0).partitions().add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
            .setPartitionIndex(1).setCommittedOffset(8).setCommittedMetadata("x".repeat(4097)));
        TxnOffsetCommitResponseData r = done(h.coordinator.txnCommitOffsets(big, V5));
        assertThat(r.topics().get(0).partitions().get(0).errorCode()).isZero();
        assertThat(r.topics().get(0).partitions().get(1).errorCode())
            .isEqualTo(Errors.OFFSET_METADATA_TOO_LARGE.code());
        assertThat(fetched("g", "foo", 1, true).errorCode()).isZero();
    }

    @Test
    void shouldResolveTopicIdsWhenVersionSix() {
        var req = txnCommit("g", PID, null, 2, 11);
        req.topics().get(0).setTopicId(Harness.FOO_ID);
        assertThat(commitTxn(req, (short) 6)).isZero();
        var unknown = txnCommit("g", PID, null, 2, 11);
        unknown.topics().get(0).setTopicId(new Uuid(9, 9));
        assertThat(commitTxn(unknown, (short) 6)).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
        endTransaction(PID, true);
        assertThat(fetched("g", "foo", 2, true).committedOffset()).isEqualTo(11);
    }

    @Test
    void shouldAnswerNotCoordinatorAndLoadInProgressWhenShardIsNotReady() {
        GroupCoordinator c = h.fresh();
        assertThat(error(done(c.txnCommitOffsets(txnCommit("g", PID, "foo", 0, 1), V5))))
            .isEqualTo(Errors.NOT_COORDINATOR.code());
        short[] during = new short[1];
        Iterable<CoordinatorRecord> records = () -> {
            during[0] = error(done(c.txnCommitOffsets(txnCommit("g", PID, "foo", 0, 1), V5)));
            return List.<CoordinatorRecord>of().iterator();
        };
        c.loadPartition(0, records, Map.of());
        assertThat(during[0]).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
    }

    @Test
    void shouldValidateClassicMemberAndGenerationWhenGiven() {
        JoinGroupResponseData joined = joinStatic("i");
        String id = joined.memberId();
        var ok = txnCommit("g", PID, "foo", 0, 1).setGenerationIdOrMemberEpoch(1).setMemberId(id)
            .setGroupInstanceId("i");
        assertThat(commitTxn(ok, V5)).isZero();
        assertThat(commitTxn(ok.duplicate().setGenerationIdOrMemberEpoch(2), V5))
            .isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(commitTxn(ok.duplicate().setMemberId("other"), V5)).isEqualTo(Errors.FENCED_INSTANCE_ID.code());
        assertThat(commitTxn(ok.duplicate().setMemberId("other").setGroupInstanceId(null), V5))
            .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        // a producer outside the group may commit for it while it has members, unlike OffsetCommit
        assertThat(commitTxn(txnCommit("g", PID, "foo", 1, 1), V5)).isZero();
    }

    private JoinGroupResponseData joinStatic(String instanceId) {
        var f = h.coordinator.joinGroup(ClassicGroupTest.joinRequest("", instanceId, "range"), (short) 9, "client",
            "/127.0.0.1");
        for (int i = 0; i < 10 && !f.isDone(); i++) {
            h.timer.advance(1_000);
        }
        JoinGroupResponseData joined = done(f);
        assertThat(joined.errorCode()).isZero();
        assertThat(joined.generationId()).isEqualTo(1);
        return joined;
    }

    @Test
    void shouldValidateConsumerMemberEpochWhenGiven() {
        var joined = done(h.coordinator.consumerGroupHeartbeat(ConsumerGroupTest.joinRequest("a", "foo"), (short) 1,
            "client", "/127.0.0.1"));
        assertThat(joined.memberEpoch()).isEqualTo(1);
        var ok = txnCommit("cg", PID, "foo", 0, 1).setGenerationIdOrMemberEpoch(1).setMemberId("a");
        assertThat(commitTxn(ok, V5)).isZero();
        assertThat(commitTxn(ok.duplicate().setGenerationIdOrMemberEpoch(5), V5))
            .isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(commitTxn(ok.duplicate().setGenerationIdOrMemberEpoch(5), (short) 6))
            .isEqualTo(Errors.STALE_MEMBER_EPOCH.code());
        assertThat(commitTxn(ok.duplicate().setMemberId("zz"), V5)).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(commitTxn(txnCommit("cg", PID, "foo", 1, 1), V5)).isZero();
        var leave = new ConsumerGroupHeartbeatRequestData().setGroupId("cg").setMemberId("a").setMemberEpoch(-1);
        done(h.coordinator.consumerGroupHeartbeat(leave, (short) 1, "client", "/127.0.0.1"));
        assertThat(commitTxn(txnCommit("cg", PID, "foo", 2, 1).setMemberId("gone"), V5)).isZero();
    }

    @Test
    void shouldRestorePendingOffsetsWhenLoadedWithOpenTransactions() {
        done(h.coordinator.commitOffsets(OffsetCommitFetchTest.commit("g", "foo", 1, 5), (short) 9));
        assertThat(commitTxn(txnCommit("g", PID, "foo", 1, 9), V5)).isZero();
        GroupCoordinator reloaded = h.reload();
        assertThat(fetched(reloaded, "g", "foo", 1, false).committedOffset()).isEqualTo(5);
        assertThat(fetched(reloaded, "g", "foo", 1, true).errorCode())
            .isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code());
        h.log.endTransaction(0, PID, true);
        reloaded.completeTransaction(0, PID, true);
        assertThat(fetched(reloaded, "g", "foo", 1, true).committedOffset()).isEqualTo(9);
        assertThat(h.reload().snapshot()).isEqualTo(reloaded.snapshot());
    }

    @Test
    void shouldApplyTransactionEndAfterLoadWhenReportedDuringIt() {
        assertThat(commitTxn(txnCommit("g", PID, "foo", 1, 9), V5)).isZero();
        GroupCoordinator c = h.fresh();
        Map<Long, List<CoordinatorRecord>> open = h.log.openTransactions(0);
        h.log.endTransaction(0, PID, true);
        Iterable<CoordinatorRecord> records = () -> {
            c.completeTransaction(0, PID, true);
            return h.log.records(0).stream().filter(r -> !open.get(PID).contains(r)).iterator();
        };
        c.loadPartition(0, records, open);
        assertThat(fetched(c, "g", "foo", 1, true).committedOffset()).isEqualTo(9);
    }

    @Test
    void shouldDropPendingOffsetsWhenUnloaded() {
        assertThat(commitTxn(txnCommit("g", PID, "foo", 1, 9), V5)).isZero();
        h.coordinator.unloadPartition(0);
        h.coordinator.completeTransaction(0, PID, true);
        h.coordinator.loadPartition(0, h.log.records(0));
        assertThat(fetched("g", "foo", 1, true).errorCode()).isZero();
        h.coordinator.completeTransaction(0, PID, true);
        assertThat(fetched("g", "foo", 1, true).committedOffset()).isEqualTo(-1);
    }

    @Test
    void shouldNotDeleteGroupWhenTransactionHasPendingOffsets() {
        assertThat(commitTxn(txnCommit("g", PID, "foo", 1, 9), V5)).isZero();
        var req = new DeleteGroupsRequestData().setGroupsNames(List.of("g"));
        assertThat(done(h.coordinator.deleteGroups(req, (short) 2)).results().find("g").errorCode())
            .isEqualTo(Errors.NON_EMPTY_GROUP.code());
        endTransaction(PID, false);
        assertThat(done(h.coordinator.deleteGroups(req, (short) 2)).results().find("g").errorCode()).isZero();
        assertThat(h.reload().snapshot().groups()).isEmpty();
    }

    @Test
    void shouldNotExpireOffsetsWhenTransactionHasPendingOffsets() {
        done(h.coordinator.commitOffsets(OffsetCommitFetchTest.commit("g", "foo", 1, 5), (short) 9));
        assertThat(commitTxn(txnCommit("g", PID, "foo", 1, 9), V5)).isZero();
        assertThat(commitTxn(txnCommit("h", PID, "foo", 1, 9), V5)).isZero();
        h.clock.set(h.clock.millis() + h.config.offsetsRetentionMs());
        assertThat(done(h.coordinator.expireOffsets(h.clock.millis()))).isZero();
        assertThat(h.coordinator.snapshot().groups()).containsKeys("g", "h");
        endTransaction(PID, true);
        assertThat(fetched("h", "foo", 1, true).committedOffset()).isEqualTo(9);
        assertThat(h.reload().snapshot()).isEqualTo(h.coordinator.snapshot());
    }

    @Test
    void shouldKeepPendingOffsetWhenCommittedOffsetIsDeleted() {
        done(h.coordinator.commitOffsets(OffsetCommitFetchTest.commit("g", "foo", 1, 5), (short) 9));
        assertThat(commitTxn(txnCommit("g", PID, "foo", 1, 9), V5)).isZero();
        var del = new OffsetDeleteRequestData().setGroupId("g");
        del.topics().add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("foo")
            .setPartitions(List.of(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(1))));
        assertThat(done(h.coordinator.deleteOffsets(del, (short) 0)).errorCode()).isZero();
        assertThat(fetched("g", "foo", 1, false).committedOffset()).isEqualTo(-1);
        assertThat(fetched("g", "foo", 1, true).errorCode()).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code());
        endTransaction(PID, true);
        assertThat(fetched("g", "foo", 1, true).committedOffset()).isEqualTo(9);
        assertThat(h.reload().snapshot()).isEqualTo(h.coordinator.snapshot());
    }
}

package io.spool.coordinator;

import static io.spool.coordinator.Harness.done;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class OffsetCommitFetchTest {

    private final Harness h = new Harness();

    static OffsetCommitRequestData commit(String group, String topic, int partition, long offset) {
        return new OffsetCommitRequestData().setGroupId(group).setGenerationIdOrMemberEpoch(-1).setMemberId("")
            .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic)
                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                    .setPartitionIndex(partition).setCommittedOffset(offset).setCommittedLeaderEpoch(3)
                    .setCommittedMetadata("m")))));
    }

    static short error(OffsetCommitResponseData r) {
        return r.topics().get(0).partitions().get(0).errorCode();
    }

    static OffsetFetchRequestData fetch(String group, String topic, int partition) {
        return new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup()
            .setGroupId(group).setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics()
                .setName(topic).setPartitionIndexes(List.of(partition))))));
    }

    private OffsetFetchResponseData.OffsetFetchResponsePartitions fetched(String group, String topic, int p) {
        return done(h.coordinator.fetchOffsets(fetch(group, topic, p), (short) 9)).groups().get(0).topics().get(0)
            .partitions().get(0);
    }

    @Test
    void shouldCommitAndFetchWhenGroupIsSimple() {
        assertThat(error(done(h.coordinator.commitOffsets(commit("g", "foo", 1, 42), (short) 9)))).isZero();
        var p = fetched("g", "foo", 1);
        assertThat(p.committedOffset()).isEqualTo(42);
        assertThat(p.committedLeaderEpoch()).isEqualTo(3);
        assertThat(p.metadata()).isEqualTo("m");
        assertThat(fetched("g", "foo", 2).committedOffset()).isEqualTo(-1);
    }

    @Test
    void shouldAnswerOnlyOnceDurable() {
        h.log.hold = true;
        CompletableFuture<OffsetCommitResponseData> f = h.coordinator.commitOffsets(commit("g", "foo", 0, 7),
            (short) 9);
        assertThat(f).isNotDone();
        assertThat(fetched("g", "foo", 0).committedOffset()).isEqualTo(-1);
        var stable = fetch("g", "foo", 0).setRequireStable(true);
        assertThat(done(h.coordinator.fetchOffsets(stable, (short) 9)).groups().get(0).topics().get(0)
            .partitions().get(0).errorCode()).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT.code());
        h.log.flush();
        assertThat(error(done(f))).isZero();
        assertThat(fetched("g", "foo", 0).committedOffset()).isEqualTo(7);
    }

    @Test
    void shouldMapAppendFailuresAsKafka() {
        h.log.failNext = new NotLeaderOrFollowerException("gone");
        assertThat(error(done(h.coordinator.commitOffsets(commit("g", "foo", 0, 7), (short) 9))))
            .isEqualTo(Errors.NOT_COORDINATOR.code());
        h.log.failNext = new TimeoutException("slow");
        assertThat(error(done(h.coordinator.commitOffsets(commit("g", "foo", 0, 7), (short) 9))))
            .isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(fetched("g", "foo", 0).committedOffset()).isEqualTo(-1);
    }

    @Test
    void shouldRejectBadCommitsWithKafkaErrors() {
        assertThat(error(done(h.coordinator.commitOffsets(commit("", "foo", 0, 1), (short) 9))))
            .isEqualTo(Errors.INVALID_GROUP_ID.code());
        var member = commit("nogroup", "foo", 0, 1).setGenerationIdOrMemberEpoch(3).setMemberId("m");
        assertThat(error(done(h.coordinator.commitOffsets(member, (short) 9))))
            .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(error(done(h.coordinator.commitOffsets(member, (short) 8))))
            .isEqualTo(Errors.ILLEGAL_GENERATION.code());
        var big = commit("g", "foo", 0, 1);
        big.topics().get(0).partitions().get(0).setCommittedMetadata("x".repeat(4097));
        assertThat(error(done(h.coordinator.commitOffsets(big, (short) 9))))
            .isEqualTo(Errors.OFFSET_METADATA_TOO_LARGE.code());
    }

    @Test
    void shouldResolveTopicIdsWhenVersionTen() {
        var req = commit("g", null, 2, 11);
        req.topics().get(0).setTopicId(Harness.FOO_ID);
        assertThat(error(done(h.coordinator.commitOffsets(req, (short) 10)))).isZero();
        var unknown = commit("g", null, 2, 11);
        unknown.topics().get(0).setTopicId(new Uuid(9, 9));
        assertThat(error(done(h.coordinator.commitOffsets(unknown, (short) 10))))
            .isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
        var all = new OffsetFetchRequestData().setGroups(List.of(
            new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g").setTopics(null)));
        var topic = done(h.coordinator.fetchOffsets(all, (short) 10)).groups().get(0).topics().get(0);
        assertThat(topic.topicId()).isEqualTo(Harness.FOO_ID);
        assertThat(topic.partitions().get(0).committedOffset()).isEqualTo(11);
    }

    @Test
    void shouldFetchSeveralGroupsAndOldVersions() {
        done(h.coordinator.commitOffsets(commit("a", "foo", 0, 1), (short) 9));
        done(h.coordinator.commitOffsets(commit("b", "foo", 0, 2), (short) 9));
        var req = new OffsetFetchRequestData().setGroups(List.of(
            new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("a").setTopics(null),
            new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("b").setTopics(null),
            new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("").setTopics(null)));
        var groups = done(h.coordinator.fetchOffsets(req, (short) 8)).groups();
        assertThat(groups.get(0).topics().get(0).partitions().get(0).committedOffset()).isEqualTo(1);
        assertThat(groups.get(1).topics().get(0).partitions().get(0).committedOffset()).isEqualTo(2);
        assertThat(groups.get(2).errorCode()).isEqualTo(Errors.INVALID_GROUP_ID.code());
        var v7 = new OffsetFetchRequestData().setGroupId("a").setTopics(List.of(
            new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("foo").setPartitionIndexes(List.of(0))));
        var r = done(h.coordinator.fetchOffsets(v7, (short) 7));
        assertThat(r.topics().get(0).partitions().get(0).committedOffset()).isEqualTo(1);
    }

    @Test
    void shouldAnswerNotCoordinatorAndLoadInProgress() {
        GroupCoordinator c = h.fresh();
        assertThat(error(done(c.commitOffsets(commit("g", "foo", 0, 1), (short) 9))))
            .isEqualTo(Errors.NOT_COORDINATOR.code());
        short[] during = new short[1];
        Iterable<CoordinatorRecord> records = () -> {
            during[0] = error(done(c.commitOffsets(commit("g", "foo", 0, 1), (short) 9)));
            return List.<CoordinatorRecord>of().iterator();
        };
        c.loadPartition(0, records);
        assertThat(during[0]).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
        assertThat(c.isLoaded(0)).isTrue();
        c.unloadPartition(0);
        assertThat(c.isLoaded(0)).isFalse();
    }

    @Test
    void shouldKeepOffsetsAcrossReloadAndDeleteThem() {
        done(h.coordinator.commitOffsets(commit("g", "foo", 0, 5), (short) 9));
        done(h.coordinator.commitOffsets(commit("g", "foo", 0, 9), (short) 9));
        done(h.coordinator.commitOffsets(commit("g", "bar", 1, 3), (short) 9));
        assertThat(h.reload().snapshot()).isEqualTo(h.coordinator.snapshot());

        var del = new OffsetDeleteRequestData().setGroupId("g");
        del.topics().add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("foo")
            .setPartitions(List.of(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
        OffsetDeleteResponseData r = done(h.coordinator.deleteOffsets(del, (short) 0));
        assertThat(r.errorCode()).isZero();
        assertThat(fetched("g", "foo", 0).committedOffset()).isEqualTo(-1);
        assertThat(done(h.coordinator.deleteOffsets(del.duplicate().setGroupId("none"), (short) 0)).errorCode())
            .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        GroupCoordinator reloaded = h.reload();
        assertThat(reloaded.snapshot()).isEqualTo(h.coordinator.snapshot());

        var groups = new DeleteGroupsRequestData().setGroupsNames(List.of("g", "none", ""));
        var results = done(h.coordinator.deleteGroups(groups, (short) 2)).results();
        assertThat(results.find("g").errorCode()).isZero();
        assertThat(results.find("none").errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(results.find("").errorCode()).isEqualTo(Errors.INVALID_GROUP_ID.code());
        assertThat(h.reload().snapshot().offsets()).isEmpty();
        assertThat(h.reload().snapshot().groups()).isEmpty();
    }

    @Test
    void shouldExpireOffsetsOfEmptyGroupsAfterRetention() {
        done(h.coordinator.commitOffsets(commit("old", "foo", 0, 5), (short) 9));
        h.clock.set(h.clock.millis() + h.config.offsetsRetentionMs() - 1);
        done(h.coordinator.commitOffsets(commit("young", "foo", 0, 5), (short) 9));
        assertThat(done(h.coordinator.expireOffsets(h.clock.millis()))).isZero();
        h.clock.set(h.clock.millis() + 1);
        assertThat(done(h.coordinator.expireOffsets(h.clock.millis()))).isEqualTo(1);
        assertThat(h.coordinator.snapshot().offsets()).containsOnlyKeys("young");
        assertThat(h.coordinator.snapshot().groups()).containsOnlyKeys("young");
        assertThat(h.reload().snapshot()).isEqualTo(h.coordinator.snapshot());
    }
}

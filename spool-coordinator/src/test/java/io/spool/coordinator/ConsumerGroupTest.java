package io.spool.coordinator;

import static io.spool.coordinator.Harness.done;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ConsumerGroupTest {

    private final Harness h = new Harness();
    private final GroupCoordinator c = h.coordinator;

    static ConsumerGroupHeartbeatRequestData joinRequest(String memberId, String... topics) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId("cg").setMemberId(memberId).setMemberEpoch(0)
            .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of(topics)).setTopicPartitions(List.of());
    }

    ConsumerGroupHeartbeatResponseData beat(ConsumerGroupHeartbeatRequestData r) {
        return done(c.consumerGroupHeartbeat(r, (short) 1, "client", "/127.0.0.1"));
    }

    static ConsumerGroupHeartbeatRequestData owning(String memberId, int epoch, Assignment owned) {
        List<ConsumerGroupHeartbeatRequestData.TopicPartitions> tps = new ArrayList<>();
        owned.partitions().forEach((t, p) -> tps.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
            .setTopicId(t).setPartitions(new ArrayList<>(p))));
        return new ConsumerGroupHeartbeatRequestData().setGroupId("cg").setMemberId(memberId).setMemberEpoch(epoch)
            .setTopicPartitions(tps);
    }

    static Assignment of(ConsumerGroupHeartbeatResponseData r) {
        Map<org.apache.kafka.common.Uuid, Set<Integer>> m = new TreeMap<>();
        r.assignment().topicPartitions().forEach(t -> m.put(t.topicId(), Set.copyOf(t.partitions())));
        return Assignment.of(m);
    }

    @Test
    void shouldRevokeBeforeAssigningToAnotherMember() {
        var a = beat(joinRequest("a", "foo"));
        assertThat(a.errorCode()).isZero();
        assertThat(a.memberEpoch()).isEqualTo(1);
        assertThat(of(a).size()).isEqualTo(6);

        var b = beat(joinRequest("b", "foo"));
        assertThat(b.memberEpoch()).isEqualTo(2);
        assertThat(of(b).isEmpty()).isTrue(); // its partitions are still owned by a

        var a2 = beat(owning("a", 1, of(a)));
        assertThat(a2.memberEpoch()).isEqualTo(1);
        assertThat(of(a2).size()).isEqualTo(3);
        var a3 = beat(owning("a", 1, of(a2)));
        assertThat(a3.memberEpoch()).isEqualTo(2);

        var b2 = beat(owning("b", 2, Assignment.empty()));
        assertThat(of(b2).size()).isEqualTo(3);
        assertThat(of(b2).intersect(of(a2)).isEmpty()).isTrue();
        assertThat(c.snapshot().groups().get("cg").state()).isEqualTo("Stable");
        assertThat(h.reload().snapshot()).isEqualTo(c.snapshot());
    }

    @Test
    void shouldFenceStaleEpochsAndUnknownMembers() {
        var a = beat(joinRequest("a", "foo"));
        assertThat(beat(owning("a", 5, of(a))).errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        assertThat(beat(owning("zz", 1, of(a))).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        var leave = new ConsumerGroupHeartbeatRequestData().setGroupId("cg").setMemberId("a").setMemberEpoch(-1);
        assertThat(beat(leave).memberEpoch()).isEqualTo(-1);
        assertThat(c.snapshot().groups().get("cg").state()).isEqualTo("Empty");
    }

    @Test
    void shouldValidateRequestsAsKafka() {
        assertThat(beat(joinRequest("a", "foo").setRebalanceTimeoutMs(-1)).errorCode())
            .isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(beat(joinRequest("a", "foo").setServerAssignor("sticky")).errorCode())
            .isEqualTo(Errors.UNSUPPORTED_ASSIGNOR.code());
        assertThat(beat(joinRequest("a").setSubscribedTopicRegex("(")).errorCode())
            .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION.code());
        assertThat(beat(joinRequest("a", "foo").setMemberEpoch(-3)).errorCode())
            .isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(beat(joinRequest("a", "foo").setGroupId("")).errorCode())
            .isEqualTo(Errors.INVALID_REQUEST.code());
    }

    @Test
    void shouldExpireSilentMembersAndGiveTheirPartitionsAway() {
        var a = beat(joinRequest("a", "foo"));
        var b = beat(joinRequest("b", "foo"));
        a = beat(owning("a", 1, of(a)));
        a = beat(owning("a", 1, of(a)));
        for (int i = 0; i < 10; i++) {
            h.timer.advance(5_000);
            a = beat(owning("a", a.memberEpoch(), a.assignment() == null ? Assignment.empty() : of(a)));
        }
        assertThat(c.snapshot().groups().get("cg").members()).containsOnlyKeys("a");
        assertThat(b.memberEpoch()).isEqualTo(2);
        assertThat(h.reload().snapshot()).isEqualTo(c.snapshot());
    }

    @Test
    void shouldSubscribeByRegexAndDescribe() {
        var a = beat(joinRequest("a").setSubscribedTopicNames(null).setSubscribedTopicRegex("fo+|ba."));
        assertThat(of(a).size()).isEqualTo(9);
        var d = done(c.consumerGroupDescribe(new ConsumerGroupDescribeRequestData().setGroupIds(
            List.of("cg", "none")), (short) 1));
        assertThat(d.groups().get(0).members().get(0).assignment().topicPartitions()).hasSize(2);
        assertThat(d.groups().get(0).assignorName()).isEqualTo("uniform");
        assertThat(d.groups().get(1).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    @Test
    void shouldKeepProtocolsApartAsKafka() {
        beat(joinRequest("a", "foo"));
        var classicJoin = ClassicGroupTest.joinRequest("", null, "range").setGroupId("cg");
        assertThat(done(c.joinGroup(classicJoin, (short) 9, "c", "h")).errorCode())
            .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        var classic = ClassicGroupTest.joinRequest("", null, "range");
        String id = done(c.joinGroup(classic, (short) 9, "c", "h")).memberId();
        c.joinGroup(ClassicGroupTest.joinRequest(id, null, "range"), (short) 9, "c", "h");
        var toClassic = joinRequest("x", "foo").setGroupId("g");
        assertThat(beat(toClassic).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    @Test
    void shouldSplitRangesPerTopic() {
        var foo = new TopicInfo("foo", Harness.FOO_ID, 7);
        var subs = new TreeMap<String, Set<TopicInfo>>(Map.of("a", Set.of(foo), "b", Set.of(foo),
            "c", Set.of(foo)));
        Map<String, Assignment> r = Assignors.range(subs);
        assertThat(r.get("a").partitions().get(Harness.FOO_ID)).containsExactly(0, 1, 2);
        assertThat(r.get("b").partitions().get(Harness.FOO_ID)).containsExactly(3, 4);
        assertThat(r.get("c").partitions().get(Harness.FOO_ID)).containsExactly(5, 6);
    }

    @Test
    void shouldBalanceUniformlyAndStayStickyWhenAMemberJoins() {
        var foo = new TopicInfo("foo", Harness.FOO_ID, 10);
        var subs = new TreeMap<String, Set<TopicInfo>>();
        for (String m : List.of("a", "b", "c")) {
            subs.put(m, Set.of(foo));
        }
        Map<String, Assignment> first = Assignors.uniform(subs, Map.of());
        assertThat(first.values()).extracting(Assignment::size).containsExactlyInAnyOrder(4, 3, 3);
        subs.put("d", Set.of(foo));
        Map<String, Assignment> second = Assignors.uniform(subs, first);
        assertThat(second.values()).extracting(Assignment::size).containsExactlyInAnyOrder(3, 3, 2, 2);
        int moved = second.get("d").size();
        for (String m : List.of("a", "b", "c")) {
            assertThat(first.get(m).minus(second.get(m)).size()).isLessThanOrEqualTo(2);
        }
        assertThat(moved).isEqualTo(2);
    }
}

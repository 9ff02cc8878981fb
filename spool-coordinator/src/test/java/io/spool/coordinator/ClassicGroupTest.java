package io.spool.coordinator;

import static io.spool.coordinator.Harness.done;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ClassicGroupTest {

    private final Harness h = new Harness();
    private final GroupCoordinator c = h.coordinator;

    static JoinGroupRequestData joinRequest(String memberId, String instanceId, String protocol) {
        JoinGroupRequestData r = new JoinGroupRequestData().setGroupId("g").setMemberId(memberId)
            .setGroupInstanceId(instanceId).setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(30_000)
            .setProtocolType("consumer");
        r.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(protocol)
            .setMetadata(new byte[] {1, 2}));
        return r;
    }

    CompletableFuture<JoinGroupResponseData> join(String memberId, String instanceId) {
        return c.joinGroup(joinRequest(memberId, instanceId, "range"), (short) 9, "client", "/127.0.0.1");
    }

    /** KIP-394: first join gets an id and MEMBER_ID_REQUIRED, the second join (with it) waits for the rebalance. */
    CompletableFuture<JoinGroupResponseData> joinDynamic() {
        JoinGroupResponseData first = done(join("", null));
        assertThat(first.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code());
        assertThat(first.memberId()).startsWith("client-");
        return join(first.memberId(), null);
    }

    SyncGroupResponseData syncNow(JoinGroupResponseData joined, SyncGroupRequestData.SyncGroupRequestAssignment... a) {
        return done(sync(joined, a));
    }

    CompletableFuture<SyncGroupResponseData> sync(JoinGroupResponseData joined,
                                                  SyncGroupRequestData.SyncGroupRequestAssignment... a) {
        return c.syncGroup(new SyncGroupRequestData().setGroupId("g").setMemberId(joined.memberId())
            .setGenerationId(joined.generationId()).setProtocolType("consumer").setProtocolName("range")
            .setAssignments(List.of(a)), (short) 5, "client", "/127.0.0.1");
    }

    static SyncGroupRequestData.SyncGroupRequestAssignment assign(String memberId, int b) {
        return new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(memberId)
            .setAssignment(new byte[] {(byte) b});
    }

    short heartbeat(String memberId, int generation) {
        return done(c.heartbeat(new HeartbeatRequestData().setGroupId("g").setMemberId(memberId)
            .setGenerationId(generation), (short) 4, "client", "/127.0.0.1")).errorCode();
    }

    @Test
    void shouldFormGroupAfterInitialDelayAndPersistAssignmentBeforeSync() {
        CompletableFuture<JoinGroupResponseData> a = joinDynamic();
        h.timer.advance(1_000);
        CompletableFuture<JoinGroupResponseData> b = joinDynamic();
        h.timer.advance(2_000);
        assertThat(a).isNotDone(); // a member joined during the delay: the delay grows
        h.timer.advance(3_000);
        JoinGroupResponseData ja = done(a);
        JoinGroupResponseData jb = done(b);
        assertThat(ja.generationId()).isEqualTo(1).isEqualTo(jb.generationId());
        assertThat(ja.leader()).isEqualTo(ja.memberId());
        assertThat(ja.members()).hasSize(2);
        assertThat(jb.members()).isEmpty();

        CompletableFuture<SyncGroupResponseData> follower = sync(jb);
        assertThat(follower).isNotDone();
        h.log.hold = true;
        CompletableFuture<SyncGroupResponseData> leader = sync(ja, assign(ja.memberId(), 1),
            assign(jb.memberId(), 2));
        assertThat(leader).isNotDone();
        assertThat(follower).isNotDone();
        h.log.flush();
        assertThat(done(leader).assignment()).containsExactly(1);
        assertThat(done(follower).assignment()).containsExactly(2);
        assertThat(heartbeat(jb.memberId(), 1)).isZero();
        assertThat(heartbeat(jb.memberId(), 2)).isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(heartbeat("nobody", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());

        assertThat(h.reload().snapshot()).isEqualTo(c.snapshot());
        assertThat(c.snapshot().groups().get("g").state()).isEqualTo("Stable");
    }

    JoinGroupResponseData[] stableGroupOfTwo() {
        CompletableFuture<JoinGroupResponseData> a = joinDynamic();
        CompletableFuture<JoinGroupResponseData> b = joinDynamic();
        h.timer.advance(10_000);
        JoinGroupResponseData ja = done(a);
        JoinGroupResponseData jb = done(b);
        CompletableFuture<SyncGroupResponseData> fb = sync(jb);
        syncNow(ja, assign(ja.memberId(), 1), assign(jb.memberId(), 2));
        done(fb);
        return new JoinGroupResponseData[] {ja, jb};
    }

    @Test
    void shouldExpireSilentMemberAndRebalanceTheRest() {
        JoinGroupResponseData[] m = stableGroupOfTwo();
        for (int i = 0; i < 3; i++) {
            h.timer.advance(3_000);
            assertThat(heartbeat(m[0].memberId(), 1)).isZero();
        }
        h.timer.advance(1_001);
        assertThat(heartbeat(m[0].memberId(), 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code());
        JoinGroupResponseData rejoined = done(join(m[0].memberId(), null));
        assertThat(rejoined.generationId()).isEqualTo(2);
        assertThat(rejoined.members()).hasSize(1);
        assertThat(heartbeat(m[1].memberId(), 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void shouldRejectInvalidJoinsAsKafka() {
        var tooShort = joinRequest("", null, "range").setSessionTimeoutMs(5_999);
        assertThat(done(c.joinGroup(tooShort, (short) 9, "c", "h")).errorCode())
            .isEqualTo(Errors.INVALID_SESSION_TIMEOUT.code());
        var noGroup = joinRequest("", null, "range").setGroupId("");
        assertThat(done(c.joinGroup(noGroup, (short) 9, "c", "h")).errorCode())
            .isEqualTo(Errors.INVALID_GROUP_ID.code());
        assertThat(done(join("ghost", null)).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        JoinGroupResponseData[] m = stableGroupOfTwo();
        var otherType = joinRequest("", null, "range").setProtocolType("connect");
        assertThat(done(c.joinGroup(otherType, (short) 9, "c", "h")).errorCode())
            .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        var otherProtocol = joinRequest("", null, "roundrobin");
        assertThat(done(c.joinGroup(otherProtocol, (short) 9, "c", "h")).errorCode())
            .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        var badSync = new SyncGroupRequestData().setGroupId("g").setMemberId(m[0].memberId()).setGenerationId(1)
            .setProtocolName("roundrobin");
        assertThat(done(c.syncGroup(badSync, (short) 5, "c", "h")).errorCode())
            .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        // v3 does not require a known member id: the member joins at once
        var v3 = c.joinGroup(joinRequest("", null, "range"), (short) 3, "old", "h");
        assertThat(v3).isNotDone();
    }

    @Test
    void shouldReplaceStaticMemberWithoutRebalance() {
        CompletableFuture<JoinGroupResponseData> a = join("", "instance-a");
        CompletableFuture<JoinGroupResponseData> b = join("", "instance-b");
        h.timer.advance(10_000);
        JoinGroupResponseData ja = done(a);
        JoinGroupResponseData jb = done(b);
        assertThat(ja.errorCode()).isZero();
        CompletableFuture<SyncGroupResponseData> fb = sync(jb);
        syncNow(ja, assign(ja.memberId(), 1), assign(jb.memberId(), 2));
        done(fb);

        JoinGroupResponseData restarted = done(join("", "instance-b"));
        assertThat(restarted.errorCode()).isZero();
        assertThat(restarted.generationId()).isEqualTo(1);
        assertThat(restarted.memberId()).isNotEqualTo(jb.memberId());
        assertThat(c.snapshot().groups().get("g").state()).isEqualTo("Stable");
        var fenced = new HeartbeatRequestData().setGroupId("g").setMemberId(jb.memberId())
            .setGroupInstanceId("instance-b").setGenerationId(1);
        assertThat(done(c.heartbeat(fenced, (short) 4, "c", "h")).errorCode())
            .isEqualTo(Errors.FENCED_INSTANCE_ID.code());
        SyncGroupResponseData s = syncNow(restarted);
        assertThat(s.assignment()).containsExactly(2);
        assertThat(h.reload().snapshot()).isEqualTo(c.snapshot());

        // a static member that misses its session is removed by the session timeout like any other
        h.timer.advance(10_001);
        assertThat(c.snapshot().groups().get("g").state()).isIn("PreparingRebalance", "Empty");
    }

    @Test
    void shouldLeaveInBatchesAndEmptyTheGroup() {
        JoinGroupResponseData[] m = stableGroupOfTwo();
        var leave = new LeaveGroupRequestData().setGroupId("g").setMembers(List.of(
            new LeaveGroupRequestData.MemberIdentity().setMemberId(m[0].memberId()),
            new LeaveGroupRequestData.MemberIdentity().setMemberId(m[1].memberId()),
            new LeaveGroupRequestData.MemberIdentity().setMemberId("ghost")));
        var r = done(c.leaveGroup(leave, (short) 5, "c", "h"));
        assertThat(r.members()).extracting(x -> Errors.forCode(x.errorCode()))
            .containsExactly(Errors.NONE, Errors.NONE, Errors.UNKNOWN_MEMBER_ID);
        assertThat(c.snapshot().groups().get("g").state()).isEqualTo("Empty");
        assertThat(c.snapshot().groups().get("g").generation()).isEqualTo(2);
        var v0 = new LeaveGroupRequestData().setGroupId("g").setMemberId("ghost");
        assertThat(done(c.leaveGroup(v0, (short) 0, "c", "h")).errorCode())
            .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(h.reload().snapshot()).isEqualTo(c.snapshot());
    }

    @Test
    void shouldDescribeAndListGroups() {
        JoinGroupResponseData[] m = stableGroupOfTwo();
        var d = done(c.describeGroups(new DescribeGroupsRequestData().setGroups(List.of("g", "none")), (short) 5));
        assertThat(d.groups().get(0).groupState()).isEqualTo("Stable");
        assertThat(d.groups().get(0).protocolData()).isEqualTo("range");
        assertThat(d.groups().get(0).members()).hasSize(2);
        assertThat(d.groups().get(0).members().get(0).memberAssignment()).hasSize(1);
        assertThat(d.groups().get(1).groupState()).isEqualTo("Dead");
        assertThat(d.groups().get(1).errorCode()).isZero();
        var d6 = done(c.describeGroups(new DescribeGroupsRequestData().setGroups(List.of("none")), (short) 6));
        assertThat(d6.groups().get(0).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());

        var all = done(c.listGroups(new ListGroupsRequestData(), (short) 5)).groups();
        assertThat(all).extracting(g -> g.groupId() + "/" + g.groupState() + "/" + g.groupType())
            .containsExactly("g/Stable/classic");
        var empty = done(c.listGroups(new ListGroupsRequestData().setStatesFilter(List.of("empty")), (short) 5));
        assertThat(empty.groups()).isEmpty();
        var consumers = done(c.listGroups(new ListGroupsRequestData().setTypesFilter(List.of("consumer")),
            (short) 5));
        assertThat(consumers.groups()).isEmpty();
        var del = done(c.deleteGroups(new org.apache.kafka.common.message.DeleteGroupsRequestData()
            .setGroupsNames(List.of("g")), (short) 2));
        assertThat(del.results().find("g").errorCode()).isEqualTo(Errors.NON_EMPTY_GROUP.code());
        assertThat(m).hasSize(2);
    }
}

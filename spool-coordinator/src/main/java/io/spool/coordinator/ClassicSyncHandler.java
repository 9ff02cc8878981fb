package io.spool.coordinator;

import static io.spool.coordinator.ClassicGroupState.COMPLETING_REBALANCE;
import static io.spool.coordinator.ClassicGroupState.DEAD;
import static io.spool.coordinator.ClassicGroupState.EMPTY;
import static io.spool.coordinator.ClassicGroupState.PREPARING_REBALANCE;
import static io.spool.coordinator.ClassicGroupState.STABLE;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/** SyncGroup, Heartbeat and LeaveGroup of classic groups. Called under the coordinator lock. */
final class ClassicSyncHandler {

    private final CoordinatorContext ctx;
    private final ClassicGroupHandler joins;

    ClassicSyncHandler(CoordinatorContext ctx, ClassicGroupHandler joins) {
        this.ctx = ctx;
        this.joins = joins;
    }

    private static SyncGroupResponseData syncError(Errors e) {
        return new SyncGroupResponseData().setErrorCode(e.code());
    }

    /**
     * SyncGroup v0-5. Errors: UNKNOWN_MEMBER_ID (also for an unknown or empty group), FENCED_INSTANCE_ID,
     * ILLEGAL_GENERATION, INCONSISTENT_GROUP_PROTOCOL (v5 protocol type/name differ), REBALANCE_IN_PROGRESS,
     * COORDINATOR_NOT_AVAILABLE, and the mapped error of the failed write of the leader's assignment.
     */
    void sync(CoordinatorShard shard, SyncGroupRequestData req, CompletableFuture<SyncGroupResponseData> f) {
        Group g = shard.groups.get(req.groupId());
        if (!(g instanceof ClassicGroup group) || g.isEmpty()) {
            f.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        Errors error = validate(group, req);
        if (error != Errors.NONE) {
            f.complete(syncError(error));
        } else if (group.isIn(PREPARING_REBALANCE)) {
            f.complete(syncError(Errors.REBALANCE_IN_PROGRESS));
        } else if (group.isIn(COMPLETING_REBALANCE)) {
            ClassicMember member = group.member(req.memberId());
            if (member.syncFuture != null && member.syncFuture != f) {
                member.completeSync(syncError(Errors.REBALANCE_IN_PROGRESS));
            }
            member.syncFuture = f;
            removePendingSync(shard, group, req.memberId());
            if (group.isLeader(req.memberId())) {
                storeLeaderAssignment(shard, group, req);
            }
        } else {
            removePendingSync(shard, group, req.memberId());
            f.complete(new SyncGroupResponseData().setProtocolType(group.protocolType)
                .setProtocolName(group.protocolName).setAssignment(group.member(req.memberId()).assignment));
        }
    }

    private static Errors validate(ClassicGroup group, SyncGroupRequestData req) {
        if (group.isIn(DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        try {
            group.validateMember(req.memberId(), req.groupInstanceId());
        } catch (ApiException e) {
            return Errors.forException(e);
        }
        if (req.generationId() != group.generation) {
            return Errors.ILLEGAL_GENERATION;
        }
        if (inconsistent(req.protocolType(), group.protocolType)
            || inconsistent(req.protocolName(), group.protocolName)) {
            return Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        return Errors.NONE;
    }

    private static boolean inconsistent(String fromRequest, String ofGroup) {
        return fromRequest != null && ofGroup != null && !fromRequest.equals(ofGroup);
    }

    /** The leader's assignment is made durable before any member gets it. */
    private void storeLeaderAssignment(CoordinatorShard shard, ClassicGroup group, SyncGroupRequestData req) {
        Map<String, byte[]> assignment = new HashMap<>();
        req.assignments().forEach(a -> assignment.put(a.memberId(), a.assignment()));
        group.members.keySet().forEach(id -> assignment.putIfAbsent(id, new byte[0]));
        int generation = req.generationId();
        ctx.append(shard, List.of(CoordinatorRecordSerde.groupMetadata(group.groupId(), group.toValue(assignment))),
            error -> {
                if (shard.groups.get(group.groupId()) != group || !group.isIn(COMPLETING_REBALANCE)
                    || group.generation != generation) {
                    return;
                }
                if (error != Errors.NONE) {
                    joins.resetAndPropagateAssignment(shard, group, error);
                    joins.maybePrepareRebalanceOrCompleteJoin(shard, group);
                } else {
                    joins.setAndPropagateAssignment(shard, group, assignment);
                    group.transitionTo(STABLE, ctx.now());
                }
            });
    }

    private void removePendingSync(CoordinatorShard shard, ClassicGroup group, String memberId) {
        group.pendingSyncMembers.remove(memberId);
        if (group.pendingSyncMembers.isEmpty()) {
            ctx.cancel(shard, ClassicGroupHandler.syncKey(group.groupId()));
        }
    }

    /**
     * Heartbeat v0-4. Errors: UNKNOWN_MEMBER_ID (also for an unknown group or an Empty one), FENCED_INSTANCE_ID,
     * ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE.
     */
    HeartbeatResponseData heartbeat(CoordinatorShard shard, HeartbeatRequestData req) {
        Group g = shard.groups.get(req.groupId());
        if (!(g instanceof ClassicGroup group)) {
            return new HeartbeatResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
        }
        if (group.isIn(DEAD)) {
            return new HeartbeatResponseData().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
        try {
            group.validateMember(req.memberId(), req.groupInstanceId());
        } catch (ApiException e) {
            return new HeartbeatResponseData().setErrorCode(Errors.forException(e).code());
        }
        if (req.generationId() != group.generation) {
            return new HeartbeatResponseData().setErrorCode(Errors.ILLEGAL_GENERATION.code());
        }
        if (group.isIn(EMPTY)) {
            return new HeartbeatResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
        }
        joins.rescheduleHeartbeat(shard, group, group.member(req.memberId()));
        Errors e = group.isIn(PREPARING_REBALANCE) ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
        return new HeartbeatResponseData().setErrorCode(e.code());
    }

    /**
     * LeaveGroup v0-5 for the given members (v0-2: the one member id). Per member: UNKNOWN_MEMBER_ID,
     * FENCED_INSTANCE_ID; top level: COORDINATOR_NOT_AVAILABLE for a dead group.
     */
    LeaveGroupResponseData leave(CoordinatorShard shard, String groupId, List<MemberIdentity> members) {
        Group g = shard.groups.get(groupId);
        List<MemberResponse> responses = new ArrayList<>();
        if (!(g instanceof ClassicGroup group)) {
            members.forEach(m -> responses.add(response(m, Errors.UNKNOWN_MEMBER_ID)));
            return new LeaveGroupResponseData().setMembers(responses);
        }
        if (group.isIn(DEAD)) {
            return new LeaveGroupResponseData().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
        boolean anyLeft = false;
        for (MemberIdentity m : members) {
            Errors error = Errors.NONE;
            if (m.memberId().isEmpty()) {
                String current = m.groupInstanceId() == null ? null : group.staticMembers.get(m.groupInstanceId());
                if (current != null) {
                    removeMember(shard, group, current);
                } else {
                    error = Errors.UNKNOWN_MEMBER_ID;
                }
            } else if (group.pendingMembers.contains(m.memberId())) {
                group.remove(m.memberId());
                ctx.cancel(shard, ClassicGroupHandler.heartbeatKey(groupId, m.memberId()));
            } else {
                try {
                    group.validateMember(m.memberId(), m.groupInstanceId());
                    removeMember(shard, group, m.memberId());
                } catch (ApiException e) {
                    error = Errors.forException(e);
                }
            }
            anyLeft |= error == Errors.NONE;
            responses.add(response(m, error));
        }
        if (anyLeft) {
            if (group.isIn(STABLE) || group.isIn(COMPLETING_REBALANCE)) {
                joins.maybePrepareRebalanceOrCompleteJoin(shard, group);
            } else if (group.isIn(PREPARING_REBALANCE)) {
                joins.maybeCompleteJoinPhase(shard, group);
            }
        }
        return new LeaveGroupResponseData().setMembers(responses);
    }

    private void removeMember(CoordinatorShard shard, ClassicGroup group, String memberId) {
        ClassicMember member = group.member(memberId);
        ctx.cancel(shard, ClassicGroupHandler.heartbeatKey(group.groupId(), memberId));
        member.completeJoin(ClassicGroupHandler.joinError("", Errors.UNKNOWN_MEMBER_ID));
        member.completeSync(syncError(Errors.UNKNOWN_MEMBER_ID));
        group.remove(memberId);
    }

    private static MemberResponse response(MemberIdentity m, Errors e) {
        return new MemberResponse().setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId())
            .setErrorCode(e.code());
    }
}

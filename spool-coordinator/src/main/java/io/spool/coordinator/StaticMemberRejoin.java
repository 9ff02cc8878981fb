package io.spool.coordinator;

import static io.spool.coordinator.ClassicGroupState.COMPLETING_REBALANCE;
import static io.spool.coordinator.ClassicGroupState.STABLE;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * KIP-345: a static member that rejoins without its member id (a restarted process) takes the place of its old
 * incarnation under a new member id. In a Stable group whose selected protocol does not change, the replacement is
 * persisted and the member gets the current generation without a rebalance; otherwise the group rebalances.
 * Called under the coordinator lock.
 */
final class StaticMemberRejoin {

    private final CoordinatorContext ctx;
    private final ClassicGroupHandler handler;

    StaticMemberRejoin(CoordinatorContext ctx, ClassicGroupHandler handler) {
        this.ctx = ctx;
        this.handler = handler;
    }

    void rejoin(CoordinatorShard shard, ClassicGroup group, JoinGroupRequestData req, short version,
                String oldMemberId, String newMemberId, CompletableFuture<JoinGroupResponseData> f) {
        String instanceId = req.groupInstanceId();
        String currentLeader = group.leaderId;
        ClassicMember member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
        ctx.cancel(shard, ClassicGroupHandler.heartbeatKey(group.groupId(), oldMemberId));
        handler.rescheduleHeartbeat(shard, group, member);
        Map<String, byte[]> oldProtocols = new LinkedHashMap<>(member.protocols);
        int oldRebalanceTimeout = member.rebalanceTimeoutMs;
        int oldSessionTimeout = member.sessionTimeoutMs;
        handler.updateMember(member, req, version, f);
        if (group.isIn(STABLE)) {
            if (group.selectProtocol().equals(group.protocolName)) {
                persistReplacement(shard, group, req, version, member, oldMemberId, currentLeader, oldProtocols,
                    oldRebalanceTimeout, oldSessionTimeout, f);
            } else {
                handler.maybePrepareRebalanceOrCompleteJoin(shard, group);
            }
        } else if (group.isIn(COMPLETING_REBALANCE)) {
            handler.prepareRebalance(shard, group);
        } else {
            handler.maybeCompleteJoinPhase(shard, group);
        }
    }

    private void persistReplacement(CoordinatorShard shard, ClassicGroup group, JoinGroupRequestData req,
                                    short version, ClassicMember member, String oldMemberId, String currentLeader,
                                    Map<String, byte[]> oldProtocols, int oldRebalanceTimeout,
                                    int oldSessionTimeout, CompletableFuture<JoinGroupResponseData> f) {
        Map<String, byte[]> assignment = new HashMap<>();
        group.members.values().forEach(m -> assignment.put(m.memberId, m.assignment));
        String newMemberId = member.memberId;
        String instanceId = req.groupInstanceId();
        ctx.append(shard, List.of(CoordinatorRecordSerde.groupMetadata(group.groupId(), group.toValue(assignment))),
            error -> {
                if (!group.hasMember(newMemberId)) {
                    member.completeJoin(ClassicGroupHandler.joinError("", Errors.UNKNOWN_MEMBER_ID));
                    return;
                }
                if (error != Errors.NONE) {
                    member.protocols = oldProtocols;
                    member.rebalanceTimeoutMs = oldRebalanceTimeout;
                    member.sessionTimeoutMs = oldSessionTimeout;
                    member.joinFuture = null;
                    ClassicMember old = group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
                    ctx.cancel(shard, ClassicGroupHandler.heartbeatKey(group.groupId(), newMemberId));
                    handler.rescheduleHeartbeat(shard, group, old);
                    f.complete(new JoinGroupResponseData().setMemberId("").setGenerationId(group.generation)
                        .setProtocolName(group.protocolName).setProtocolType(group.protocolType)
                        .setLeader(currentLeader).setErrorCode(error.code()));
                } else if (version >= 9) {
                    boolean isLeader = group.isLeader(newMemberId);
                    member.completeJoin(handler.currentJoinResponse(group, newMemberId, isLeader)
                        .setSkipAssignment(isLeader));
                } else {
                    // before v9 a rejoining static leader must not compute a new assignment: it is not told that
                    // it leads, and it gets no members
                    member.completeJoin(handler.currentJoinResponse(group, newMemberId, false)
                        .setLeader(currentLeader).setMembers(new ArrayList<>()));
                }
            });
    }
}

package io.spool.coordinator;

import static io.spool.coordinator.ClassicGroupState.COMPLETING_REBALANCE;
import static io.spool.coordinator.ClassicGroupState.DEAD;
import static io.spool.coordinator.ClassicGroupState.EMPTY;
import static io.spool.coordinator.ClassicGroupState.PREPARING_REBALANCE;
import static io.spool.coordinator.ClassicGroupState.STABLE;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The JoinGroup flow of classic groups: joins, the initial rebalance delay, rebalances, generations, session
 * timeouts and static members (KIP-345). SyncGroup, Heartbeat and LeaveGroup are in {@link ClassicSyncHandler},
 * which shares the rebalance steps here. Called under the coordinator lock.
 */
final class ClassicGroupHandler {

    private final CoordinatorContext ctx;

    ClassicGroupHandler(CoordinatorContext ctx) {
        this.ctx = ctx;
    }

    static String joinKey(String groupId) {
        return "join:" + groupId;
    }

    static String syncKey(String groupId) {
        return "sync:" + groupId;
    }

    static String heartbeatKey(String groupId, String memberId) {
        return "hb:" + groupId + ":" + memberId;
    }

    static JoinGroupResponseData joinError(String memberId, Errors error) {
        return new JoinGroupResponseData().setMemberId(memberId).setErrorCode(error.code());
    }

    /**
     * JoinGroup v0-9 after the coordinator checked the group id, session timeout and routing. Errors:
     * UNKNOWN_MEMBER_ID, MEMBER_ID_REQUIRED (v4+ dynamic member without id), GROUP_MAX_SIZE_REACHED,
     * INCONSISTENT_GROUP_PROTOCOL, FENCED_INSTANCE_ID, COORDINATOR_NOT_AVAILABLE, REBALANCE_IN_PROGRESS (a join
     * replaced by a newer one of the same member), and the mapped error of a failed append.
     */
    void join(CoordinatorShard shard, JoinGroupRequestData req, short version, String clientId, String clientHost,
              CompletableFuture<JoinGroupResponseData> f) {
        String groupId = req.groupId();
        List<CoordinatorRecord> records = new ArrayList<>();
        Group existing = shard.groups.get(groupId);
        if (existing instanceof ConsumerGroup consumer) {
            if (!consumer.isEmpty()) {
                // Kafka lets classic members join a consumer group (online migration); Spool does not yet
                f.complete(joinError("", Errors.INCONSISTENT_GROUP_PROTOCOL));
                return;
            }
            shard.groups.remove(groupId);
            records.add(CoordinatorRecordSerde.groupMetadata(groupId, null));
            existing = null;
        }
        boolean unknown = req.memberId().isEmpty();
        ClassicGroup group = (ClassicGroup) existing;
        boolean isNew = group == null;
        if (group == null) {
            if (!unknown) {
                f.complete(joinError(req.memberId(), Errors.UNKNOWN_MEMBER_ID));
                return;
            }
            group = new ClassicGroup(groupId, ctx.now());
            shard.groups.put(groupId, group);
        }
        if (!acceptJoiningMember(group, req.memberId())) {
            group.remove(req.memberId());
            f.complete(joinError("", Errors.GROUP_MAX_SIZE_REACHED));
        } else if (unknown) {
            joinNewMember(shard, group, req, version, clientId, clientHost, f);
        } else {
            joinExistingMember(shard, group, req, clientId, clientHost, f);
        }
        if (isNew) {
            records.add(CoordinatorRecordSerde.groupMetadata(groupId, new ClassicGroup(groupId, ctx.now()).toValue()));
        }
        ctx.append(shard, records, error -> {
            if (error != Errors.NONE && !f.isDone()) {
                f.complete(joinError("", error));
            }
        });
    }

    private boolean acceptJoiningMember(ClassicGroup group, String memberId) {
        int max = ctx.config.classicMaxSize();
        switch (group.state()) {
            case EMPTY:
            case DEAD:
                return true;
            case PREPARING_REBALANCE:
                return (group.hasMember(memberId) && group.member(memberId).isAwaitingJoin())
                    || group.numAwaitingJoin() < max;
            default:
                return group.hasMember(memberId) || group.members.size() < max;
        }
    }

    private static Map<String, byte[]> protocols(JoinGroupRequestData req) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        req.protocols().forEach(p -> out.putIfAbsent(p.name(), p.metadata()));
        return out;
    }

    private static int rebalanceTimeout(JoinGroupRequestData req, short version) {
        return version == 0 || req.rebalanceTimeoutMs() < 0 ? req.sessionTimeoutMs() : req.rebalanceTimeoutMs();
    }

    private void joinNewMember(CoordinatorShard shard, ClassicGroup group, JoinGroupRequestData req, short version,
                               String clientId, String clientHost, CompletableFuture<JoinGroupResponseData> f) {
        if (group.isIn(DEAD)) {
            f.complete(joinError("", Errors.COORDINATOR_NOT_AVAILABLE));
        } else if (!group.supportsProtocols(req.protocolType(), protocols(req).keySet())) {
            f.complete(joinError("", Errors.INCONSISTENT_GROUP_PROTOCOL));
        } else {
            String instanceId = req.groupInstanceId();
            String newMemberId = ctx.newMemberId(instanceId != null ? instanceId : clientId);
            if (instanceId != null && group.staticMembers.containsKey(instanceId)) {
                new StaticMemberRejoin(ctx, this).rejoin(shard, group, req, version,
                    group.staticMembers.get(instanceId), newMemberId, f);
            } else if (instanceId == null && version >= 4) {
                // KIP-394: the member must come back with this id, so that a retry does not add a second member
                group.pendingMembers.add(newMemberId);
                ctx.schedule(shard, heartbeatKey(group.groupId(), newMemberId), req.sessionTimeoutMs(),
                    () -> expireHeartbeat(shard, group, newMemberId));
                f.complete(joinError(newMemberId, Errors.MEMBER_ID_REQUIRED));
            } else {
                addMember(shard, group, req, version, newMemberId, clientId, clientHost, f);
            }
        }
    }

    private void joinExistingMember(CoordinatorShard shard, ClassicGroup group, JoinGroupRequestData req,
                                    String clientId, String clientHost,
                                    CompletableFuture<JoinGroupResponseData> f) {
        String memberId = req.memberId();
        if (group.isIn(DEAD)) {
            f.complete(joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        if (!group.supportsProtocols(req.protocolType(), protocols(req).keySet())) {
            f.complete(joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        if (group.pendingMembers.contains(memberId)) {
            // The KIP-394 second join is the one that makes a pending member real: it carries who the client is.
            addMember(shard, group, req, (short) 4, memberId, clientId, clientHost, f);
            return;
        }
        try {
            group.validateMember(memberId, req.groupInstanceId());
        } catch (ApiException e) {
            f.complete(joinError(memberId, Errors.forException(e)).setProtocolName(null));
            return;
        }
        ClassicMember member = group.member(memberId);
        boolean matches = member.matches(protocols(req));
        if (group.isIn(PREPARING_REBALANCE)
            || (group.isIn(COMPLETING_REBALANCE) && !matches)
            || (group.isIn(STABLE) && (group.isLeader(memberId) || !matches))) {
            updateMember(member, req, (short) 1, f);
            maybePrepareRebalanceOrCompleteJoin(shard, group);
        } else if (group.isIn(COMPLETING_REBALANCE) || group.isIn(STABLE)) {
            // a retried join of the current generation: answer it as the join phase did
            f.complete(currentJoinResponse(group, memberId, group.isIn(COMPLETING_REBALANCE)
                && group.isLeader(memberId)));
        } else {
            f.complete(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    JoinGroupResponseData currentJoinResponse(ClassicGroup group, String memberId, boolean withMembers) {
        return new JoinGroupResponseData().setMemberId(memberId).setGenerationId(group.generation)
            .setProtocolName(group.protocolName).setProtocolType(group.protocolType).setLeader(group.leaderId)
            .setMembers(withMembers ? group.joinResponseMembers() : new ArrayList<>());
    }

    /** The member's join request replaces the one it may be waiting on, which is answered REBALANCE_IN_PROGRESS. */
    void updateMember(ClassicMember member, JoinGroupRequestData req, short version,
                      CompletableFuture<JoinGroupResponseData> f) {
        member.protocols = protocols(req);
        member.rebalanceTimeoutMs = rebalanceTimeout(req, version);
        member.sessionTimeoutMs = req.sessionTimeoutMs();
        if (f != null) {
            if (member.joinFuture != null && member.joinFuture != f) {
                member.completeJoin(joinError(member.memberId, Errors.REBALANCE_IN_PROGRESS));
            }
            member.joinFuture = f;
        }
    }

    private void addMember(CoordinatorShard shard, ClassicGroup group, JoinGroupRequestData req, short version,
                           String memberId, String clientId, String clientHost,
                           CompletableFuture<JoinGroupResponseData> f) {
        ClassicMember member = new ClassicMember(memberId, req.groupInstanceId(), clientId == null ? "" : clientId,
            clientHost == null ? "" : clientHost, rebalanceTimeout(req, version), req.sessionTimeoutMs(),
            req.protocolType(), protocols(req));
        member.isNew = true;
        if (group.isIn(PREPARING_REBALANCE) && group.previousState() == EMPTY) {
            group.newMemberAdded = true;
        }
        group.add(member);
        member.joinFuture = f;
        rescheduleHeartbeat(shard, group, member, ctx.config.newMemberJoinTimeoutMs());
        maybePrepareRebalanceOrCompleteJoin(shard, group);
    }

    void rescheduleHeartbeat(CoordinatorShard shard, ClassicGroup group, ClassicMember member, long timeoutMs) {
        String memberId = member.memberId;
        ctx.schedule(shard, heartbeatKey(group.groupId(), memberId), timeoutMs,
            () -> expireHeartbeat(shard, group, memberId));
    }

    void rescheduleHeartbeat(CoordinatorShard shard, ClassicGroup group, ClassicMember member) {
        rescheduleHeartbeat(shard, group, member, member.sessionTimeoutMs);
    }

    private void expireHeartbeat(CoordinatorShard shard, ClassicGroup group, String memberId) {
        if (shard.groups.get(group.groupId()) != group || group.isIn(DEAD)) {
            return;
        }
        if (group.pendingMembers.contains(memberId)) {
            group.remove(memberId);
            if (group.isIn(PREPARING_REBALANCE) && group.hasAllMembersJoined()) {
                completeJoin(shard, group);
            }
        } else if (group.hasMember(memberId) && !group.member(memberId).hasSatisfiedHeartbeat()) {
            removeMemberAndUpdateGroup(shard, group, group.member(memberId));
        }
    }

    void removeMemberAndUpdateGroup(CoordinatorShard shard, ClassicGroup group, ClassicMember member) {
        member.completeJoin(joinError("", Errors.UNKNOWN_MEMBER_ID));
        member.completeSync(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
        ctx.cancel(shard, heartbeatKey(group.groupId(), member.memberId));
        group.remove(member.memberId);
        if (group.isIn(STABLE) || group.isIn(COMPLETING_REBALANCE)) {
            maybePrepareRebalanceOrCompleteJoin(shard, group);
        } else if (group.isIn(PREPARING_REBALANCE) && group.hasAllMembersJoined()) {
            completeJoin(shard, group);
        }
    }

    void maybePrepareRebalanceOrCompleteJoin(CoordinatorShard shard, ClassicGroup group) {
        if (group.canRebalance()) {
            prepareRebalance(shard, group);
        } else {
            maybeCompleteJoinPhase(shard, group);
        }
    }

    void maybeCompleteJoinPhase(CoordinatorShard shard, ClassicGroup group) {
        if (group.isIn(PREPARING_REBALANCE) && group.previousState() != EMPTY && group.hasAllMembersJoined()) {
            completeJoin(shard, group);
        }
    }

    void prepareRebalance(CoordinatorShard shard, ClassicGroup group) {
        if (group.isIn(COMPLETING_REBALANCE)) {
            resetAndPropagateAssignment(shard, group, Errors.REBALANCE_IN_PROGRESS);
        }
        group.pendingSyncMembers.clear();
        ctx.cancel(shard, syncKey(group.groupId()));
        boolean initial = group.isIn(EMPTY);
        group.transitionTo(PREPARING_REBALANCE, ctx.now());
        if (initial) {
            int delay = ctx.config.initialRebalanceDelayMs();
            int remaining = Math.max(group.rebalanceTimeoutMs() - delay, 0);
            ctx.schedule(shard, joinKey(group.groupId()), delay,
                () -> tryCompleteInitialRebalance(shard, group, delay, remaining));
        } else if (group.hasAllMembersJoined()) {
            completeJoin(shard, group);
        } else {
            ctx.schedule(shard, joinKey(group.groupId()), group.rebalanceTimeoutMs(),
                () -> completeJoin(shard, group));
        }
    }

    /** The initial delay grows by another delay each time a member joined meanwhile, up to the rebalance timeout. */
    private void tryCompleteInitialRebalance(CoordinatorShard shard, ClassicGroup group, int delay, int remaining) {
        if (shard.groups.get(group.groupId()) != group) {
            return;
        }
        if (group.newMemberAdded && remaining != 0) {
            group.newMemberAdded = false;
            int newDelay = Math.min(ctx.config.initialRebalanceDelayMs(), remaining);
            int newRemaining = Math.max(remaining - delay, 0);
            ctx.schedule(shard, joinKey(group.groupId()), newDelay,
                () -> tryCompleteInitialRebalance(shard, group, newDelay, newRemaining));
        } else {
            completeJoin(shard, group);
        }
    }

    void completeJoin(CoordinatorShard shard, ClassicGroup group) {
        if (shard.groups.get(group.groupId()) != group) {
            return;
        }
        ctx.cancel(shard, joinKey(group.groupId()));
        for (ClassicMember m : new ArrayList<>(group.members.values())) {
            if (!m.isAwaitingJoin() && !m.isStatic()) {
                group.remove(m.memberId);
                ctx.cancel(shard, heartbeatKey(group.groupId(), m.memberId));
            }
        }
        if (group.isIn(DEAD)) {
            return;
        }
        if (!group.maybeElectNewJoinedLeader() && !group.members.isEmpty()) {
            // only static members that have not rejoined: wait another rebalance timeout for them
            ctx.schedule(shard, joinKey(group.groupId()), group.rebalanceTimeoutMs(),
                () -> completeJoin(shard, group));
            return;
        }
        group.initNextGeneration(ctx.now());
        if (group.isIn(EMPTY)) {
            ctx.append(shard, List.of(CoordinatorRecordSerde.groupMetadata(group.groupId(), group.toValue())),
                error -> { });
            return;
        }
        for (ClassicMember m : group.members.values()) {
            m.completeJoin(currentJoinResponse(group, m.memberId, group.isLeader(m.memberId)));
            rescheduleHeartbeat(shard, group, m);
            m.isNew = false;
            group.pendingSyncMembers.add(m.memberId);
        }
        int generation = group.generation;
        ctx.schedule(shard, syncKey(group.groupId()), group.rebalanceTimeoutMs(),
            () -> expirePendingSync(shard, group, generation));
    }

    private void expirePendingSync(CoordinatorShard shard, ClassicGroup group, int generation) {
        if (shard.groups.get(group.groupId()) != group || generation != group.generation) {
            return;
        }
        if ((group.isIn(COMPLETING_REBALANCE) || group.isIn(STABLE)) && !group.pendingSyncMembers.isEmpty()) {
            for (String memberId : new ArrayList<>(group.pendingSyncMembers)) {
                ClassicMember m = group.member(memberId);
                if (m != null) {
                    m.completeSync(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
                }
                group.remove(memberId);
                ctx.cancel(shard, heartbeatKey(group.groupId(), memberId));
            }
            prepareRebalance(shard, group);
        }
    }

    void resetAndPropagateAssignment(CoordinatorShard shard, ClassicGroup group, Errors error) {
        group.members.values().forEach(m -> m.assignment = new byte[0]);
        propagateAssignment(shard, group, error);
    }

    void setAndPropagateAssignment(CoordinatorShard shard, ClassicGroup group, Map<String, byte[]> assignment) {
        group.members.values().forEach(m -> m.assignment = assignment.getOrDefault(m.memberId, new byte[0]));
        propagateAssignment(shard, group, Errors.NONE);
    }

    private void propagateAssignment(CoordinatorShard shard, ClassicGroup group, Errors error) {
        for (ClassicMember m : group.members.values()) {
            SyncGroupResponseData r = new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(
                m.assignment);
            if (error == Errors.NONE) {
                r.setProtocolName(group.protocolName).setProtocolType(group.protocolType);
            }
            if (m.completeSync(r)) {
                rescheduleHeartbeat(shard, group, m);
            }
        }
    }

    static Map<String, byte[]> emptyAssignments(ClassicGroup group) {
        Map<String, byte[]> out = new HashMap<>();
        group.members.keySet().forEach(id -> out.put(id, new byte[0]));
        return out;
    }
}

package io.spool.coordinator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.protocol.Errors;

/**
 * A classic (JoinGroup/SyncGroup) group: its state, generation, selected protocol, leader and members. Pure state
 * and its rules; the protocol flow lives in {@link ClassicGroupHandler}. Guarded by the coordinator lock.
 */
final class ClassicGroup implements Group {

    private final String groupId;
    private ClassicGroupState state = ClassicGroupState.EMPTY;
    private ClassicGroupState previousState = ClassicGroupState.EMPTY;
    private long stateTimestamp;
    int generation;
    String protocolType;
    String protocolName;
    String leaderId;
    /** set when a member joins during the initial rebalance delay, which then extends the delay */
    boolean newMemberAdded;
    final Map<String, ClassicMember> members = new LinkedHashMap<>();
    final Map<String, String> staticMembers = new HashMap<>();
    final Set<String> pendingMembers = new HashSet<>();
    final Set<String> pendingSyncMembers = new HashSet<>();

    ClassicGroup(String groupId, long now) {
        this.groupId = groupId;
        this.stateTimestamp = now;
    }

    @Override
    public String groupId() {
        return groupId;
    }

    @Override
    public String type() {
        return "classic";
    }

    @Override
    public String stateName() {
        return state.wireName();
    }

    @Override
    public String protocolType() {
        return protocolType == null ? "" : protocolType;
    }

    @Override
    public boolean isEmpty() {
        return state == ClassicGroupState.EMPTY;
    }

    ClassicGroupState state() {
        return state;
    }

    long stateTimestamp() {
        return stateTimestamp;
    }

    ClassicGroupState previousState() {
        return previousState;
    }

    boolean isIn(ClassicGroupState s) {
        return state == s;
    }

    void transitionTo(ClassicGroupState next, long now) {
        previousState = state;
        state = next;
        stateTimestamp = now;
    }

    boolean hasMember(String memberId) {
        return members.containsKey(memberId);
    }

    ClassicMember member(String memberId) {
        return members.get(memberId);
    }

    boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    void add(ClassicMember member) {
        if (members.isEmpty()) {
            protocolType = member.protocolType;
        }
        members.put(member.memberId, member);
        if (member.instanceId != null) {
            staticMembers.put(member.instanceId, member.memberId);
        }
        pendingMembers.remove(member.memberId);
        if (leaderId == null) {
            leaderId = member.memberId;
        }
    }

    /** Removes a member or pending member; a new leader is the first remaining member. */
    void remove(String memberId) {
        pendingMembers.remove(memberId);
        pendingSyncMembers.remove(memberId);
        ClassicMember m = members.remove(memberId);
        if (m != null && m.instanceId != null) {
            staticMembers.remove(m.instanceId);
        }
        if (memberId.equals(leaderId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
    }

    /** KIP-345: the static member keeps its place (and assignment) under a new member id. */
    ClassicMember replaceStaticMember(String instanceId, String oldMemberId, String newMemberId) {
        ClassicMember old = members.remove(oldMemberId);
        ClassicMember replacement = old.withMemberId(newMemberId);
        // the old incarnation's waiting requests are answered as fenced
        old.completeJoin(new org.apache.kafka.common.message.JoinGroupResponseData()
            .setMemberId(oldMemberId).setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
        old.completeSync(new org.apache.kafka.common.message.SyncGroupResponseData()
            .setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
        members.put(newMemberId, replacement);
        staticMembers.put(instanceId, newMemberId);
        if (oldMemberId.equals(leaderId)) {
            leaderId = newMemberId;
        }
        pendingSyncMembers.remove(oldMemberId);
        return replacement;
    }

    /**
     * Kafka's member check for sync, heartbeat, leave, commit and rejoin.
     *
     * @throws FencedInstanceIdException when the instance id maps to another member id
     * @throws UnknownMemberIdException when the member is not in the group
     */
    void validateMember(String memberId, String instanceId) {
        if (instanceId != null) {
            String existing = staticMembers.get(instanceId);
            if (existing == null) {
                throw new UnknownMemberIdException("unknown static member " + instanceId);
            }
            if (!existing.equals(memberId)) {
                throw new FencedInstanceIdException("instance " + instanceId + " is now member " + existing);
            }
        } else if (!members.containsKey(memberId)) {
            throw new UnknownMemberIdException("unknown member " + memberId);
        }
    }

    /**
     * The member check of an offset commit (plain or transactional): COORDINATOR_NOT_AVAILABLE for a dead group; a
     * commit that names a generation, member or instance must match them (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID,
     * ILLEGAL_GENERATION); an anonymous one (no generation: the admin client, a manually assigning consumer, a
     * transactional producer) is accepted by an Empty group, and by any group when {@code anonymousAlways}.
     */
    Errors validateCommitter(int generation, String memberId, String instanceId, boolean anonymousAlways) {
        if (isIn(ClassicGroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generation < 0 && isIn(ClassicGroupState.EMPTY)) {
            return Errors.NONE;
        }
        if (generation >= 0 || !memberId.isEmpty() || instanceId != null) {
            try {
                validateMember(memberId, instanceId);
            } catch (ApiException e) {
                return Errors.forException(e);
            }
            return generation != this.generation ? Errors.ILLEGAL_GENERATION : Errors.NONE;
        }
        return anonymousAlways ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
    }

    int numAwaitingJoin() {
        return (int) members.values().stream().filter(ClassicMember::isAwaitingJoin).count();
    }

    boolean hasAllMembersJoined() {
        return numAwaitingJoin() == members.size() && pendingMembers.isEmpty();
    }

    boolean canRebalance() {
        return state == ClassicGroupState.STABLE || state == ClassicGroupState.COMPLETING_REBALANCE
            || state == ClassicGroupState.EMPTY;
    }

    /** Protocols that every member supports. */
    private Set<String> candidateProtocols() {
        Set<String> candidates = null;
        for (ClassicMember m : members.values()) {
            if (candidates == null) {
                candidates = new HashSet<>(m.protocols.keySet());
            } else {
                candidates.retainAll(m.protocols.keySet());
            }
        }
        return candidates == null ? Set.of() : candidates;
    }

    boolean supportsProtocols(String memberProtocolType, Collection<String> memberProtocols) {
        if (state == ClassicGroupState.EMPTY) {
            return !memberProtocolType.isEmpty() && !memberProtocols.isEmpty();
        }
        Set<String> candidates = candidateProtocols();
        return memberProtocolType.equals(protocolType) && memberProtocols.stream().anyMatch(candidates::contains);
    }

    /** Each member votes for its most preferred candidate; the most votes win, ties to the smaller name. */
    String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new TreeMap<>();
        for (ClassicMember m : members.values()) {
            m.protocols.keySet().stream().filter(candidates::contains).findFirst()
                .ifPresent(p -> votes.merge(p, 1, Integer::sum));
        }
        String best = null;
        for (var e : votes.entrySet()) {
            if (best == null || e.getValue() > votes.get(best)) {
                best = e.getKey();
            }
        }
        if (best == null) {
            throw new IllegalStateException("no protocol that every member of " + groupId + " supports");
        }
        return best;
    }

    /** Keeps the leader if it rejoined, else picks a member that did; false when none did. */
    boolean maybeElectNewJoinedLeader() {
        if (leaderId == null) {
            return false;
        }
        if (members.get(leaderId).isAwaitingJoin()) {
            return true;
        }
        for (ClassicMember m : members.values()) {
            if (m.isAwaitingJoin()) {
                leaderId = m.memberId;
                return true;
            }
        }
        return false;
    }

    void initNextGeneration(long now) {
        generation++;
        pendingSyncMembers.clear();
        if (members.isEmpty()) {
            protocolName = null;
            transitionTo(ClassicGroupState.EMPTY, now);
        } else {
            protocolName = selectProtocol();
            transitionTo(ClassicGroupState.COMPLETING_REBALANCE, now);
        }
    }

    List<JoinGroupResponseMember> joinResponseMembers() {
        List<JoinGroupResponseMember> out = new ArrayList<>();
        for (ClassicMember m : members.values()) {
            out.add(new JoinGroupResponseMember().setMemberId(m.memberId).setGroupInstanceId(m.instanceId)
                .setMetadata(m.metadata(protocolName)));
        }
        return out;
    }

    @Override
    public CoordinatorRecordSerde.ClassicGroupValue toValue() {
        return toValue(null);
    }

    /** The group as a record, with {@code assignment} (member id to bytes) instead of the members' current one. */
    CoordinatorRecordSerde.ClassicGroupValue toValue(Map<String, byte[]> assignment) {
        List<CoordinatorRecordSerde.ClassicMemberValue> ms = new ArrayList<>();
        for (ClassicMember m : members.values()) {
            byte[] a = assignment == null ? m.assignment : assignment.getOrDefault(m.memberId, new byte[0]);
            ms.add(new CoordinatorRecordSerde.ClassicMemberValue(m.memberId, m.instanceId, m.clientId, m.clientHost,
                m.rebalanceTimeoutMs, m.sessionTimeoutMs, protocolName == null ? null : m.metadata(protocolName), a));
        }
        return new CoordinatorRecordSerde.ClassicGroupValue(protocolType, generation, protocolName, leaderId,
            stateTimestamp, ms);
    }

    /** Rebuilds a group from its record: Empty without members, else Stable with the members and assignment. */
    static ClassicGroup fromValue(String groupId, CoordinatorRecordSerde.ClassicGroupValue v) {
        ClassicGroup g = new ClassicGroup(groupId, v.stateTimestamp());
        g.generation = v.generation();
        g.protocolType = v.protocolType();
        g.protocolName = v.protocol();
        for (var m : v.members()) {
            Map<String, byte[]> protocols = new LinkedHashMap<>();
            if (v.protocol() != null) {
                protocols.put(v.protocol(), m.subscription());
            }
            ClassicMember member = new ClassicMember(m.memberId(), m.instanceId(), m.clientId(), m.clientHost(),
                m.rebalanceTimeoutMs(), m.sessionTimeoutMs(), v.protocolType(), protocols);
            member.assignment = m.assignment();
            g.add(member);
        }
        g.protocolType = v.protocolType();
        g.leaderId = v.leader() != null && g.members.containsKey(v.leader()) ? v.leader() : g.leaderId;
        g.state = g.members.isEmpty() ? ClassicGroupState.EMPTY : ClassicGroupState.STABLE;
        return g;
    }

    int rebalanceTimeoutMs() {
        return members.values().stream().mapToInt(m -> m.rebalanceTimeoutMs).max().orElse(0);
    }
}

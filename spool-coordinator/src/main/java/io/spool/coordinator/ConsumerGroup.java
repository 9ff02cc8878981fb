package io.spool.coordinator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.protocol.Errors;

/**
 * A KIP-848 consumer group: group epoch, target assignment (of the assignment epoch) and members reconciling
 * towards it. Guarded by the coordinator lock. {@link #durable} is the last state the log made durable, put back
 * when a write fails.
 */
final class ConsumerGroup implements Group {

    private final String groupId;
    int groupEpoch;
    int assignmentEpoch;
    /** the subscribed topics when the target was computed (a change bumps the epoch); null: not known yet */
    String subscriptionFingerprint;
    final TreeMap<String, ConsumerMember> members = new TreeMap<>();
    final Map<String, Assignment> targets = new HashMap<>();
    CoordinatorRecordSerde.ConsumerGroupValue durable;
    /** the last state written (durable or in flight): a change back to it needs no write */
    CoordinatorRecordSerde.ConsumerGroupValue lastWritten;

    ConsumerGroup(String groupId) {
        this.groupId = groupId;
    }

    @Override
    public String groupId() {
        return groupId;
    }

    @Override
    public String type() {
        return "consumer";
    }

    @Override
    public String protocolType() {
        return "consumer";
    }

    @Override
    public boolean isEmpty() {
        return members.isEmpty();
    }

    @Override
    public String stateName() {
        if (members.isEmpty()) {
            return "Empty";
        }
        if (assignmentEpoch < groupEpoch) {
            return "Assigning";
        }
        for (ConsumerMember m : members.values()) {
            if (m.memberEpoch() != assignmentEpoch || m.state() != ConsumerMember.State.STABLE) {
                return "Reconciling";
            }
        }
        return "Stable";
    }

    Assignment target(String memberId) {
        return targets.getOrDefault(memberId, Assignment.empty());
    }

    ConsumerMember staticMember(String instanceId) {
        for (ConsumerMember m : members.values()) {
            if (instanceId.equals(m.instanceId())) {
                return m;
            }
        }
        return null;
    }

    Set<String> subscribedTopicNames() {
        Set<String> out = new HashSet<>();
        members.values().forEach(m -> out.addAll(m.subscribedTopicNames()));
        return out;
    }

    /** Whether a member subscribed to the topic by name or by regex. */
    boolean isSubscribedTo(String topic) {
        for (ConsumerMember m : members.values()) {
            if (m.subscribedTopicNames().contains(topic) || (m.subscribedTopicRegex() != null
                && Pattern.compile(m.subscribedTopicRegex()).matcher(topic).matches())) {
                return true;
            }
        }
        return false;
    }

    /**
     * OffsetCommit by a member of this group: UNKNOWN_MEMBER_ID, UNSUPPORTED_VERSION (a KIP-848 member must use
     * v9+), STALE_MEMBER_EPOCH.
     */
    Errors validateOffsetCommit(String memberId, String instanceId, int memberEpoch, short version) {
        if (memberEpoch < 0 && members.isEmpty()) {
            return Errors.NONE;
        }
        ConsumerMember m = members.get(memberId);
        if (m == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (version < 9) {
            return Errors.UNSUPPORTED_VERSION;
        }
        return memberEpoch == m.memberEpoch() ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
    }

    /**
     * TxnOffsetCommit (KIP-447): member id, epoch and instance id are optional and checked only when one is given;
     * UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH (which the caller maps to ILLEGAL_GENERATION before v6).
     */
    Errors validateTxnOffsetCommit(String memberId, String instanceId, int memberEpoch) {
        if (memberEpoch < 0 && members.isEmpty()) {
            return Errors.NONE;
        }
        if (memberEpoch == -1 && memberId.isEmpty() && instanceId == null) {
            return Errors.NONE;
        }
        ConsumerMember m = members.get(memberId);
        if (m == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return memberEpoch == m.memberEpoch() ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
    }

    /** OffsetFetch v9+ naming a member: UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH. */
    Errors validateOffsetFetch(String memberId, int memberEpoch) {
        ConsumerMember m = memberId == null ? null : members.get(memberId);
        if (m == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return memberEpoch == m.memberEpoch() ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
    }

    @Override
    public CoordinatorRecordSerde.ConsumerGroupValue toValue() {
        List<CoordinatorRecordSerde.ConsumerMemberValue> ms = new ArrayList<>();
        members.values().forEach(m -> ms.add(m.toValue(target(m.memberId()))));
        return new CoordinatorRecordSerde.ConsumerGroupValue(groupEpoch, assignmentEpoch, ms);
    }

    /** Replaces this group's state with {@code v}. */
    void restore(CoordinatorRecordSerde.ConsumerGroupValue v) {
        groupEpoch = v.groupEpoch();
        assignmentEpoch = v.assignmentEpoch();
        members.clear();
        targets.clear();
        for (var mv : v.members()) {
            members.put(mv.memberId(), ConsumerMember.fromValue(mv));
            targets.put(mv.memberId(), mv.target());
        }
        subscriptionFingerprint = null;
        durable = v;
        lastWritten = v;
    }

    static ConsumerGroup fromValue(String groupId, CoordinatorRecordSerde.ConsumerGroupValue v) {
        ConsumerGroup g = new ConsumerGroup(groupId);
        g.restore(v);
        return g;
    }
}

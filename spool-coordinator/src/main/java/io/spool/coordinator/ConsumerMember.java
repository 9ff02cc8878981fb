package io.spool.coordinator;

import java.util.List;

/**
 * A member of a KIP-848 consumer group: its subscription and where it stands in reconciling its assignment with
 * the group's target. Immutable: changes make a new instance, so that a failed write can put the old one back.
 */
record ConsumerMember(String memberId, String instanceId, String rackId, String clientId, String clientHost,
                      int memberEpoch, int previousMemberEpoch, State state, int rebalanceTimeoutMs,
                      String serverAssignor, List<String> subscribedTopicNames, String subscribedTopicRegex,
                      Assignment assigned, Assignment pendingRevocation) {

    /** Where a member stands in reconciliation, as Kafka's MemberState. */
    enum State {
        /** has its target assignment (of its epoch) */
        STABLE,
        /** must first give up partitions it owns (pendingRevocation) */
        UNREVOKED_PARTITIONS,
        /** waits for partitions that other members still own */
        UNRELEASED_PARTITIONS
    }

    ConsumerMember {
        subscribedTopicNames = subscribedTopicNames == null ? List.of() : List.copyOf(subscribedTopicNames);
    }

    ConsumerMember withReconciliation(int epoch, int previousEpoch, State newState, Assignment newAssigned,
                                      Assignment newPending) {
        return new ConsumerMember(memberId, instanceId, rackId, clientId, clientHost, epoch, previousEpoch, newState,
            rebalanceTimeoutMs, serverAssignor, subscribedTopicNames, subscribedTopicRegex, newAssigned, newPending);
    }

    CoordinatorRecordSerde.ConsumerMemberValue toValue(Assignment target) {
        return new CoordinatorRecordSerde.ConsumerMemberValue(memberId, instanceId, rackId, clientId, clientHost,
            memberEpoch, previousMemberEpoch, (byte) state.ordinal(), rebalanceTimeoutMs, serverAssignor,
            subscribedTopicNames, subscribedTopicRegex, assigned, pendingRevocation, target);
    }

    static ConsumerMember fromValue(CoordinatorRecordSerde.ConsumerMemberValue v) {
        if (v.state() < 0 || v.state() >= State.values().length) {
            throw new CorruptCoordinatorRecordException("unknown member state " + v.state());
        }
        return new ConsumerMember(v.memberId(), v.instanceId(), v.rackId(), v.clientId(), v.clientHost(),
            v.memberEpoch(), v.previousMemberEpoch(), State.values()[v.state()], v.rebalanceTimeoutMs(),
            v.serverAssignor(), v.subscribedTopicNames(), v.subscribedTopicRegex(), v.assigned(),
            v.pendingRevocation());
    }
}

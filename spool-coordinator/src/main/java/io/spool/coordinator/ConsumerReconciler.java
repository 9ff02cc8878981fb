package io.spool.coordinator;

import java.util.List;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;

/**
 * Moves one member of a consumer group towards its target assignment, as Kafka's CurrentAssignmentBuilder: a member
 * first revokes what it owns outside its target (keeping its epoch), and once it reported the revocation done it
 * takes the epoch of the target and the target's partitions that no other member still owns (the rest it gets on
 * a later heartbeat, once released). Pure function of the group's state; called under the coordinator lock.
 */
final class ConsumerReconciler {

    ConsumerMember reconcile(ConsumerGroup group, ConsumerMember member,
                             List<ConsumerGroupHeartbeatRequestData.TopicPartitions> owned) {
        if (member.state() == ConsumerMember.State.UNREVOKED_PARTITIONS) {
            boolean revoked = owned != null && ConsumerGroupHandler.toAssignment(owned)
                .intersect(member.pendingRevocation()).isEmpty();
            if (!revoked) {
                return member;
            }
            member = member.withReconciliation(member.memberEpoch(), member.previousMemberEpoch(),
                ConsumerMember.State.STABLE, member.assigned(), Assignment.empty());
        }
        if (member.memberEpoch() == group.assignmentEpoch && member.state() == ConsumerMember.State.STABLE) {
            return member;
        }
        Assignment target = group.target(member.memberId());
        Assignment revoke = member.assigned().minus(target);
        if (!revoke.isEmpty()) {
            return member.withReconciliation(member.memberEpoch(), member.previousMemberEpoch(),
                ConsumerMember.State.UNREVOKED_PARTITIONS, member.assigned().intersect(target), revoke);
        }
        Assignment wanted = target.minus(member.assigned());
        String self = member.memberId();
        Assignment unreleased = wanted.filter((t, p) -> ownedByOther(group, self, t, p));
        Assignment assigned = member.assigned().union(wanted.minus(unreleased));
        int previous = member.memberEpoch() == group.assignmentEpoch ? member.previousMemberEpoch()
            : member.memberEpoch();
        return member.withReconciliation(group.assignmentEpoch, previous, unreleased.isEmpty()
            ? ConsumerMember.State.STABLE : ConsumerMember.State.UNRELEASED_PARTITIONS, assigned, Assignment.empty());
    }

    private static boolean ownedByOther(ConsumerGroup group, String self, org.apache.kafka.common.Uuid topic,
                                        int partition) {
        for (ConsumerMember m : group.members.values()) {
            if (!m.memberId().equals(self)
                && (m.assigned().contains(topic, partition) || m.pendingRevocation().contains(topic, partition))) {
                return true;
            }
        }
        return false;
    }
}

package io.spool.metadata;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * A partition leader's request to change the partition's ISR, and its validation against an image. Immutable.
 *
 * @param leaderEpoch    the leader epoch the leader holds
 * @param partitionEpoch the partition epoch the leader's view of the ISR comes from
 */
record AlterPartitionRequest(int brokerId, long brokerEpoch, Uuid topicId, int partition, int leaderEpoch,
        int partitionEpoch, List<Integer> newIsr) {

    AlterPartitionRequest {
        newIsr = newIsr == null ? null : newIsr.stream().map(id -> id == null ? -1 : id).toList();
    }

    /**
     * Checks the request against the image, in Apache Kafka's order, and returns the error with the partition's
     * current state, or {@code NONE} with its state after the change (the current state when the ISR is unchanged),
     * its eligible leader replicas following the new ISR under {@code policy} (see {@link PartitionChange}).
     * Errors:
     * <ul>
     *   <li>{@code STALE_BROKER_EPOCH}: the broker is not registered, or at another epoch</li>
     *   <li>{@code UNKNOWN_TOPIC_ID}, {@code UNKNOWN_TOPIC_OR_PARTITION}</li>
     *   <li>{@code NOT_CONTROLLER}: the request's leader or partition epoch is newer than the image's, so this
     *       controller is probably stale and the leader should find the active one</li>
     *   <li>{@code FENCED_LEADER_EPOCH}: the leader epoch is older</li>
     *   <li>{@code INVALID_REQUEST}: the broker is not the leader</li>
     *   <li>{@code INVALID_UPDATE_VERSION}: the partition epoch is older</li>
     *   <li>{@code INVALID_REQUEST}: the new ISR is empty, has duplicates or non-replicas, or lacks the leader</li>
     *   <li>{@code INELIGIBLE_REPLICA}: a member of the new ISR is not registered or is fenced</li>
     * </ul>
     */
    AlterPartitionReply check(MetadataImage image, ElrPolicy policy) {
        var registration = image.cluster().registration(brokerId);
        TopicImage topic = image.topics().byId(topicId).orElse(null);
        PartitionRecord current = topic == null ? null : topic.partition(partition);
        if (registration.isEmpty() || registration.get().epoch() != brokerEpoch) {
            return new AlterPartitionReply(Errors.STALE_BROKER_EPOCH, current);
        }
        if (topic == null) {
            return new AlterPartitionReply(Errors.UNKNOWN_TOPIC_ID, null);
        }
        if (current == null) {
            return new AlterPartitionReply(Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
        }
        Errors error = checkEpochsAndLeader(current);
        if (error == Errors.NONE) {
            error = checkIsr(image.cluster(), current);
        }
        if (error != Errors.NONE) {
            return new AlterPartitionReply(error, current);
        }
        if (newIsr.equals(current.isr())) {
            return new AlterPartitionReply(Errors.NONE, current);
        }
        // The leader is in the new ISR and may lead (it is the registered requester), so it stays.
        return new AlterPartitionReply(Errors.NONE, new PartitionChange(current, policy, id -> id == brokerId)
                .targetIsr(newIsr).build());
    }

    private Errors checkEpochsAndLeader(PartitionRecord current) {
        if (leaderEpoch > current.leaderEpoch() || partitionEpoch > current.partitionEpoch()) {
            return Errors.NOT_CONTROLLER;
        }
        if (leaderEpoch < current.leaderEpoch()) {
            return Errors.FENCED_LEADER_EPOCH;
        }
        if (brokerId != current.leader()) {
            return Errors.INVALID_REQUEST;
        }
        if (partitionEpoch < current.partitionEpoch()) {
            return Errors.INVALID_UPDATE_VERSION;
        }
        return Errors.NONE;
    }

    private Errors checkIsr(ClusterImage cluster, PartitionRecord current) {
        if (newIsr == null || newIsr.isEmpty() || !newIsr.contains(current.leader())
                || new HashSet<>(newIsr).size() != newIsr.size() || !current.replicas().containsAll(newIsr)) {
            return Errors.INVALID_REQUEST;
        }
        Set<Integer> members = new HashSet<>(newIsr);
        members.retainAll(cluster.unfencedBrokerIds());
        return members.size() == newIsr.size() ? Errors.NONE : Errors.INELIGIBLE_REPLICA;
    }
}

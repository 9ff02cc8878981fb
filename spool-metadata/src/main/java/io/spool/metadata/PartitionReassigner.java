package io.spool.metadata;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Partition reassignment (KIP-455) as records over a {@link MetadataImage}: starting, replacing, cancelling and
 * completing one partition's move to a target replica list. Pure logic, stateless and thread-safe.
 *
 * <p>A reassignment from the original replicas {@code O} to the target {@code T} makes the replicas {@code T}
 * followed by the members of {@code O} not in {@code T}, with {@code adding = T - O} and {@code removing = O - T}
 * kept in a {@link PartitionReassignmentRecord}. The ISR is unchanged: the leader adds the new replicas once they
 * have caught up (AlterPartition). As soon as every adding replica is in the ISR and the ISR holds a member of the
 * target, the reassignment completes in the same batch as the change that allowed it: the replicas become
 * {@code T}, the ISR loses the removed replicas, and a leader outside {@code T} hands over to the first member of
 * {@code T} that is an unfenced member of the ISR. A new target replaces the old one, computed from the original
 * replicas (the replicas without the adding ones), so replicas that the old target added and the new one does not
 * leave at once; cancelling is replacing with the original replicas.
 *
 * <p>Epochs: the combined change of one batch bumps the partition epoch once, and the leader epoch once if the
 * leader changes.
 */
final class PartitionReassigner {

    private PartitionReassigner() {
    }

    /**
     * Starts, replaces or (for a null target) cancels the reassignment of a partition. Errors, in this order:
     * <ul>
     *   <li>{@code NO_REASSIGNMENT_IN_PROGRESS}: cancelling a partition that is not being reassigned</li>
     *   <li>{@code INVALID_REPLICA_ASSIGNMENT}: an empty target, or one naming a broker twice or a broker that is
     *       not registered</li>
     *   <li>{@code INVALID_REPLICATION_FACTOR}: replication factor changes are not allowed (KIP-860) and the target
     *       is longer or shorter than the replicas the partition has, or is heading for if it is being
     *       reassigned</li>
     *   <li>{@code INVALID_REPLICA_ASSIGNMENT}: the change leaves no in-sync replica and so needs an unclean
     *       election, which the topic does not allow</li>
     * </ul>
     * A target equal to the current replicas of a partition that is not being reassigned changes nothing.
     *
     * @param allowReplicationFactorChange whether the target may have another length than the current replicas
     * @param unclean                      whether the topic allows an unclean leader election
     */
    static PartitionOutcome reassign(MetadataImage image, PartitionRecord partition, List<Integer> target,
            boolean allowReplicationFactorChange, boolean unclean) {
        PartitionReassignmentRecord ongoing = ongoing(image, partition.topicId(), partition.partition());
        List<Integer> original = minus(partition.replicas(), ongoing == null ? List.of() : ongoing.adding());
        if (target == null) {
            if (ongoing == null) {
                return PartitionOutcome.failed(Errors.NO_REASSIGNMENT_IN_PROGRESS,
                        Errors.NO_REASSIGNMENT_IN_PROGRESS.message());
            }
            target = original;
        } else {
            ReplicaPlacer.Placement check = ReplicaPlacer.checkManual(image.cluster().brokers().keySet(),
                    Map.of(0, target));
            if (check.failed()) {
                return PartitionOutcome.failed(check.error(), check.message());
            }
            int replicationFactor = partition.replicas().size()
                    - (ongoing == null ? 0 : ongoing.removing().size());
            if (!allowReplicationFactorChange && target.size() != replicationFactor) {
                return PartitionOutcome.failed(Errors.INVALID_REPLICATION_FACTOR, "The replication factor is "
                        + "changed from " + replicationFactor + " to " + target.size());
            }
        }
        IntPredicate mayLead = id -> !image.cluster().isFenced(id);
        List<Integer> replicas = new ArrayList<>(target);
        replicas.addAll(minus(original, target));
        List<Integer> isr = retain(partition.isr(), replicas);
        int leader = partition.leader();
        if (isr.isEmpty()) {
            if (!unclean) {
                return PartitionOutcome.failed(Errors.INVALID_REPLICA_ASSIGNMENT, "Unable to change the "
                        + "reassignment because none of the in-sync replicas " + partition.isr() + " would remain, "
                        + "which would require an unclean leader election.");
            }
            leader = replicas.stream().filter(mayLead::test).findFirst().orElse(PartitionRecord.NO_LEADER);
            isr = List.of(leader == PartitionRecord.NO_LEADER ? replicas.get(0) : leader);
        } else if (!replicas.contains(leader)) {
            leader = firstElectable(replicas, isr, mayLead);
        }
        PartitionRecord changed = withEpochs(partition, partition, replicas, isr, leader);
        PartitionReassignmentRecord next = new PartitionReassignmentRecord(partition.topicId(),
                partition.partition(), minus(target, original), minus(original, target));
        return PartitionOutcome.changed(records(partition, ongoing, changed, next, mayLead));
    }

    /** The records of a reassignment's new state, completed at once if it can be; none if nothing changes. */
    private static List<MetadataRecord> records(PartitionRecord base, PartitionReassignmentRecord ongoing,
            PartitionRecord changed, PartitionReassignmentRecord next, IntPredicate mayLead) {
        List<MetadataRecord> records = new ArrayList<>();
        PartitionRecord completed = next.inProgress() ? completed(base, changed, next, mayLead) : changed;
        if (completed != null) {
            if (!sameState(completed, base)) {
                records.add(completed);
            }
            if (ongoing != null) {
                records.add(PartitionReassignmentRecord.cleared(base.topicId(), base.partition()));
            }
            return records;
        }
        if (!sameState(changed, base)) {
            records.add(changed);
        }
        if (!next.equals(ongoing)) {
            records.add(next);
        }
        return records;
    }

    /**
     * The records that make a change to a partition: the changed partition, and, if the partition is being
     * reassigned and the change lets the reassignment complete, instead its completed state and the end of the
     * reassignment.
     *
     * @param image   the state before the change, which holds the partition
     * @param changed the partition's new state, its epochs already bumped
     * @param mayLead which brokers may lead once the change is made
     */
    static List<MetadataRecord> withCompletion(MetadataImage image, PartitionRecord changed, IntPredicate mayLead) {
        PartitionReassignmentRecord ongoing = ongoing(image, changed.topicId(), changed.partition());
        if (ongoing == null) {
            return List.of(changed);
        }
        PartitionRecord base = image.topics().byId(changed.topicId()).orElseThrow().partition(changed.partition());
        PartitionRecord completed = completed(base, changed, ongoing, mayLead);
        if (completed == null) {
            return List.of(changed);
        }
        return List.of(completed, PartitionReassignmentRecord.cleared(changed.topicId(), changed.partition()));
    }

    /**
     * The partition with its reassignment completed, or null if it cannot complete yet: some adding replica is not
     * in the ISR, or no member of the ISR is in the target.
     */
    private static PartitionRecord completed(PartitionRecord base, PartitionRecord changed,
            PartitionReassignmentRecord reassignment, IntPredicate mayLead) {
        if (!changed.isr().containsAll(reassignment.adding())) {
            return null;
        }
        List<Integer> target = minus(changed.replicas(), reassignment.removing());
        List<Integer> isr = retain(changed.isr(), target);
        if (isr.isEmpty()) {
            return null;
        }
        int leader = target.contains(changed.leader()) ? changed.leader() : firstElectable(target, isr, mayLead);
        return withEpochs(base, changed, target, isr, leader);
    }

    /** The first of the replicas, in order, that is a member of the ISR and may lead, or {@code NO_LEADER}. */
    private static int firstElectable(List<Integer> replicas, List<Integer> isr, IntPredicate mayLead) {
        return replicas.stream().filter(id -> isr.contains(id) && mayLead.test(id)).findFirst()
                .orElse(PartitionRecord.NO_LEADER);
    }

    /**
     * The new state with epochs one above the base's: the partition epoch always, the leader epoch if the leader
     * differs from the base's, unless {@code changed} has already bumped them.
     */
    private static PartitionRecord withEpochs(PartitionRecord base, PartitionRecord changed, List<Integer> replicas,
            List<Integer> isr, int leader) {
        int leaderEpoch = leader == changed.leader() || changed.leaderEpoch() > base.leaderEpoch()
                ? changed.leaderEpoch() : base.leaderEpoch() + 1;
        int partitionEpoch = Math.max(changed.partitionEpoch(), base.partitionEpoch() + 1);
        // Eligible leader replicas stay eligible only while they are replicas and not back in the ISR.
        List<Integer> elr = changed.elr().stream().filter(id -> replicas.contains(id) && !isr.contains(id)).toList();
        List<Integer> lastKnownElr = leader != PartitionRecord.NO_LEADER ? List.of() : changed.lastKnownElr();
        return new PartitionRecord(base.topicId(), base.partition(), replicas, isr, leader, leaderEpoch,
                partitionEpoch, elr, lastKnownElr);
    }

    private static boolean sameState(PartitionRecord a, PartitionRecord b) {
        return a.replicas().equals(b.replicas()) && a.isr().equals(b.isr()) && a.leader() == b.leader();
    }

    /** The partition's reassignment in progress, or null. */
    private static PartitionReassignmentRecord ongoing(MetadataImage image, Uuid topicId, int partition) {
        return image.topics().byId(topicId).map(t -> t.reassignments().get(partition)).orElse(null);
    }

    /** The members of {@code list} not in {@code removed}, in order. */
    static List<Integer> minus(List<Integer> list, Collection<Integer> removed) {
        return list.stream().filter(id -> !removed.contains(id)).toList();
    }

    private static List<Integer> retain(List<Integer> list, Collection<Integer> kept) {
        return list.stream().filter(kept::contains).toList();
    }
}

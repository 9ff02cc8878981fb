package io.spool.metadata;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;

import org.apache.kafka.common.protocol.Errors;

/**
 * Leader elections that an operator asks for (ElectLeaders) or that the leader rebalance runs, as records over a
 * {@link MetadataImage}. Pure logic, stateless and thread-safe.
 *
 * <p>The preferred replica of a partition is the first of its replicas (during a reassignment, the first target
 * replica). A replica may lead if it is registered and unfenced; a new leader bumps the leader and partition epochs.
 * Elections follow {@link PartitionChange}: an in-sync replica first, then, when the ISR is empty, an eligible leader
 * replica (KIP-966), then the last known leader, and only then (unclean) any replica.
 */
final class LeaderElection {

    private LeaderElection() {
    }

    /**
     * Makes the preferred replica the leader. A leaderless partition whose preferred replica cannot lead elects the
     * first in-sync replica that can instead. Errors:
     * <ul>
     *   <li>{@code ELECTION_NOT_NEEDED}: the preferred replica already leads</li>
     *   <li>{@code PREFERRED_LEADER_NOT_AVAILABLE}: the preferred replica is fenced or not in the ISR (and the
     *       partition has a leader, or no in-sync replica can lead)</li>
     * </ul>
     */
    static PartitionOutcome preferred(MetadataImage image, PartitionRecord partition, ElrPolicy policy) {
        int preferred = partition.replicas().get(0);
        if (partition.leader() == preferred) {
            return PartitionOutcome.failed(Errors.ELECTION_NOT_NEEDED, Errors.ELECTION_NOT_NEEDED.message());
        }
        IntPredicate mayLead = id -> !image.cluster().isFenced(id);
        if (partition.isr().contains(preferred) && mayLead.test(preferred)) {
            PartitionRecord elected = new PartitionChange(partition, policy, mayLead).preferred(preferred).build();
            return PartitionOutcome.changed(PartitionReassigner.withCompletion(image, elected, mayLead));
        }
        if (partition.leader() == PartitionRecord.NO_LEADER) {
            PartitionRecord elected = new PartitionChange(partition, policy, mayLead).build();
            if (elected.leader() != PartitionRecord.NO_LEADER) {
                return PartitionOutcome.changed(PartitionReassigner.withCompletion(image, elected, mayLead));
            }
        }
        return PartitionOutcome.failed(Errors.PREFERRED_LEADER_NOT_AVAILABLE, "The preferred replica " + preferred
                + " is not an unfenced member of the ISR " + partition.isr() + ".");
    }

    /**
     * Elects a leader for a partition that has none: the first in-sync replica that may lead, else an eligible
     * leader replica or the last known leader, else the first replica that may lead, which becomes the only member
     * of the ISR (possibly losing data). Errors:
     * <ul>
     *   <li>{@code ELECTION_NOT_NEEDED}: the partition has a leader</li>
     *   <li>{@code ELIGIBLE_LEADERS_NOT_AVAILABLE}: every replica is fenced</li>
     * </ul>
     */
    static PartitionOutcome unclean(MetadataImage image, PartitionRecord partition, ElrPolicy policy) {
        if (partition.leader() != PartitionRecord.NO_LEADER) {
            return PartitionOutcome.failed(Errors.ELECTION_NOT_NEEDED, Errors.ELECTION_NOT_NEEDED.message());
        }
        IntPredicate mayLead = id -> !image.cluster().isFenced(id);
        PartitionRecord elected = new PartitionChange(partition, policy, mayLead).unclean(true).build();
        if (elected.leader() == PartitionRecord.NO_LEADER) {
            return PartitionOutcome.failed(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE, "None of the replicas "
                    + partition.replicas() + " is unfenced.");
        }
        return PartitionOutcome.changed(PartitionReassigner.withCompletion(image, elected, mayLead));
    }

    /**
     * The partitions whose leadership the rebalance moves back to their preferred replica, by preferred replica in
     * id order, each broker's in topic-id and partition order. A broker is imbalanced when the share of the
     * partitions it is preferred for that it does not lead exceeds {@code percentage}; of its partitions, those
     * whose preferred replica is an unfenced member of the ISR are moved.
     */
    static List<PartitionRecord> imbalanced(MetadataImage image, int percentage) {
        Map<Integer, List<PartitionRecord>> byPreferred = new TreeMap<>();
        List<TopicImage> topics = new ArrayList<>(image.topics().all());
        topics.sort(Comparator.comparing(TopicImage::id));
        for (TopicImage topic : topics) {
            for (PartitionRecord partition : topic.partitions().values()) {
                byPreferred.computeIfAbsent(partition.replicas().get(0), id -> new ArrayList<>()).add(partition);
            }
        }
        List<PartitionRecord> moved = new ArrayList<>();
        byPreferred.forEach((broker, preferred) -> {
            List<PartitionRecord> notLed = preferred.stream().filter(p -> p.leader() != broker).toList();
            if (notLed.size() * 100L > (long) percentage * preferred.size()) {
                notLed.stream().filter(p -> p.isr().contains(broker) && !image.cluster().isFenced(broker))
                        .forEach(moved::add);
            }
        });
        return moved;
    }
}

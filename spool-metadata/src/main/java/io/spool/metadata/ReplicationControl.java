package io.spool.metadata;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The partition changes that follow from a broker being fenced or unfenced: leader elections and ISR shrinks, as
 * records over a {@link MetadataImage}. Pure logic, stateless and thread-safe.
 *
 * <p>Election: the new leader is the first replica, in replica order, that is in the ISR and may lead (registered,
 * unfenced and not being fenced). If none may and {@code unclean.leader.election.enable} is true for the topic
 * (topic override, else the cluster-wide dynamic broker config, else the static broker config, else false), the
 * first replica that may lead becomes leader and the ISR shrinks to it, which may lose data; otherwise the
 * partition has no leader ({@value PartitionRecord#NO_LEADER}). A leader change bumps the leader epoch; every change
 * bumps the partition epoch. A change that lets a partition's reassignment complete completes it in the same batch
 * (see {@link PartitionReassigner}).
 */
final class ReplicationControl {
    static final String UNCLEAN_LEADER_ELECTION = "unclean.leader.election.enable";

    private final Map<String, String> staticBrokerConfigs;

    ReplicationControl(Map<String, String> staticBrokerConfigs) {
        this.staticBrokerConfigs = Map.copyOf(staticBrokerConfigs);
    }

    /**
     * Records that fence each broker in turn, each followed by its partition changes: every partition it leads
     * elects another leader (none of the brokers being fenced), and it leaves every ISR that has another member. A
     * partition whose ISR is only that broker keeps it, leaderless, so that it can lead again once unfenced without
     * losing data.
     *
     * @throws IllegalArgumentException if a broker is not registered
     */
    List<MetadataRecord> fence(MetadataImage image, Collection<Integer> brokerIds) {
        Set<Integer> leaving = Set.copyOf(brokerIds);
        List<MetadataRecord> all = new ArrayList<>();
        MetadataImage current = image;
        for (int brokerId : brokerIds) {
            BrokerRegistration registration = current.cluster().registration(brokerId).orElseThrow(() ->
                    new IllegalArgumentException("Broker " + brokerId + " is not registered"));
            List<MetadataRecord> records = new ArrayList<>();
            records.add(new FenceBrokerRecord(brokerId, registration.epoch()));
            ClusterImage cluster = current.cluster();
            IntPredicate mayLead = id -> !cluster.isFenced(id) && !leaving.contains(id);
            for (TopicImage topic : topicsInIdOrder(current)) {
                boolean unclean = uncleanElectionEnabled(current, topic.name());
                for (PartitionRecord partition : topic.partitions().values()) {
                    PartitionRecord changed = withoutBroker(partition, brokerId, mayLead, unclean);
                    if (changed != null) {
                        records.addAll(PartitionReassigner.withCompletion(current, changed, mayLead));
                    }
                }
            }
            all.addAll(records);
            current = applied(current, records);
        }
        return all;
    }

    /**
     * Records that unfence the broker at this epoch, then elect a leader for every leaderless partition that it
     * makes electable: one whose ISR holds it, or, with unclean election enabled, any that it is a replica of.
     */
    List<MetadataRecord> unfence(MetadataImage image, int brokerId, long brokerEpoch) {
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new UnfenceBrokerRecord(brokerId, brokerEpoch));
        ClusterImage cluster = image.cluster();
        IntPredicate mayLead = id -> id == brokerId || !cluster.isFenced(id);
        for (TopicImage topic : topicsInIdOrder(image)) {
            boolean unclean = uncleanElectionEnabled(image, topic.name());
            for (PartitionRecord partition : topic.partitions().values()) {
                if (partition.leader() == PartitionRecord.NO_LEADER && partition.replicas().contains(brokerId)) {
                    PartitionRecord elected = elect(partition, partition.isr(), mayLead, unclean);
                    if (elected.leader() != PartitionRecord.NO_LEADER) {
                        records.addAll(PartitionReassigner.withCompletion(image, elected, mayLead));
                    }
                }
            }
        }
        return records;
    }

    /** The partition once the broker is fenced, or null if fencing the broker does not change it. */
    private static PartitionRecord withoutBroker(PartitionRecord partition, int brokerId, IntPredicate mayLead,
            boolean unclean) {
        List<Integer> isr = partition.isr();
        if (isr.size() > 1 && isr.contains(brokerId)) {
            isr = isr.stream().filter(id -> id != brokerId).toList();
        }
        if (partition.leader() == brokerId) {
            return elect(partition, isr, mayLead, unclean);
        }
        if (isr.equals(partition.isr())) {
            return null;
        }
        return new PartitionRecord(partition.topicId(), partition.partition(), partition.replicas(), isr,
                partition.leader(), partition.leaderEpoch(), partition.partitionEpoch() + 1);
    }

    /** The partition with a newly elected leader (possibly none) and the ISR, both epochs bumped. */
    static PartitionRecord elect(PartitionRecord partition, List<Integer> isr, IntPredicate mayLead,
            boolean unclean) {
        int leader = PartitionRecord.NO_LEADER;
        int uncleanLeader = PartitionRecord.NO_LEADER;
        for (int replica : partition.replicas()) {
            if (mayLead.test(replica)) {
                if (isr.contains(replica)) {
                    leader = replica;
                    break;
                }
                if (uncleanLeader == PartitionRecord.NO_LEADER) {
                    uncleanLeader = replica;
                }
            }
        }
        List<Integer> newIsr = isr;
        if (leader == PartitionRecord.NO_LEADER && unclean && uncleanLeader != PartitionRecord.NO_LEADER) {
            leader = uncleanLeader;
            newIsr = List.of(uncleanLeader);
        }
        return new PartitionRecord(partition.topicId(), partition.partition(), partition.replicas(), newIsr, leader,
                partition.leaderEpoch() + 1, partition.partitionEpoch() + 1);
    }

    /** Whether the topic may elect an out-of-sync leader. */
    boolean uncleanElectionEnabled(MetadataImage image, String topic) {
        String value = image.configs().topicConfigs(topic).get(UNCLEAN_LEADER_ELECTION);
        if (value == null) {
            value = image.configs().brokerConfigs("").get(UNCLEAN_LEADER_ELECTION);
        }
        if (value == null) {
            value = staticBrokerConfigs.get(UNCLEAN_LEADER_ELECTION);
        }
        return value != null && Boolean.parseBoolean(value.trim());
    }

    /** Topics in a fixed order, so that the same image always yields the same records. */
    private static List<TopicImage> topicsInIdOrder(MetadataImage image) {
        List<TopicImage> topics = new ArrayList<>(image.topics().all());
        topics.sort(Comparator.comparing(TopicImage::id));
        return topics;
    }

    /** The image with the records applied, at the same offset: the state the next broker's changes build on. */
    private static MetadataImage applied(MetadataImage image, List<MetadataRecord> records) {
        MetadataDelta delta = new MetadataDelta(image);
        records.forEach(delta::replay);
        return delta.apply(image.offset());
    }
}

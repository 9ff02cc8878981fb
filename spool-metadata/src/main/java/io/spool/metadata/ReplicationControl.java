package io.spool.metadata;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The partition changes that follow from a broker being fenced, unfenced or restarted after an unclean shutdown:
 * leader elections, ISR shrinks and eligible leader replicas (KIP-966), as records over a {@link MetadataImage}.
 * Every change is made by a {@link PartitionChange}, which holds the election and ELR rules. Pure logic, stateless
 * and thread-safe.
 *
 * <p>{@code unclean.leader.election.enable} and {@code min.insync.replicas} are read from the topic override, else
 * the cluster-wide dynamic broker config, else the static broker config, else Kafka's default (false, 1). ELR is
 * enabled when the static {@code eligible.leader.replicas.version} is 1, the default (Kafka's feature of that name,
 * on by default for clusters created by Kafka 4.1 and later). A leader change bumps the leader epoch; every change
 * bumps the partition epoch. A change that lets a partition's reassignment complete completes it in the same batch
 * (see {@link PartitionReassigner}).
 */
final class ReplicationControl {
    static final String UNCLEAN_LEADER_ELECTION = "unclean.leader.election.enable";
    static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    static final String ELR_VERSION = "eligible.leader.replicas.version";

    private final Map<String, String> staticBrokerConfigs;
    private final boolean elrEnabled;

    ReplicationControl(Map<String, String> staticBrokerConfigs) {
        this.staticBrokerConfigs = Map.copyOf(staticBrokerConfigs);
        String version = staticBrokerConfigs.getOrDefault(ELR_VERSION, "1");
        this.elrEnabled = Integer.parseInt(version.trim()) >= 1;
    }

    /** Whether partitions keep eligible leader replicas. */
    boolean elrEnabled() {
        return elrEnabled;
    }

    /**
     * Records that fence each broker in turn, each followed by its partition changes: it leaves every ISR, and
     * every partition it leads elects another leader (none of the brokers being fenced). With ELR disabled a
     * partition whose ISR is only that broker keeps it, leaderless, so that it can lead again once unfenced without
     * losing data; with ELR enabled the ISR becomes empty and the broker moves to the ELR (see
     * {@link PartitionChange}).
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
                ElrPolicy policy = elrPolicy(current, topic.name());
                boolean unclean = uncleanElectionEnabled(current, topic.name());
                for (PartitionRecord partition : topic.partitions().values()) {
                    if (!partition.isr().contains(brokerId) && partition.leader() != brokerId) {
                        continue;
                    }
                    PartitionRecord changed = new PartitionChange(partition, policy, mayLead)
                            .targetIsr(PartitionReassigner.minus(partition.isr(), List.of(brokerId)))
                            .unclean(unclean).build();
                    if (changed != partition) {
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
     * makes electable: one whose ISR holds it, whose ISR is empty and ELR holds it, whose last known leader it is
     * (ISR and ELR empty), or, with unclean election enabled, any that it is a replica of.
     */
    List<MetadataRecord> unfence(MetadataImage image, int brokerId, long brokerEpoch) {
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new UnfenceBrokerRecord(brokerId, brokerEpoch));
        ClusterImage cluster = image.cluster();
        IntPredicate mayLead = id -> id == brokerId || !cluster.isFenced(id);
        for (TopicImage topic : topicsInIdOrder(image)) {
            ElrPolicy policy = elrPolicy(image, topic.name());
            boolean unclean = uncleanElectionEnabled(image, topic.name());
            for (PartitionRecord partition : topic.partitions().values()) {
                if (partition.leader() == PartitionRecord.NO_LEADER && partition.replicas().contains(brokerId)) {
                    PartitionRecord elected = new PartitionChange(partition, policy, mayLead).unclean(unclean)
                            .build();
                    if (elected.leader() != PartitionRecord.NO_LEADER) {
                        records.addAll(PartitionReassigner.withCompletion(image, elected, mayLead));
                    }
                }
            }
        }
        return records;
    }

    /**
     * The partition changes for a broker that registers again after an unclean shutdown (KIP-966: its
     * registration's previous broker epoch is not the epoch it last registered with, so it did not stop cleanly and
     * may have lost records that it had acknowledged as a follower): it leaves every ISR and ELR and may not lead.
     * None when ELR is disabled.
     */
    List<MetadataRecord> uncleanShutdown(MetadataImage image, int brokerId) {
        if (!elrEnabled) {
            return List.of();
        }
        List<MetadataRecord> records = new ArrayList<>();
        ClusterImage cluster = image.cluster();
        IntPredicate mayLead = id -> id != brokerId && !cluster.isFenced(id);
        for (TopicImage topic : topicsInIdOrder(image)) {
            ElrPolicy policy = elrPolicy(image, topic.name());
            boolean unclean = uncleanElectionEnabled(image, topic.name());
            for (PartitionRecord partition : topic.partitions().values()) {
                if (!partition.isr().contains(brokerId) && !partition.elr().contains(brokerId)) {
                    continue;
                }
                PartitionRecord changed = new PartitionChange(partition, policy, mayLead)
                        .targetIsr(PartitionReassigner.minus(partition.isr(), List.of(brokerId)))
                        .uncleanShutdown(brokerId).unclean(unclean).build();
                if (changed != partition) {
                    records.addAll(PartitionReassigner.withCompletion(image, changed, mayLead));
                }
            }
        }
        return records;
    }

    /**
     * KIP-966: the ELR and last known ELR were chosen under the old {@code min.insync.replicas}, so a config record
     * of it (a new value, or its removal) clears them, as Kafka does: for the topic when its override changes,
     * for every partition when the cluster-wide default (the broker resource {@code ""}) does, should it become a
     * dynamic broker config (it is not one yet). Per-broker values never apply to topics and change nothing.
     * Returns the partition records that follow {@code configRecords}, each with its partition epoch bumped; none
     * when ELR is disabled or no partition has any.
     */
    List<MetadataRecord> clearElrOnMinIsrChange(MetadataImage image, List<MetadataRecord> configRecords) {
        if (!elrEnabled) {
            return List.of();
        }
        boolean cluster = false;
        Set<String> topics = new HashSet<>();
        for (MetadataRecord record : configRecords) {
            if (record instanceof ConfigRecord c && c.name().equals(MIN_INSYNC_REPLICAS)) {
                if (c.resourceType() == ConfigResourceType.TOPIC) {
                    topics.add(c.resourceName());
                } else if (c.resourceName().isEmpty()) {
                    cluster = true;
                }
            }
        }
        List<MetadataRecord> records = new ArrayList<>();
        for (TopicImage topic : topicsInIdOrder(image)) {
            if (!cluster && !topics.contains(topic.name())) {
                continue;
            }
            for (PartitionRecord p : topic.partitions().values()) {
                if (!p.elr().isEmpty() || !p.lastKnownElr().isEmpty()) {
                    records.add(new PartitionRecord(p.topicId(), p.partition(), p.replicas(), p.isr(), p.leader(),
                            p.leaderEpoch(), p.partitionEpoch() + 1, List.of(), List.of()));
                }
            }
        }
        return records;
    }

    /** The ELR rules of the topic (disabled, or enabled with its {@code min.insync.replicas}). */
    ElrPolicy elrPolicy(MetadataImage image, String topic) {
        if (!elrEnabled) {
            return ElrPolicy.DISABLED;
        }
        String value = topicConfig(image, topic, MIN_INSYNC_REPLICAS);
        return new ElrPolicy(true, value == null ? 1 : Integer.parseInt(value.trim()));
    }

    /** Whether the topic may elect an out-of-sync leader. */
    boolean uncleanElectionEnabled(MetadataImage image, String topic) {
        String value = topicConfig(image, topic, UNCLEAN_LEADER_ELECTION);
        return value != null && Boolean.parseBoolean(value.trim());
    }

    /** The topic's override, else the cluster-wide dynamic config, else the static broker config, else null. */
    private String topicConfig(MetadataImage image, String topic, String name) {
        String value = image.configs().topicConfigs(topic).get(name);
        if (value == null) {
            value = image.configs().brokerConfigs("").get(name);
        }
        if (value == null) {
            value = staticBrokerConfigs.get(name);
        }
        return value;
    }

    /** Topics in a fixed order, so that the same image always yields the same records. */
    private static List<TopicImage> topicsInIdOrder(MetadataImage image) {
        List<TopicImage> topics = new ArrayList<>(image.topics().all());
        topics.sort(Comparator.comparing(TopicImage::id));
        return topics;
    }

    /** The image with the records applied, at the same offset: the state the next broker's changes build on. */
    static MetadataImage applied(MetadataImage image, List<MetadataRecord> records) {
        MetadataDelta delta = new MetadataDelta(image);
        records.forEach(delta::replay);
        return delta.apply(image.offset());
    }
}

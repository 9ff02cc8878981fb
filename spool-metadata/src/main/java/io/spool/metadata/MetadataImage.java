package io.spool.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.apache.kafka.common.Uuid;

/**
 * The cluster metadata as of one offset of the metadata log: topics, config overrides, registered brokers and the
 * next producer id to hand out. Immutable and safe to read from any thread; a new image is made by
 * {@link MetadataDelta#apply(long)}.
 */
public final class MetadataImage {
    /** The image before any record: offset -1, nothing registered. */
    public static final MetadataImage EMPTY =
            new MetadataImage(-1, TopicsImage.EMPTY, ConfigsImage.EMPTY, ClusterImage.EMPTY, 0);

    private final long offset;
    private final TopicsImage topics;
    private final ConfigsImage configs;
    private final ClusterImage cluster;
    private final long nextProducerId;

    MetadataImage(long offset, TopicsImage topics, ConfigsImage configs, ClusterImage cluster, long nextProducerId) {
        this.offset = offset;
        this.topics = Objects.requireNonNull(topics);
        this.configs = Objects.requireNonNull(configs);
        this.cluster = Objects.requireNonNull(cluster);
        this.nextProducerId = nextProducerId;
    }

    /** The log index of the last batch applied to this image; -1 for {@link #EMPTY}. */
    public long offset() {
        return offset;
    }

    public TopicsImage topics() {
        return topics;
    }

    public ConfigsImage configs() {
        return configs;
    }

    public ClusterImage cluster() {
        return cluster;
    }

    /** The reassignment in progress of this partition, if the topic and partition exist and one is. */
    public Optional<Reassignment> reassignment(Uuid topicId, int partition) {
        return topics.byId(topicId).flatMap(t -> t.reassignment(partition));
    }

    /** The first producer id of the next block the controller will allocate. */
    public long nextProducerId() {
        return nextProducerId;
    }

    /** The same content at another offset. */
    MetadataImage withOffset(long newOffset) {
        return new MetadataImage(newOffset, topics, configs, cluster, nextProducerId);
    }

    /**
     * Records that rebuild this image when replayed over {@link #EMPTY}: what a snapshot stores. Brokers come first
     * (each unfenced one's registration followed by its unfencing), then each topic with its partitions and their
     * reassignments in progress, then topic and broker configs and the producer-id counter.
     */
    public List<MetadataRecord> toRecords() {
        List<MetadataRecord> records = new ArrayList<>();
        for (BrokerRegistration broker : cluster.registrations().values()) {
            records.add(broker.record());
            if (!broker.fenced()) {
                records.add(new UnfenceBrokerRecord(broker.brokerId(), broker.epoch()));
            }
        }
        for (TopicImage topic : topics.all()) {
            records.add(new TopicRecord(topic.name(), topic.id()));
            records.addAll(topic.partitions().values());
            records.addAll(topic.reassignments().values());
        }
        addConfigRecords(records, ConfigResourceType.TOPIC, configs.allTopicConfigs());
        addConfigRecords(records, ConfigResourceType.BROKER, configs.allBrokerConfigs());
        if (nextProducerId != 0) {
            records.add(new ProducerIdsRecord(-1, nextProducerId));
        }
        return records;
    }

    private static void addConfigRecords(List<MetadataRecord> records, ConfigResourceType type,
            Map<String, Map<String, String>> configs) {
        configs.forEach((resource, values) -> values.forEach((name, value) ->
                records.add(new ConfigRecord(type, resource, name, value))));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetadataImage other && offset == other.offset && nextProducerId == other.nextProducerId
                && topics.equals(other.topics) && configs.equals(other.configs) && cluster.equals(other.cluster);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, topics, configs, cluster, nextProducerId);
    }

    @Override
    public String toString() {
        return "MetadataImage(offset=" + offset + ", " + topics + ", " + configs + ", " + cluster
                + ", nextProducerId=" + nextProducerId + ")";
    }
}

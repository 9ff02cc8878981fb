package io.spool.metadata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;

/**
 * The changes that a run of records makes to a base {@link MetadataImage}. Records are {@link #replay replayed} in
 * log order; {@link #apply(long)} then builds the next image without touching the base. The delta also says what
 * changed, so that listeners need not diff two images.
 *
 * <p>A record that contradicts the state it is replayed onto (a partition of an unknown topic, a second topic with
 * the same name, the fencing of an unregistered broker or of another registration epoch, a reassignment of an
 * unknown partition or one that names brokers outside its replicas) means the log is corrupt or the controller has
 * a bug: replay throws {@link IllegalStateException} and the delta must be discarded.
 *
 * <p>Not thread-safe: a delta is built and read by the one thread that applies the log.
 */
public final class MetadataDelta {
    private final MetadataImage base;

    /** Topics created or changed by this delta, by id, with their partitions as of the last replayed record. */
    private final Map<Uuid, TopicBuilder> changedTopics = new LinkedHashMap<>();
    /** Topics of the base image removed by this delta. */
    private final Map<Uuid, TopicImage> deletedTopics = new LinkedHashMap<>();
    private final Set<Uuid> createdTopics = new HashSet<>();
    /** Full new config maps of the topics/brokers whose configs this delta touched. */
    private final Map<String, Map<String, String>> topicConfigs = new HashMap<>();
    private final Map<String, Map<String, String>> brokerConfigs = new HashMap<>();
    /** Brokers registered, fenced or unfenced by this delta, with their state as of the last replayed record. */
    private final Map<Integer, BrokerRegistration> brokers = new TreeMap<>();
    private long nextProducerId;

    public MetadataDelta(MetadataImage base) {
        this.base = base;
        this.nextProducerId = base.nextProducerId();
    }

    /** The image this delta started from. */
    public MetadataImage base() {
        return base;
    }

    /**
     * Folds one record into this delta.
     *
     * @throws IllegalStateException if the record contradicts the state so far
     */
    public void replay(MetadataRecord record) {
        if (record instanceof TopicRecord r) {
            replayTopic(r);
        } else if (record instanceof PartitionRecord r) {
            replayPartition(r);
        } else if (record instanceof PartitionReassignmentRecord r) {
            replayReassignment(r);
        } else if (record instanceof RemoveTopicRecord r) {
            replayRemoveTopic(r);
        } else if (record instanceof ConfigRecord r) {
            replayConfig(r);
        } else if (record instanceof ProducerIdsRecord r) {
            if (r.nextProducerId() < nextProducerId) {
                throw new IllegalStateException("Producer id counter would move back from " + nextProducerId
                        + " to " + r.nextProducerId());
            }
            nextProducerId = r.nextProducerId();
        } else if (record instanceof RegisterBrokerRecord r) {
            brokers.put(r.brokerId(), BrokerRegistration.registered(r));
        } else if (record instanceof FenceBrokerRecord r) {
            replayFencing(r, r.brokerId(), r.brokerEpoch(), true);
        } else if (record instanceof UnfenceBrokerRecord r) {
            replayFencing(r, r.brokerId(), r.brokerEpoch(), false);
        } else if (!(record instanceof NoOpRecord)) {
            throw new IllegalStateException("Unhandled metadata record " + record);
        }
    }

    private void replayFencing(MetadataRecord r, int brokerId, long epoch, boolean fenced) {
        BrokerRegistration registration = broker(brokerId).orElseThrow(() ->
                new IllegalStateException("Fencing change of an unregistered broker: " + r));
        if (registration.epoch() != epoch) {
            throw new IllegalStateException("Fencing change for epoch " + epoch + " of broker " + brokerId
                    + " whose epoch is " + registration.epoch() + ": " + r);
        }
        brokers.put(brokerId, registration.withFenced(fenced));
    }

    /** The broker's registration as of the records replayed so far. */
    public Optional<BrokerRegistration> broker(int brokerId) {
        BrokerRegistration changed = brokers.get(brokerId);
        return changed != null ? Optional.of(changed) : base.cluster().registration(brokerId);
    }

    private void replayTopic(TopicRecord r) {
        if (topic(r.topicId()).isPresent()) {
            throw new IllegalStateException("Topic id " + r.topicId() + " already exists: " + r);
        }
        if (topicIdByName(r.name()).isPresent()) {
            throw new IllegalStateException("Topic name " + r.name() + " already exists: " + r);
        }
        changedTopics.put(r.topicId(), new TopicBuilder(r.name(), r.topicId(), new TreeMap<>(), new TreeMap<>()));
        createdTopics.add(r.topicId());
    }

    private void replayPartition(PartitionRecord r) {
        changedTopic(r.topicId(), r).partitions().put(r.partition(), r);
    }

    private void replayReassignment(PartitionReassignmentRecord r) {
        TopicBuilder topic = changedTopic(r.topicId(), r);
        PartitionRecord partition = topic.partitions().get(r.partition());
        if (partition == null) {
            throw new IllegalStateException("Reassignment of unknown partition: " + r);
        }
        List<Integer> named = new ArrayList<>(r.adding());
        named.addAll(r.removing());
        if (new HashSet<>(named).size() != named.size() || !partition.replicas().containsAll(named)) {
            throw new IllegalStateException("Reassignment " + r + " does not fit the replicas of " + partition);
        }
        if (r.inProgress()) {
            topic.reassignments().put(r.partition(), r);
        } else {
            topic.reassignments().remove(r.partition());
        }
    }

    /** The builder of a topic this delta changes, copied from the state so far on its first change. */
    private TopicBuilder changedTopic(Uuid topicId, MetadataRecord r) {
        TopicBuilder topic = changedTopics.get(topicId);
        if (topic == null) {
            TopicImage existing = topic(topicId).orElseThrow(() ->
                    new IllegalStateException("Change of unknown topic id: " + r));
            topic = new TopicBuilder(existing.name(), existing.id(), new TreeMap<>(existing.partitions()),
                    new TreeMap<>(existing.reassignments()));
            changedTopics.put(topicId, topic);
        }
        return topic;
    }

    private void replayRemoveTopic(RemoveTopicRecord r) {
        TopicImage topic = topic(r.topicId()).orElseThrow(() ->
                new IllegalStateException("Removal of unknown topic id: " + r));
        changedTopics.remove(r.topicId());
        if (!createdTopics.remove(r.topicId())) {
            deletedTopics.put(r.topicId(), base.topics().byId(r.topicId()).orElseThrow());
        }
        topicConfigs.put(topic.name(), new HashMap<>());
    }

    private void replayConfig(ConfigRecord r) {
        Map<String, Map<String, String>> touched =
                r.resourceType() == ConfigResourceType.TOPIC ? topicConfigs : brokerConfigs;
        Map<String, String> values = touched.computeIfAbsent(r.resourceName(), name -> new HashMap<>(
                r.resourceType() == ConfigResourceType.TOPIC
                        ? base.configs().topicConfigs(name) : base.configs().brokerConfigs(name)));
        if (r.value() == null) {
            values.remove(r.name());
        } else {
            values.put(r.name(), r.value());
        }
    }

    /** The topic with this id as of the records replayed so far. */
    public Optional<TopicImage> topic(Uuid id) {
        TopicBuilder changed = changedTopics.get(id);
        if (changed != null) {
            return Optional.of(changed.build());
        }
        if (deletedTopics.containsKey(id)) {
            return Optional.empty();
        }
        return base.topics().byId(id);
    }

    private Optional<Uuid> topicIdByName(String name) {
        for (TopicBuilder topic : changedTopics.values()) {
            if (topic.name().equals(name)) {
                return Optional.of(topic.id());
            }
        }
        return base.topics().byName(name).map(TopicImage::id).filter(id -> !deletedTopics.containsKey(id));
    }

    /** Builds the image that results from the base and every replayed record, at this log offset. */
    public MetadataImage apply(long offset) {
        TopicsImage topics = base.topics();
        if (!changedTopics.isEmpty() || !deletedTopics.isEmpty()) {
            Map<Uuid, TopicImage> byId = new HashMap<>(topics.topicsById());
            deletedTopics.keySet().forEach(byId::remove);
            changedTopics.forEach((id, builder) -> byId.put(id, builder.build()));
            topics = new TopicsImage(byId);
        }
        ConfigsImage configs = base.configs();
        if (!topicConfigs.isEmpty() || !brokerConfigs.isEmpty()) {
            Map<String, Map<String, String>> newTopicConfigs = new HashMap<>(configs.allTopicConfigs());
            newTopicConfigs.putAll(topicConfigs);
            Map<String, Map<String, String>> newBrokerConfigs = new HashMap<>(configs.allBrokerConfigs());
            newBrokerConfigs.putAll(brokerConfigs);
            configs = new ConfigsImage(newTopicConfigs, newBrokerConfigs);
        }
        ClusterImage cluster = base.cluster();
        if (!brokers.isEmpty()) {
            Map<Integer, BrokerRegistration> newBrokers = new HashMap<>(cluster.registrations());
            newBrokers.putAll(brokers);
            cluster = new ClusterImage(newBrokers);
        }
        return new MetadataImage(offset, topics, configs, cluster, nextProducerId);
    }

    /** Ids of the topics this delta created (and did not remove again). */
    public Set<Uuid> createdTopicIds() {
        return Collections.unmodifiableSet(createdTopics);
    }

    /** The new state of every topic this delta created or whose partitions or reassignments it changed, by id. */
    public Map<Uuid, TopicImage> changedTopics() {
        Map<Uuid, TopicImage> result = new LinkedHashMap<>();
        changedTopics.forEach((id, builder) -> result.put(id, builder.build()));
        return Collections.unmodifiableMap(result);
    }

    /** The last state, from the base image, of every topic this delta removed, by id. */
    public Map<Uuid, TopicImage> deletedTopics() {
        return Collections.unmodifiableMap(deletedTopics);
    }

    /** Names of topics whose config overrides this delta changed (including removal with the topic). */
    public Set<String> changedTopicConfigs() {
        return Collections.unmodifiableSet(topicConfigs.keySet());
    }

    /** Broker ids (or {@code ""} for the default) whose config overrides this delta changed. */
    public Set<String> changedBrokerConfigs() {
        return Collections.unmodifiableSet(brokerConfigs.keySet());
    }

    /** Ids of the brokers that registered, or were fenced or unfenced, in this delta. */
    public Set<Integer> changedBrokers() {
        return Collections.unmodifiableSet(brokers.keySet());
    }

    /** Whether a producer-id block was allocated in this delta. */
    public boolean producerIdsChanged() {
        return nextProducerId != base.nextProducerId();
    }

    private record TopicBuilder(String name, Uuid id, TreeMap<Integer, PartitionRecord> partitions,
            TreeMap<Integer, PartitionReassignmentRecord> reassignments) {
        TopicImage build() {
            return new TopicImage(name, id, partitions, reassignments);
        }
    }
}

package io.spool.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Validates the topics of one CreateTopics request against an image and builds the records of each valid one: its
 * {@link TopicRecord}, {@link ConfigRecord}s and {@link PartitionRecord}s. Used by one controller operation, on the
 * controller thread; see {@link Controller#createTopics} for the errors.
 */
final class TopicCreation {
    private final MetadataImage image;
    private final ControllerSettings settings;
    private final int placementStart;
    private final Map<String, String> collisionKeys = new HashMap<>();
    private final List<MetadataRecord> records = new ArrayList<>();
    private int automaticPlacements;

    /**
     * @param placementStart where automatic placement of the first topic placed starts (see
     *                       {@link ReplicaPlacer#place}); each further topic starts one later
     */
    TopicCreation(MetadataImage image, ControllerSettings settings, int placementStart) {
        this.image = image;
        this.settings = settings;
        this.placementStart = placementStart;
        image.topics().all().forEach(t -> collisionKeys.put(TopicNames.collisionKey(t.name()), t.name()));
    }

    /** One result per distinct name, in request order. */
    List<CreateTopicResult> resolve(List<CreateTopicSpec> specs) {
        Map<String, CreateTopicSpec> byName = new LinkedHashMap<>();
        Set<String> duplicates = new HashSet<>();
        for (CreateTopicSpec spec : specs) {
            if (byName.putIfAbsent(spec.name(), spec) != null) {
                duplicates.add(spec.name());
            }
        }
        List<CreateTopicResult> results = new ArrayList<>();
        for (CreateTopicSpec spec : byName.values()) {
            CreateTopicResult result = duplicates.contains(spec.name())
                    ? CreateTopicResult.error(spec.name(), Errors.INVALID_REQUEST, "Duplicate topic name.")
                    : createTopic(spec);
            results.add(result);
            if (result.error() == Errors.NONE) {
                collisionKeys.put(TopicNames.collisionKey(spec.name()), spec.name());
            }
        }
        return results;
    }

    /** The records of every topic created, in request order. */
    List<MetadataRecord> records() {
        return records;
    }

    /** How many topics were placed automatically, so how far the caller's placement start moves on. */
    int automaticPlacements() {
        return automaticPlacements;
    }

    /** Validates one topic and, if it is valid, adds its records. */
    private CreateTopicResult createTopic(CreateTopicSpec spec) {
        String name = spec.name();
        var invalidName = TopicNames.validate(name);
        if (invalidName.isPresent()) {
            return CreateTopicResult.error(name, Errors.INVALID_TOPIC_EXCEPTION, invalidName.get());
        }
        if (image.topics().byName(name).isPresent()) {
            return CreateTopicResult.error(name, Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
        }
        String colliding = collisionKeys.get(TopicNames.collisionKey(name));
        if (colliding != null) {
            return CreateTopicResult.error(name, Errors.INVALID_TOPIC_EXCEPTION,
                    "Topic '" + name + "' collides with existing topic: " + colliding);
        }
        var invalidConfig = TopicConfigs.validate(spec.configs());
        if (invalidConfig.isPresent()) {
            return CreateTopicResult.error(name, Errors.INVALID_CONFIG, invalidConfig.get());
        }
        ReplicaPlacer.Placement placement = place(spec);
        if (placement.failed()) {
            return CreateTopicResult.error(name, placement.error(), placement.message());
        }
        Uuid id = Uuid.randomUuid();
        while (image.topics().byId(id).isPresent()) {
            id = Uuid.randomUuid();
        }
        records.add(new TopicRecord(name, id));
        new TreeMap<>(spec.configs()).forEach((key, value) ->
                records.add(new ConfigRecord(ConfigResourceType.TOPIC, name, key, value.trim())));
        for (Map.Entry<Integer, List<Integer>> entry : placement.replicas().entrySet()) {
            List<Integer> replicas = entry.getValue();
            List<Integer> isr = replicas.stream().filter(r -> !image.cluster().isFenced(r)).toList();
            records.add(new PartitionRecord(id, entry.getKey(), replicas, isr, isr.get(0), 0, 0));
        }
        short replicationFactor = (short) placement.replicas().get(0).size();
        Map<String, String> brokerConfigs = new HashMap<>(settings.brokerConfigs());
        brokerConfigs.putAll(image.configs().brokerConfigs(""));
        return new CreateTopicResult(name, id, Errors.NONE, null, placement.replicas().size(), replicationFactor,
                TopicConfigs.effective(spec.configs(), brokerConfigs));
    }

    private ReplicaPlacer.Placement place(CreateTopicSpec spec) {
        if (!spec.assignments().isEmpty()) {
            if (spec.replicationFactor() != -1) {
                return ReplicaPlacer.Placement.failed(Errors.INVALID_REQUEST,
                        "A manual partition assignment was specified, but replication factor was not set to -1.");
            }
            if (spec.numPartitions() != -1) {
                return ReplicaPlacer.Placement.failed(Errors.INVALID_REQUEST,
                        "A manual partition assignment was specified, but numPartitions was not set to -1.");
            }
            return checkManual(image.cluster(), spec.assignments());
        }
        if (spec.replicationFactor() == 0 || spec.replicationFactor() < -1) {
            return ReplicaPlacer.Placement.failed(Errors.INVALID_REPLICATION_FACTOR,
                    "Replication factor must be larger than 0, or -1 to use the default value.");
        }
        if (spec.numPartitions() == 0 || spec.numPartitions() < -1) {
            return ReplicaPlacer.Placement.failed(Errors.INVALID_PARTITIONS,
                    "Number of partitions was set to an invalid non-positive value.");
        }
        int partitions = spec.numPartitions() == -1 ? settings.defaultPartitions() : spec.numPartitions();
        short replicationFactor = spec.replicationFactor() == -1
                ? settings.defaultReplicationFactor() : spec.replicationFactor();
        ReplicaPlacer.Placement placement = ReplicaPlacer.place(image.cluster(), partitions, replicationFactor,
                placementStart + automaticPlacements);
        if (placement.failed()) {
            return ReplicaPlacer.Placement.failed(placement.error(), "Unable to replicate the partition "
                    + replicationFactor + " time(s): " + placement.message());
        }
        automaticPlacements++;
        return placement;
    }

    /** A valid manual assignment also needs an unfenced replica for every partition, to lead it. */
    private static ReplicaPlacer.Placement checkManual(ClusterImage cluster, Map<Integer, List<Integer>> assignments) {
        ReplicaPlacer.Placement placement = ReplicaPlacer.checkManual(cluster.brokers().keySet(), assignments);
        if (placement.failed()) {
            return placement;
        }
        for (Map.Entry<Integer, List<Integer>> entry : placement.replicas().entrySet()) {
            if (entry.getValue().stream().allMatch(cluster::isFenced)) {
                return ReplicaPlacer.Placement.failed(Errors.INVALID_REPLICA_ASSIGNMENT, "All brokers specified in "
                        + "the manual partition assignment for partition " + entry.getKey() + " are fenced.");
            }
        }
        return placement;
    }
}

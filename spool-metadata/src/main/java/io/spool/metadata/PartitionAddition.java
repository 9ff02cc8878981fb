package io.spool.metadata;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.protocol.Errors;

/**
 * Validates the topics of one CreatePartitions request against an image and builds a {@link PartitionRecord} for
 * each partition it adds. New partitions keep the replication factor of the topic's first partition; without an
 * explicit assignment they are placed by {@link ReplicaPlacer}. Used by one controller operation, on the controller
 * thread.
 */
final class PartitionAddition {
    /**
     * The most partitions one request may add, as Kafka's controller bounds the records of one operation; a topic
     * that would go past it fails with UNKNOWN_SERVER_ERROR and adds nothing.
     */
    static final int MAX_PARTITIONS_PER_REQUEST = 10_000;

    private final MetadataImage image;
    private final int placementStart;
    private final List<MetadataRecord> records = new ArrayList<>();
    private int automaticPlacements;

    /**
     * @param placementStart where automatic placement of the first topic placed starts (see
     *                       {@link ReplicaPlacer#place}); each further topic starts one later
     */
    PartitionAddition(MetadataImage image, int placementStart) {
        this.image = image;
        this.placementStart = placementStart;
    }

    /**
     * One result per distinct name, in request order. Errors, checked in this order:
     * <ul>
     *   <li>{@code INVALID_REQUEST}: the name appears more than once in the request</li>
     *   <li>{@code UNKNOWN_TOPIC_OR_PARTITION}: no such topic (also one just deleted)</li>
     *   <li>{@code INVALID_PARTITIONS}: the count is not higher than the current one</li>
     *   <li>{@code INVALID_REPLICA_ASSIGNMENT}: as many assignments as new partitions are needed, each of distinct
     *       registered brokers, as many as the topic's replication factor, with an unfenced one to lead</li>
     *   <li>{@code UNKNOWN_SERVER_ERROR}: the request would add more than {@value #MAX_PARTITIONS_PER_REQUEST}
     *       partitions</li>
     *   <li>{@code INVALID_REPLICATION_FACTOR}: fewer unfenced brokers than the replication factor</li>
     * </ul>
     */
    List<CreatePartitionsResult> resolve(List<CreatePartitionsSpec> specs) {
        Map<String, CreatePartitionsSpec> byName = new LinkedHashMap<>();
        Set<String> duplicates = new HashSet<>();
        for (CreatePartitionsSpec spec : specs) {
            if (byName.putIfAbsent(spec.name(), spec) != null) {
                duplicates.add(spec.name());
            }
        }
        List<CreatePartitionsResult> results = new ArrayList<>();
        for (CreatePartitionsSpec spec : byName.values()) {
            results.add(duplicates.contains(spec.name())
                    ? new CreatePartitionsResult(spec.name(), Errors.INVALID_REQUEST, "Duplicate topic name.")
                    : add(spec));
        }
        return results;
    }

    /** The records of every partition added, in request order. */
    List<MetadataRecord> records() {
        return records;
    }

    /** How many topics were placed automatically, so how far the caller's placement start moves on. */
    int automaticPlacements() {
        return automaticPlacements;
    }

    private CreatePartitionsResult add(CreatePartitionsSpec spec) {
        String name = spec.name();
        TopicImage topic = image.topics().byName(name).orElse(null);
        if (topic == null) {
            return new CreatePartitionsResult(name, Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
        }
        int existing = topic.partitions().size();
        if (spec.count() == existing) {
            return failed(name, Errors.INVALID_PARTITIONS, "Topic already has " + existing + " partition(s).");
        }
        if (spec.count() < existing) {
            return failed(name, Errors.INVALID_PARTITIONS, "The topic " + name + " currently has " + existing
                    + " partition(s); " + spec.count() + " would not be an increase.");
        }
        int additional = spec.count() - existing;
        if (spec.assignments() != null && spec.assignments().size() != additional) {
            return failed(name, Errors.INVALID_REPLICA_ASSIGNMENT, "Attempted to add " + additional
                    + " additional partition(s), but only " + spec.assignments().size()
                    + " assignment(s) were specified.");
        }
        if (additional > MAX_PARTITIONS_PER_REQUEST - records.size()) {
            return new CreatePartitionsResult(name, Errors.UNKNOWN_SERVER_ERROR, null);
        }
        int replicationFactor = topic.partitions().values().iterator().next().replicas().size();
        ReplicaPlacer.Placement placement = spec.assignments() == null
                ? placeAutomatically(additional, replicationFactor) : checkManual(spec.assignments(),
                        replicationFactor, existing);
        if (placement.failed()) {
            return failed(name, placement.error(), placement.message());
        }
        placement.replicas().forEach((index, replicas) -> {
            List<Integer> isr = replicas.stream().filter(r -> !image.cluster().isFenced(r)).toList();
            records.add(new PartitionRecord(topic.id(), existing + index, replicas, isr, isr.get(0), 0, 0));
        });
        return CreatePartitionsResult.ok(name);
    }

    private ReplicaPlacer.Placement placeAutomatically(int additional, int replicationFactor) {
        ReplicaPlacer.Placement placement = ReplicaPlacer.place(image.cluster(), additional,
                (short) replicationFactor, placementStart + automaticPlacements);
        if (!placement.failed()) {
            automaticPlacements++;
        }
        return placement;
    }

    /**
     * Checks each new partition's replicas in turn, as Kafka does: brokers in id order (so the lowest unknown or
     * repeated id is named), then the replication factor, then that one of them is unfenced.
     */
    private ReplicaPlacer.Placement checkManual(List<List<Integer>> assignments, int replicationFactor,
            int existing) {
        Map<Integer, List<Integer>> replicas = new LinkedHashMap<>();
        for (int i = 0; i < assignments.size(); i++) {
            List<Integer> brokers = assignments.get(i);
            String invalid = invalidReplicas(brokers, replicationFactor);
            if (invalid == null && brokers.stream().allMatch(image.cluster()::isFenced)) {
                invalid = "All brokers specified in the manual partition assignment for partition "
                        + (existing + i) + " are fenced or in controlled shutdown.";
            }
            if (invalid != null) {
                return ReplicaPlacer.Placement.failed(Errors.INVALID_REPLICA_ASSIGNMENT, invalid);
            }
            replicas.put(i, brokers);
        }
        return new ReplicaPlacer.Placement(replicas, Errors.NONE, null);
    }

    private String invalidReplicas(List<Integer> brokers, int replicationFactor) {
        if (brokers.isEmpty()) {
            return "The manual partition assignment includes an empty replica list.";
        }
        List<Integer> sorted = brokers.stream().sorted().toList();
        for (int i = 0; i < sorted.size(); i++) {
            int id = sorted.get(i);
            if (!image.cluster().brokers().containsKey(id)) {
                return "The manual partition assignment includes broker " + id + ", but no such broker is "
                        + "registered.";
            }
            if (i > 0 && sorted.get(i - 1) == id) {
                return "The manual partition assignment includes the broker " + id + " more than once.";
            }
        }
        if (brokers.size() != replicationFactor) {
            return "The manual partition assignment includes a partition with " + brokers.size()
                    + " replica(s), but this is not consistent with previous partitions, which have "
                    + replicationFactor + " replica(s).";
        }
        return null;
    }

    private static CreatePartitionsResult failed(String name, Errors error, String message) {
        return new CreatePartitionsResult(name, error, message);
    }
}

package io.spool.metadata;

import java.util.ArrayList;
import java.util.Collection;
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
     * The most partitions one request may add (Kafka's {@code MAX_PARTITIONS_PER_BATCH}); past it every topic of the
     * request fails with POLICY_VIOLATION.
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
     *   <li>{@code POLICY_VIOLATION} (every other topic): the topics that exist would get more than
     *       {@value #MAX_PARTITIONS_PER_REQUEST} partitions in all</li>
     *   <li>{@code UNKNOWN_TOPIC_OR_PARTITION}: no such topic (also one just deleted)</li>
     *   <li>{@code INVALID_PARTITIONS}: the count is not higher than the current one</li>
     *   <li>{@code INVALID_REPLICA_ASSIGNMENT}: as many assignments as new partitions are needed, each of distinct
     *       registered brokers, as many as the topic's replication factor, with an unfenced one to lead</li>
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
        boolean tooMany = additionalPartitions(byName.values(), duplicates) > MAX_PARTITIONS_PER_REQUEST;
        List<CreatePartitionsResult> results = new ArrayList<>();
        for (CreatePartitionsSpec spec : byName.values()) {
            if (duplicates.contains(spec.name())) {
                results.add(failed(spec.name(), Errors.INVALID_REQUEST, "Duplicate topic name."));
            } else if (tooMany) {
                results.add(failed(spec.name(), Errors.POLICY_VIOLATION,
                        "Excessively large number of additional partitions per request."));
            } else {
                results.add(add(spec));
            }
        }
        return results;
    }

    /** How many partitions the request asks to add to the topics that exist (a decrease counts as none). */
    private long additionalPartitions(Collection<CreatePartitionsSpec> specs, Set<String> duplicates) {
        long total = 0;
        for (CreatePartitionsSpec spec : specs) {
            if (!duplicates.contains(spec.name())) {
                total += image.topics().byName(spec.name())
                        .map(t -> Math.max(0L, (long) spec.count() - t.partitions().size())).orElse(0L);
            }
        }
        return total;
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

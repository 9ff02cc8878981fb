package io.spool.metadata;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active controller's operations on partitions that operators start: leader elections (ElectLeaders), the
 * periodic preferred-leader rebalance and partition reassignments. Each handler decides every partition against the
 * current image and appends all the changes as one atomic batch; its future completes once they are committed.
 *
 * <p>Not thread-safe: owned by the controller thread, like {@link ClusterControl}.
 */
final class PartitionControl {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionControl.class);

    private final MetadataQuorum quorum;
    private final ControllerSettings settings;
    private final ReplicationControl replication;
    private final BooleanSupplier isActive;

    PartitionControl(MetadataQuorum quorum, ControllerSettings settings, BooleanSupplier isActive) {
        this.quorum = Objects.requireNonNull(quorum);
        this.settings = Objects.requireNonNull(settings);
        this.replication = new ReplicationControl(settings.brokerConfigs());
        this.isActive = Objects.requireNonNull(isActive);
    }

    /** The partition records that clear ELR after {@code configRecords}; see {@link ReplicationControl}. */
    List<MetadataRecord> clearElrOnMinIsrChange(List<MetadataRecord> configRecords) {
        return replication.clearElrOnMinIsrChange(quorum.image(), configRecords);
    }

    /**
     * Runs preferred or unclean elections, see {@link LeaderElection#preferred} and {@link LeaderElection#unclean}
     * for the rules and errors, plus {@code UNKNOWN_TOPIC_OR_PARTITION}, {@code NOT_CONTROLLER} when this node is not
     * the active controller, and {@code NOT_CONTROLLER} / {@code UNKNOWN_SERVER_ERROR} for every election if the
     * append failed. A partition named twice is answered once. With null partitions every partition is considered
     * and only those that needed an election are answered (in topic-name and partition order), as in Kafka; if this
     * node is not the active controller, the future then fails with {@link NotControllerException}.
     */
    CompletableFuture<List<ElectLeaderResult>> handleElectLeaders(boolean unclean, List<TopicPartition> partitions) {
        if (!isActive.getAsBoolean()) {
            if (partitions == null) {
                return CompletableFuture.failedFuture(new NotControllerException(
                        "This node is not the active controller"));
            }
            List<ElectLeaderResult> results = new ArrayList<>();
            new LinkedHashSet<>(partitions).forEach(tp -> results.add(new ElectLeaderResult(tp,
                    Errors.NOT_CONTROLLER, Errors.NOT_CONTROLLER.message())));
            return CompletableFuture.completedFuture(results);
        }
        MetadataImage image = quorum.image();
        BiFunction<MetadataImage, PartitionRecord, PartitionOutcome> election = (current, partition) -> {
            ElrPolicy policy = replication.elrPolicy(current, current.topics().byId(partition.topicId())
                    .orElseThrow().name());
            return unclean ? LeaderElection.unclean(current, partition, policy)
                    : LeaderElection.preferred(current, partition, policy);
        };
        Map<TopicPartition, PartitionOutcome> outcomes = new LinkedHashMap<>();
        Collection<TopicPartition> requested = partitions == null ? allPartitions(image)
                : new LinkedHashSet<>(partitions);
        for (TopicPartition tp : requested) {
            PartitionRecord partition = partition(image, tp);
            PartitionOutcome outcome = partition == null ? unknown(tp) : election.apply(image, partition);
            if (partitions != null || outcome.error() != Errors.ELECTION_NOT_NEEDED) {
                outcomes.put(tp, outcome);
            }
        }
        return append(outcomes, unclean ? "unclean election" : "preferred election",
                (tp, error, message) -> new ElectLeaderResult(tp, error, message));
    }

    /**
     * The leader rebalance: preferred elections, in one batch, for the partitions of every broker that leads too
     * few of the partitions it is preferred for (see {@link LeaderElection#imbalanced}). Does nothing unless this
     * node is the active controller and rebalancing is enabled. Returns the elections it ran.
     */
    CompletableFuture<List<ElectLeaderResult>> handleCheckLeaderImbalance() {
        if (!settings.autoLeaderRebalanceEnable() || !isActive.getAsBoolean()) {
            return CompletableFuture.completedFuture(List.of());
        }
        MetadataImage image = quorum.image();
        Map<TopicPartition, PartitionOutcome> outcomes = new LinkedHashMap<>();
        for (PartitionRecord partition : LeaderElection.imbalanced(image,
                settings.leaderImbalancePerBrokerPercentage())) {
            String topic = image.topics().byId(partition.topicId()).orElseThrow().name();
            outcomes.put(new TopicPartition(topic, partition.partition()),
                    LeaderElection.preferred(image, partition, replication.elrPolicy(image, topic)));
        }
        if (outcomes.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return append(outcomes, "leader rebalance", (tp, error, message) -> new ElectLeaderResult(tp, error,
                message));
    }

    /**
     * Starts, replaces or (for an empty target) cancels reassignments, see {@link PartitionReassigner#reassign} for
     * the rules and errors, plus {@code UNKNOWN_TOPIC_OR_PARTITION}, {@code NOT_CONTROLLER} when this node is not
     * the active controller, and {@code NOT_CONTROLLER} / {@code UNKNOWN_SERVER_ERROR} for every partition if the
     * append failed. Answers every partition, in the map's order.
     */
    CompletableFuture<List<ReassignmentResult>> handleAlterPartitionReassignments(
            Map<TopicPartition, Optional<List<Integer>>> targets, boolean allowReplicationFactorChange) {
        if (!isActive.getAsBoolean()) {
            List<ReassignmentResult> results = new ArrayList<>();
            targets.keySet().forEach(tp -> results.add(new ReassignmentResult(tp, Errors.NOT_CONTROLLER,
                    Errors.NOT_CONTROLLER.message())));
            return CompletableFuture.completedFuture(results);
        }
        MetadataImage image = quorum.image();
        Map<TopicPartition, PartitionOutcome> outcomes = new LinkedHashMap<>();
        targets.forEach((tp, target) -> {
            PartitionRecord partition = partition(image, tp);
            outcomes.put(tp, partition == null ? unknown(tp) : PartitionReassigner.reassign(image, partition,
                    target.orElse(null), allowReplicationFactorChange,
                    replication.uncleanElectionEnabled(image, tp.topic())));
        });
        return append(outcomes, "reassignment", ReassignmentResult::new);
    }

    /** The reassignments in progress of these partitions (all, if null) in the image, in topic and index order. */
    static Map<TopicPartition, Reassignment> listReassignments(MetadataImage image,
            Collection<TopicPartition> partitions) {
        Map<TopicPartition, Reassignment> result = new LinkedHashMap<>();
        if (partitions == null) {
            for (TopicImage topic : new TreeMap<>(image.topics().topicsByName()).values()) {
                topic.reassignments().keySet().forEach(index -> topic.reassignment(index).ifPresent(r ->
                        result.put(new TopicPartition(topic.name(), index), r)));
            }
            return result;
        }
        for (TopicPartition tp : partitions) {
            image.topics().byName(tp.topic()).flatMap(t -> t.reassignment(tp.partition()))
                    .ifPresent(r -> result.put(tp, r));
        }
        return result;
    }

    /** A result for one partition. */
    private interface ResultFactory<R> {
        R create(TopicPartition partition, Errors error, String message);
    }

    /**
     * Appends the records of every outcome as one batch and answers each partition: its error, or, for a decided
     * change, {@code NONE} once committed and the append's error if it failed.
     */
    private <R> CompletableFuture<List<R>> append(Map<TopicPartition, PartitionOutcome> outcomes, String action,
            ResultFactory<R> factory) {
        List<MetadataRecord> records = new ArrayList<>();
        outcomes.values().forEach(o -> records.addAll(o.records()));
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(results(outcomes, null, factory));
        }
        return quorum.append(records).handle((offset, error) -> {
            if (error != null) {
                LOG.warn("Failed to append the {} of {}", action, changed(outcomes), error);
                return results(outcomes, Controller.appendError(error), factory);
            }
            LOG.info("Committed the {} of {} at metadata offset {}", action, changed(outcomes), offset);
            LOG.debug("Records of the {} at metadata offset {}: {}", action, offset, records);
            return results(outcomes, null, factory);
        });
    }

    private static <R> List<R> results(Map<TopicPartition, PartitionOutcome> outcomes, Errors appendError,
            ResultFactory<R> factory) {
        List<R> results = new ArrayList<>();
        outcomes.forEach((tp, outcome) -> {
            if (outcome.failed() || outcome.records().isEmpty() || appendError == null) {
                results.add(factory.create(tp, outcome.error(), outcome.message()));
            } else {
                results.add(factory.create(tp, appendError, appendError.message()));
            }
        });
        return results;
    }

    private static List<TopicPartition> changed(Map<TopicPartition, PartitionOutcome> outcomes) {
        return outcomes.entrySet().stream().filter(e -> !e.getValue().records().isEmpty()).map(Map.Entry::getKey)
                .toList();
    }

    private static List<TopicPartition> allPartitions(MetadataImage image) {
        List<TopicPartition> all = new ArrayList<>();
        for (TopicImage topic : new TreeMap<>(image.topics().topicsByName()).values()) {
            topic.partitions().keySet().forEach(index -> all.add(new TopicPartition(topic.name(), index)));
        }
        return all;
    }

    private static PartitionRecord partition(MetadataImage image, TopicPartition tp) {
        return image.topics().byName(tp.topic()).map(t -> t.partition(tp.partition())).orElse(null);
    }

    private static PartitionOutcome unknown(TopicPartition tp) {
        return PartitionOutcome.failed(Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such partition as " + tp + ".");
    }
}

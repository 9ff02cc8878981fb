package io.spool.metadata;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active controller's request logic: validates CreateTopics, CreatePartitions, DeleteTopics, producer-id
 * allocation, the brokers' registrations, heartbeats and ISR changes, leader elections and partition reassignments
 * against the current {@link MetadataImage} and appends the resulting records to the {@link MetadataQuorum}. Every
 * few hundred milliseconds it fences the brokers whose sessions have expired (see {@link ClusterControl}); every
 * {@code leader.imbalance.check.interval} it moves leadership back to preferred replicas (see
 * {@link PartitionControl}). Only the active controller acts: elsewhere every operation answers
 * {@code NOT_CONTROLLER}.
 *
 * <p>Threading: every operation runs on the controller's own thread, one at a time, and the next one starts only
 * after the previous one's append has been applied to the image, so each operation validates against an image that
 * includes all earlier operations. Public methods may be called from any thread.
 */
public final class Controller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
    /** A request may create thousands of topics; a log line names this many of them. */
    private static final int LOGGED_NAMES = 20;
    private static final String TOO_LARGE_MESSAGE = "Unable to perform excessively large batch operation.";

    private final MetadataQuorum quorum;
    private final Clock clock;
    private final ControllerSettings settings;
    private final ClusterControl cluster;
    private final PartitionControl partitions;
    private final ScheduledExecutorService executor;
    /** Whether a periodic session check is queued or running, so that a slow append does not pile them up. */
    private final AtomicBoolean sessionCheckPending = new AtomicBoolean();
    /** Whether a periodic leader imbalance check is queued or running. */
    private final AtomicBoolean imbalanceCheckPending = new AtomicBoolean();
    /** Completes when the last enqueued operation has finished; guarded by {@code this}. */
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    /** Where round-robin placement of the next topic starts; only touched on the controller thread. */
    private int nextPlacementStart;

    public Controller(MetadataQuorum quorum, Clock clock, ControllerSettings settings) {
        this.quorum = Objects.requireNonNull(quorum);
        this.clock = Objects.requireNonNull(clock);
        this.settings = Objects.requireNonNull(settings);
        this.cluster = new ClusterControl(quorum, clock, settings);
        this.partitions = new PartitionControl(quorum, settings, cluster::isActive);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "spool-controller");
            thread.setDaemon(true);
            return thread;
        });
        long interval = settings.sessionCheckIntervalMs();
        if (interval > 0) {
            executor.scheduleWithFixedDelay(this::maybeCheckSessions, interval, interval, TimeUnit.MILLISECONDS);
        }
        long imbalanceInterval = settings.leaderImbalanceCheckIntervalMs();
        if (settings.autoLeaderRebalanceEnable() && imbalanceInterval > 0) {
            executor.scheduleWithFixedDelay(this::maybeCheckLeaderImbalance, imbalanceInterval, imbalanceInterval,
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Creates topics; all that pass validation are created in one atomic append. Returns one result per distinct
     * name, in request order. Errors, checked in this order:
     * <ul>
     *   <li>{@code NOT_CONTROLLER}: this node is not the active controller (every topic)</li>
     *   <li>{@code INVALID_REQUEST}: the name appears more than once in the request</li>
     *   <li>{@code INVALID_TOPIC_EXCEPTION}: illegal name, or it collides on '.'/'_' with an existing topic or an
     *       earlier topic of this request</li>
     *   <li>{@code TOPIC_ALREADY_EXISTS}</li>
     *   <li>{@code INVALID_CONFIG}: unknown config name, null or invalid value</li>
     *   <li>{@code INVALID_REQUEST}: manual assignment together with a count other than -1</li>
     *   <li>{@code INVALID_REPLICA_ASSIGNMENT}: bad manual assignment, or one whose replicas of a partition are
     *       all fenced</li>
     *   <li>{@code INVALID_REPLICATION_FACTOR}: 0, below -1, or more than the unfenced brokers</li>
     *   <li>{@code INVALID_PARTITIONS}: 0 or below -1</li>
     *   <li>{@code NOT_CONTROLLER} / {@code UNKNOWN_SERVER_ERROR}: the append failed (every created topic)</li>
     * </ul>
     */
    public CompletableFuture<List<CreateTopicResult>> createTopics(List<CreateTopicSpec> topics, boolean validateOnly) {
        return enqueue(() -> handleCreateTopics(topics, validateOnly));
    }

    /**
     * Adds partitions to existing topics (CreatePartitions); the partitions of every valid topic are added in one
     * atomic append (nothing when {@code validateOnly}). One result per distinct name, in request order. Errors:
     * {@code NOT_CONTROLLER} when this node is not the active controller, those of
     * {@link PartitionAddition#resolve}, and {@code NOT_CONTROLLER} / {@code UNKNOWN_SERVER_ERROR} when the append
     * failed.
     */
    public CompletableFuture<List<CreatePartitionsResult>> createPartitions(List<CreatePartitionsSpec> topics,
            boolean validateOnly) {
        return enqueue(() -> handleCreatePartitions(topics, validateOnly));
    }

    /**
     * Deletes topics by name and by id in one atomic append. Errors: {@code NOT_CONTROLLER} when this node is not
     * the active controller; {@code TOPIC_DELETION_DISABLED};
     * {@code INVALID_REQUEST} for a null name, a zero id, a name or id given twice, or a name whose id was also
     * given; {@code UNKNOWN_TOPIC_OR_PARTITION} for an unknown name; {@code UNKNOWN_TOPIC_ID} for an unknown id;
     * {@code NOT_CONTROLLER} / {@code UNKNOWN_SERVER_ERROR} if the append failed.
     */
    public CompletableFuture<List<DeleteTopicResult>> deleteTopics(List<String> names, List<Uuid> ids) {
        return enqueue(() -> handleDeleteTopics(names, ids));
    }

    /**
     * Hands the next {@code size} producer ids to {@code brokerId}, durably: the block is only returned once its
     * {@link ProducerIdsRecord} is committed, so no id is ever handed out twice, even across controller failover.
     * Fails with {@link IllegalArgumentException} for a size below 1, {@link NotControllerException} when this node
     * is not the active controller and {@link MetadataException} when ids are exhausted.
     */
    public CompletableFuture<ProducerIdBlock> allocateProducerIds(int brokerId, int size) {
        return enqueue(() -> handleAllocateProducerIds(brokerId, size));
    }

    /**
     * Registers a broker; it stays fenced until a heartbeat unfences it. The reply carries the broker epoch that its
     * heartbeats and ISR changes must name. See {@link ClusterControl#handleRegisterBroker} for the errors.
     *
     * @param clusterId the cluster the broker was formatted for
     * @param rack      the broker's rack, or null
     */
    public CompletableFuture<BrokerRegistrationReply> registerBroker(int brokerId, String clusterId,
            List<Endpoint> endpoints, String rack) {
        return registerBroker(brokerId, clusterId, endpoints, rack, -1);
    }

    /**
     * As {@link #registerBroker(int, String, List, String)}, saying whether the broker stopped cleanly: {@code
     * previousBrokerEpoch} is the epoch it had when it last stopped cleanly (Kafka's BrokerRegistration v3+
     * PreviousBrokerEpoch), or -1. A registered broker that names another epoch than its registration's leaves every
     * ISR and ELR (KIP-966).
     */
    public CompletableFuture<BrokerRegistrationReply> registerBroker(int brokerId, String clusterId,
            List<Endpoint> endpoints, String rack, long previousBrokerEpoch) {
        return enqueue(() -> cluster.handleRegisterBroker(brokerId, clusterId, endpoints, rack, previousBrokerEpoch));
    }

    /**
     * A broker's heartbeat: keeps its session alive, unfences it, or fences it for a controlled shutdown. See
     * {@link ClusterControl#handleHeartbeat} for the rules and errors.
     *
     * @param metadataOffset the offset of the last metadata batch the broker has applied ({@code image().offset()})
     * @param wantFence      the broker is not ready to serve (it stays fenced, or becomes fenced)
     * @param wantShutDown   the broker wants to shut down once it leads nothing
     */
    public CompletableFuture<BrokerHeartbeatReply> heartbeat(int brokerId, long brokerEpoch, long metadataOffset,
            boolean wantFence, boolean wantShutDown) {
        return enqueue(() -> cluster.handleHeartbeat(brokerId, brokerEpoch, metadataOffset, wantFence,
                wantShutDown));
    }

    /**
     * A partition leader's request to change the partition's ISR to {@code newIsr}; on success the partition epoch
     * goes up by one and leader and leader epoch stay. See {@link AlterPartitionRequest#check} for the errors.
     */
    public CompletableFuture<AlterPartitionReply> alterPartition(int brokerId, long brokerEpoch, Uuid topicId,
            int partition, int leaderEpoch, int partitionEpoch, List<Integer> newIsr) {
        AlterPartitionRequest request = new AlterPartitionRequest(brokerId, brokerEpoch, topicId, partition,
                leaderEpoch, partitionEpoch, newIsr);
        return enqueue(() -> cluster.handleAlterPartition(request));
    }

    /**
     * Elects leaders (Kafka's ElectLeaders): for {@code unclean} false the preferred replica (the first of the
     * replicas) where it is an unfenced member of the ISR and does not lead yet; for {@code unclean} true a leader
     * for each partition that has none, from the ISR if possible, else any unfenced replica, which becomes the only
     * member of the ISR. All elections are one atomic append. With null {@code partitions} every partition is
     * considered and only those that needed an election are answered. See {@link PartitionControl#handleElectLeaders}
     * and {@link LeaderElection} for the errors.
     */
    public CompletableFuture<List<ElectLeaderResult>> electLeaders(boolean unclean, List<TopicPartition> partitions) {
        return enqueue(() -> this.partitions.handleElectLeaders(unclean, partitions));
    }

    /**
     * Starts, replaces or cancels (for an empty target) partition reassignments, all in one atomic append, and
     * answers every partition in the map's order. See {@link PartitionReassigner} for the rules and
     * {@link PartitionControl#handleAlterPartitionReassignments} for the errors.
     */
    public CompletableFuture<List<ReassignmentResult>> alterPartitionReassignments(
            Map<TopicPartition, Optional<List<Integer>>> targets) {
        return alterPartitionReassignments(targets, true);
    }

    /**
     * As {@link #alterPartitionReassignments(Map)}, where {@code allowReplicationFactorChange} false (KIP-860,
     * AlterPartitionReassignments v1) rejects a target whose length differs from the partition's replication
     * factor with {@code INVALID_REPLICATION_FACTOR}.
     */
    public CompletableFuture<List<ReassignmentResult>> alterPartitionReassignments(
            Map<TopicPartition, Optional<List<Integer>>> targets, boolean allowReplicationFactorChange) {
        return enqueue(() -> partitions.handleAlterPartitionReassignments(targets, allowReplicationFactorChange));
    }

    /**
     * The reassignments in progress of these partitions, or of every partition if null, in this node's current
     * image (on a node that is not the active controller it may lag). Partitions that are unknown or not being
     * reassigned are left out.
     */
    public Map<TopicPartition, Reassignment> listPartitionReassignments(Collection<TopicPartition> partitions) {
        return PartitionControl.listReassignments(quorum.image(), partitions);
    }

    /**
     * IncrementalAlterConfigs (API 44) of topics and brokers: each resource's operations applied in order, every
     * valid resource committed in one atomic append (nothing when {@code validateOnly}). One result per resource, in
     * the map's order. Errors: {@code NOT_CONTROLLER} when this node is not the active controller, those of
     * {@link ConfigControl}, and {@code NOT_CONTROLLER} / {@code UNKNOWN_SERVER_ERROR} when the append failed.
     */
    public CompletableFuture<List<AlterConfigsResult>> incrementalAlterConfigs(
            Map<ConfigResourceId, List<ConfigOp>> changes, boolean validateOnly) {
        return enqueue(() -> commitConfigs(changes.keySet(), validateOnly,
                records -> ConfigControl.handleIncrementalAlterConfigs(quorum.image(), changes, records)));
    }

    /**
     * AlterConfigs (API 33): each resource's configs replaced by the given ones, configs left out deleted; otherwise
     * as {@link #incrementalAlterConfigs}.
     */
    public CompletableFuture<List<AlterConfigsResult>> alterConfigs(Map<ConfigResourceId, Map<String, String>> configs,
            boolean validateOnly) {
        return enqueue(() -> commitConfigs(configs.keySet(), validateOnly,
                records -> ConfigControl.handleAlterConfigs(quorum.image(), configs, records)));
    }

    private CompletableFuture<List<AlterConfigsResult>> commitConfigs(Collection<ConfigResourceId> resources,
            boolean validateOnly, java.util.function.Function<List<MetadataRecord>, List<AlterConfigsResult>> alter) {
        if (!cluster.isActive()) {
            return CompletableFuture.completedFuture(resources.stream().map(r -> AlterConfigsResult.error(r,
                    Errors.NOT_CONTROLLER, Errors.NOT_CONTROLLER.message())).toList());
        }
        List<MetadataRecord> records = new ArrayList<>();
        List<AlterConfigsResult> results = alter.apply(records);
        if (validateOnly || records.isEmpty()) {
            return CompletableFuture.completedFuture(results);
        }
        records.addAll(partitions.clearElrOnMinIsrChange(records));
        return quorum.append(records).handle((offset, error) -> {
            if (error == null) {
                LOG.info("Altered configs {} at metadata offset {}", records, offset);
                return results;
            }
            Errors code = appendError(error);
            String message = appendMessage(error);
            LOG.warn("Failed to alter configs: {}", code, error);
            return results.stream().map(r -> r.error() == Errors.NONE
                    ? AlterConfigsResult.error(r.resource(), code, message) : r).toList();
        });
    }

    /** Fences the brokers whose sessions have expired, now; what the periodic check runs. */
    CompletableFuture<Void> checkSessions() {
        return enqueue(cluster::handleCheckSessions);
    }

    /**
     * Moves leadership back to preferred replicas where a broker's leader imbalance is too high, now; what the
     * periodic check runs. Returns the elections it ran (none unless active and rebalancing is enabled).
     */
    CompletableFuture<List<ElectLeaderResult>> checkLeaderImbalance() {
        return enqueue(partitions::handleCheckLeaderImbalance);
    }

    private void maybeCheckLeaderImbalance() {
        if (imbalanceCheckPending.compareAndSet(false, true)) {
            checkLeaderImbalance().whenComplete((ignored, error) -> {
                imbalanceCheckPending.set(false);
                if (error != null) {
                    LOG.error("Leader imbalance check failed", error);
                }
            });
        }
    }

    private void maybeCheckSessions() {
        if (sessionCheckPending.compareAndSet(false, true)) {
            checkSessions().whenComplete((ignored, error) -> {
                sessionCheckPending.set(false);
                if (error != null && (executor.isShutdown() || !quorum.isRunning())) {
                    LOG.debug("Broker session check stopped by the shutdown", error);
                } else if (error != null) {
                    LOG.error("Broker session check failed", error);
                }
            });
        }
    }

    private synchronized <T> CompletableFuture<T> enqueue(Supplier<CompletableFuture<T>> operation) {
        CompletableFuture<T> result = tail.thenComposeAsync(ignored -> {
            try {
                return operation.get();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }, executor);
        tail = result.handle((value, error) -> null);
        return result;
    }

    private CompletableFuture<List<CreateTopicResult>> handleCreateTopics(List<CreateTopicSpec> specs,
            boolean validateOnly) {
        if (!cluster.isActive()) {
            return CompletableFuture.completedFuture(notController(specs));
        }
        TopicCreation creation = new TopicCreation(quorum.image(), settings, nextPlacementStart);
        List<CreateTopicResult> ordered = creation.resolve(specs);
        nextPlacementStart += creation.automaticPlacements();
        List<MetadataRecord> records = creation.records();
        if (validateOnly || records.isEmpty()) {
            return CompletableFuture.completedFuture(ordered);
        }
        return quorum.append(records).handle((offset, error) -> {
            if (error == null) {
                LOG.info("Created topics {} at metadata offset {}", createdNames(ordered), offset);
                return ordered;
            }
            Errors code = appendError(error);
            LOG.warn("Failed to create topics {}: {}", createdNames(ordered), code, error);
            String message = appendMessage(error);
            List<CreateTopicResult> failed = new ArrayList<>();
            for (CreateTopicResult r : ordered) {
                failed.add(r.error() == Errors.NONE ? CreateTopicResult.error(r.name(), code, message) : r);
            }
            return failed;
        });
    }

    private CompletableFuture<List<CreatePartitionsResult>> handleCreatePartitions(List<CreatePartitionsSpec> specs,
            boolean validateOnly) {
        if (!cluster.isActive()) {
            return CompletableFuture.completedFuture(specs.stream().map(CreatePartitionsSpec::name).distinct()
                    .map(n -> new CreatePartitionsResult(n, Errors.NOT_CONTROLLER, Errors.NOT_CONTROLLER.message()))
                    .toList());
        }
        PartitionAddition addition = new PartitionAddition(quorum.image(), nextPlacementStart);
        List<CreatePartitionsResult> results = addition.resolve(specs);
        nextPlacementStart += addition.automaticPlacements();
        List<MetadataRecord> records = addition.records();
        if (validateOnly || records.isEmpty()) {
            return CompletableFuture.completedFuture(results);
        }
        return quorum.append(records).handle((offset, error) -> {
            if (error == null) {
                LOG.info("Added {} partition(s) at metadata offset {}: {}", records.size(), offset, results);
                return results;
            }
            Errors code = appendError(error);
            String message = appendMessage(error);
            LOG.warn("Failed to add partitions: {}", code, error);
            return results.stream().map(r -> r.error() == Errors.NONE
                    ? new CreatePartitionsResult(r.name(), code, message) : r).toList();
        });
    }

    private static List<CreateTopicResult> notController(List<CreateTopicSpec> specs) {
        Map<String, CreateTopicResult> results = new LinkedHashMap<>();
        specs.forEach(spec -> results.put(spec.name(), CreateTopicResult.error(spec.name(), Errors.NOT_CONTROLLER,
                Errors.NOT_CONTROLLER.message())));
        return new ArrayList<>(results.values());
    }

    /** For the log: the names of the topics a request creates, the first {@value #LOGGED_NAMES} of them. */
    static String createdNames(List<CreateTopicResult> results) {
        List<String> names = results.stream().filter(r -> r.error() == Errors.NONE).map(CreateTopicResult::name)
                .toList();
        if (names.size() <= LOGGED_NAMES) {
            return names.toString();
        }
        return names.subList(0, LOGGED_NAMES) + " and " + (names.size() - LOGGED_NAMES) + " more";
    }

    private CompletableFuture<List<DeleteTopicResult>> handleDeleteTopics(List<String> names, List<Uuid> ids) {
        List<DeleteTopicResult> results = new ArrayList<>();
        if (!cluster.isActive()) {
            names.forEach(n -> results.add(new DeleteTopicResult(n, Uuid.ZERO_UUID, Errors.NOT_CONTROLLER,
                    Errors.NOT_CONTROLLER.message())));
            ids.forEach(id -> results.add(new DeleteTopicResult(null, id, Errors.NOT_CONTROLLER,
                    Errors.NOT_CONTROLLER.message())));
            return CompletableFuture.completedFuture(results);
        }
        if (!settings.deleteTopicEnable()) {
            names.forEach(n -> results.add(new DeleteTopicResult(n, Uuid.ZERO_UUID, Errors.TOPIC_DELETION_DISABLED,
                    Errors.TOPIC_DELETION_DISABLED.message())));
            ids.forEach(id -> results.add(new DeleteTopicResult(null, id, Errors.TOPIC_DELETION_DISABLED,
                    Errors.TOPIC_DELETION_DISABLED.message())));
            return CompletableFuture.completedFuture(results);
        }
        MetadataImage image = quorum.image();
        TopicDeletion deletion = new TopicDeletion(image.topics(), results);
        deletion.resolve(names, ids);
        Map<Uuid, String> toDelete = deletion.toDelete();
        if (toDelete.isEmpty()) {
            return CompletableFuture.completedFuture(results);
        }
        List<MetadataRecord> records = new ArrayList<>();
        toDelete.keySet().forEach(id -> records.add(new RemoveTopicRecord(id)));
        return quorum.append(records).handle((offset, error) -> {
            Errors code = error == null ? Errors.NONE : appendError(error);
            if (error == null) {
                LOG.info("Deleted topics {} at metadata offset {}", toDelete.values(), offset);
            } else {
                LOG.warn("Failed to delete topics {}", toDelete.values(), error);
            }
            String message = error == null ? null : appendMessage(error);
            toDelete.forEach((id, name) -> results.add(new DeleteTopicResult(name, id, code, message)));
            return results;
        });
    }

    private CompletableFuture<ProducerIdBlock> handleAllocateProducerIds(int brokerId, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("Producer id block size must be positive, not " + size);
        }
        if (!cluster.isActive()) {
            throw new NotControllerException("This node is not the active controller");
        }
        long first = quorum.image().nextProducerId();
        if (first > Long.MAX_VALUE - size) {
            throw new MetadataException("Exhausted all producer ids: next is " + first);
        }
        ProducerIdsRecord record = new ProducerIdsRecord(brokerId, first + size);
        return quorum.append(List.of(record)).thenApply(offset -> {
            LOG.debug("Allocated producer ids [{}, {}) to broker {} at offset {} ({})", first, first + size, brokerId,
                    offset, clock.instant());
            return new ProducerIdBlock(first, size);
        });
    }

    static Errors appendError(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof MetadataTooLargeException) {
            return Errors.POLICY_VIOLATION;
        }
        return cause instanceof NotControllerException ? Errors.NOT_CONTROLLER : Errors.UNKNOWN_SERVER_ERROR;
    }

    /** The message for a failed append's {@link #appendError}: Kafka's own for an oversized operation. */
    static String appendMessage(Throwable error) {
        return unwrap(error) instanceof MetadataTooLargeException ? TOO_LARGE_MESSAGE : appendError(error).message();
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Stops the controller thread; operations not yet started fail. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

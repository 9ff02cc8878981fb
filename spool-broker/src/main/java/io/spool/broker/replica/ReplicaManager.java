package io.spool.broker.replica;

import io.spool.metadata.Endpoint;
import io.spool.metadata.MetadataDelta;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.MetadataListener;
import io.spool.metadata.PartitionRecord;
import io.spool.metadata.RegisterBrokerRecord;
import io.spool.metadata.TopicImage;
import io.spool.storage.AppendResult;
import io.spool.storage.LogConfig;
import io.spool.storage.LogManager;
import io.spool.storage.LogTruncatedException;
import io.spool.storage.PartitionLog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition replicas this node hosts, kept in step with the metadata image, and what a replica does in its
 * role. As leader: append, wait for the write to be durable (the group-commit fsync unless the topic runs in
 * page-cache mode) and, for acks=all, for the in-sync followers to have fetched it; keep the ISR through the
 * controller. As follower: fetch from the leader ({@link ReplicaFetchers}). Thread-safe: the partition map is
 * written by the metadata apply thread only.
 */
public final class ReplicaManager implements MetadataListener {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);

    /** How the leader asks the controller to change a partition's ISR. */
    public interface IsrChanger {
        /** Completes once the controller has answered: false only if it refused the change. */
        CompletableFuture<Boolean> alterIsr(Partition partition, List<Integer> newIsr);
    }

    private final int nodeId;
    private final LogManager logs;
    private final Function<Map<String, String>, LogConfig> logConfig;
    private final ToIntFunction<Map<String, String>> minInsyncReplicas;
    private final Clock clock;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private final ReplicationThrottles throttles;
    private volatile ReplicaFetchers fetchers;
    private volatile IsrChanger isrChanger;
    private volatile String interBrokerListener = "PLAINTEXT";
    private boolean reconciled;
    private boolean active;
    private long appliedOffset = -1;
    private volatile MetadataImage lastImage;
    /** Moves log start offsets for DeleteRecords (checkpoint fsyncs, segment renames) off the network threads. */
    private final java.util.concurrent.ExecutorService logStartMover = java.util.concurrent.Executors
            .newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, "spool-delete-records");
                thread.setDaemon(true);
                return thread;
            });
    /** Bounds produce and DeleteRecords waits (request timeouts) without a thread switch per request. */
    private final DeadlineTimer timeouts = new DeadlineTimer("spool-request-timeouts");

    /**
     * @param logConfig         turns a topic's config overrides into its effective log configuration
     * @param minInsyncReplicas a topic's effective {@code min.insync.replicas} from its overrides
     */
    public ReplicaManager(int nodeId, LogManager logs, Function<Map<String, String>, LogConfig> logConfig,
            ToIntFunction<Map<String, String>> minInsyncReplicas, Clock clock) {
        this.nodeId = nodeId;
        this.logs = logs;
        this.logConfig = logConfig;
        this.minInsyncReplicas = minInsyncReplicas;
        this.clock = clock;
        this.throttles = new ReplicationThrottles(nodeId, System::nanoTime);
    }

    /** Every partition replica this node hosts. */
    public java.util.Collection<Partition> partitions() {
        return java.util.List.copyOf(partitions.values());
    }

    /** The replication throttles (KIP-73) of this broker, as of the last applied image. */
    public ReplicationThrottles throttles() {
        return throttles;
    }

    /** Connects the replica fetchers and the ISR path (set before {@link #activate}). */
    public void connect(ReplicaFetchers replicaFetchers, IsrChanger changer, String listenerName) {
        this.fetchers = replicaFetchers;
        replicaFetchers.throttleWith(throttles);
        this.isrChanger = changer;
        this.interBrokerListener = listenerName;
    }

    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    /**
     * Appends to a partition this node leads. The future completes when the write is as durable as the topic and
     * {@code acks} ask: acks=0/1 once it is on this node (after the covering fsync unless in page-cache mode),
     * acks=all once the high watermark covers it (every in-sync replica has it), or with REQUEST_TIMED_OUT after
     * {@code timeoutMs}. acks=all is refused with NOT_ENOUGH_REPLICAS when the ISR is below min.insync.replicas.
     */
    public CompletableFuture<AppendResult> append(Partition partition, MemoryRecords records, short acks,
            long timeoutMs) {
        PartitionLog log = partition.log();
        if (acks == -1 && partition.isr().size() < partition.minInsyncReplicas()) {
            return CompletableFuture.completedFuture(notEnoughReplicas(partition));
        }
        return awaitDurable(partition, log.appendAsLeader(records, partition.leaderEpoch()), acks, timeoutMs);
    }

    /**
     * Writes a transaction marker (WriteTxnMarkers) to a partition this node leads, as acks=all: the future
     * completes once the high watermark covers it, with the log's error (INVALID_PRODUCER_EPOCH,
     * TRANSACTION_COORDINATOR_FENCED, KAFKA_STORAGE_ERROR), NOT_ENOUGH_REPLICAS, or REQUEST_TIMED_OUT.
     */
    public CompletableFuture<AppendResult> appendTxnMarker(Partition partition, long producerId, short producerEpoch,
            int coordinatorEpoch, boolean commit, long timeoutMs) {
        PartitionLog log = partition.log();
        if (partition.isr().size() < partition.minInsyncReplicas()) {
            return CompletableFuture.completedFuture(notEnoughReplicas(partition));
        }
        AppendResult result = log.appendTxnMarker(producerId, producerEpoch, coordinatorEpoch, commit,
                partition.leaderEpoch());
        return awaitDurable(partition, result, (short) -1, timeoutMs);
    }

    private static AppendResult notEnoughReplicas(Partition partition) {
        return AppendResult.failure(Errors.NOT_ENOUGH_REPLICAS, "The in-sync replicas " + partition.isr()
                + " are fewer than min.insync.replicas=" + partition.minInsyncReplicas(),
                partition.log().logStartOffset());
    }

    private CompletableFuture<AppendResult> awaitDurable(Partition partition, AppendResult result, short acks,
            long timeoutMs) {
        PartitionLog log = partition.log();
        if (result.error() != Errors.NONE && !result.isOlderDuplicate()) {
            return CompletableFuture.completedFuture(result);
        }
        partition.logEndMoved();
        long end = result.lastOffset() + 1;
        CompletableFuture<Void> durable;
        if (log.config().flushOnAck()) {
            durable = logs.flusher().awaitDurable(log, end).thenRun(partition::maybeAdvanceHighWatermark);
        } else {
            partition.maybeAdvanceHighWatermark();
            durable = CompletableFuture.completedFuture(null);
        }
        if (acks != -1) {
            // A durability wait fails when the log is truncated under it: this node lost the leadership.
            return durable.handle((ignored, error) -> {
                if (error == null) {
                    return result;
                }
                Throwable cause = unwrap(error);
                if (cause instanceof LogTruncatedException) {
                    return AppendResult.failure(Errors.NOT_LEADER_OR_FOLLOWER,
                            "The log was truncated: leadership moved", log.logStartOffset());
                }
                return AppendResult.failure(Errors.KAFKA_STORAGE_ERROR, "The records could not be made durable: "
                        + cause.getMessage(), log.logStartOffset());
            });
        }
        CompletableFuture<AppendResult> done = partition.awaitHighWatermark(end).thenApply(error ->
                error == Errors.NONE ? result : AppendResult.failure(error, null, log.logStartOffset()));
        return timeouts.orTimeout(done, Math.max(1, timeoutMs)).exceptionally(e ->
                AppendResult.failure(Errors.REQUEST_TIMED_OUT, "Not replicated to the in-sync replicas within "
                        + timeoutMs + " ms", log.logStartOffset()));
    }

    /**
     * DeleteRecords on a partition this node leads: raises its log start offset to {@code offset} (-1: the high
     * watermark), then completes once every replica on a live broker has done the same (the low watermark reaches
     * it; followers learn the leader's start offset from their fetches), or with REQUEST_TIMED_OUT after
     * {@code timeoutMs}, never blocking a thread. Errors, as Kafka returns them: NOT_LEADER_OR_FOLLOWER,
     * OFFSET_OUT_OF_RANGE (negative, or above the high watermark), KAFKA_STORAGE_ERROR. The cleanup policy is the
     * caller's check.
     */
    public CompletableFuture<DeleteRecordsOutcome> deleteRecords(Partition partition, long offset, long timeoutMs) {
        if (!partition.isLeader()) {
            return CompletableFuture.completedFuture(DeleteRecordsOutcome.failure(Errors.NOT_LEADER_OR_FOLLOWER));
        }
        PartitionLog log = partition.log();
        long target = offset == -1 ? log.highWatermark() : offset;
        if (target < 0) {
            return CompletableFuture.completedFuture(DeleteRecordsOutcome.failure(Errors.OFFSET_OUT_OF_RANGE));
        }
        MetadataImage image = lastImage;
        java.util.function.IntPredicate alive = id -> isAlive(image, id);
        CompletableFuture<Errors> moved;
        try {
            // Moving the start fsyncs the checkpoints and renames segments: not on the network thread that asks.
            moved = CompletableFuture.supplyAsync(() -> log.maybeIncrementLogStartOffset(target), logStartMover);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.completedFuture(DeleteRecordsOutcome.failure(Errors.NOT_LEADER_OR_FOLLOWER));
        }
        CompletableFuture<DeleteRecordsOutcome> done = moved.thenCompose(error -> error != Errors.NONE
                ? CompletableFuture.completedFuture(DeleteRecordsOutcome.failure(error))
                : partition.awaitLowWatermark(target, alive));
        return timeouts.orTimeout(done, Math.max(1, timeoutMs)).exceptionally(e -> {
            if (unwrap(e) instanceof java.util.concurrent.TimeoutException) {
                return new DeleteRecordsOutcome(Errors.REQUEST_TIMED_OUT, partition.lowWatermark(alive));
            }
            LOG.error("DeleteRecords on {} failed", partition.topicPartition(), e);
            return DeleteRecordsOutcome.failure(Errors.UNKNOWN_SERVER_ERROR);
        });
    }

    /** Whether {@code brokerId} is registered and unfenced: only such replicas count for the low watermark. */
    private static boolean isAlive(MetadataImage image, int brokerId) {
        return image != null && image.cluster().registration(brokerId).map(r -> !r.fenced()).orElse(false);
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /**
     * A coordinator's records (group or transaction state) to its internal partition, as acks=all with a 30 s
     * timeout. A TxnOffsetCommit batch carries the producer's id and epoch but a placeholder sequence: the log checks
     * its epoch and opens the transaction, and skips the sequence checks meant for producers.
     */
    public CompletableFuture<AppendResult> appendFromCoordinator(Partition partition, MemoryRecords records) {
        PartitionLog log = partition.log();
        if (partition.isr().size() < partition.minInsyncReplicas()) {
            return CompletableFuture.completedFuture(notEnoughReplicas(partition));
        }
        return awaitDurable(partition, log.appendFromCoordinator(records, partition.leaderEpoch()), (short) -1,
                30_000);
    }

    /**
     * A follower fetched {@code fetchOffset} of a partition this node leads, its log starting at
     * {@code logStartOffset}: advance the high watermark, complete DeleteRecords the low watermark now covers, and
     * ask the controller to add it to the ISR once it has caught up.
     */
    public void onFollowerFetch(Partition partition, int replicaId, long brokerEpoch, long fetchOffset,
            long logStartOffset, MetadataImage image) {
        partition.recordFollowerFetch(replicaId, brokerEpoch, fetchOffset, logStartOffset, clock.millis());
        partition.checkLowWatermark(id -> isAlive(image, id));
        List<Integer> joining = partition.followersToAdd((id, epoch) -> image.cluster().registration(id)
                .map(r -> !r.fenced() && (epoch < 0 || r.epoch() == epoch)).orElse(false));
        if (!joining.isEmpty()) {
            List<Integer> newIsr = new ArrayList<>(partition.isr());
            joining.forEach(id -> {
                if (!newIsr.contains(id)) {
                    newIsr.add(id);
                }
            });
            changeIsr(partition, newIsr);
        }
    }

    /** Shrinks the ISR of every led partition whose followers have not caught up within {@code maxLagMs}. */
    public void shrinkLaggingIsrs(long maxLagMs) {
        long now = clock.millis();
        for (Partition partition : partitions.values()) {
            if (!partition.isLeader()) {
                continue;
            }
            List<Integer> lagging = partition.laggingIsrMembers(now, maxLagMs);
            if (!lagging.isEmpty()) {
                List<Integer> newIsr = new ArrayList<>(partition.isr());
                newIsr.removeAll(lagging);
                LOG.info("Shrinking the ISR of {} from {} to {}: {} did not catch up within {} ms",
                        partition.topicPartition(), partition.isr(), newIsr, lagging, maxLagMs);
                changeIsr(partition, newIsr);
            }
        }
    }

    private void changeIsr(Partition partition, List<Integer> newIsr) {
        IsrChanger changer = isrChanger;
        if (changer == null || newIsr.isEmpty() || !partition.tryStartIsrChange(newIsr)) {
            return;
        }
        changer.alterIsr(partition, newIsr).whenComplete((accepted, error) ->
                partition.isrChangeDone(error == null && Boolean.TRUE.equals(accepted)));
    }

    /**
     * Starts following the metadata, from an image that holds everything committed before this node started.
     * Images applied earlier (the replay of the metadata log at start) are ignored: an early image of the replay
     * lacks topics created later, and reconciling the logs against it would delete their data.
     */
    public synchronized void activate(MetadataImage image) {
        active = true;
        apply(image);
    }

    /** Called by the metadata apply thread for every image, in log order. */
    @Override
    public synchronized void onImage(MetadataImage image, MetadataDelta delta) {
        if (active && image.offset() > appliedOffset) {
            apply(image);
        }
    }

    private void apply(MetadataImage image) {
        appliedOffset = image.offset();
        lastImage = image;
        throttles.update(image);
        long now = clock.millis();
        Map<TopicPartition, Uuid> live = new HashMap<>();
        for (TopicImage topic : image.topics().all()) {
            Map<String, String> overrides = image.configs().topicConfigs(topic.name());
            LogConfig config = logConfig.apply(overrides);
            int minIsr = minInsyncReplicas.applyAsInt(overrides);
            for (PartitionRecord record : topic.partitions().values()) {
                if (!record.replicas().contains(nodeId)) {
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.name(), record.partition());
                live.put(tp, topic.id());
                Partition.Assignment assignment = new Partition.Assignment(record.leader(), record.leaderEpoch(),
                        record.partitionEpoch(), record.replicas(), record.isr(), minIsr);
                Partition existing = partitions.get(tp);
                if (existing != null && !existing.topicId().equals(topic.id())) {
                    removePartition(tp);
                    existing = null;
                }
                if (existing == null) {
                    // A log loaded from disk keeps its checkpointed high watermark: records past it may be ones no
                    // other replica has, until the ISR confirms them.
                    PartitionLog log = logs.getOrCreate(tp, topic.id(), config);
                    Partition partition = new Partition(log, nodeId,
                            new Partition.Assignment(PartitionRecord.NO_LEADER, -1, -1, record.replicas(), List.of(),
                                    minIsr));
                    partitions.put(tp, partition);
                    existing = partition;
                }
                if (!existing.log().config().equals(config)) {
                    existing.log().updateConfig(config);
                }
                Partition.Assignment previous = existing.assignment();
                existing.updateAssignment(assignment, now);
                boolean leaderChanged = previous.leaderId() != assignment.leaderId()
                        || previous.leaderEpoch() != assignment.leaderEpoch();
                if (leaderChanged) {
                    becomeRole(existing, assignment, image);
                }
            }
        }
        for (TopicPartition tp : new ArrayList<>(partitions.keySet())) {
            if (!live.containsKey(tp)) {
                removePartition(tp);
            }
        }
        if (!reconciled) {
            logs.retainOnly(live);
            reconciled = true;
        }
    }

    private void becomeRole(Partition partition, Partition.Assignment assignment, MetadataImage image) {
        ReplicaFetchers replicaFetchers = fetchers;
        if (assignment.leaderId() == nodeId) {
            if (replicaFetchers != null) {
                replicaFetchers.remove(partition);
            }
            // Records the new epoch at the log end now, so a follower's divergence check sees where it starts.
            partition.log().maybeAssignEpochStartOffset(assignment.leaderEpoch());
            LOG.info("Leading {} in epoch {} with ISR {}", partition.topicPartition(), assignment.leaderEpoch(),
                    assignment.isr());
            partition.maybeAdvanceHighWatermark();
        } else if (assignment.leaderId() == PartitionRecord.NO_LEADER) {
            if (replicaFetchers != null) {
                replicaFetchers.remove(partition);
            }
            LOG.info("{} has no leader (epoch {})", partition.topicPartition(), assignment.leaderEpoch());
        } else if (replicaFetchers != null) {
            RegisterBrokerRecord leader = image.cluster().brokers().get(assignment.leaderId());
            Optional<Endpoint> endpoint = leader == null ? Optional.empty() : leader.endpoints().stream()
                    .filter(e -> e.listener().equals(interBrokerListener)).findFirst();
            if (endpoint.isEmpty()) {
                LOG.warn("Cannot follow {}: leader {} has no {} endpoint", partition.topicPartition(),
                        assignment.leaderId(), interBrokerListener);
                replicaFetchers.remove(partition);
            } else {
                LOG.info("Following {} from leader {} in epoch {}", partition.topicPartition(),
                        assignment.leaderId(), assignment.leaderEpoch());
                replicaFetchers.follow(partition, assignment.leaderId(), endpoint.get());
            }
        }
    }

    private void removePartition(TopicPartition tp) {
        Partition removed = partitions.remove(tp);
        if (removed != null) {
            ReplicaFetchers replicaFetchers = fetchers;
            if (replicaFetchers != null) {
                replicaFetchers.remove(removed);
            }
            removed.failWaiters(Errors.NOT_LEADER_OR_FOLLOWER);
            LOG.info("Deleting log of {}", tp);
            logs.delete(tp);
        }
    }

    /** Fails every waiting producer; the node is stopping. */
    public void shutdown() {
        logStartMover.shutdownNow();
        timeouts.close();
        partitions.values().forEach(p -> p.failWaiters(Errors.NOT_LEADER_OR_FOLLOWER));
    }
}

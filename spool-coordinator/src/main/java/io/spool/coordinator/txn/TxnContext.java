package io.spool.coordinator.txn;

import io.spool.coordinator.CoordinatorRecord;
import io.spool.coordinator.CoordinatorRecordLog;
import io.spool.coordinator.CoordinatorTimer;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the transaction handlers share: the one lock, the shards and the injected collaborators. Work that must not
 * run under the lock (completing response futures, calling the marker channel or the producer id source) is queued
 * with {@link #later} and run by the outermost {@link #locked} after it unlocks, on the same thread.
 */
final class TxnContext {

    private static final Logger LOG = LoggerFactory.getLogger(TxnContext.class);

    final ReentrantLock lock = new ReentrantLock();
    final TransactionCoordinatorConfig config;
    final CoordinatorRecordLog log;
    final TxnMarkerChannel markers;
    final ProducerIdSource producerIds;
    final CoordinatorTimer timer;
    final Clock clock;
    final ToIntFunction<String> groupPartition;
    final Predicate<TopicPartition> partitionExists;
    final Map<Integer, TxnShard> shards = new HashMap<>();
    private final ArrayDeque<Runnable> outside = new ArrayDeque<>();

    TxnContext(TransactionCoordinatorConfig config, CoordinatorRecordLog log, TxnMarkerChannel markers,
               ProducerIdSource producerIds, CoordinatorTimer timer, Clock clock,
               ToIntFunction<String> groupPartition, Predicate<TopicPartition> partitionExists) {
        this.config = config;
        this.log = log;
        this.markers = markers;
        this.producerIds = producerIds;
        this.timer = timer;
        this.clock = clock;
        this.groupPartition = groupPartition;
        this.partitionExists = partitionExists;
    }

    long now() {
        return clock.millis();
    }

    /** Runs {@code r} under the lock, then (if this was the outermost hold) everything queued with {@link #later}. */
    void locked(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
        drainOutside();
    }

    /** Queues {@code r} to run after the lock is released. */
    void later(Runnable r) {
        assert lock.isHeldByCurrentThread();
        outside.add(r);
    }

    <T> void complete(CompletableFuture<T> f, T value) {
        later(() -> f.complete(value));
    }

    private void drainOutside() {
        while (!lock.isHeldByCurrentThread()) {
            Runnable next;
            lock.lock();
            try {
                next = outside.poll();
            } finally {
                lock.unlock();
            }
            if (next == null) {
                return;
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                LOG.error("transaction coordinator callback failed", e);
            }
        }
    }

    boolean isCurrent(TxnShard shard) {
        return shards.get(shard.partition) == shard && !shard.loading;
    }

    /** The loaded shard of a transactional id, or null with NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS. */
    TxnShard route(String transactionalId, Errors[] error) {
        TxnShard shard = shards.get(TransactionCoordinator.partitionFor(transactionalId, config.numPartitions()));
        if (shard == null) {
            error[0] = Errors.NOT_COORDINATOR;
            return null;
        }
        if (shard.loading) {
            error[0] = Errors.COORDINATOR_LOAD_IN_PROGRESS;
            return null;
        }
        return shard;
    }

    /**
     * Writes {@code next} (null = tombstone) for {@code id} with the id marked pending; once durable it becomes the
     * id's state, then {@code onDone} runs under the lock with NONE. On failure the state is unchanged and
     * {@code onDone} gets the mapped error (NOT_COORDINATOR when the shard was unloaded meanwhile).
     */
    void write(TxnShard shard, String id, TxnMetadata next, Consumer<Errors> onDone) {
        shard.pending.add(id);
        List<CoordinatorRecord> records = List.of(TxnRecordSerde.record(id, next));
        CompletableFuture<Void> f;
        try {
            f = log.append(shard.partition, records);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((v, t) -> locked(() -> {
            shard.pending.remove(id);
            if (!isCurrent(shard)) {
                onDone.accept(Errors.NOT_COORDINATOR);
            } else if (t != null) {
                onDone.accept(appendError(t));
            } else {
                if (next == null) {
                    shard.txns.remove(id);
                } else {
                    shard.txns.put(id, next);
                }
                onDone.accept(Errors.NONE);
            }
        }));
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Kafka's mapping from a failed append to {@code __transaction_state} to what the client sees. */
    static Errors appendError(Throwable t) {
        t = unwrap(t);
        if (!(t instanceof ApiException)) {
            LOG.warn("append to __transaction_state failed", t);
            return Errors.NOT_COORDINATOR;
        }
        Errors e = Errors.forException(t);
        return switch (e) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> e;
        };
    }
}

package io.spool.coordinator;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the handlers share: the one lock that serializes the coordinator, the shards, and the injected log, timer,
 * clock, randomness and topics. Timer tasks and append callbacks re-enter through {@link #locked} and drop
 * themselves when their shard was unloaded meanwhile.
 */
final class CoordinatorContext {

    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorContext.class);

    final ReentrantLock lock = new ReentrantLock();
    final GroupCoordinatorConfig config;
    final CoordinatorRecordLog log;
    final CoordinatorTimer timer;
    final Clock clock;
    final Random random;
    final Supplier<TopicsMetadata> topics;
    final Map<Integer, CoordinatorShard> shards;

    CoordinatorContext(GroupCoordinatorConfig config, CoordinatorRecordLog log, CoordinatorTimer timer, Clock clock,
                       Random random, Supplier<TopicsMetadata> topics, Map<Integer, CoordinatorShard> shards) {
        this.config = config;
        this.log = log;
        this.timer = timer;
        this.clock = clock;
        this.random = random;
        this.topics = topics;
        this.shards = shards;
    }

    long now() {
        return clock.millis();
    }

    void locked(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }

    boolean isCurrent(CoordinatorShard shard) {
        return shards.get(shard.partition) == shard && !shard.loading;
    }

    String newMemberId(String prefix) {
        return prefix + "-" + new Uuid(random.nextLong(), random.nextLong());
    }

    /** (Re)schedules the task under {@code key}, replacing the previous task of that key. */
    void schedule(CoordinatorShard shard, String key, long delayMs, Runnable task) {
        cancel(shard, key);
        CoordinatorTimer.Cancellable[] self = new CoordinatorTimer.Cancellable[1];
        self[0] = timer.schedule(delayMs, () -> locked(() -> {
            if (isCurrent(shard) && shard.timers.get(key) == self[0]) {
                shard.timers.remove(key);
                task.run();
            }
        }));
        shard.timers.put(key, self[0]);
    }

    void cancel(CoordinatorShard shard, String key) {
        CoordinatorTimer.Cancellable c = shard.timers.remove(key);
        if (c != null) {
            c.cancel();
        }
    }

    boolean isScheduled(CoordinatorShard shard, String key) {
        return shard.timers.containsKey(key);
    }

    /**
     * Appends and then runs {@code onDone} under the lock with NONE, or with the error the client sees (Kafka's
     * mapping of append errors; NOT_COORDINATOR when the shard was unloaded meanwhile).
     */
    void append(CoordinatorShard shard, List<CoordinatorRecord> records, Consumer<Errors> onDone) {
        append(shard, records, () -> log.append(shard.partition, records), onDone);
    }

    /** As {@link #append}, for one transactional batch of the producer; {@code records} must not be empty. */
    void appendTransactional(CoordinatorShard shard, long producerId, short producerEpoch,
                             List<CoordinatorRecord> records, Consumer<Errors> onDone) {
        append(shard, records, () -> log.appendTransactional(shard.partition, producerId, producerEpoch, records),
            onDone);
    }

    private void append(CoordinatorShard shard, List<CoordinatorRecord> records,
                        Supplier<java.util.concurrent.CompletableFuture<Void>> write, Consumer<Errors> onDone) {
        java.util.concurrent.CompletableFuture<Void> f;
        if (records.isEmpty()) {
            // what the answer reports may rest on writes still in flight: it waits for them, as Kafka's does
            if (shard.tail == null || shard.tail.isDone()) {
                onDone.accept(Errors.NONE);
                return;
            }
            f = shard.tail;
        } else {
            try {
                f = write.get();
            } catch (RuntimeException e) {
                f = java.util.concurrent.CompletableFuture.failedFuture(e);
            }
            shard.tail = f;
        }
        f.whenComplete((v, t) -> locked(() -> {
            if (!isCurrent(shard)) {
                onDone.accept(Errors.NOT_COORDINATOR);
            } else {
                onDone.accept(t == null ? Errors.NONE : appendError(t));
            }
        }));
    }

    /** Kafka's mapping from a failed append to what the client of the group coordinator sees. */
    static Errors appendError(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (!(t instanceof ApiException)) {
            LOG.warn("append to __consumer_offsets failed", t);
        }
        Errors e = Errors.forException(t);
        switch (e) {
            case UNKNOWN_TOPIC_OR_PARTITION:
            case NOT_ENOUGH_REPLICAS:
            case NOT_ENOUGH_REPLICAS_AFTER_APPEND:
            case REQUEST_TIMED_OUT:
                return Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER:
            case KAFKA_STORAGE_ERROR:
                return Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE:
            case RECORD_LIST_TOO_LARGE:
            case INVALID_FETCH_SIZE:
                return Errors.UNKNOWN_SERVER_ERROR;
            default:
                return e;
        }
    }
}

package io.spool.coordinator.txn;

import io.spool.coordinator.CoordinatorTimer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second phase of a transaction: once PrepareCommit/PrepareAbort is durable, write the markers through the
 * {@link TxnMarkerChannel}, then write CompleteCommit/CompleteAbort. A failed marker call or Complete* write is
 * retried with the timer while this broker still coordinates the id; after a move the new coordinator resumes from
 * the Prepare* record it loads. Also the coordinator-initiated abort (fencing, timeout), which bumps the epoch first
 * so that the zombie producer's next request is fenced. Called under the coordinator's lock.
 */
final class TxnCompleter {

    static final long RETRY_BACKOFF_MS = 1_000L;
    private static final Logger LOG = LoggerFactory.getLogger(TxnCompleter.class);

    private final TxnContext ctx;

    TxnCompleter(TxnContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Aborts an Ongoing transaction for the coordinator: bumps the epoch, writes PrepareAbort, then completes it.
     * {@code onPrepared} gets NONE once PrepareAbort is durable, else the append's error.
     */
    void abortWithBump(TxnShard shard, TxnMetadata ongoing, Consumer<Errors> onPrepared) {
        if (ongoing.producerEpoch() == Short.MAX_VALUE) {
            throw new IllegalStateException(ongoing.transactionalId() + ": epoch exhausted in Ongoing");
        }
        TxnMetadata bumped = ongoing.withProducer(ongoing.producerId(), (short) (ongoing.producerEpoch() + 1),
            ongoing.producerId(), TxnMetadata.NO_EPOCH, ongoing.timeoutMs());
        prepare(shard, bumped, false, onPrepared);
    }

    /** Writes Prepare* for an Ongoing transaction; once durable, tells {@code onPrepared} and sends the markers. */
    void prepare(TxnShard shard, TxnMetadata ongoing, boolean commit, Consumer<Errors> onPrepared) {
        TxnMetadata prepared = ongoing.transitTo(commit ? TxnState.PREPARE_COMMIT : TxnState.PREPARE_ABORT,
            ongoing.partitions(), ongoing.txnStartTimestamp(), ctx.now());
        ctx.write(shard, prepared.transactionalId(), prepared, error -> {
            onPrepared.accept(error);
            if (error == Errors.NONE) {
                sendMarkers(shard, prepared);
            }
        });
    }

    /** Sends the markers of a durable Prepare* state (outside the lock), then writes Complete*. */
    void sendMarkers(TxnShard shard, TxnMetadata prepared) {
        assert prepared.state().isPrepare();
        boolean commit = prepared.state() == TxnState.PREPARE_COMMIT;
        Set<TopicPartition> partitions = prepared.partitions();
        ctx.later(() -> {
            CompletableFuture<Void> f;
            try {
                f = partitions.isEmpty() ? CompletableFuture.<Void>completedFuture(null)
                    : ctx.markers.writeMarkers(prepared.producerId(), prepared.producerEpoch(),
                        shard.coordinatorEpoch, commit, partitions);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((v, t) -> ctx.locked(() -> onMarkersWritten(shard, prepared, t)));
        });
    }

    private boolean stillPrepared(TxnShard shard, TxnMetadata prepared) {
        return ctx.isCurrent(shard) && prepared.equals(shard.txns.get(prepared.transactionalId()));
    }

    private void onMarkersWritten(TxnShard shard, TxnMetadata prepared, Throwable failure) {
        if (!stillPrepared(shard, prepared)) {
            return;
        }
        String id = prepared.transactionalId();
        if (failure != null || shard.pending.contains(id)) {
            if (failure != null) {
                LOG.warn("writing transaction markers for {} failed; retrying", id, TxnContext.unwrap(failure));
            }
            scheduleRetry(shard, prepared);
            return;
        }
        TxnState done = prepared.state() == TxnState.PREPARE_COMMIT ? TxnState.COMPLETE_COMMIT
            : TxnState.COMPLETE_ABORT;
        TxnMetadata complete = prepared.transitTo(done, Set.of(), prepared.txnStartTimestamp(), ctx.now());
        ctx.write(shard, id, complete, error -> {
            if (error != Errors.NONE && stillPrepared(shard, prepared)) {
                scheduleRetry(shard, prepared);
            }
        });
    }

    private void scheduleRetry(TxnShard shard, TxnMetadata prepared) {
        String id = prepared.transactionalId();
        cancelRetry(shard, id);
        CoordinatorTimer.Cancellable[] self = new CoordinatorTimer.Cancellable[1];
        self[0] = ctx.timer.schedule(RETRY_BACKOFF_MS, () -> ctx.locked(() -> {
            if (shard.retries.get(id) == self[0]) {
                shard.retries.remove(id);
                if (stillPrepared(shard, prepared)) {
                    sendMarkers(shard, prepared);
                }
            }
        }));
        shard.retries.put(id, self[0]);
    }

    private static void cancelRetry(TxnShard shard, String id) {
        CoordinatorTimer.Cancellable c = shard.retries.remove(id);
        if (c != null) {
            c.cancel();
        }
    }

    /** Stops every retry of a shard being unloaded. */
    static void cancelAll(TxnShard shard) {
        shard.retries.values().forEach(CoordinatorTimer.Cancellable::cancel);
        shard.retries.clear();
    }
}

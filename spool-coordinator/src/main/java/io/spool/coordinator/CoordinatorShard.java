package io.spool.coordinator;

import java.util.HashMap;
import java.util.Map;

/**
 * The coordinator's state for one partition of {@code __consumer_offsets}: its groups, their committed offsets (and the
 * pending ones of open transactions) and their timers. Replaced by a fresh shard on each load, so callbacks of an
 * unloaded shard recognise themselves as stale. Guarded by the coordinator lock.
 */
final class CoordinatorShard {

    final int partition;
    boolean loading = true;
    final Map<String, Group> groups = new HashMap<>();
    final OffsetStore offsets = new OffsetStore();
    final PendingTxnOffsets txnOffsets = new PendingTxnOffsets();
    /** transaction ends reported while loading, applied in order once the loaded pending offsets are installed */
    final java.util.List<TxnEnd> txnEndsWhileLoading = new java.util.ArrayList<>();
    final Map<String, CoordinatorTimer.Cancellable> timers = new HashMap<>();
    /** the last append made to this partition's log; an answer that wrote nothing still waits for it */
    java.util.concurrent.CompletableFuture<Void> tail;

    CoordinatorShard(int partition) {
        this.partition = partition;
    }

    /** A COMMIT ({@code commit}) or ABORT marker of a producer. */
    record TxnEnd(long producerId, boolean commit) {
    }

    void cancelAllTimers() {
        timers.values().forEach(CoordinatorTimer.Cancellable::cancel);
        timers.clear();
    }
}

package io.spool.coordinator;

import java.util.HashMap;
import java.util.Map;

/**
 * The coordinator's state for one partition of {@code __consumer_offsets}: its groups, their committed offsets and
 * their timers. Replaced by a fresh shard on each load, so callbacks of an unloaded shard recognise themselves as
 * stale. Guarded by the coordinator lock.
 */
final class CoordinatorShard {

    final int partition;
    boolean loading = true;
    final Map<String, Group> groups = new HashMap<>();
    final OffsetStore offsets = new OffsetStore();
    final Map<String, CoordinatorTimer.Cancellable> timers = new HashMap<>();
    /** the last append made to this partition's log; an answer that wrote nothing still waits for it */
    java.util.concurrent.CompletableFuture<Void> tail;

    CoordinatorShard(int partition) {
        this.partition = partition;
    }

    void cancelAllTimers() {
        timers.values().forEach(CoordinatorTimer.Cancellable::cancel);
        timers.clear();
    }
}

package io.spool.coordinator.txn;

import io.spool.coordinator.CoordinatorRecord;
import io.spool.coordinator.CoordinatorRecordLog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code __transaction_state} in memory: appends complete at once ({@code hold = false}) or wait for {@link #flush}
 * / {@link #failPending}; only completed appends are in {@link #records}, as only durable records survive a crash.
 */
final class TxnTestLog implements CoordinatorRecordLog {

    private final Map<Integer, List<Entry>> durable = new HashMap<>();
    private final Deque<Pending> pending = new ArrayDeque<>();
    boolean hold;
    RuntimeException failNext;
    int appends;

    private record Pending(int partition, int appendNo, List<CoordinatorRecord> records,
                           CompletableFuture<Void> future) {
    }

    /** A durable record and the number of the append that wrote it (appends are numbered from 1). */
    record Entry(int appendNo, CoordinatorRecord record) {
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<CoordinatorRecord> records) {
        appends++;
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (failNext != null) {
            RuntimeException e = failNext;
            failNext = null;
            f.completeExceptionally(e);
            return f;
        }
        pending.add(new Pending(partition, appends, List.copyOf(records), f));
        if (!hold) {
            flush();
        }
        return f;
    }

    void flush() {
        while (!pending.isEmpty()) {
            Pending p = pending.poll();
            List<Entry> entries = durable.computeIfAbsent(p.partition, k -> new ArrayList<>());
            p.records.forEach(r -> entries.add(new Entry(p.appendNo, r)));
            p.future.complete(null);
        }
    }

    /** Fails every pending append, as a partition log with a failed write fails all later ones. */
    void failPending(RuntimeException e) {
        while (!pending.isEmpty()) {
            pending.poll().future.completeExceptionally(e);
        }
    }

    int pendingCount() {
        return pending.size();
    }

    List<CoordinatorRecord> records(int partition) {
        return entries(partition).stream().map(Entry::record).toList();
    }

    List<Entry> entries(int partition) {
        return new ArrayList<>(durable.getOrDefault(partition, List.of()));
    }
}

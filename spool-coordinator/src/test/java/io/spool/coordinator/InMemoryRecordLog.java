package io.spool.coordinator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The coordinator's log in memory. Appends complete at once ({@code hold = false}) or wait for {@link #flush} /
 * {@link #failPending}; only completed appends are in {@link #records}, as only durable records survive a crash.
 */
final class InMemoryRecordLog implements CoordinatorRecordLog {

    private final Map<Integer, List<CoordinatorRecord>> durable = new HashMap<>();
    private final Deque<Pending> pending = new ArrayDeque<>();
    boolean hold;
    RuntimeException failNext;

    private record Pending(int partition, List<CoordinatorRecord> records, CompletableFuture<Void> future) {
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<CoordinatorRecord> records) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (failNext != null) {
            RuntimeException e = failNext;
            failNext = null;
            f.completeExceptionally(e);
            return f;
        }
        pending.add(new Pending(partition, List.copyOf(records), f));
        if (!hold) {
            flush();
        }
        return f;
    }

    /** Makes every pending append durable, in order. */
    void flush() {
        while (!pending.isEmpty()) {
            Pending p = pending.poll();
            durable.computeIfAbsent(p.partition, k -> new ArrayList<>()).addAll(p.records);
            p.future.complete(null);
        }
    }

    void failPending(RuntimeException e) {
        while (!pending.isEmpty()) {
            pending.poll().future.completeExceptionally(e);
        }
    }

    int pendingCount() {
        return pending.size();
    }

    List<CoordinatorRecord> records(int partition) {
        return new ArrayList<>(durable.getOrDefault(partition, List.of()));
    }
}

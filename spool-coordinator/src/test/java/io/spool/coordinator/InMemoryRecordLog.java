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
 * Transactional appends stay in {@link #openTransactions} until {@link #endTransaction} writes their marker.
 */
final class InMemoryRecordLog implements CoordinatorRecordLog {

    private final Map<Integer, List<CoordinatorRecord>> durable = new HashMap<>();
    private final Deque<Pending> pending = new ArrayDeque<>();
    boolean hold;
    RuntimeException failNext;

    /** partition -> producer id -> records of its open transaction, in log order */
    private final Map<Integer, Map<Long, List<CoordinatorRecord>>> open = new HashMap<>();

    /** {@code producerId} is null for a plain append */
    private record Pending(int partition, Long producerId, List<CoordinatorRecord> records,
                           CompletableFuture<Void> future) {
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<CoordinatorRecord> records) {
        return append(partition, null, records);
    }

    @Override
    public CompletableFuture<Void> appendTransactional(int partition, long producerId, short producerEpoch,
                                                       List<CoordinatorRecord> records) {
        return append(partition, producerId, records);
    }

    private CompletableFuture<Void> append(int partition, Long producerId, List<CoordinatorRecord> records) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (failNext != null) {
            RuntimeException e = failNext;
            failNext = null;
            f.completeExceptionally(e);
            return f;
        }
        pending.add(new Pending(partition, producerId, List.copyOf(records), f));
        if (!hold) {
            flush();
        }
        return f;
    }

    /** Makes every pending append durable, in order. */
    void flush() {
        while (!pending.isEmpty()) {
            Pending p = pending.poll();
            if (p.producerId == null) {
                durable.computeIfAbsent(p.partition, k -> new ArrayList<>()).addAll(p.records);
            } else {
                open.computeIfAbsent(p.partition, k -> new HashMap<>())
                    .computeIfAbsent(p.producerId, k -> new ArrayList<>()).addAll(p.records);
            }
            p.future.complete(null);
        }
    }

    void failPending(RuntimeException e) {
        while (!pending.isEmpty()) {
            pending.poll().future.completeExceptionally(e);
        }
    }

    /**
     * Writes the producer's COMMIT or ABORT marker, as a broker's loader resolves it: the transaction's records count
     * at the marker's position when committed and vanish when aborted.
     */
    void endTransaction(int partition, long producerId, boolean commit) {
        List<CoordinatorRecord> records = open.getOrDefault(partition, new HashMap<>()).remove(producerId);
        if (commit && records != null) {
            durable.computeIfAbsent(partition, k -> new ArrayList<>()).addAll(records);
        }
    }

    /** The durable records of the partition's open transactions, per producer. */
    Map<Long, List<CoordinatorRecord>> openTransactions(int partition) {
        Map<Long, List<CoordinatorRecord>> out = new HashMap<>();
        open.getOrDefault(partition, Map.of()).forEach((id, records) -> out.put(id, List.copyOf(records)));
        return out;
    }

    int pendingCount() {
        return pending.size();
    }

    List<CoordinatorRecord> records(int partition) {
        return new ArrayList<>(durable.getOrDefault(partition, List.of()));
    }
}

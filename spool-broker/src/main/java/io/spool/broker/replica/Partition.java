package io.spool.broker.replica;

import io.spool.storage.PartitionLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * One partition replica hosted by this node: its log and, as the metadata last said, its leader, epochs, replicas
 * and in-sync replicas. As leader it also tracks what each follower has fetched, computes the high watermark over
 * the ISR, and holds the acks=all produce requests waiting for it.
 *
 * <p>Threading: the assignment is written by the metadata apply thread and read anywhere (volatile, replaced whole);
 * follower state, the high watermark and the produce waiters are guarded by {@code this}; watchers are concurrent
 * lists, run outside the lock.
 */
public final class Partition {
    /** What the metadata says about this partition. */
    record Assignment(int leaderId, int leaderEpoch, int partitionEpoch, List<Integer> replicas, List<Integer> isr,
            int minInsyncReplicas) {
    }

    /** What the leader knows of one follower (Kafka's replica state). */
    static final class FollowerState {
        long logEndOffset = -1;
        long brokerEpoch = -1;
        long lastCaughtUpMs;
        long lastFetchMs;
        long lastFetchLeaderLogEnd = -1;
        /** The log start offset of its last fetch; -1 (unknown) until it fetches from this leader. */
        long logStartOffset = -1;
    }

    /** A DeleteRecords partition waiting for the low watermark to reach {@code offset}. */
    private record LowWatermarkWaiter(long offset, CompletableFuture<DeleteRecordsOutcome> future) {
    }

    private final PartitionLog log;
    private final int localId;
    private final List<Runnable> hwWaiters = new CopyOnWriteArrayList<>();
    private final List<Runnable> logEndWaiters = new CopyOnWriteArrayList<>();
    private volatile Assignment assignment;
    /** Guarded by this. */
    private final Map<Integer, FollowerState> followers = new HashMap<>();
    /** acks=all waiters by the offset the high watermark must reach; guarded by this. */
    private final TreeMap<Long, List<CompletableFuture<Errors>>> produceWaiters = new TreeMap<>();
    /** Whether an ISR change is on its way to the controller; guarded by this. */
    private boolean isrChangePending;
    /**
     * Replicas asked for in ISR changes not yet in the metadata; guarded by this. Until the new ISR arrives they
     * count for the high watermark as if they were in the ISR (KIP-497's maximal ISR): the controller may already
     * have committed them, and even made one leader, so the high watermark must not pass what they have.
     */
    private java.util.Set<Integer> pendingIsr = java.util.Set.of();
    /** DeleteRecords waiting for the low watermark; guarded by this. */
    private final List<LowWatermarkWaiter> lowWatermarkWaiters = new ArrayList<>();

    Partition(PartitionLog log, int localId, Assignment assignment) {
        this.log = log;
        this.localId = localId;
        this.assignment = assignment;
    }

    public PartitionLog log() {
        return log;
    }

    public TopicPartition topicPartition() {
        return log.topicPartition();
    }

    public Uuid topicId() {
        return log.topicId();
    }

    public int leaderEpoch() {
        return assignment.leaderEpoch();
    }

    public int leaderId() {
        return assignment.leaderId();
    }

    public boolean isLeader() {
        return assignment.leaderId() == localId;
    }

    public int partitionEpoch() {
        return assignment.partitionEpoch();
    }

    public List<Integer> isr() {
        return assignment.isr();
    }

    public List<Integer> replicas() {
        return assignment.replicas();
    }

    public int minInsyncReplicas() {
        return assignment.minInsyncReplicas();
    }

    Assignment assignment() {
        return assignment;
    }

    /**
     * Takes a new assignment from the metadata. A new leader epoch forgets what followers had fetched (they must
     * fetch again to count) and fails waiting producers when this node no longer leads.
     */
    void updateAssignment(Assignment next, long nowMs) {
        Assignment previous = assignment;
        assignment = next;
        List<CompletableFuture<Errors>> failed = new ArrayList<>();
        synchronized (this) {
            isrChangePending = false;
            pendingIsr = java.util.Set.of();
            if (previous.leaderEpoch() != next.leaderEpoch() || previous.leaderId() != next.leaderId()) {
                followers.clear();
            }
            if (next.leaderId() == localId) {
                // Replicas can change within a leader epoch (a reassignment adds or removes some).
                followers.keySet().retainAll(next.replicas());
                for (int replica : next.replicas()) {
                    if (replica != localId && !followers.containsKey(replica)) {
                        FollowerState state = new FollowerState();
                        // A follower in the ISR gets a full lag period to catch up with the new leader.
                        state.lastCaughtUpMs = nowMs;
                        followers.put(replica, state);
                    }
                }
            } else {
                followers.clear();
            }
            if (next.leaderId() != localId) {
                produceWaiters.values().forEach(failed::addAll);
                produceWaiters.clear();
            }
        }
        failed.forEach(f -> f.complete(Errors.NOT_LEADER_OR_FOLLOWER));
        if (next.leaderId() != localId) {
            failLowWatermarkWaiters(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        if (next.leaderId() == localId) {
            maybeAdvanceHighWatermark();
        }
    }

    /**
     * Records a follower's fetch (leader only): its fetch offset is its log end, and it counts as caught up when it
     * has everything the leader had at this or its previous fetch. Returns whether the high watermark moved.
     */
    boolean recordFollowerFetch(int replicaId, long brokerEpoch, long fetchOffset, long logStartOffset, long nowMs) {
        synchronized (this) {
            FollowerState state = followers.get(replicaId);
            if (state == null) {
                return false;
            }
            if (brokerEpoch != state.brokerEpoch) {
                // A restarted follower: nothing it fetched before counts for catching up.
                state.brokerEpoch = brokerEpoch;
                state.lastFetchLeaderLogEnd = -1;
            }
            long leaderEnd = log.logEndOffset();
            if (fetchOffset >= leaderEnd) {
                state.lastCaughtUpMs = nowMs;
            } else if (fetchOffset >= state.lastFetchLeaderLogEnd && state.lastFetchLeaderLogEnd >= 0) {
                state.lastCaughtUpMs = Math.max(state.lastCaughtUpMs, state.lastFetchMs);
            }
            state.logEndOffset = fetchOffset;
            state.logStartOffset = logStartOffset;
            state.lastFetchLeaderLogEnd = leaderEnd;
            state.lastFetchMs = nowMs;
        }
        return maybeAdvanceHighWatermark();
    }

    /**
     * A follower's fetch found its log diverging from this leader's: what it had fetched is no longer known to be
     * this leader's history, so it counts for nothing until it fetches again after truncating.
     */
    public synchronized void forgetFollowerLogEnd(int replicaId) {
        FollowerState state = followers.get(replicaId);
        if (state != null) {
            state.logEndOffset = -1;
        }
    }

    /** ISR members (other than the leader) that have not caught up within {@code maxLagMs}. */
    synchronized List<Integer> laggingIsrMembers(long nowMs, long maxLagMs) {
        List<Integer> lagging = new ArrayList<>();
        for (int id : assignment.isr()) {
            FollowerState state = followers.get(id);
            if (id != localId && state != null && nowMs - state.lastCaughtUpMs > maxLagMs) {
                lagging.add(id);
            }
        }
        return lagging;
    }

    /**
     * Followers outside the ISR that have caught up to the high watermark and into this leader's epoch (so their
     * log is this leader's history), fetching as the broker incarnation {@code eligible} accepts (KIP-903: a
     * fenced broker, or a fetch from before its restart, does not count).
     */
    synchronized List<Integer> followersToAdd(java.util.function.BiPredicate<Integer, Long> eligible) {
        List<Integer> ready = new ArrayList<>();
        long hw = log.highWatermark();
        long epochStart = log.epochStartOffset(assignment.leaderEpoch());
        for (Map.Entry<Integer, FollowerState> e : followers.entrySet()) {
            FollowerState state = e.getValue();
            if (!assignment.isr().contains(e.getKey()) && state.logEndOffset >= hw && state.logEndOffset >= 0
                    && state.logEndOffset >= epochStart && eligible.test(e.getKey(), state.brokerEpoch)) {
                ready.add(e.getKey());
            }
        }
        return ready;
    }

    synchronized boolean tryStartIsrChange(List<Integer> newIsr) {
        if (isrChangePending) {
            return false;
        }
        isrChangePending = true;
        java.util.Set<Integer> pending = new java.util.HashSet<>(pendingIsr);
        pending.addAll(newIsr);
        pendingIsr = java.util.Set.copyOf(pending);
        return true;
    }

    /** The controller answered: a refused change no longer counts; any other until its metadata arrives. */
    synchronized void isrChangeDone(boolean accepted) {
        isrChangePending = false;
        if (!accepted) {
            pendingIsr = java.util.Set.of();
        }
    }

    /**
     * Leader: raises the high watermark to the lowest log end over the ISR (the leader's own counted as what is
     * durable under its flush mode), waking fetches and completing acks=all producers it now covers. While the ISR is
     * smaller than the effective {@code min.insync.replicas} (never more than the replicas) the high watermark stays
     * where it is, as in Kafka since KIP-966 ("strict min ISR"): acks=1 writes are appended and acknowledged but
     * stay invisible to consumers until the ISR grows back, so a replica that left the ISR below that size (an
     * eligible leader replica) holds every committed record.
     */
    boolean maybeAdvanceHighWatermark() {
        Assignment current = assignment;
        if (current.leaderId() != localId) {
            return false;
        }
        List<CompletableFuture<Errors>> ready = new ArrayList<>();
        boolean moved;
        synchronized (this) {
            long candidate = log.config().flushOnAck() ? log.flushedOffset() : log.logEndOffset();
            java.util.Set<Integer> maximalIsr = new java.util.HashSet<>(current.isr());
            maximalIsr.addAll(pendingIsr);
            for (int id : maximalIsr) {
                if (id == localId) {
                    continue;
                }
                FollowerState state = followers.get(id);
                candidate = Math.min(candidate, state == null ? -1 : state.logEndOffset);
            }
            moved = candidate > log.highWatermark() && !isUnderMinIsr(current);
            if (moved) {
                log.updateHighWatermark(candidate);
            }
            long hw = log.highWatermark();
            var head = produceWaiters.headMap(hw, true);
            head.values().forEach(ready::addAll);
            head.clear();
        }
        Errors outcome = current.isr().size() < current.minInsyncReplicas()
                ? Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND : Errors.NONE;
        ready.forEach(f -> f.complete(outcome));
        if (moved) {
            hwWaiters.forEach(Runnable::run);
        }
        return moved;
    }

    /** Whether the ISR is smaller than Kafka's effective min ISR: min.insync.replicas, at most the replicas. */
    static boolean isUnderMinIsr(Assignment assignment) {
        return assignment.isr().size() < Math.min(assignment.minInsyncReplicas(), assignment.replicas().size());
    }

    /** Follower: takes the leader's high watermark, bounded by what this replica has. */
    void updateFollowerHighWatermark(long leaderHighWatermark) {
        long hw = Math.min(leaderHighWatermark, log.logEndOffset());
        boolean moved;
        synchronized (this) {
            moved = hw > log.highWatermark();
            if (moved) {
                log.updateHighWatermark(hw);
            }
        }
        if (moved) {
            hwWaiters.forEach(Runnable::run);
        }
    }

    /** Completes with the outcome once the high watermark reaches {@code offset}, or with NOT_LEADER on demotion. */
    CompletableFuture<Errors> awaitHighWatermark(long offset) {
        CompletableFuture<Errors> future = new CompletableFuture<>();
        synchronized (this) {
            if (assignment.leaderId() != localId) {
                return CompletableFuture.completedFuture(Errors.NOT_LEADER_OR_FOLLOWER);
            }
            produceWaiters.computeIfAbsent(offset, o -> new ArrayList<>()).add(future);
        }
        maybeAdvanceHighWatermark();
        return future;
    }

    /** Fails every waiting producer (the node is stopping). */
    void failWaiters(Errors error) {
        List<CompletableFuture<Errors>> all = new ArrayList<>();
        synchronized (this) {
            produceWaiters.values().forEach(all::addAll);
            produceWaiters.clear();
        }
        all.forEach(f -> f.complete(error));
        failLowWatermarkWaiters(error);
    }

    /**
     * Leader: Kafka's low watermark, the lowest log start offset over this replica and the other replicas on live
     * brokers ({@code alive}); a follower that has not fetched from this leader yet counts as -1, so a DeleteRecords
     * waits for it.
     */
    synchronized long lowWatermark(java.util.function.IntPredicate alive) {
        long low = log.logStartOffset();
        for (Map.Entry<Integer, FollowerState> e : followers.entrySet()) {
            if (alive.test(e.getKey())) {
                low = Math.min(low, e.getValue().logStartOffset);
            }
        }
        return low;
    }

    /**
     * Completes once the low watermark reaches {@code offset} (with it), or with NOT_LEADER_OR_FOLLOWER when this
     * node stops leading. The caller bounds the wait (DeleteRecords' timeout).
     */
    CompletableFuture<DeleteRecordsOutcome> awaitLowWatermark(long offset, java.util.function.IntPredicate alive) {
        CompletableFuture<DeleteRecordsOutcome> future = new CompletableFuture<>();
        synchronized (this) {
            if (assignment.leaderId() != localId) {
                return CompletableFuture.completedFuture(DeleteRecordsOutcome.failure(Errors.NOT_LEADER_OR_FOLLOWER));
            }
            lowWatermarkWaiters.add(new LowWatermarkWaiter(offset, future));
        }
        checkLowWatermark(alive);
        return future;
    }

    /** Completes the DeleteRecords waiters the low watermark now covers, and forgets those that timed out. */
    void checkLowWatermark(java.util.function.IntPredicate alive) {
        List<Map.Entry<CompletableFuture<DeleteRecordsOutcome>, Long>> ready = new ArrayList<>();
        synchronized (this) {
            if (lowWatermarkWaiters.isEmpty()) {
                return;
            }
            long low = lowWatermark(alive);
            lowWatermarkWaiters.removeIf(w -> {
                if (w.future().isDone()) {
                    return true;
                }
                if (low >= w.offset()) {
                    ready.add(Map.entry(w.future(), low));
                    return true;
                }
                return false;
            });
        }
        ready.forEach(e -> e.getKey().complete(DeleteRecordsOutcome.success(e.getValue())));
    }

    private void failLowWatermarkWaiters(Errors error) {
        List<LowWatermarkWaiter> failed;
        synchronized (this) {
            failed = List.copyOf(lowWatermarkWaiters);
            lowWatermarkWaiters.clear();
        }
        failed.forEach(w -> w.future().complete(DeleteRecordsOutcome.failure(error)));
    }

    /** Wakes fetches that wait for new data at the log end (follower fetches). */
    void logEndMoved() {
        logEndWaiters.forEach(Runnable::run);
    }

    public void watchHighWatermark(Runnable waiter) {
        hwWaiters.add(waiter);
    }

    public void unwatchHighWatermark(Runnable waiter) {
        hwWaiters.remove(waiter);
    }

    public void watchLogEnd(Runnable waiter) {
        logEndWaiters.add(waiter);
    }

    public void unwatchLogEnd(Runnable waiter) {
        logEndWaiters.remove(waiter);
    }

    @Override
    public String toString() {
        return "Partition(" + topicPartition() + ", " + assignment + ")";
    }
}

package io.spool.coordinator.txn;

import io.spool.coordinator.CoordinatorTimer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;

/** A clock that moves only when told, and a timer whose due tasks run on the caller of {@link #advance}. */
final class TxnTestClock extends Clock implements CoordinatorTimer {

    private long nowMs;
    private long seq;
    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.deadline != b.deadline
        ? Long.compare(a.deadline, b.deadline) : Long.compare(a.seq, b.seq));

    TxnTestClock(long startMs) {
        this.nowMs = startMs;
    }

    private static final class Task implements Cancellable {
        final long deadline;
        final long seq;
        final Runnable run;
        boolean cancelled;

        Task(long deadline, long seq, Runnable run) {
            this.deadline = deadline;
            this.seq = seq;
            this.run = run;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public Cancellable schedule(long delayMs, Runnable task) {
        Task t = new Task(nowMs + delayMs, seq++, task);
        queue.add(t);
        return t;
    }

    void advance(long ms) {
        long target = nowMs + ms;
        while (!queue.isEmpty() && queue.peek().deadline <= target) {
            Task t = queue.poll();
            if (!t.cancelled) {
                nowMs = Math.max(nowMs, t.deadline);
                t.run.run();
            }
        }
        nowMs = target;
    }

    int pendingTasks() {
        return (int) queue.stream().filter(t -> !t.cancelled).count();
    }

    @Override
    public long millis() {
        return nowMs;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(nowMs);
    }
}

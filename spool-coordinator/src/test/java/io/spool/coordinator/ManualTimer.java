package io.spool.coordinator;

import java.util.PriorityQueue;

/** A timer driven by {@link #advance}: due tasks run in deadline order (then scheduling order) on the caller. */
public final class ManualTimer implements CoordinatorTimer {

    private final ManualClock clock;
    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.deadline != b.deadline
        ? Long.compare(a.deadline, b.deadline) : Long.compare(a.seq, b.seq));
    private long seq;

    public ManualTimer(ManualClock clock) {
        this.clock = clock;
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
        Task t = new Task(clock.millis() + delayMs, seq++, task);
        queue.add(t);
        return t;
    }

    public void advance(long ms) {
        long target = clock.millis() + ms;
        while (!queue.isEmpty() && queue.peek().deadline <= target) {
            Task t = queue.poll();
            if (!t.cancelled) {
                clock.set(Math.max(clock.millis(), t.deadline));
                t.run.run();
            }
        }
        clock.set(target);
    }

    public int pending() {
        return (int) queue.stream().filter(t -> !t.cancelled).count();
    }
}

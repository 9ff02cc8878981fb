package io.spool.broker.replica;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Time limits for the waits of requests that mostly end well before them: a produce waiting for its fsync and its
 * in-sync replicas, a coordinator's write. One daemon thread sleeps until the earliest deadline it knows of.
 *
 * <p>Why not {@code CompletableFuture.orTimeout}: its scheduler thread is woken whenever a new deadline becomes the
 * earliest one. On a broker that serves one request at a time (a producer with one request in flight, a consumer
 * committing after each poll), the previous wait has ended and left the queue empty, so every request paid a thread
 * wake-up and a context switch just to arm a timer that never fires. Here a new deadline signals the thread only
 * when it falls before the wake-up the thread already planned, and an ended wait never does: the thread wakes when
 * it planned to, finds nothing due, and sleeps until the earliest deadline still pending (or for a second, when
 * none is). Request timeouts of seconds therefore cost no wake-up per request, however many come and go.
 *
 * <p>Thread-safe. Actions run on the timer's thread and must be short (completing a future is).
 */
final class DeadlineTimer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadlineTimer.class);
    /**
     * With nothing pending the thread still looks once a second, so that the next request's deadline, seconds
     * away, does not have to wake it.
     */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition earlier = lock.newCondition();
    /** Pending deadlines, earliest first; guarded by {@link #lock}. */
    private final TreeSet<Deadline> pending = new TreeSet<>();
    /** When the thread looks next, in nanos since {@link #origin} (before it first starts: never); guarded. */
    private long plannedWake = Long.MAX_VALUE;
    private long sequence;
    private long signals;
    private boolean closed;
    private boolean started;
    private final long origin = System.nanoTime();
    private final String threadName;

    /** The thread starts with the first deadline (and again with the next one, should it ever die). */
    DeadlineTimer(String threadName) {
        this.threadName = threadName;
    }

    /**
     * Completes {@code future} with a {@link TimeoutException} unless it completes within {@code timeoutMs}; the
     * deadline is dropped as soon as it does. Returns {@code future}.
     */
    <T> CompletableFuture<T> orTimeout(CompletableFuture<T> future, long timeoutMs) {
        if (future.isDone()) {
            return future;
        }
        Deadline deadline = add(timeoutMs, () -> future.completeExceptionally(new TimeoutException()));
        if (deadline != null) {
            future.whenComplete((ignored, error) -> cancel(deadline));
        }
        return future;
    }

    /** Runs {@code action} on the timer's thread after {@code delayMs}, unless cancelled; null once closed. */
    private Deadline add(long delayMs, Runnable action) {
        lock.lock();
        try {
            if (closed) {
                return null;
            }
            Deadline deadline = new Deadline(now() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMs)),
                    sequence++, action);
            pending.add(deadline);
            if (!started) {
                Thread thread = new Thread(this::run, threadName);
                thread.setDaemon(true);
                thread.start();
                started = true;
                plannedWake = Long.MAX_VALUE;
            }
            if (deadline.at < plannedWake) {
                plannedWake = deadline.at;
                signals++;
                earlier.signal();
            }
            return deadline;
        } finally {
            lock.unlock();
        }
    }

    private void cancel(Deadline deadline) {
        lock.lock();
        try {
            pending.remove(deadline);
        } finally {
            lock.unlock();
        }
    }

    /** Deadlines not yet due nor cancelled. */
    int pending() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /** How many times a new deadline had to wake the thread (for tests). */
    long signals() {
        lock.lock();
        try {
            return signals;
        } finally {
            lock.unlock();
        }
    }

    private long now() {
        return System.nanoTime() - origin;
    }

    private void run() {
        List<Deadline> due = new ArrayList<>();
        lock.lock();
        try {
            while (!closed) {
                long now = now();
                while (!pending.isEmpty() && pending.first().at <= now) {
                    due.add(pending.pollFirst());
                }
                if (!due.isEmpty()) {
                    lock.unlock();
                    try {
                        fire(due);
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                plannedWake = pending.isEmpty() ? now + IDLE_NANOS : pending.first().at;
                earlier.awaitNanos(plannedWake - now);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!closed) {
                // Only an Error or an interrupt gets here: let the next deadline start a new thread.
                LOG.error("{} stopped unexpectedly; the next deadline starts it again", threadName);
                started = false;
            }
            lock.unlock();
        }
    }

    private static void fire(List<Deadline> due) {
        for (Deadline deadline : due) {
            try {
                deadline.action.run();
            } catch (RuntimeException e) {
                LOG.error("A timeout action failed", e);
            }
        }
        due.clear();
    }

    /** Stops the thread; pending deadlines never fire (their owners fail their waits on shutdown). */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            pending.clear();
            earlier.signal();
        } finally {
            lock.unlock();
        }
    }

    private record Deadline(long at, long sequence, Runnable action) implements Comparable<Deadline> {
        @Override
        public int compareTo(Deadline other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }
}

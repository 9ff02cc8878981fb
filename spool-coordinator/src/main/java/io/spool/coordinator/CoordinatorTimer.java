package io.spool.coordinator;

/**
 * Delayed tasks for the coordinator (join, sync and session timeouts, initial rebalance delay). The broker provides
 * one (e.g. a hashed wheel timer); tests use a manual one. A task may run on any thread: the coordinator takes its
 * own lock inside the task, so the timer must not hold locks of its own while running it.
 */
public interface CoordinatorTimer {

    Cancellable schedule(long delayMs, Runnable task);

    /** A scheduled task; {@link #cancel()} after it ran or twice is harmless. */
    interface Cancellable {
        void cancel();
    }
}

package io.spool.broker.group;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.spool.coordinator.CoordinatorTimer;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator's timer: one daemon thread that sleeps until the next deadline (a hashed wheel would wake every
 * tick, a hundred times a second, whether anything is due or not). Cancelled tasks leave its queue at once.
 * Thread-safe.
 */
public final class CoordinatorScheduler implements CoordinatorTimer, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorScheduler.class);

    private final String name;
    private final ScheduledThreadPoolExecutor executor;

    /** @param name the thread's name, and what a failed task's log line names */
    public CoordinatorScheduler(String name) {
        this.name = name;
        this.executor = new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory(name, true));
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Cancellable schedule(long delayMs, Runnable task) {
        ScheduledFuture<?> future = executor.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("{} task failed", name, e);
            }
        }, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}

package io.spool.broker.group;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.spool.coordinator.CoordinatorTimer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A coordinator's timer: a Netty hashed wheel with 10 ms ticks on one daemon thread. Thread-safe. */
public final class WheelTimer implements CoordinatorTimer, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WheelTimer.class);

    private final String name;
    private final HashedWheelTimer wheel;

    /** @param name the thread's name, and what a failed task's log line names */
    public WheelTimer(String name) {
        this.name = name;
        this.wheel = new HashedWheelTimer(new DefaultThreadFactory(name, true), 10, TimeUnit.MILLISECONDS);
    }

    @Override
    public Cancellable schedule(long delayMs, Runnable task) {
        Timeout timeout = wheel.newTimeout(t -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("{} task failed", name, e);
            }
        }, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        return timeout::cancel;
    }

    @Override
    public void close() {
        wheel.stop();
    }
}

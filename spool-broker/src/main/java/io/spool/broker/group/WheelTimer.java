package io.spool.broker.group;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.spool.coordinator.CoordinatorTimer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The coordinator's timer: a Netty hashed wheel with 10 ms ticks on one daemon thread. Thread-safe. */
public final class WheelTimer implements CoordinatorTimer, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WheelTimer.class);

    private final HashedWheelTimer wheel = new HashedWheelTimer(new DefaultThreadFactory("spool-group-timer", true),
            10, TimeUnit.MILLISECONDS);

    @Override
    public Cancellable schedule(long delayMs, Runnable task) {
        Timeout timeout = wheel.newTimeout(t -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("Group coordinator timer task failed", e);
            }
        }, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        return timeout::cancel;
    }

    @Override
    public void close() {
        wheel.stop();
    }
}

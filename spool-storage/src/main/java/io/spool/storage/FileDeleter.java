package io.spool.storage;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deferred removal of files that reads in flight may still use: segments deleted by retention and whole partition
 * directories. Actions run when {@link #runDue()} is called (by the periodic retention task) at or after their due
 * time on the injected clock, or all at once on close. Thread-safe (synchronized).
 */
final class FileDeleter {

    private static final Logger LOG = LoggerFactory.getLogger(FileDeleter.class);

    private record Pending(long dueMs, String what, Runnable action) {
    }

    private final Clock clock;
    private final List<Pending> pending = new ArrayList<>();

    FileDeleter(Clock clock) {
        this.clock = clock;
    }

    synchronized void schedule(long delayMs, String what, Runnable action) {
        pending.add(new Pending(clock.millis() + delayMs, what, action));
    }

    /** Runs every action whose delay has passed. */
    void runDue() {
        run(clock.millis());
    }

    /** Runs every pending action now. */
    void runAll() {
        run(Long.MAX_VALUE);
    }

    synchronized int pendingCount() {
        return pending.size();
    }

    private void run(long now) {
        List<Pending> due = new ArrayList<>();
        synchronized (this) {
            pending.removeIf(p -> {
                if (p.dueMs() <= now) {
                    due.add(p);
                    return true;
                }
                return false;
            });
        }
        for (Pending p : due) {
            try {
                p.action().run();
            } catch (RuntimeException e) {
                LOG.error("Failed to delete {}", p.what(), e);
            }
        }
    }
}

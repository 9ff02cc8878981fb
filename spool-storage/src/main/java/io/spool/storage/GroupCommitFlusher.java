package io.spool.storage;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: produce handlers ask for durability of an offset and get a future; one background thread
 * ({@value #THREAD_NAME}) drains all waiting requests each round, fsyncs each log that has waiters once
 * ({@link PartitionLog#flush()} covers everything appended so far; several logs at once, with a few helper
 * threads), and completes every waiter it covered. Under
 * load many produce requests share one fsync per partition.
 *
 * <p>Thread safety: {@link #awaitDurable} may be called from any thread; futures complete on the flusher thread
 * (or at once on the caller's thread when the offset is already durable).
 */
public final class GroupCommitFlusher implements AutoCloseable {

    static final String THREAD_NAME = "spool-flusher";
    /** Threads that fsync other logs while the flusher thread fsyncs one. */
    private static final int SYNC_THREADS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitFlusher.class);

    private record Waiter(PartitionLog log, long offsetExclusive, long truncations, CompletableFuture<Void> future) {
        boolean truncatedSince() {
            return log.truncationCount() != truncations;
        }

        void failTruncated() {
            future.completeExceptionally(new LogTruncatedException("the log of " + log.topicPartition()
                + " was truncated while offset " + offsetExclusive + " was awaited"));
        }
    }

    private final LinkedBlockingQueue<Waiter> queue = new LinkedBlockingQueue<>();
    private final List<Waiter> parked = new ArrayList<>();
    private final Thread thread;
    private final ExecutorService syncers = Executors.newFixedThreadPool(SYNC_THREADS, r -> {
        Thread t = new Thread(r, THREAD_NAME + "-sync");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong fsyncs = new AtomicLong();
    private volatile boolean running = true;

    public GroupCommitFlusher() {
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Completes once {@code log.flushedOffset() >= offsetExclusive}; exceptionally if the fsync fails, or with
     * {@link LogTruncatedException} if the log is truncated first (the awaited offsets may then hold other records).
     */
    public CompletableFuture<Void> awaitDurable(PartitionLog log, long offsetExclusive) {
        long truncations = log.truncationCount();
        if (log.flushedOffset() >= offsetExclusive) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (!running) {
            future.completeExceptionally(new StorageException("group commit flusher is closed"));
            return future;
        }
        queue.add(new Waiter(log, offsetExclusive, truncations, future));
        return future;
    }

    long rounds() {
        return rounds.get();
    }

    long fsyncs() {
        return fsyncs.get();
    }

    private void run() {
        while (running) {
            try {
                Waiter first = queue.poll(parked.isEmpty() ? 100 : 5, TimeUnit.MILLISECONDS);
                List<Waiter> batch = new ArrayList<>(parked);
                parked.clear();
                if (first != null) {
                    batch.add(first);
                }
                queue.drainTo(batch);
                if (!batch.isEmpty()) {
                    round(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("Group commit round failed", e);
            }
        }
    }

    private void round(List<Waiter> batch) {
        rounds.incrementAndGet();
        Map<PartitionLog, List<Waiter>> byLog = new IdentityHashMap<>();
        for (Waiter w : batch) {
            byLog.computeIfAbsent(w.log(), l -> new ArrayList<>()).add(w);
        }
        Map<PartitionLog, RuntimeException> failures = fsyncAll(byLog);
        byLog.forEach((log, waiters) -> {
            RuntimeException failure = failures.get(log);
            if (failure != null) {
                LOG.error("fsync of {} failed", log.topicPartition(), failure);
                if (!Thread.currentThread().isInterrupted()) {
                    // An interrupt is this flusher closing, not the disk failing.
                    log.reportFailure(failure instanceof StorageException storage ? storage
                        : new StorageException("fsync of " + log.topicPartition() + " failed", failure));
                }
                waiters.forEach(w -> w.future().completeExceptionally(failure));
                return;
            }
            long durable = log.flushedOffset();
            for (Waiter w : waiters) {
                if (w.truncatedSince()) {
                    w.failTruncated();
                } else if (durable >= w.offsetExclusive()) {
                    w.future().complete(null);
                } else {
                    parked.add(w);
                }
            }
        });
    }

    /**
     * fsyncs every log that is behind its waiters, several at once when there are several: the device serves
     * concurrent flushes together, so a round costs about one fsync rather than one per partition. Returns the
     * failures by log.
     */
    private Map<PartitionLog, RuntimeException> fsyncAll(Map<PartitionLog, List<Waiter>> byLog) {
        List<PartitionLog> behind = new ArrayList<>();
        byLog.forEach((log, waiters) -> {
            long target = waiters.stream().mapToLong(Waiter::offsetExclusive).max().orElse(0);
            if (log.flushedOffset() < target) {
                behind.add(log);
            }
        });
        Map<PartitionLog, RuntimeException> failures = new IdentityHashMap<>();
        if (behind.isEmpty()) {
            return failures;
        }
        Map<PartitionLog, Future<?>> others = new IdentityHashMap<>();
        for (PartitionLog log : behind.subList(1, behind.size())) {
            others.put(log, syncers.submit(() -> fsync(log)));
        }
        try {
            fsync(behind.get(0));
        } catch (RuntimeException e) {
            failures.put(behind.get(0), e);
        }
        others.forEach((log, pending) -> {
            try {
                pending.get();
            } catch (ExecutionException e) {
                failures.put(log, e.getCause() instanceof RuntimeException r ? r
                    : new StorageException("fsync of " + log.topicPartition() + " failed", e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.put(log, new StorageException("interrupted while waiting for an fsync", e));
            }
        });
        return failures;
    }

    private void fsync(PartitionLog log) {
        log.flush();
        fsyncs.incrementAndGet();
    }

    /** Stops the thread; remaining waiters are flushed and completed, or failed if their offset is not there. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        syncers.shutdown();
        List<Waiter> rest = new ArrayList<>(parked);
        parked.clear();
        queue.drainTo(rest);
        for (Waiter w : rest) {
            if (w.truncatedSince()) {
                w.failTruncated();
                continue;
            }
            try {
                w.log().flush();
                if (w.log().flushedOffset() >= w.offsetExclusive()) {
                    w.future().complete(null);
                    continue;
                }
            } catch (RuntimeException e) {
                w.future().completeExceptionally(e);
                continue;
            }
            w.future().completeExceptionally(new StorageException("offset " + w.offsetExclusive()
                + " never reached the log of " + w.log().topicPartition()));
        }
    }
}

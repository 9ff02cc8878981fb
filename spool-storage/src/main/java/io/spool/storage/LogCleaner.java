package io.spool.storage;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background compaction of the logs whose topic has {@code cleanup.policy=compact}: one thread that repeatedly
 * picks the compacted log most in need and cleans it with a {@link SegmentCleaner}, then backs off for
 * {@code log.cleaner.backoff.ms} when none needs it.
 *
 * <p>A log needs cleaning when the dirty share of its cleanable bytes reaches {@code min.cleanable.dirty.ratio},
 * when a dirty segment began longer ago than {@code max.compaction.lag.ms}, or when a tombstone or transaction
 * marker it keeps has passed its delete horizon. Where each log's dirty part starts is the log's cleaner checkpoint
 * ({@link PartitionLog#cleanerCheckpoint()}), written with the other checkpoints as {@code cleaner-offset-checkpoint}.
 *
 * <p>Thread safety: {@link #start} and {@link #close} from any thread; everything else runs on the cleaner thread.
 * The thread is never interrupted, since an interrupt during file I/O would close segment files that readers share:
 * close sets a flag that the cleaning checks between chunks.
 */
public final class LogCleaner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);

    /**
     * The broker's {@code log.cleaner.*} settings.
     *
     * @param backoffMs        {@code log.cleaner.backoff.ms}: pause when no log needs cleaning
     * @param dedupeBufferBytes {@code log.cleaner.dedupe.buffer.size}: most memory of one offset map
     * @param loadFactor       {@code log.cleaner.io.buffer.load.factor}: how full an offset map may get
     * @param ioBufferBytes    {@code log.cleaner.io.buffer.size}: bytes read from a segment at a time
     */
    public record Settings(long backoffMs, long dedupeBufferBytes, double loadFactor, int ioBufferBytes) {
        public Settings {
            if (!(loadFactor > 0 && loadFactor <= 1)) {
                throw new IllegalArgumentException("log.cleaner.io.buffer.load.factor must be in (0, 1]: "
                    + loadFactor);
            }
        }
    }

    private final Supplier<List<PartitionLog>> logs;
    private final Settings settings;
    private final Clock clock;
    private final SegmentCleaner cleaner;
    /** Per log, the earliest delete horizon of a tombstone or marker its last cleaning kept. */
    private final Map<TopicPartition, Long> horizons = new ConcurrentHashMap<>();
    /** Partitions whose cleaning failed on unreadable data: skipped until restart (Kafka's uncleanable set). */
    private final Set<TopicPartition> uncleanable = ConcurrentHashMap.newKeySet();
    private final Object wakeup = new Object();
    private volatile boolean closing;
    private Thread thread;

    LogCleaner(Supplier<List<PartitionLog>> logs, Settings settings, Clock clock) {
        this.logs = logs;
        this.settings = settings;
        this.clock = clock;
        int mapBytes = (int) Math.min(Integer.MAX_VALUE - 64, settings.dedupeBufferBytes());
        this.cleaner = new SegmentCleaner(clock, mapBytes, settings.loadFactor(), settings.ioBufferBytes(),
            () -> closing);
    }

    synchronized void start() {
        if (thread == null && !closing) {
            thread = new Thread(this::run, "log-cleaner");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void run() {
        while (!closing) {
            boolean cleaned = false;
            try {
                cleaned = cleanOnce();
            } catch (RuntimeException | Error e) {
                // cleanOnce contains the failures of one log; anything here is a bug or memory exhaustion.
                LOG.error("Log cleaner failed; it goes on after {} ms", settings.backoffMs(), e);
            }
            if (!cleaned) {
                synchronized (wakeup) {
                    if (!closing) {
                        try {
                            wakeup.wait(settings.backoffMs());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }
        }
    }

    /** Cleans the log most in need, if one needs it; true if one was cleaned. */
    boolean cleanOnce() {
        long now = clock.millis();
        PartitionLog chosen = null;
        double worst = -1;
        for (PartitionLog log : logs.get()) {
            if (!log.config().compact() || uncleanable.contains(log.topicPartition())) {
                continue;
            }
            double need;
            try {
                need = need(log, now);
            } catch (RuntimeException e) {
                markUncleanable(log, e);
                continue;
            }
            if (need > worst) {
                worst = need;
                chosen = log;
            }
        }
        if (chosen == null || worst < 0) {
            return false;
        }
        return clean(chosen);
    }

    private boolean clean(PartitionLog log) {
        TopicPartition tp = log.topicPartition();
        try {
            long seen = log.truncationCount();
            SegmentCleaner.Result result = cleaner.clean(log, log.cleanerCheckpoint());
            if (result.earliestHorizonMs() != Long.MAX_VALUE) {
                horizons.put(tp, result.earliestHorizonMs());
            } else if (!result.aborted()) {
                horizons.remove(tp);
            }
            if (!result.aborted()) {
                log.markCleaned(result.nextDirtyOffset(), seen);
            }
            return !result.aborted();
        } catch (SegmentCleaner.CancelledException e) {
            return false;
        } catch (CorruptLogException e) {
            markUncleanable(log, e);
            return false;
        } catch (StorageException e) {
            if (log.isClosed()) {
                LOG.info("Cleaning of {} stopped: the partition was removed", tp);
                return false;
            }
            // Writing the output failed: the log dir is failing, as for any other write.
            LOG.error("Cleaning of {} failed", tp, e);
            log.reportFailure(e);
            return false;
        } catch (RuntimeException e) {
            markUncleanable(log, e);
            return false;
        }
    }

    /** Stops cleaning one log whose data the cleaner cannot handle, so that the others go on. */
    private void markUncleanable(PartitionLog log, RuntimeException cause) {
        if (!log.isClosed()) {
            uncleanable.add(log.topicPartition());
            LOG.error("Cannot clean {}; it stays uncompacted until this node restarts", log.topicPartition(), cause);
        }
    }

    /**
     * How much {@code log} needs cleaning: its dirty ratio when at least min.cleanable.dirty.ratio, 2 when a
     * compaction lag or a delete horizon forces it, -1 when it needs none.
     */
    private double need(PartitionLog log, long now) {
        CleanableSegments view = log.cleanableSegments();
        CompactionConfig compaction = log.config().compaction();
        long uncleanable = SegmentCleaner.firstUncleanableOffset(view, compaction, now);
        long firstDirty = Math.max(log.cleanerCheckpoint(), view.logStartOffset());
        long clean = 0;
        long dirty = 0;
        boolean overdue = false;
        List<LogSegment> inactive = view.inactive();
        for (int i = 0; i < inactive.size(); i++) {
            LogSegment s = inactive.get(i);
            if (s.baseOffset() >= uncleanable) {
                break;
            }
            if (view.endOffsetOf(i) <= firstDirty) {
                clean += s.size();
            } else {
                dirty += s.size();
                // Reading a segment's first timestamp maps its indexes: only when a lag is set.
                overdue |= compaction.maxCompactionLagMs() != Long.MAX_VALUE
                    && now - s.rollingBaseTimestamp() > compaction.maxCompactionLagMs();
            }
        }
        Long horizon = horizons.get(log.topicPartition());
        if (dirty > 0 && overdue || horizon != null && now >= horizon && clean > 0) {
            return 2;
        }
        double ratio = dirty == 0 ? 0 : (double) dirty / (clean + dirty);
        return dirty > 0 && ratio >= compaction.minCleanableDirtyRatio() ? ratio : -1;
    }

    /** Stops the thread after the chunk it is cleaning; a cleaning cut short leaves only files start-up deletes. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closing = true;
            t = thread;
        }
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
        if (t != null) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

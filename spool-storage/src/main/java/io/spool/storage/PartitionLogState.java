package io.spool.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mutable state of one {@link PartitionLog} that its roles ({@link LogAppender}, {@link LogReader},
 * {@link LogFlusher}, {@link LogTruncation}, {@link LogRetention}, {@link LogCleanerHooks}) share: the segments, the
 * offsets, the two locks, and the few operations more than one role needs (roll, delayed deletion, the last stable
 * offset, failure reporting). The roles read and write these fields directly and never call one another.
 *
 * <p>Thread safety: as {@link PartitionLog}'s; writers hold {@link #lock}, flush holds {@link #flushLock} and
 * truncation both, and every offset a reader may see without the lock is volatile.
 */
final class PartitionLogState {

    // Logged under PartitionLog, as before the roles were split out.
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    final TopicPartition topicPartition;
    final Path dir;
    final Clock clock;
    final FileDeleter deleter;
    final ReentrantLock lock = new ReentrantLock();
    final Object flushLock = new Object();
    final ConcurrentSkipListMap<Long, LogSegment> segments;
    final ProducerStateManager producerState;
    final LeaderEpochCache epochCache;
    volatile LogConfig config;
    volatile long logStartOffset;
    volatile long logEndOffset;
    volatile long highWatermark;
    volatile long lastStableOffset;
    volatile long flushedOffset;
    volatile long recoveryPoint;
    volatile boolean dirNeedsFsync;
    volatile long truncations;
    /** Offsets below this are compacted (see {@link LogCleaner}); lowered by truncation. */
    volatile long cleanerCheckpoint;
    volatile boolean closed;
    volatile Runnable checkpointer = () -> { };
    volatile LogDirFailureHandler failureHandler = (logDir, cause) -> { };
    /** Told the new base offset after each roll of a log in page-cache mode: flushes the rolled segment. */
    volatile LongConsumer rolledUnflushed = base -> { };

    PartitionLogState(TopicPartition topicPartition, Path dir, LogConfig config, Clock clock, FileDeleter deleter,
                      ConcurrentSkipListMap<Long, LogSegment> segments, ProducerStateManager producerState,
                      LeaderEpochCache epochCache, long logStartOffset, long logEndOffset, long flushedOffset) {
        this.topicPartition = topicPartition;
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.deleter = deleter;
        this.segments = segments;
        this.producerState = producerState;
        this.epochCache = epochCache;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
        this.highWatermark = logEndOffset;
        this.flushedOffset = flushedOffset;
        this.recoveryPoint = flushedOffset;
    }

    /** Recomputes the last stable offset after the high watermark, the log start or producer state moved. */
    void refreshLastStableOffset() {
        lastStableOffset = Math.max(logStartOffset, Math.min(highWatermark, producerState.firstUnstableOffset()));
    }

    /** The bytes of every segment together. */
    long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.size();
        }
        return total;
    }

    /** Starts a new active segment at the log end offset (no-op if the active segment is empty). */
    LogSegment roll(long now) {
        assert lock.isHeldByCurrentThread();
        LogSegment active = segments.lastEntry().getValue();
        if (active.size() == 0) {
            return active;
        }
        long newBase = logEndOffset;
        active.onBecomeInactive();
        try {
            ProducerSnapshotFile.write(dir, newBase, producerState);
        } catch (IOException e) {
            throw new StorageException("cannot write producer snapshot for " + topicPartition, e);
        }
        LogSegment segment = LogSegment.create(dir, newBase, config, now);
        segment.setIndexIntervalBytes(config.indexIntervalBytes());
        segments.put(newBase, segment);
        dirNeedsFsync = true;
        LOG.debug("Rolled {} at offset {}", topicPartition, newBase);
        if (!config.flushOnAck()) {
            // As Kafka does at a roll: the rolled data goes to disk in the background, so the recovery point can
            // move past it and a crash does not re-scan everything written since the last start.
            rolledUnflushed.accept(newBase);
        }
        return segment;
    }

    /** Deletes the files of segments already renamed {@code .deleted} after file.delete.delay.ms. */
    void scheduleDeletion(List<LogSegment> renamed) {
        long delay = config.fileDeleteDelayMs();
        for (LogSegment s : renamed) {
            deleter.schedule(delay, s.logFile().toString(), s::deleteFiles);
        }
    }

    /** Reports an I/O error of this log's files as a failure of its log directory. */
    void reportFailure(StorageException cause) {
        failureHandler.onLogDirFailure(dir.getParent(), cause);
    }
}

package io.spool.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention of a {@link PartitionLog} and the movement of its log start offset: time-based roll, deletion of whole
 * segments past retention.ms or retention.bytes or below the log start offset, and the producer snapshots below it.
 *
 * <p>Thread safety: every operation holds the state's lock.
 */
final class LogRetention {

    // Logged under PartitionLog, as before the roles were split out.
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final PartitionLogState state;

    LogRetention(PartitionLogState state) {
        this.state = state;
    }

    /** Rolls the active segment if it is older than segment.ms on the clock. */
    void maybeRollByTime() {
        state.lock.lock();
        try {
            LogSegment active = state.segments.lastEntry().getValue();
            long now = state.clock.millis();
            if (active.size() > 0 && now - active.rollingBaseTimestamp() > state.config.segmentMs()) {
                state.roll(now);
            }
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Deletes whole segments past retention.ms (by largest timestamp) and, oldest first, while the log is larger
     * than retention.bytes. Only segments entirely below the high watermark go; the active one is rolled first if
     * it must go. A compact-only topic has both limits at -1 (see the broker's topic config). Returns the number of
     * segments deleted.
     */
    int deleteOldSegments() {
        state.lock.lock();
        try {
            LogConfig cfg = state.config;
            long now = state.clock.millis();
            int deleted = 0;
            if (cfg.retentionMs() >= 0) {
                deleted += deleteSegments(s -> now - s.largestTimestamp() > cfg.retentionMs());
            }
            if (cfg.retentionBytes() >= 0) {
                long[] excess = {state.sizeInBytes() - cfg.retentionBytes()};
                deleted += deleteSegments(s -> {
                    if (excess[0] - s.size() >= 0) {
                        excess[0] -= s.size();
                        return true;
                    }
                    return false;
                });
            }
            return deleted;
        } finally {
            state.lock.unlock();
        }
    }

    private int deleteSegments(Predicate<LogSegment> predicate) {
        List<LogSegment> deletable = new ArrayList<>();
        for (Map.Entry<Long, LogSegment> e : state.segments.entrySet()) {
            Map.Entry<Long, LogSegment> next = state.segments.higherEntry(e.getKey());
            long upperBound = next == null ? state.logEndOffset : next.getKey();
            boolean lastAndEmpty = next == null && e.getValue().size() == 0;
            if (state.highWatermark >= upperBound && !lastAndEmpty && predicate.test(e.getValue())) {
                deletable.add(e.getValue());
            } else {
                break;
            }
        }
        if (deletable.isEmpty()) {
            return 0;
        }
        if (deletable.get(deletable.size() - 1) == state.segments.lastEntry().getValue()) {
            state.roll(state.clock.millis());
        }
        // The files go first, as in Kafka: a client that sees the new log start offset (ListOffsets reads it
        // without the lock) finds no segment below it under a live name.
        for (LogSegment s : deletable) {
            state.segments.remove(s.baseOffset());
            s.renameForDeletion();
        }
        long newStart = Math.max(state.logStartOffset, state.segments.firstKey());
        state.logStartOffset = newStart;
        state.highWatermark = Math.max(state.highWatermark, newStart);
        state.producerState.onHighWatermark(state.highWatermark);
        state.refreshLastStableOffset();
        state.epochCache.truncateFromStart(newStart);
        state.scheduleDeletion(deletable);
        deleteSnapshotsBelow(newStart);
        LOG.info("Deleted {} segment(s) of {}, log start offset now {}", deletable.size(), state.topicPartition,
            newStart);
        return deletable.size();
    }

    private void deleteSnapshotsBelow(long offset) {
        try {
            List<Long> snapshots = ProducerSnapshotFile.list(state.dir);
            for (int i = 0; i < snapshots.size() - 1; i++) {
                if (snapshots.get(i) < offset) {
                    java.nio.file.Files.deleteIfExists(ProducerSnapshotFile.path(state.dir, snapshots.get(i)));
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot delete old producer snapshots of {}", state.topicPartition, e);
        }
    }

    /** See {@link PartitionLog#maybeIncrementLogStartOffset}. */
    Errors maybeIncrementLogStartOffset(long newStart) {
        state.lock.lock();
        try {
            if (newStart > state.highWatermark) {
                return Errors.OFFSET_OUT_OF_RANGE;
            }
            if (newStart <= state.logStartOffset) {
                return Errors.NONE;
            }
            state.logStartOffset = newStart;
            state.refreshLastStableOffset();
            state.epochCache.truncateFromStart(newStart);
            state.checkpointer.run();
            LOG.info("Log start offset of {} raised to {}", state.topicPartition, newStart);
            deleteSegmentsBelowLogStart();
            return Errors.NONE;
        } catch (StorageException e) {
            LOG.error("Raising the log start offset of {} failed", state.topicPartition, e);
            state.reportFailure(e);
            return Errors.KAFKA_STORAGE_ERROR;
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Deletes the segments whose records all lie below the log start offset (never the active one), after
     * file.delete.delay.ms like retention. Returns how many went.
     */
    int deleteSegmentsBelowLogStart() {
        state.lock.lock();
        try {
            long start = state.logStartOffset;
            return deleteSegments(s -> {
                Long next = state.segments.higherKey(s.baseOffset());
                return next != null && next <= start;
            });
        } finally {
            state.lock.unlock();
        }
    }
}

package io.spool.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Truncation of a {@link PartitionLog}: cutting its end back to an offset (a diverged follower) or emptying it to
 * restart at an offset, with the files changed in an order that a crash at any point leaves recoverable.
 *
 * <p>Thread safety: both operations hold the state's lock, and its flush lock while the offsets and files change.
 */
final class LogTruncation {

    // Logged under PartitionLog, as before the roles were split out.
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final PartitionLogState state;

    LogTruncation(PartitionLogState state) {
        this.state = state;
    }

    /** See {@link PartitionLog#truncateTo}. */
    void truncateTo(long offset) {
        state.lock.lock();
        try {
            if (offset >= state.logEndOffset) {
                // An epoch this replica recorded when it took over but never wrote in would otherwise stay the
                // latest and send the divergence check round in circles (Kafka truncates it here too).
                state.epochCache.truncateFromEnd(state.logEndOffset);
                return;
            }
            if (offset < state.logStartOffset) {
                resetTo(offset);
            } else {
                truncateSegments(offset);
            }
            state.checkpointer.run();
        } catch (IOException e) {
            throw new StorageException("cannot truncate " + state.topicPartition + " to " + offset, e);
        } finally {
            state.lock.unlock();
        }
    }

    /** See {@link PartitionLog#truncateFullyAndStartAt}. */
    void truncateFullyAndStartAt(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset + " for " + state.topicPartition);
        }
        state.lock.lock();
        try {
            resetTo(offset);
            state.checkpointer.run();
        } catch (IOException e) {
            throw new StorageException("cannot restart " + state.topicPartition + " at " + offset, e);
        } finally {
            state.lock.unlock();
        }
    }

    private void truncateSegments(long offset) throws IOException {
        LogSegment holder = state.segments.floorEntry(offset).getValue();
        BatchHeader containing = holder.findBatch(offset, holder.size());
        long end = containing != null && containing.baseOffset() < offset ? containing.baseOffset() : offset;
        List<LogSegment> above = new ArrayList<>(state.segments.tailMap(end, false).descendingMap().values());
        synchronized (state.flushLock) {
            publishTruncatedEnd(end);
            for (LogSegment s : above) {
                state.segments.remove(s.baseOffset());
                s.renameForDeletion();
            }
            if (!above.isEmpty()) {
                Fs.fsyncDir(state.dir);
            }
            int removed = holder.truncateTo(end);
            holder.makeWritable();
            LOG.info("Truncated {} to offset {}: {} segment(s) and {} bytes of segment {} removed",
                state.topicPartition, end, above.size(), removed, holder.baseOffset());
        }
        state.scheduleDeletion(above);
        state.logStartOffset = Math.min(state.logStartOffset, end);
        state.epochCache.truncateFromEnd(end);
        state.producerState.clear();
        LogLoader.rebuildProducerState(state.dir, state.segments, state.producerState, state.logStartOffset, end);
        state.producerState.onHighWatermark(state.highWatermark);
        state.refreshLastStableOffset();
        Fs.fsyncDir(state.dir);
    }

    /** Lowers the offsets readers and the flusher see before any byte goes; the caller holds both locks. */
    private void publishTruncatedEnd(long end) {
        assert state.lock.isHeldByCurrentThread() && Thread.holdsLock(state.flushLock);
        state.truncations++;
        state.cleanerCheckpoint = Math.min(state.cleanerCheckpoint, end);
        state.highWatermark = Math.min(state.highWatermark, end);
        state.logEndOffset = end;
        state.flushedOffset = Math.min(state.flushedOffset, end);
        state.recoveryPoint = Math.min(state.recoveryPoint, end);
    }

    private void resetTo(long offset) throws IOException {
        List<LogSegment> old = new ArrayList<>(state.segments.descendingMap().values());
        synchronized (state.flushLock) {
            for (LogSegment s : old) {
                s.renameForDeletion();
            }
            LogSegment fresh = LogSegment.create(state.dir, offset, state.config, state.clock.millis());
            fresh.setIndexIntervalBytes(state.config.indexIntervalBytes());
            state.segments.put(offset, fresh);
            state.segments.keySet().removeIf(base -> base != offset);
            Fs.fsyncDir(state.dir);
            state.truncations++;
            state.cleanerCheckpoint = offset;
            state.logStartOffset = offset;
            state.highWatermark = offset;
            state.logEndOffset = offset;
            state.flushedOffset = offset;
            state.recoveryPoint = offset;
        }
        state.scheduleDeletion(old);
        state.epochCache.clear();
        state.producerState.clear();
        state.lastStableOffset = offset;
        ProducerSnapshotFile.deleteAll(state.dir);
        Fs.fsyncDir(state.dir);
        LOG.info("Emptied {}: {} segment(s) removed, the log restarts at offset {}", state.topicPartition, old.size(),
            offset);
    }
}

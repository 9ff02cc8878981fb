package io.spool.storage;

import java.io.IOException;

/**
 * Durability of a {@link PartitionLog}: fsyncs its data up to the log end, moves its flushed offset and recovery
 * point, and closes its files.
 *
 * <p>Thread safety: flush and the recovery point are serialized by the state's flush lock, so that a truncation
 * (which holds it too) never sees the flushed offset cover bytes written after it; close holds the lock as well.
 */
final class LogFlusher {

    private final PartitionLogState state;

    LogFlusher(PartitionLogState state) {
        this.state = state;
    }

    /** See {@link PartitionLog#flush}. */
    void flush() {
        synchronized (state.flushLock) {
            long target = state.logEndOffset;
            long from = state.flushedOffset;
            if (target <= from && !state.dirNeedsFsync) {
                return;
            }
            Long floor = state.segments.floorKey(from);
            for (LogSegment s : state.segments.tailMap(floor == null ? Long.MIN_VALUE : floor).values()) {
                s.flushData();
            }
            if (state.dirNeedsFsync) {
                state.dirNeedsFsync = false;
                try {
                    Fs.fsyncDir(state.dir);
                } catch (IOException e) {
                    state.dirNeedsFsync = true;
                    throw new StorageException("cannot fsync " + state.dir, e);
                }
            }
            state.flushedOffset = Math.max(state.flushedOffset, target);
        }
    }

    /** See {@link PartitionLog#advanceRecoveryPoint}. */
    void advanceRecoveryPoint() {
        synchronized (state.flushLock) {
            long target = Math.min(state.flushedOffset, state.segments.lastKey());
            if (target > state.recoveryPoint) {
                state.recoveryPoint = target;
            }
        }
    }

    /** Flushes, snapshots producer state at the LEO and closes every segment (indexes trimmed). */
    void close() {
        state.lock.lock();
        try {
            flush();
            try {
                ProducerSnapshotFile.write(state.dir, state.logEndOffset, state.producerState);
            } catch (IOException e) {
                throw new StorageException("cannot write producer snapshot for " + state.topicPartition, e);
            }
            // Closing trims and fsyncs the active segment's indexes: everything is durable up to the log end.
            state.segments.values().forEach(LogSegment::close);
            state.recoveryPoint = state.flushedOffset;
            state.closed = true;
        } finally {
            state.lock.unlock();
        }
    }

    /** Closes files without flushing or snapshots (the partition is being deleted). */
    void closeHandles() {
        state.lock.lock();
        try {
            state.closed = true;
            state.segments.values().forEach(LogSegment::closeChannel);
        } finally {
            state.lock.unlock();
        }
    }
}

package io.spool.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition replica: an ordered set of {@link LogSegment}s in directory {@code <topic>-<partition>},
 * the last one active, plus producer state and the leader epoch cache.
 *
 * <pre>
 * orders-0/
 *   00000000000000000000.log  .index  .timeindex     oldest segment (logStartOffset inside)
 *   00000000000000051234.log  .index  .timeindex     active segment, base offset = LEO when it was rolled
 *   00000000000000051234.snapshot                    producer state at that offset
 *   leader-epoch-checkpoint   partition.metadata
 * </pre>
 *
 * <p>Thread safety: appends, roll, retention and config changes are serialized by an internal lock; reads, flush
 * and the offset getters run concurrently with them. A read sees every batch whose offsets were published through
 * the volatile log end offset, and only bytes below each segment's published size.
 */
public final class PartitionLog {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final Path dir;
    private final Clock clock;
    private final FileDeleter deleter;
    private final ReentrantLock lock = new ReentrantLock();
    private final Object flushLock = new Object();
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ProducerStateManager producerState;
    private final LeaderEpochCache epochCache;
    private final LogTimestampSearch timestampSearch;
    private volatile LogConfig config;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long highWatermark;
    private volatile long flushedOffset;
    private volatile long recoveryPoint;
    private volatile boolean dirNeedsFsync;

    PartitionLog(TopicPartition topicPartition, Uuid topicId, Path dir, LogConfig config, Clock clock,
                 FileDeleter deleter, ConcurrentSkipListMap<Long, LogSegment> segments,
                 ProducerStateManager producerState, LeaderEpochCache epochCache, long logStartOffset,
                 long logEndOffset, long flushedOffset) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
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
        this.timestampSearch = new LogTimestampSearch(segments);
        segments.values().forEach(s -> s.setIndexIntervalBytes(config.indexIntervalBytes()));
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    Path dir() {
        return dir;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    public long highWatermark() {
        return highWatermark;
    }

    /** All offsets below this are fsynced (the log data; see {@link #recoveryPoint()} for the indexes). */
    public long flushedOffset() {
        return flushedOffset;
    }

    public LogConfig config() {
        return config;
    }

    public void updateConfig(LogConfig newConfig) {
        lock.lock();
        try {
            this.config = newConfig;
            segments.values().forEach(s -> s.setIndexIntervalBytes(newConfig.indexIntervalBytes()));
        } finally {
            lock.unlock();
        }
    }

    /** Sets the high watermark, bounded to [logStartOffset, logEndOffset]. */
    public void updateHighWatermark(long hw) {
        lock.lock();
        try {
            highWatermark = Math.max(logStartOffset, Math.min(hw, logEndOffset));
        } finally {
            lock.unlock();
        }
    }

    public long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.size();
        }
        return total;
    }

    public int numberOfSegments() {
        return segments.size();
    }

    /** Leader epochs with their start offsets, oldest first. */
    public List<Map.Entry<Integer, Long>> leaderEpochs() {
        List<Map.Entry<Integer, Long>> result = new ArrayList<>();
        epochCache.entries().forEach(e -> result.add(Map.entry(e.epoch(), e.startOffset())));
        return result;
    }

    /**
     * Validates and appends the batches of one produce request as leader: all or none. Assigns offsets from the log
     * end offset, stamps {@code leaderEpoch} and, for LogAppendTime topics, the broker time (the batch buffers are
     * modified in place). Returns the error Apache Kafka returns for invalid input (see {@link BatchValidator} and
     * {@link ProducerStateManager#check}); a duplicate idempotent batch answers NONE with its original offsets.
     * KAFKA_STORAGE_ERROR if the disk write fails.
     */
    public AppendResult appendAsLeader(MemoryRecords records, int leaderEpoch) {
        lock.lock();
        try {
            long now = clock.millis();
            LogConfig cfg = config;
            BatchValidator.Result validation = BatchValidator.validate(topicPartition, records, cfg, now);
            if (!validation.isValid()) {
                return AppendResult.failure(validation.error(), validation.message(), logStartOffset,
                    validation.recordErrors());
            }
            List<MutableRecordBatch> batches = validation.batches();
            ProducerStateManager.PendingAppend pending = new ProducerStateManager.PendingAppend();
            for (MutableRecordBatch batch : batches) {
                if (!batch.hasProducerId()) {
                    continue;
                }
                ProducerStateManager.Check check = producerState.check(batch.producerId(), batch.producerEpoch(),
                    batch.baseSequence(), batch.lastSequence(), pending);
                if (check.isDuplicate()) {
                    ProducerStateManager.BatchMetadata dup = check.duplicate();
                    long appendTime = cfg.messageTimestampLogAppendTime() ? dup.timestamp() : RecordBatch.NO_TIMESTAMP;
                    return AppendResult.success(dup.firstOffset(), dup.lastOffset(), appendTime, logStartOffset);
                }
                if (check.error() != Errors.NONE) {
                    return AppendResult.failure(check.error(), check.message(), logStartOffset);
                }
            }
            return append(records, batches, leaderEpoch, cfg, now);
        } catch (StorageException e) {
            LOG.error("Append to {} failed", topicPartition, e);
            return AppendResult.failure(Errors.KAFKA_STORAGE_ERROR, e.getMessage(), logStartOffset);
        } finally {
            lock.unlock();
        }
    }

    private AppendResult append(MemoryRecords records, List<MutableRecordBatch> batches, int leaderEpoch,
                                LogConfig cfg, long now) {
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        long records0 = 0;
        for (MutableRecordBatch batch : batches) {
            maxTimestamp = Math.max(maxTimestamp, cfg.messageTimestampLogAppendTime() ? now : batch.maxTimestamp());
            records0 += batch.lastOffset() - batch.baseOffset() + 1;
        }
        LogSegment segment = maybeRoll(records.sizeInBytes(), records0, maxTimestamp, now);
        long firstOffset = logEndOffset;
        long next = firstOffset;
        for (MutableRecordBatch batch : batches) {
            batch.setLastOffset(next + (batch.lastOffset() - batch.baseOffset()));
            batch.setPartitionLeaderEpoch(leaderEpoch);
            if (cfg.messageTimestampLogAppendTime()) {
                batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
            }
            next = batch.lastOffset() + 1;
        }
        segment.append(records);
        epochCache.assign(leaderEpoch, firstOffset);
        for (MutableRecordBatch batch : batches) {
            producerState.update(batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                batch.lastSequence(), batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp());
        }
        logEndOffset = next;
        long appendTime = cfg.messageTimestampLogAppendTime() ? now : RecordBatch.NO_TIMESTAMP;
        return AppendResult.success(firstOffset, next - 1, appendTime, logStartOffset);
    }

    /** Rolls first when the incoming bytes would not fit the active segment (Kafka's roll conditions). */
    private LogSegment maybeRoll(int incomingBytes, long incomingRecords, long maxTimestamp, long now) {
        LogSegment active = segments.lastEntry().getValue();
        if (active.size() == 0) {
            return active;
        }
        LogConfig cfg = config;
        long lastOffset = logEndOffset + incomingRecords - 1;
        boolean full = active.size() > cfg.segmentBytes() - incomingBytes;
        long reference = maxTimestamp == RecordBatch.NO_TIMESTAMP ? now : maxTimestamp;
        boolean old = reference - active.rollingBaseTimestamp() > cfg.segmentMs();
        boolean indexFull = active.indexesFull();
        boolean offsetOverflow = lastOffset - active.baseOffset() > Integer.MAX_VALUE;
        if (full || old || indexFull || offsetOverflow) {
            return roll(now);
        }
        return active;
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
        return segment;
    }

    /**
     * Reads whole batches starting with the one that contains {@code fetchOffset}, from one segment, never past
     * {@code maxOffsetExclusive}, at most {@code maxBytes} unless {@code minOneBatch} lets the first batch exceed it.
     * OFFSET_OUT_OF_RANGE if {@code fetchOffset} is outside [logStartOffset, logEndOffset].
     */
    public LogReadResult read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        long leo = logEndOffset;
        long start = logStartOffset;
        long hw = highWatermark;
        if (fetchOffset < start || fetchOffset > leo) {
            return new LogReadResult(LogSlice.EMPTY, hw, start, leo, Errors.OFFSET_OUT_OF_RANGE);
        }
        long limitOffset = Math.min(maxOffsetExclusive, leo);
        if (fetchOffset >= limitOffset) {
            return new LogReadResult(LogSlice.EMPTY, hw, start, leo, Errors.NONE);
        }
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(fetchOffset);
        while (entry != null) {
            LogSlice slice = entry.getValue().read(fetchOffset, maxBytes, limitOffset, minOneBatch);
            if (slice != null) {
                return new LogReadResult(slice, hw, start, leo, Errors.NONE);
            }
            entry = segments.higherEntry(entry.getKey());
        }
        return new LogReadResult(LogSlice.EMPTY, hw, start, leo, Errors.NONE);
    }

    /**
     * fsyncs the data of every segment written since the last flush, then advances {@link #flushedOffset()} to the
     * LEO seen. This is the acknowledgement path: the indexes are left to segment roll (see
     * {@link #advanceRecoveryPoint()}).
     */
    public void flush() {
        synchronized (flushLock) {
            long target = logEndOffset;
            long from = flushedOffset;
            if (target <= from && !dirNeedsFsync) {
                return;
            }
            Long floor = segments.floorKey(from);
            for (LogSegment s : segments.tailMap(floor == null ? Long.MIN_VALUE : floor).values()) {
                s.flushData();
            }
            if (dirNeedsFsync) {
                dirNeedsFsync = false;
                try {
                    Fs.fsyncDir(dir);
                } catch (IOException e) {
                    dirNeedsFsync = true;
                    throw new StorageException("cannot fsync " + dir, e);
                }
            }
            flushedOffset = Math.max(flushedOffset, target);
        }
    }

    /**
     * Moves the recovery point up to the flushed offset, but never into the active segment: the indexes of a segment
     * are made durable when it is rolled (trimmed and fsynced), never on the write path, so below the active segment
     * both data and indexes are on disk and crash recovery re-reads only from the active segment on (as Kafka does).
     * Syncing the active segment's index mappings here instead would cost a device flush per partition per
     * checkpoint. Called before the recovery point is checkpointed.
     */
    public void advanceRecoveryPoint() {
        synchronized (flushLock) {
            long target = Math.min(flushedOffset, segments.lastKey());
            if (target > recoveryPoint) {
                recoveryPoint = target;
            }
        }
    }

    /** Offsets below this have their data and indexes on disk: where crash recovery starts (checkpointed). */
    public long recoveryPoint() {
        return recoveryPoint;
    }

    /** First offset whose record timestamp is {@code >= timestamp}, or null (ListOffsets by timestamp). */
    public OffsetAndTimestamp offsetForTimestamp(long timestamp) {
        return timestampSearch.offsetForTimestamp(timestamp, logStartOffset);
    }

    /** Offset and timestamp of the (first) record with the largest timestamp, or null if the log is empty. */
    public OffsetAndTimestamp maxTimestampOffset() {
        return timestampSearch.maxTimestampOffset(logStartOffset);
    }

    /** End offset of {@code epoch} for OffsetForLeaderEpoch: (epoch, endOffset), or (-1, -1) if unknown. */
    public Map.Entry<Integer, Long> endOffsetForEpoch(int epoch) {
        LeaderEpochCache.EpochEntry e = epochCache.endOffsetFor(epoch, logEndOffset);
        return Map.entry(e.epoch(), e.startOffset());
    }

    /** Rolls the active segment if it is older than segment.ms on the clock. */
    void maybeRollByTime() {
        lock.lock();
        try {
            LogSegment active = segments.lastEntry().getValue();
            long now = clock.millis();
            if (active.size() > 0 && now - active.rollingBaseTimestamp() > config.segmentMs()) {
                roll(now);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes whole segments past retention.ms (by largest timestamp) and, oldest first, while the log is larger
     * than retention.bytes. Only segments entirely below the high watermark go; the active one is rolled first if
     * it must go. Compacted topics keep everything. Returns the number of segments deleted.
     */
    int deleteOldSegments() {
        lock.lock();
        try {
            LogConfig cfg = config;
            if (cfg.compact()) {
                return 0;
            }
            long now = clock.millis();
            int deleted = 0;
            if (cfg.retentionMs() >= 0) {
                deleted += deleteSegments(s -> now - s.largestTimestamp() > cfg.retentionMs());
            }
            if (cfg.retentionBytes() >= 0) {
                long[] excess = {sizeInBytes() - cfg.retentionBytes()};
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
            lock.unlock();
        }
    }

    private int deleteSegments(Predicate<LogSegment> predicate) {
        List<LogSegment> deletable = new ArrayList<>();
        for (Map.Entry<Long, LogSegment> e : segments.entrySet()) {
            Map.Entry<Long, LogSegment> next = segments.higherEntry(e.getKey());
            long upperBound = next == null ? logEndOffset : next.getKey();
            boolean lastAndEmpty = next == null && e.getValue().size() == 0;
            if (highWatermark >= upperBound && !lastAndEmpty && predicate.test(e.getValue())) {
                deletable.add(e.getValue());
            } else {
                break;
            }
        }
        if (deletable.isEmpty()) {
            return 0;
        }
        if (deletable.get(deletable.size() - 1) == segments.lastEntry().getValue()) {
            roll(clock.millis());
        }
        for (LogSegment s : deletable) {
            segments.remove(s.baseOffset());
        }
        long newStart = Math.max(logStartOffset, segments.firstKey());
        logStartOffset = newStart;
        highWatermark = Math.max(highWatermark, newStart);
        epochCache.truncateFromStart(newStart);
        long delay = config.fileDeleteDelayMs();
        for (LogSegment s : deletable) {
            s.renameForDeletion();
            deleter.schedule(delay, s.logFile().toString(), s::deleteFiles);
        }
        deleteSnapshotsBelow(newStart);
        LOG.info("Deleted {} segment(s) of {}, log start offset now {}", deletable.size(), topicPartition, newStart);
        return deletable.size();
    }

    private void deleteSnapshotsBelow(long offset) {
        try {
            List<Long> snapshots = ProducerSnapshotFile.list(dir);
            for (int i = 0; i < snapshots.size() - 1; i++) {
                if (snapshots.get(i) < offset) {
                    java.nio.file.Files.deleteIfExists(ProducerSnapshotFile.path(dir, snapshots.get(i)));
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot delete old producer snapshots of {}", topicPartition, e);
        }
    }

    /** Forgets idempotent producers idle for longer than {@code expirationMs}. */
    void removeExpiredProducers(long expirationMs) {
        lock.lock();
        try {
            producerState.removeExpired(clock.millis(), expirationMs);
        } finally {
            lock.unlock();
        }
    }

    /** Flushes, snapshots producer state at the LEO and closes every segment (indexes trimmed). */
    void close() {
        lock.lock();
        try {
            flush();
            try {
                ProducerSnapshotFile.write(dir, logEndOffset, producerState);
            } catch (IOException e) {
                throw new StorageException("cannot write producer snapshot for " + topicPartition, e);
            }
            // Closing trims and fsyncs the active segment's indexes: everything is durable up to the log end.
            segments.values().forEach(LogSegment::close);
            recoveryPoint = flushedOffset;
        } finally {
            lock.unlock();
        }
    }

    /** Closes files without flushing or snapshots (the partition is being deleted). */
    void closeHandles() {
        lock.lock();
        try {
            segments.values().forEach(LogSegment::closeChannel);
        } finally {
            lock.unlock();
        }
    }

    ProducerStateManager producerStateForTest() {
        return producerState;
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", start=" + logStartOffset + ", end=" + logEndOffset + ")";
    }
}

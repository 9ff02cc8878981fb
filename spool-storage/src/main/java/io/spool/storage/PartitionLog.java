package io.spool.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
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
 *   00000000000000051234.txnindex                    aborted transactions whose markers are in the segment
 *   00000000000000051234.snapshot                    producer state at that offset
 *   leader-epoch-checkpoint   partition.metadata
 * </pre>
 *
 * <p>Thread safety: appends, roll, truncation, retention and config changes are serialized by an internal lock;
 * reads, flush and the offset getters run concurrently with them. A read sees every batch whose offsets were
 * published through the volatile log end offset, and only bytes below each segment's published size. Truncation
 * also excludes {@link #flush()}, so that the flushed offset never covers bytes written after it.
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
    private volatile long lastStableOffset;
    private volatile long flushedOffset;
    private volatile long recoveryPoint;
    private volatile boolean dirNeedsFsync;
    private volatile long truncations;
    /** Offsets below this are compacted (see {@link LogCleaner}); lowered by truncation. */
    private volatile long cleanerCheckpoint;
    private volatile boolean closed;
    private volatile Runnable checkpointer = () -> { };
    private volatile LogDirFailureHandler failureHandler = (logDir, cause) -> { };

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
        // Transactions completed in the log stay unstable until the owner sets the high watermark (LogManager, from
        // its checkpoint): a marker above it may not be replicated yet.
        refreshLastStableOffset();
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

    /** The log directory (one of {@code log.dirs}) that holds this partition's directory. */
    public Path logDir() {
        return dir.getParent();
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

    /**
     * Sets the high watermark, bounded to [logStartOffset, logEndOffset]. The last stable offset moves with it:
     * the broker must call this on the leader and on followers for a completed transaction to become stable.
     */
    public void updateHighWatermark(long hw) {
        lock.lock();
        try {
            highWatermark = Math.max(logStartOffset, Math.min(hw, logEndOffset));
            producerState.onHighWatermark(highWatermark);
            refreshLastStableOffset();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The last stable offset: the high watermark, or lower, the first offset of an ongoing transaction or of a
     * completed one whose marker is not yet below the high watermark. A read_committed fetch reads below it only.
     */
    public long lastStableOffset() {
        return lastStableOffset;
    }

    /** Whether {@code producerId} has a transaction open in this partition (data written, no marker yet). */
    public boolean hasOngoingTransaction(long producerId) {
        lock.lock();
        try {
            return producerState.hasOngoingTransaction(producerId);
        } finally {
            lock.unlock();
        }
    }

    /** Every producer with state in this partition (DescribeProducers), in no particular order. */
    public List<ProducerInfo> activeProducers() {
        lock.lock();
        try {
            return producerState.activeProducers();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Every aborted transaction whose marker is at or above {@code startOffset} and whose first offset is below
     * {@code upperBoundOffsetExclusive}, in first-offset order: what a read_committed fetch from {@code startOffset}
     * up to that bound must report. Read from the segments' aborted-transaction indexes.
     */
    public List<AbortedTxn> abortedTransactions(long startOffset, long upperBoundOffsetExclusive) {
        Long from = segments.floorKey(startOffset);
        return TxnMarkers.collect(segments.tailMap(from == null ? segments.firstKey() : from).values(), startOffset,
            upperBoundOffsetExclusive);
    }

    private void refreshLastStableOffset() {
        lastStableOffset = Math.max(logStartOffset, Math.min(highWatermark, producerState.firstUnstableOffset()));
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
     * {@link ProducerStateManager#check}); a duplicate idempotent batch answers NONE with its original offsets, or
     * DUPLICATE_SEQUENCE_NUMBER when it is older than the retained ones (see {@link AppendResult#olderDuplicate}).
     * KAFKA_STORAGE_ERROR if the disk write fails.
     */
    public AppendResult appendAsLeader(MemoryRecords records, int leaderEpoch) {
        return locked("Append", () -> {
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
                    batch.baseSequence(), batch.lastSequence(), batch.isTransactional(), pending);
                if (check.isDuplicate()) {
                    ProducerStateManager.BatchMetadata dup = check.duplicate();
                    long appendTime = cfg.messageTimestampLogAppendTime() ? dup.timestamp() : RecordBatch.NO_TIMESTAMP;
                    return AppendResult.success(dup.firstOffset(), dup.lastOffset(), appendTime, logStartOffset);
                }
                if (check.error() == Errors.DUPLICATE_SEQUENCE_NUMBER) {
                    return AppendResult.olderDuplicate(check.message(), logEndOffset, logStartOffset);
                }
                if (check.error() != Errors.NONE) {
                    return AppendResult.failure(check.error(), check.message(), logStartOffset);
                }
            }
            if (BatchRecompressor.needed(batches, cfg.compression())) {
                BatchRecompressor.Result rewritten = BatchRecompressor.recompress(topicPartition, batches,
                    cfg.compression(), cfg.maxMessageBytes());
                if (!rewritten.isValid()) {
                    return AppendResult.failure(rewritten.error(), rewritten.message(), logStartOffset);
                }
                return append(rewritten.records(), rewritten.batches(), leaderEpoch, cfg, now);
            }
            return append(records, batches, leaderEpoch, cfg, now);
        });
    }

    /**
     * Appends a coordinator's own records (group or transaction state) as leader. They are trusted: no record
     * validation and no sequence checks: a TxnOffsetCommit batch carries its producer's id and epoch, but its
     * sequence is the coordinator's placeholder, not the producer's. Only a producer epoch older than the one this
     * log knows is refused, with INVALID_PRODUCER_EPOCH: a fenced producer's offsets must not join a transaction. A
     * transactional batch opens its producer's transaction here like any other. KAFKA_STORAGE_ERROR if the disk write
     * fails.
     */
    public AppendResult appendFromCoordinator(MemoryRecords records, int leaderEpoch) {
        return locked("Append", () -> {
            List<MutableRecordBatch> batches = new ArrayList<>();
            for (MutableRecordBatch batch : records.batches()) {
                ProducerStateManager.ProducerEntry entry = batch.hasProducerId()
                    ? producerState.entry(batch.producerId()) : null;
                if (entry != null && batch.producerEpoch() < entry.epoch) {
                    return AppendResult.failure(Errors.INVALID_PRODUCER_EPOCH, "Epoch " + batch.producerEpoch()
                        + " of producer " + batch.producerId() + " is older than " + entry.epoch, logStartOffset);
                }
                batches.add(batch);
            }
            return append(records, batches, leaderEpoch, config, clock.millis());
        });
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
                batch.lastSequence(), batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(),
                batch.isTransactional());
        }
        logEndOffset = next;
        refreshLastStableOffset();
        long appendTime = cfg.messageTimestampLogAppendTime() ? now : RecordBatch.NO_TIMESTAMP;
        return AppendResult.success(firstOffset, next - 1, appendTime, logStartOffset);
    }

    /**
     * Appends batches fetched from the leader as they are: offsets, partition leader epochs, timestamps and bytes
     * unchanged. All or none; see {@link FollowerBatchValidator} for the checks and their errors (OFFSET_OUT_OF_RANGE
     * when the first batch does not start at the log end offset or the batches are not contiguous). Rolls segments as
     * the leader path does, records each batch's epoch in the leader epoch cache and each idempotent batch in the
     * producer state, without duplicate or sequence checks (the leader decided), and advances the log end offset but
     * never the high watermark. Durability is the leader's: {@link #flush()} (or the group commit) covers it. An empty
     * {@code records} is a successful no-op whose offsets are -1. KAFKA_STORAGE_ERROR if the disk write fails.
     */
    public AppendResult appendAsFollower(MemoryRecords records) {
        return locked("Follower append", () -> {
            if (records.sizeInBytes() == 0) {
                return AppendResult.success(-1L, -1L, RecordBatch.NO_TIMESTAMP, logStartOffset);
            }
            BatchValidator.Result validation = FollowerBatchValidator.validate(topicPartition, records,
                logEndOffset);
            if (!validation.isValid()) {
                return AppendResult.failure(validation.error(), validation.message(), logStartOffset);
            }
            List<MutableRecordBatch> batches = validation.batches();
            long firstOffset = batches.get(0).baseOffset();
            long next = batches.get(batches.size() - 1).lastOffset() + 1;
            long maxTimestamp = RecordBatch.NO_TIMESTAMP;
            for (MutableRecordBatch batch : batches) {
                maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
            }
            LogSegment segment = maybeRoll(records.sizeInBytes(), next - firstOffset, maxTimestamp, clock.millis());
            segment.append(records);
            for (MutableRecordBatch batch : batches) {
                epochCache.assign(batch.partitionLeaderEpoch(), batch.baseOffset());
                if (batch.isControlBatch()) {
                    TxnMarkers.apply(producerState, segment, batch);
                } else {
                    producerState.update(batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                        batch.lastSequence(), batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(),
                        batch.isTransactional());
                }
            }
            logEndOffset = next;
            refreshLastStableOffset();
            return AppendResult.success(firstOffset, next - 1, RecordBatch.NO_TIMESTAMP, logStartOffset);
        });
    }

    /**
     * Writes a transaction marker for {@code producerId} at the log end: one transactional control batch with a
     * COMMIT or ABORT record (WriteTxnMarkers on the leader), rolled and epoch-stamped like any append. It ends the
     * producer's ongoing transaction; an abort of one with data is recorded in the aborted-transaction index of the
     * segment that holds the marker. A marker for a producer without an ongoing transaction is written all the same
     * (as Kafka does) and changes no transaction. Errors, each checked in this order:
     *
     * <ul>
     *   <li>INVALID_PRODUCER_EPOCH: {@code producerEpoch} below the producer's stored epoch (equal or higher is
     *       accepted, unlike for data batches' bumps)</li>
     *   <li>TRANSACTION_COORDINATOR_FENCED: {@code coordinatorEpoch} below that of the producer's last marker</li>
     *   <li>KAFKA_STORAGE_ERROR: the disk write failed</li>
     * </ul>
     */
    public AppendResult appendTxnMarker(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit,
                                        int leaderEpoch) {
        return locked("Transaction marker append", () -> {
            ProducerStateManager.Check check = producerState.checkMarker(producerId, producerEpoch, coordinatorEpoch);
            if (check.error() != Errors.NONE) {
                return AppendResult.failure(check.error(), check.message(), logStartOffset);
            }
            long now = clock.millis();
            long offset = logEndOffset;
            MemoryRecords marker = TxnMarkers.build(offset, now, leaderEpoch, producerId, producerEpoch,
                coordinatorEpoch, commit);
            LogSegment segment = maybeRoll(marker.sizeInBytes(), 1, now, now);
            segment.append(marker);
            epochCache.assign(leaderEpoch, offset);
            TxnMarkers.apply(producerState, segment, marker.batches().iterator().next());
            logEndOffset = offset + 1;
            refreshLastStableOffset();
            return AppendResult.success(offset, offset, RecordBatch.NO_TIMESTAMP, logStartOffset);
        });
    }

    /**
     * Runs a write under the log's lock; a disk failure in it is reported to the log dir's failure handler and
     * answered KAFKA_STORAGE_ERROR.
     */
    private AppendResult locked(String what, Supplier<AppendResult> write) {
        lock.lock();
        try {
            return write.get();
        } catch (StorageException e) {
            LOG.error("{} to {} failed", what, topicPartition, e);
            reportFailure(e);
            return AppendResult.failure(Errors.KAFKA_STORAGE_ERROR, e.getMessage(), logStartOffset);
        } finally {
            lock.unlock();
        }
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

    /**
     * Removes every record at and above {@code offset}: a follower whose log diverged from its leader's. An offset
     * inside a batch removes that whole batch, so the log then ends at the batch's base offset, below {@code offset}.
     * If {@code offset >= logEndOffset} only an epoch starting at the log end (recorded by
     * {@link #maybeAssignEpochStartOffset}, never written in) is dropped; below the log start offset the log restarts
     * empty at {@code offset} ({@link #truncateFullyAndStartAt}).
     *
     * <p>Crash safety, in this order: the segments wholly above are renamed {@code .deleted}, highest first, and the
     * directory is fsynced (a crash in between leaves a shorter but gap-free log); the segment holding the new end is
     * cut and fsynced and becomes the active one; the leader epoch cache drops the epochs starting at or above the
     * new end (persisted); producer state is rebuilt from the newest snapshot at or below it, the snapshots above are
     * deleted. A crash at any point leaves a prefix of the old log, and loading drops epochs and snapshots beyond its
     * end. The high watermark, flushed offset and recovery point are capped at the new end, and the recovery-point
     * checkpoint is rewritten before the next append, so crash recovery re-reads everything written after this.
     * Reads above the new end racing with this may fail; followers serve no reads above the high watermark.
     *
     * @throws StorageException if a file cannot be renamed, cut or fsynced
     */
    public void truncateTo(long offset) {
        lock.lock();
        try {
            if (offset >= logEndOffset) {
                // An epoch this replica recorded when it took over but never wrote in would otherwise stay the
                // latest and send the divergence check round in circles (Kafka truncates it here too).
                epochCache.truncateFromEnd(logEndOffset);
                return;
            }
            if (offset < logStartOffset) {
                resetTo(offset);
            } else {
                truncateSegments(offset);
            }
            checkpointer.run();
        } catch (IOException e) {
            throw new StorageException("cannot truncate " + topicPartition + " to " + offset, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes every segment, the producer state and the leader epochs, and restarts the log empty at {@code offset}:
     * log start, log end and high watermark all become {@code offset}. For a follower whose fetch offset is below
     * the leader's log start offset (or above its log end after an unclean election). The old segments are renamed
     * {@code .deleted} before the new active segment is created, and the checkpoints are rewritten before returning.
     *
     * @throws StorageException if a file cannot be renamed, created or fsynced
     */
    public void truncateFullyAndStartAt(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset + " for " + topicPartition);
        }
        lock.lock();
        try {
            resetTo(offset);
            checkpointer.run();
        } catch (IOException e) {
            throw new StorageException("cannot restart " + topicPartition + " at " + offset, e);
        } finally {
            lock.unlock();
        }
    }

    private void truncateSegments(long offset) throws IOException {
        LogSegment holder = segments.floorEntry(offset).getValue();
        BatchHeader containing = holder.findBatch(offset, holder.size());
        long end = containing != null && containing.baseOffset() < offset ? containing.baseOffset() : offset;
        List<LogSegment> above = new ArrayList<>(segments.tailMap(end, false).descendingMap().values());
        synchronized (flushLock) {
            publishTruncatedEnd(end);
            for (LogSegment s : above) {
                segments.remove(s.baseOffset());
                s.renameForDeletion();
            }
            if (!above.isEmpty()) {
                Fs.fsyncDir(dir);
            }
            int removed = holder.truncateTo(end);
            holder.makeWritable();
            LOG.info("Truncated {} to offset {}: {} segment(s) and {} bytes of segment {} removed", topicPartition,
                end, above.size(), removed, holder.baseOffset());
        }
        scheduleDeletion(above);
        logStartOffset = Math.min(logStartOffset, end);
        epochCache.truncateFromEnd(end);
        producerState.clear();
        LogLoader.rebuildProducerState(dir, segments, producerState, logStartOffset, end);
        producerState.onHighWatermark(highWatermark);
        refreshLastStableOffset();
        Fs.fsyncDir(dir);
    }

    /** Lowers the offsets readers and the flusher see before any byte goes; the caller holds both locks. */
    private void publishTruncatedEnd(long end) {
        assert lock.isHeldByCurrentThread() && Thread.holdsLock(flushLock);
        truncations++;
        cleanerCheckpoint = Math.min(cleanerCheckpoint, end);
        highWatermark = Math.min(highWatermark, end);
        logEndOffset = end;
        flushedOffset = Math.min(flushedOffset, end);
        recoveryPoint = Math.min(recoveryPoint, end);
    }

    private void resetTo(long offset) throws IOException {
        List<LogSegment> old = new ArrayList<>(segments.descendingMap().values());
        synchronized (flushLock) {
            for (LogSegment s : old) {
                s.renameForDeletion();
            }
            LogSegment fresh = LogSegment.create(dir, offset, config, clock.millis());
            fresh.setIndexIntervalBytes(config.indexIntervalBytes());
            segments.put(offset, fresh);
            segments.keySet().removeIf(base -> base != offset);
            Fs.fsyncDir(dir);
            truncations++;
            cleanerCheckpoint = offset;
            logStartOffset = offset;
            highWatermark = offset;
            logEndOffset = offset;
            flushedOffset = offset;
            recoveryPoint = offset;
        }
        scheduleDeletion(old);
        epochCache.clear();
        producerState.clear();
        lastStableOffset = offset;
        ProducerSnapshotFile.deleteAll(dir);
        Fs.fsyncDir(dir);
        LOG.info("Emptied {}: {} segment(s) removed, the log restarts at offset {}", topicPartition, old.size(),
            offset);
    }

    private void scheduleDeletion(List<LogSegment> renamed) {
        long delay = config.fileDeleteDelayMs();
        for (LogSegment s : renamed) {
            deleter.schedule(delay, s.logFile().toString(), s::deleteFiles);
        }
    }

    /** Bumped by every truncation: offsets awaited before it may since hold other records. */
    long truncationCount() {
        return truncations;
    }

    /**
     * Called under the append lock right after a truncation, before any further append: rewrites this log dir's
     * recovery-point and log-start checkpoints, because a recovery point left above the new end would make a torn
     * tail written after the truncation look like corruption below the recovery point.
     */
    void setCheckpointer(Runnable checkpointer) {
        this.checkpointer = checkpointer;
    }

    /** Where this log reports an I/O error of its directory's files (see {@link LogDirFailureHandler}). */
    void setFailureHandler(LogDirFailureHandler handler) {
        this.failureHandler = handler;
    }

    /** Reports an I/O error of this log's files as a failure of its log directory. */
    void reportFailure(StorageException cause) {
        failureHandler.onLogDirFailure(dir.getParent(), cause);
    }

    /** First offset whose record timestamp is {@code >= timestamp}, or null (ListOffsets by timestamp). */
    public OffsetAndTimestamp offsetForTimestamp(long timestamp) {
        return timestampSearch.offsetForTimestamp(timestamp, logStartOffset);
    }

    /** Offset and timestamp of the (first) record with the largest timestamp, or null if the log is empty. */
    public OffsetAndTimestamp maxTimestampOffset() {
        return timestampSearch.maxTimestampOffset(logStartOffset);
    }

    /**
     * OffsetForLeaderEpoch: (epoch, end offset). The largest known epoch {@code <=} {@code epoch} and the start offset
     * of the next higher one, or the log end offset for the latest epoch (also for any epoch above it);
     * ({@code epoch}, start of the earliest epoch) when {@code epoch} is older than every epoch still in the log, as
     * Kafka answers; (-1, -1) for -1 or a log without epochs. See {@link LeaderEpochCache#endOffsetFor}.
     */
    public Map.Entry<Integer, Long> endOffsetForEpoch(int epoch) {
        LeaderEpochCache.EpochEntry e = epochCache.endOffsetFor(epoch, logEndOffset);
        return Map.entry(e.epoch(), e.startOffset());
    }

    /** The epoch of the newest leader that wrote to this log (or took it over), -1 if none. */
    public int latestEpoch() {
        return epochCache.latestEpoch();
    }

    /** The first offset written in {@code epoch}, or -1 if the log holds no start of that epoch. */
    public long epochStartOffset(int epoch) {
        return epochCache.startOffsetOf(epoch);
    }

    /**
     * Records that {@code leaderEpoch} starts at the log end offset if it is newer than the latest epoch, as Kafka's
     * new leader does before it takes writes. Optional here ({@link #endOffsetForEpoch} answers the same for an epoch
     * above the latest either way) but it makes {@link #latestEpoch()} the leader's own. Not kept across a restart
     * unless a batch of the epoch was written (loading drops epochs that start at the log end).
     */
    public void maybeAssignEpochStartOffset(int leaderEpoch) {
        lock.lock();
        try {
            epochCache.assign(leaderEpoch, logEndOffset);
        } finally {
            lock.unlock();
        }
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
     * it must go. A compact-only topic has both limits at -1 (see the broker's topic config). Returns the number of
     * segments deleted.
     */
    int deleteOldSegments() {
        lock.lock();
        try {
            LogConfig cfg = config;
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
        producerState.onHighWatermark(highWatermark);
        refreshLastStableOffset();
        epochCache.truncateFromStart(newStart);
        for (LogSegment s : deletable) {
            s.renameForDeletion();
        }
        scheduleDeletion(deletable);
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
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Closes files without flushing or snapshots (the partition is being deleted). */
    void closeHandles() {
        lock.lock();
        try {
            closed = true;
            segments.values().forEach(LogSegment::closeChannel);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The segments the log cleaner may read, taken under the lock: every segment but the active one, below the high
     * watermark, with what the cleaner needs to know about them. See {@link LogCleaner}.
     */
    CleanableSegments cleanableSegments() {
        lock.lock();
        try {
            List<LogSegment> inactive = new ArrayList<>(segments.headMap(segments.lastKey()).values());
            Map<Long, Long> lastBatches = new HashMap<>();
            for (ProducerStateManager.ProducerEntry e : producerState.entries()) {
                if (!e.batches.isEmpty()) {
                    lastBatches.put(e.producerId, e.batches.peekLast().lastOffset());
                }
            }
            Map<Long, List<TransactionIndex.Entry>> aborted = new HashMap<>();
            // All segments: an aborted transaction's data may be cleanable while its marker is in the active one.
            for (LogSegment s : segments.values()) {
                s.txnIndex().entries().forEach(e -> aborted.computeIfAbsent(e.producerId(), id -> new ArrayList<>())
                    .add(e));
            }
            return new CleanableSegments(inactive, segments.lastKey(), lastStableOffset, logStartOffset, truncations,
                lastBatches, aborted);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts {@code cleaned} (staged as {@link LogSegment#CLEANED_SUFFIX}, complete and fsynced) in place of
     * {@code old}, consecutive segments that it covers, unless the log changed under the cleaning: a truncation since
     * {@code truncationsSeen} or one of them deleted. The order on disk makes a crash at any point recoverable (see
     * {@link LogLoader}): cleaned becomes {@code .swap}, the old segments {@code .deleted}, then swap the plain name.
     * Readers in flight keep the old segments' open files until file.delete.delay.ms passes.
     *
     * @return false, with the cleaned files deleted, when the log changed
     */
    boolean replaceSegments(List<LogSegment> old, LogSegment cleaned, long truncationsSeen) {
        lock.lock();
        try {
            if (!unchangedSince(truncationsSeen, old)) {
                cleaned.deleteFiles();
                return false;
            }
            cleaned.renameStage(LogSegment.SWAP_SUFFIX);
            Fs.fsyncDir(dir);
            old.forEach(LogSegment::renameForDeletion);
            // Durable before the plain name appears: an old segment beside the cleaned one would serve offsets twice.
            Fs.fsyncDir(dir);
            cleaned.renameStage("");
            Fs.fsyncDir(dir);
            cleaned.setIndexIntervalBytes(config.indexIntervalBytes());
            segments.put(cleaned.baseOffset(), cleaned);
            for (LogSegment s : old.subList(1, old.size())) {
                segments.remove(s.baseOffset());
            }
            scheduleDeletion(old);
            return true;
        } catch (IOException e) {
            throw new StorageException("cannot swap cleaned segment into " + topicPartition, e);
        } finally {
            lock.unlock();
        }
    }

    /** The first offset not yet compacted; the cleaner maps keys from here. */
    long cleanerCheckpoint() {
        return cleanerCheckpoint;
    }

    /**
     * Sets the cleaner checkpoint read at start-up. One outside [log start, log end] is stale (a torn tail gone, or
     * a recreated partition) and restarts compaction from the log start: trusting it would leave keys unmapped.
     */
    void initCleanerCheckpoint(long offset) {
        cleanerCheckpoint = offset < logStartOffset || offset > logEndOffset ? logStartOffset : offset;
    }

    /**
     * True if the log is open, not truncated since {@code truncationsSeen} and still holds every one of
     * {@code expected}: what a cleaning started from them may rely on.
     */
    boolean unchangedSince(long truncationsSeen, List<LogSegment> expected) {
        return !closed && truncations == truncationsSeen
            && expected.stream().allMatch(s -> segments.get(s.baseOffset()) == s);
    }

    /** Records a completed cleaning up to {@code offset}, unless a truncation since {@code truncationsSeen}. */
    void markCleaned(long offset, long truncationsSeen) {
        lock.lock();
        try {
            if (truncations == truncationsSeen) {
                cleanerCheckpoint = offset;
            }
        } finally {
            lock.unlock();
        }
    }

    /** True once closed or removed: a background task that fails on its files then has nothing to report. */
    boolean isClosed() {
        return closed;
    }

    /** The log manager dropped this log; its directory is about to move. */
    void markRemoved() {
        // Under the lock, so that a cleaning's swap either completes before the directory moves or sees this.
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Raises the log start offset to {@code newStart} (DeleteRecords on the leader; on a follower, the leader's log
     * start offset, bounded by what this replica has), then deletes the segments wholly below it. OFFSET_OUT_OF_RANGE
     * if {@code newStart} is above the high watermark, as Kafka answers; NONE otherwise, also when the log already
     * starts at or above it. Reads below the new start get OFFSET_OUT_OF_RANGE from then on.
     *
     * <p>Crash safety: the new start is checkpointed (the log dir's log-start-offset-checkpoint, fsynced) before any
     * segment is renamed for deletion, so a restart never starts the log below it: the loader takes the larger of
     * the checkpoint and the first segment, and segments left below it are deleted by the next
     * {@link #deleteSegmentsBelowLogStart()}. KAFKA_STORAGE_ERROR (and a failed log dir) if that I/O fails.
     */
    public Errors maybeIncrementLogStartOffset(long newStart) {
        lock.lock();
        try {
            if (newStart > highWatermark) {
                return Errors.OFFSET_OUT_OF_RANGE;
            }
            if (newStart <= logStartOffset) {
                return Errors.NONE;
            }
            logStartOffset = newStart;
            refreshLastStableOffset();
            epochCache.truncateFromStart(newStart);
            checkpointer.run();
            LOG.info("Log start offset of {} raised to {}", topicPartition, newStart);
            deleteSegmentsBelowLogStart();
            return Errors.NONE;
        } catch (StorageException e) {
            LOG.error("Raising the log start offset of {} failed", topicPartition, e);
            reportFailure(e);
            return Errors.KAFKA_STORAGE_ERROR;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes the segments whose records all lie below the log start offset (never the active one), after
     * file.delete.delay.ms like retention. Returns how many went.
     */
    int deleteSegmentsBelowLogStart() {
        lock.lock();
        try {
            long start = logStartOffset;
            return deleteSegments(s -> {
                Long next = segments.higherKey(s.baseOffset());
                return next != null && next <= start;
            });
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

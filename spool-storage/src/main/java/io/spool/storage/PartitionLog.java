package io.spool.storage;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

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

    private final Uuid topicId;
    private final LogTimestampSearch timestampSearch;
    private final PartitionLogState state;
    private final LogAppender appender;
    private final LogTruncation truncation;
    private final LogRetention retention;
    private final LogCleanerHooks cleanerHooks;
    private final LogReader reader;
    private final LogFlusher flusher;

    PartitionLog(TopicPartition topicPartition, Uuid topicId, Path dir, LogConfig config, Clock clock,
                 FileDeleter deleter, ConcurrentSkipListMap<Long, LogSegment> segments,
                 ProducerStateManager producerState, LeaderEpochCache epochCache, long logStartOffset,
                 long logEndOffset, long flushedOffset) {
        this.topicId = topicId;
        this.state = new PartitionLogState(topicPartition, dir, config, clock, deleter, segments, producerState,
            epochCache, logStartOffset, logEndOffset, flushedOffset);
        this.appender = new LogAppender(state);
        this.truncation = new LogTruncation(state);
        this.retention = new LogRetention(state);
        this.cleanerHooks = new LogCleanerHooks(state);
        this.reader = new LogReader(state);
        this.flusher = new LogFlusher(state);
        this.timestampSearch = new LogTimestampSearch(segments);
        // Transactions completed in the log stay unstable until the owner sets the high watermark (LogManager, from
        // its checkpoint): a marker above it may not be replicated yet.
        state.refreshLastStableOffset();
        segments.values().forEach(s -> s.setIndexIntervalBytes(config.indexIntervalBytes()));
    }

    public TopicPartition topicPartition() {
        return state.topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    Path dir() {
        return state.dir;
    }

    /** The log directory (one of {@code log.dirs}) that holds this partition's directory. */
    public Path logDir() {
        return state.dir.getParent();
    }

    public long logStartOffset() {
        return state.logStartOffset;
    }

    public long logEndOffset() {
        return state.logEndOffset;
    }

    public long highWatermark() {
        return state.highWatermark;
    }

    /** All offsets below this are fsynced (the log data; see {@link #recoveryPoint()} for the indexes). */
    public long flushedOffset() {
        return state.flushedOffset;
    }

    public LogConfig config() {
        return state.config;
    }

    public void updateConfig(LogConfig newConfig) {
        state.lock.lock();
        try {
            state.config = newConfig;
            state.segments.values().forEach(s -> s.setIndexIntervalBytes(newConfig.indexIntervalBytes()));
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Sets the high watermark, bounded to [logStartOffset, logEndOffset]. The last stable offset moves with it:
     * the broker must call this on the leader and on followers for a completed transaction to become stable.
     */
    public void updateHighWatermark(long hw) {
        state.lock.lock();
        try {
            state.highWatermark = Math.max(state.logStartOffset, Math.min(hw, state.logEndOffset));
            state.producerState.onHighWatermark(state.highWatermark);
            state.refreshLastStableOffset();
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * The last stable offset: the high watermark, or lower, the first offset of an ongoing transaction or of a
     * completed one whose marker is not yet below the high watermark. A read_committed fetch reads below it only.
     */
    public long lastStableOffset() {
        return state.lastStableOffset;
    }

    /** Whether {@code producerId} has a transaction open in this partition (data written, no marker yet). */
    public boolean hasOngoingTransaction(long producerId) {
        state.lock.lock();
        try {
            return state.producerState.hasOngoingTransaction(producerId);
        } finally {
            state.lock.unlock();
        }
    }

    /** Every producer with state in this partition (DescribeProducers), in no particular order. */
    public List<ProducerInfo> activeProducers() {
        state.lock.lock();
        try {
            return state.producerState.activeProducers();
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Every aborted transaction whose marker is at or above {@code startOffset} and whose first offset is below
     * {@code upperBoundOffsetExclusive}, in first-offset order: what a read_committed fetch from {@code startOffset}
     * up to that bound must report. Read from the segments' aborted-transaction indexes.
     */
    public List<AbortedTxn> abortedTransactions(long startOffset, long upperBoundOffsetExclusive) {
        return reader.abortedTransactions(startOffset, upperBoundOffsetExclusive);
    }

    public long sizeInBytes() {
        return state.sizeInBytes();
    }

    public int numberOfSegments() {
        return state.segments.size();
    }

    /** Leader epochs with their start offsets, oldest first. */
    public List<Map.Entry<Integer, Long>> leaderEpochs() {
        List<Map.Entry<Integer, Long>> result = new ArrayList<>();
        state.epochCache.entries().forEach(e -> result.add(Map.entry(e.epoch(), e.startOffset())));
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
        return appender.appendAsLeader(records, leaderEpoch);
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
        return appender.appendFromCoordinator(records, leaderEpoch);
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
        return appender.appendAsFollower(records);
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
        return appender.appendTxnMarker(producerId, producerEpoch, coordinatorEpoch, commit, leaderEpoch);
    }

    /**
     * Reads whole batches starting with the one that contains {@code fetchOffset}, from one segment, never past
     * {@code maxOffsetExclusive}, at most {@code maxBytes} unless {@code minOneBatch} lets the first batch exceed it.
     * OFFSET_OUT_OF_RANGE if {@code fetchOffset} is outside [logStartOffset, logEndOffset].
     */
    public LogReadResult read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        return reader.read(fetchOffset, maxBytes, maxOffsetExclusive, minOneBatch);
    }

    /**
     * fsyncs the data of every segment written since the last flush, then advances {@link #flushedOffset()} to the
     * LEO seen. This is the acknowledgement path: the indexes are left to segment roll (see
     * {@link #advanceRecoveryPoint()}).
     */
    public void flush() {
        flusher.flush();
    }

    /**
     * Moves the recovery point up to the flushed offset, but never into the active segment: the indexes of a segment
     * are made durable when it is rolled (trimmed and fsynced), never on the write path, so below the active segment
     * both data and indexes are on disk and crash recovery re-reads only from the active segment on (as Kafka does).
     * Syncing the active segment's index mappings here instead would cost a device flush per partition per
     * checkpoint. Called before the recovery point is checkpointed.
     */
    public void advanceRecoveryPoint() {
        flusher.advanceRecoveryPoint();
    }

    /** Offsets below this have their data and indexes on disk: where crash recovery starts (checkpointed). */
    public long recoveryPoint() {
        return state.recoveryPoint;
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
        truncation.truncateTo(offset);
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
        truncation.truncateFullyAndStartAt(offset);
    }

    /** Bumped by every truncation: offsets awaited before it may since hold other records. */
    long truncationCount() {
        return state.truncations;
    }

    /**
     * Called under the append lock right after a truncation, before any further append: rewrites this log dir's
     * recovery-point and log-start checkpoints, because a recovery point left above the new end would make a torn
     * tail written after the truncation look like corruption below the recovery point.
     */
    void setCheckpointer(Runnable checkpointer) {
        state.checkpointer = checkpointer;
    }

    /** What flushes this log in the background after a roll in page-cache mode (see PartitionLogState#roll). */
    void setRollFlusher(LongConsumer flushUpTo) {
        state.rolledUnflushed = flushUpTo;
    }

    /** Where this log reports an I/O error of its directory's files (see {@link LogDirFailureHandler}). */
    void setFailureHandler(LogDirFailureHandler handler) {
        state.failureHandler = handler;
    }

    /** Reports an I/O error of this log's files as a failure of its log directory. */
    void reportFailure(StorageException cause) {
        state.reportFailure(cause);
    }

    /** First offset whose record timestamp is {@code >= timestamp}, or null (ListOffsets by timestamp). */
    public OffsetAndTimestamp offsetForTimestamp(long timestamp) {
        return timestampSearch.offsetForTimestamp(timestamp, state.logStartOffset);
    }

    /** Offset and timestamp of the (first) record with the largest timestamp, or null if the log is empty. */
    public OffsetAndTimestamp maxTimestampOffset() {
        return timestampSearch.maxTimestampOffset(state.logStartOffset);
    }

    /**
     * OffsetForLeaderEpoch: (epoch, end offset). The largest known epoch {@code <=} {@code epoch} and the start offset
     * of the next higher one, or the log end offset for the latest epoch (also for any epoch above it);
     * ({@code epoch}, start of the earliest epoch) when {@code epoch} is older than every epoch still in the log, as
     * Kafka answers; (-1, -1) for -1 or a log without epochs. See {@link LeaderEpochCache#endOffsetFor}.
     */
    public Map.Entry<Integer, Long> endOffsetForEpoch(int epoch) {
        LeaderEpochCache.EpochEntry e = state.epochCache.endOffsetFor(epoch, state.logEndOffset);
        return Map.entry(e.epoch(), e.startOffset());
    }

    /** The epoch of the newest leader that wrote to this log (or took it over), -1 if none. */
    public int latestEpoch() {
        return state.epochCache.latestEpoch();
    }

    /** The first offset written in {@code epoch}, or -1 if the log holds no start of that epoch. */
    public long epochStartOffset(int epoch) {
        return state.epochCache.startOffsetOf(epoch);
    }

    /**
     * Records that {@code leaderEpoch} starts at the log end offset if it is newer than the latest epoch, as Kafka's
     * new leader does before it takes writes. Optional here ({@link #endOffsetForEpoch} answers the same for an epoch
     * above the latest either way) but it makes {@link #latestEpoch()} the leader's own. Not kept across a restart
     * unless a batch of the epoch was written (loading drops epochs that start at the log end).
     */
    public void maybeAssignEpochStartOffset(int leaderEpoch) {
        state.lock.lock();
        try {
            state.epochCache.assign(leaderEpoch, state.logEndOffset);
        } finally {
            state.lock.unlock();
        }
    }

    /** See {@link LogRetention#maybeRollByTime}. */
    void maybeRollByTime() {
        retention.maybeRollByTime();
    }

    /** See {@link LogRetention#deleteOldSegments}. */
    int deleteOldSegments() {
        return retention.deleteOldSegments();
    }

    /** Forgets idempotent producers idle for longer than {@code expirationMs}. */
    void removeExpiredProducers(long expirationMs) {
        state.lock.lock();
        try {
            state.producerState.removeExpired(state.clock.millis(), expirationMs);
        } finally {
            state.lock.unlock();
        }
    }

    /** See {@link LogFlusher#close}. */
    void close() {
        flusher.close();
    }

    /** See {@link LogFlusher#closeHandles}. */
    void closeHandles() {
        flusher.closeHandles();
    }

    /** See {@link LogCleanerHooks#cleanableSegments}. */
    CleanableSegments cleanableSegments() {
        return cleanerHooks.cleanableSegments();
    }

    /** See {@link LogCleanerHooks#replaceSegments}. */
    boolean replaceSegments(List<LogSegment> old, LogSegment cleaned, long truncationsSeen) {
        return cleanerHooks.replaceSegments(old, cleaned, truncationsSeen);
    }

    /** See {@link LogCleanerHooks#cleanerCheckpoint}. */
    long cleanerCheckpoint() {
        return cleanerHooks.cleanerCheckpoint();
    }

    /** See {@link LogCleanerHooks#initCleanerCheckpoint}. */
    void initCleanerCheckpoint(long offset) {
        cleanerHooks.initCleanerCheckpoint(offset);
    }

    /** See {@link LogCleanerHooks#unchangedSince}. */
    boolean unchangedSince(long truncationsSeen, List<LogSegment> expected) {
        return cleanerHooks.unchangedSince(truncationsSeen, expected);
    }

    /** See {@link LogCleanerHooks#markCleaned}. */
    void markCleaned(long offset, long truncationsSeen) {
        cleanerHooks.markCleaned(offset, truncationsSeen);
    }

    /** True once closed or removed: a background task that fails on its files then has nothing to report. */
    boolean isClosed() {
        return state.closed;
    }

    /** The log manager dropped this log; its directory is about to move. */
    void markRemoved() {
        // Under the lock, so that a cleaning's swap either completes before the directory moves or sees this.
        state.lock.lock();
        try {
            state.closed = true;
        } finally {
            state.lock.unlock();
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
        return retention.maybeIncrementLogStartOffset(newStart);
    }

    /** See {@link LogRetention#deleteSegmentsBelowLogStart}. */
    int deleteSegmentsBelowLogStart() {
        return retention.deleteSegmentsBelowLogStart();
    }

    ProducerStateManager producerStateForTest() {
        return state.producerState;
    }

    @Override
    public String toString() {
        return "PartitionLog(" + state.topicPartition + ", start=" + state.logStartOffset + ", end="
            + state.logEndOffset + ")";
    }
}

package io.spool.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * One segment of a partition log: the {@code %020d.log} file of record batches starting at {@link #baseOffset},
 * with its {@link OffsetIndex} and {@link TimeIndex}, named after the same base offset.
 *
 * <pre>
 * %020d.log: batches back to back, byte for byte as validated ({@link BatchHeader} draws one)
 *  +-----------+-----------+-----+-----------+
 *  | batch 0   | batch 1   | ... | batch n   |   size = sum of batch sizes, never a partial batch once committed
 *  +-----------+-----------+-----+-----------+
 * </pre>
 *
 * <p>Indexes of an inactive segment are mapped on first use, so opening a log does no I/O beyond listing files.
 * After a crash only segments past the recovery point are {@linkplain SegmentRecovery recovered}.
 *
 * <p>Thread safety: appends, truncation, roll and close come from the owning {@link PartitionLog}'s append lock;
 * reads may run concurrently and only see bytes below the volatile {@link #size()}.
 */
final class LogSegment {

    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String DELETED_SUFFIX = ".deleted";
    /** A cleaning's output being written; never part of the log (deleted when found at start-up). */
    static final String CLEANED_SUFFIX = ".cleaned";
    /** A complete cleaning's output about to replace the segments it covers (completed when found at start-up). */
    static final String SWAP_SUFFIX = ".swap";
    private static final long UNKNOWN = Long.MIN_VALUE;

    private final long baseOffset;
    private final FileChannel channel;
    private final int maxIndexSize;
    private final TransactionIndex txnIndex;
    private final long createdMs;
    private volatile Path logFile;
    private volatile Path offsetIndexFile;
    private volatile Path timeIndexFile;
    private volatile int size;
    /**
     * The header of the last batch appended, or null: a consumer at the end of the log fetches that batch, and
     * finding it through the offset index would read the headers of every batch since the last index entry.
     */
    private volatile BatchHeader lastAppended;
    private volatile boolean writable;
    private OffsetIndex offsetIndex;
    private TimeIndex timeIndex;
    private int bytesSinceLastIndexEntry;
    private volatile long maxTimestampSoFar = UNKNOWN;
    private volatile long offsetOfMaxTimestampSoFar = -1;
    private volatile long rollingBaseTimestamp = UNKNOWN;
    private volatile int indexIntervalBytes;

    private LogSegment(Path dir, long baseOffset, int maxIndexSize, boolean writable, long createdMs,
                       boolean create, String stage) throws IOException {
        this.baseOffset = baseOffset;
        this.maxIndexSize = maxIndexSize;
        this.writable = writable;
        this.createdMs = createdMs;
        this.indexIntervalBytes = 4096;
        this.logFile = dir.resolve(fileName(baseOffset, LOG_SUFFIX) + stage);
        this.offsetIndexFile = dir.resolve(fileName(baseOffset, INDEX_SUFFIX) + stage);
        this.timeIndexFile = dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX) + stage);
        this.txnIndex = new TransactionIndex(dir.resolve(fileName(baseOffset, TransactionIndex.SUFFIX) + stage),
            create);
        if (create) {
            Files.deleteIfExists(offsetIndexFile);
            Files.deleteIfExists(timeIndexFile);
            this.channel = FileChannel.open(logFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        } else {
            this.channel = FileChannel.open(logFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        long fileSize = channel.size();
        if (fileSize > Integer.MAX_VALUE) {
            throw new CorruptLogException("segment " + logFile + " is larger than 2 GiB");
        }
        this.size = (int) fileSize;
    }

    /** Creates a new, empty active segment. */
    static LogSegment create(Path dir, long baseOffset, LogConfig config, long nowMs) {
        return createStaged(dir, baseOffset, config, nowMs, "");
    }

    /** Creates a new, empty, writable segment whose file names end with {@code stage} (see {@link #renameStage}). */
    static LogSegment createStaged(Path dir, long baseOffset, LogConfig config, long nowMs, String stage) {
        try {
            LogSegment segment = new LogSegment(dir, baseOffset, config.segmentIndexBytes(), true, nowMs, true,
                stage);
            segment.maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
            segment.rollingBaseTimestamp = RecordBatch.NO_TIMESTAMP;
            return segment;
        } catch (IOException e) {
            throw new StorageException("cannot create segment " + baseOffset + " in " + dir, e);
        }
    }

    /** Opens an existing segment; indexes are mapped lazily. */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, boolean writable, long nowMs) {
        try {
            return new LogSegment(dir, baseOffset, config.segmentIndexBytes(), writable, nowMs, false, "");
        } catch (IOException e) {
            throw new StorageException("cannot open segment " + baseOffset + " in " + dir, e);
        }
    }

    static String fileName(long baseOffset, String suffix) {
        return String.format("%020d%s", baseOffset, suffix);
    }

    long baseOffset() {
        return baseOffset;
    }

    /** The aborted transactions whose markers lie in this segment. */
    TransactionIndex txnIndex() {
        return txnIndex;
    }

    int size() {
        return size;
    }

    FileChannel channel() {
        return channel;
    }

    Path logFile() {
        return logFile;
    }

    synchronized OffsetIndex offsetIndex() {
        if (offsetIndex == null) {
            loadIndexes();
        }
        return offsetIndex;
    }

    synchronized TimeIndex timeIndex() {
        if (timeIndex == null) {
            loadIndexes();
        }
        return timeIndex;
    }

    private void loadIndexes() {
        offsetIndex = new OffsetIndex(offsetIndexFile, baseOffset, maxIndexSize, writable);
        timeIndex = new TimeIndex(timeIndexFile, baseOffset, maxIndexSize, writable);
        try {
            offsetIndex.sanityCheck(size);
            timeIndex.sanityCheck(size);
        } catch (MappedIndex.CorruptIndexException e) {
            org.slf4j.LoggerFactory.getLogger(LogSegment.class).warn("Rebuilding indexes: {}", e.getMessage());
            rebuildIndexes();
        }
    }

    /** Rebuilds both indexes from the batch headers of the whole segment (no CRC check). */
    synchronized void rebuildIndexes() {
        if (offsetIndex == null) {
            offsetIndex = new OffsetIndex(offsetIndexFile, baseOffset, maxIndexSize, true);
            timeIndex = new TimeIndex(timeIndexFile, baseOffset, maxIndexSize, true);
        }
        offsetIndex.resize(maxIndexSize);
        timeIndex.resize(maxIndexSize);
        resetIndexes();
        long pos = 0;
        try {
            BatchHeader header;
            while ((header = BatchHeader.read(channel, pos, size)) != null) {
                onBatchIndexed(header.baseOffset(), header.lastOffset(), header.maxTimestamp(), (int) pos,
                    header.sizeInBytes());
                pos += header.sizeInBytes();
            }
        } catch (IOException e) {
            throw new CorruptLogException("cannot rebuild indexes of " + logFile + ": " + e.getMessage(), e);
        }
        if (!writable) {
            finishIndexes();
        }
    }

    /** Forgets all index entries and the timestamp summary; used before recovery re-indexes the segment. */
    synchronized void resetIndexes() {
        if (offsetIndex == null) {
            offsetIndex = new OffsetIndex(offsetIndexFile, baseOffset, maxIndexSize, true);
            timeIndex = new TimeIndex(timeIndexFile, baseOffset, maxIndexSize, true);
        }
        offsetIndex.resize(maxIndexSize);
        timeIndex.resize(maxIndexSize);
        offsetIndex.reset();
        timeIndex.reset();
        bytesSinceLastIndexEntry = 0;
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = -1;
        rollingBaseTimestamp = RecordBatch.NO_TIMESTAMP;
    }

    /** Index bookkeeping for one batch at {@code position}; shared by append, rebuild and recovery. */
    synchronized void onBatchIndexed(long batchBaseOffset, long batchLastOffset, long batchMaxTimestamp,
                                     int position, int batchSize) {
        if (position == 0) {
            rollingBaseTimestamp = batchMaxTimestamp;
        }
        if (batchMaxTimestamp > maxTimestampSoFar) {
            maxTimestampSoFar = batchMaxTimestamp;
            offsetOfMaxTimestampSoFar = batchLastOffset;
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            offsetIndex().append(batchBaseOffset, position);
            timeIndex().maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batchSize;
    }

    void setIndexIntervalBytes(int bytes) {
        this.indexIntervalBytes = bytes;
    }

    /** True if the next index entry might not fit (roll before appending). */
    boolean indexesFull() {
        return offsetIndex().isFull() || timeIndex().isAlmostFull();
    }

    /**
     * Appends validated batches whose offsets are assigned. The caller holds the append lock and has checked that
     * they fit this segment.
     */
    void append(MemoryRecords records) {
        assert writable : "append to inactive segment " + logFile;
        int position = size;
        ByteBuffer buf = records.buffer().duplicate();
        try {
            long writeAt = position;
            while (buf.hasRemaining()) {
                writeAt += channel.write(buf, writeAt);
            }
        } catch (IOException e) {
            throw new StorageException("cannot append to " + logFile, e);
        }
        ensureTimestampSummary();
        int start = position;
        int lastPosition = -1;
        for (MutableRecordBatch batch : records.batches()) {
            onBatchIndexed(batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(), position,
                batch.sizeInBytes());
            lastPosition = position;
            position += batch.sizeInBytes();
        }
        if (lastPosition >= 0) {
            ByteBuffer lastHeader = records.buffer().duplicate();
            lastHeader.position(lastHeader.position() + lastPosition - start);
            lastAppended = BatchHeader.parse(lastPosition, lastHeader);
        }
        size = position;
    }

    /** Loads max timestamp and index position bookkeeping of a segment opened from disk. */
    private synchronized void ensureTimestampSummary() {
        if (maxTimestampSoFar != UNKNOWN) {
            return;
        }
        TimeIndex.Entry last = timeIndex().lastEntry();
        long maxTs = last.timestamp();
        long offsetOfMax = last.timestamp() == RecordBatch.NO_TIMESTAMP ? -1 : last.offset();
        long pos = offsetIndex().lastEntry().position();
        int sinceEntry = 0;
        try {
            BatchHeader first = BatchHeader.read(channel, 0, size);
            rollingBaseTimestamp = first == null ? RecordBatch.NO_TIMESTAMP : first.maxTimestamp();
            BatchHeader header;
            while ((header = BatchHeader.read(channel, pos, size)) != null) {
                if (header.maxTimestamp() > maxTs) {
                    maxTs = header.maxTimestamp();
                    offsetOfMax = header.lastOffset();
                }
                sinceEntry += header.sizeInBytes();
                pos += header.sizeInBytes();
            }
        } catch (IOException e) {
            throw new CorruptLogException("cannot read tail of " + logFile + ": " + e.getMessage(), e);
        }
        bytesSinceLastIndexEntry = sinceEntry;
        offsetOfMaxTimestampSoFar = offsetOfMax;
        maxTimestampSoFar = maxTs;
    }

    /** Offset after the last batch, read from the tail of the file (last index entry onwards). */
    long readNextOffset() {
        long pos = offsetIndex().lastEntry().position();
        long next = baseOffset;
        try {
            BatchHeader header;
            while ((header = BatchHeader.read(channel, pos, size)) != null) {
                next = header.nextOffset();
                pos += header.sizeInBytes();
            }
        } catch (IOException e) {
            throw new CorruptLogException("cannot read tail of " + logFile + ": " + e.getMessage(), e);
        }
        return next;
    }

    /** Largest batch timestamp in the segment, or the file's modification time if it has none (Kafka rule). */
    long largestTimestamp() {
        ensureTimestampSummary();
        long ts = maxTimestampSoFar;
        if (ts >= 0) {
            return ts;
        }
        try {
            return Files.getLastModifiedTime(logFile).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    long maxTimestampSoFar() {
        ensureTimestampSummary();
        return maxTimestampSoFar;
    }

    long offsetOfMaxTimestampSoFar() {
        ensureTimestampSummary();
        return offsetOfMaxTimestampSoFar;
    }

    /** Timestamp that segment.ms counts from: the first batch's max timestamp, else the creation time. */
    long rollingBaseTimestamp() {
        ensureTimestampSummary();
        long ts = rollingBaseTimestamp;
        return ts == RecordBatch.NO_TIMESTAMP ? createdMs : ts;
    }

    /**
     * Header of the first batch whose last offset is {@code >= offset}, scanning from the offset index, or null
     * when every batch below {@code limit} ends before it.
     */
    BatchHeader findBatch(long offset, long limit) {
        BatchHeader last = lastAppended;
        if (last != null && last.baseOffset() <= offset && offset <= last.lastOffset()
            && last.position() + last.sizeInBytes() <= limit) {
            return last;
        }
        return findBatchFrom(offsetIndex().lookup(offset).position(), offset, limit);
    }

    /** As {@link #findBatch}, scanning from {@code pos}, a batch boundary at or before the batch sought. */
    private BatchHeader findBatchFrom(long pos, long offset, long limit) {
        try {
            BatchHeader header;
            while ((header = BatchHeader.read(channel, pos, limit)) != null) {
                if (header.lastOffset() >= offset) {
                    return header;
                }
                pos += header.sizeInBytes();
            }
            return null;
        } catch (IOException e) {
            throw new CorruptLogException("segment " + logFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whole batches starting with the one that contains {@code fetchOffset}: null if the segment has no such batch,
     * {@link LogSlice#EMPTY} if limits allow nothing.
     */
    LogSlice read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        int limit = size;
        BatchHeader first = findBatch(fetchOffset, limit);
        if (first == null) {
            return null;
        }
        long start = first.position();
        if (first.lastOffset() >= maxOffsetExclusive) {
            return LogSlice.EMPTY;
        }
        // Both ends are found through the offset index and a few headers, never by reading every header in between
        // (a 1 MB fetch of 16 KB batches would cost some 64 reads). The batches below maxOffsetExclusive end where
        // the first batch at or above it starts, which comes after the first batch: its scan starts at the later of
        // the first batch's end and the index entry for maxOffsetExclusive, so a read at the log's tail reads nothing.
        BatchHeader stop = maxOffsetExclusive == Long.MAX_VALUE ? null : findBatchFrom(Math.max(
                first.position() + first.sizeInBytes(), offsetIndex().lookup(maxOffsetExclusive).position()),
                maxOffsetExclusive, limit);
        long available = stop == null ? limit : stop.position();
        long end;
        if (available - start <= maxBytes) {
            end = available;
        } else {
            end = lastBoundaryWithin(start, Math.min(available, start + maxBytes), limit);
            if (end == start && minOneBatch) {
                end = start + first.sizeInBytes();
            }
        }
        return end == start ? LogSlice.EMPTY : new LogSlice(channel, start, (int) (end - start));
    }

    /** The last batch boundary at or below {@code bound}, at least {@code start} (itself a boundary). */
    private long lastBoundaryWithin(long start, long bound, int limit) {
        long pos = Math.max(start, offsetIndex().floorPosition(bound));
        try {
            BatchHeader header;
            while ((header = BatchHeader.read(channel, pos, limit)) != null && pos + header.sizeInBytes() <= bound) {
                pos += header.sizeInBytes();
            }
        } catch (IOException e) {
            throw new CorruptLogException("segment " + logFile + ": " + e.getMessage(), e);
        }
        return pos;
    }

    /** Reads one whole batch into the heap (timestamp searches and recovery only, never the fetch path). */
    RecordBatch loadBatch(BatchHeader header) {
        ByteBuffer buf = ByteBuffer.allocate(header.sizeInBytes());
        try {
            while (buf.hasRemaining()) {
                if (channel.read(buf, header.position() + buf.position()) < 0) {
                    throw new CorruptLogException("segment " + logFile + " ends inside batch at "
                        + header.position());
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot read " + logFile, e);
        }
        buf.flip();
        return MemoryRecords.readableRecords(buf).batches().iterator().next();
    }

    /**
     * Removes every batch whose last offset is {@code >= offset}, so a batch that contains {@code offset} goes whole,
     * and fsyncs the file so that the shorter length survives a crash (a follower's truncation: the bytes cut here
     * may be replaced by other batches at the same offsets). Returns the bytes removed.
     */
    synchronized int truncateTo(long offset) {
        BatchHeader header = findBatch(offset, size);
        if (header == null) {
            return 0;
        }
        int removed = truncateToPosition(header.position(), header.baseOffset());
        try {
            channel.force(true);
        } catch (IOException e) {
            throw new StorageException("cannot fsync " + logFile, e);
        }
        return removed;
    }

    /** Cuts the file at a batch boundary {@code position} and drops index entries at or beyond {@code offset}. */
    synchronized int truncateToPosition(long position, long offset) {
        int removed = (int) (size - position);
        lastAppended = null;
        try {
            channel.truncate(position);
        } catch (IOException e) {
            throw new StorageException("cannot truncate " + logFile, e);
        }
        size = (int) position;
        offsetIndex().truncateTo(offset);
        timeIndex().truncateTo(offset);
        txnIndex.truncateTo(offset);
        maxTimestampSoFar = UNKNOWN;
        ensureTimestampSummary();
        return removed;
    }

    /** Called when a newer segment takes over: final time index entry, indexes trimmed, no more appends. */
    synchronized void onBecomeInactive() {
        if (!writable) {
            return;
        }
        finishIndexes();
        writable = false;
    }

    /** Writes the final time index entry and trims both indexes (segment complete, e.g. after recovery). */
    synchronized void finishIndexes() {
        ensureTimestampSummary();
        if (maxTimestampSoFar != RecordBatch.NO_TIMESTAMP && offsetOfMaxTimestampSoFar >= 0) {
            timeIndex().maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
        }
        offsetIndex().trimToValidSize();
        timeIndex().trimToValidSize();
        txnIndex.flush();
    }

    /** Makes the active segment writable again (clean restart): indexes grow back to their maximum size. */
    synchronized void makeWritable() {
        writable = true;
        if (offsetIndex != null) {
            offsetIndex.resize(maxIndexSize);
            timeIndex.resize(maxIndexSize);
        }
    }

    /** fsyncs the log file and the index mappings. */
    void flush() {
        flushData();
        flushIndexes();
    }

    /**
     * fsyncs the log file's data only (fdatasync): what acknowledging a write needs. The indexes are derived data;
     * crash recovery rebuilds those of every segment from the recovery point on, so they are made durable only when
     * the segment stops being active ({@link #finishIndexes}).
     */
    void flushData() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new StorageException("cannot fsync " + logFile, e);
        }
    }

    /** Writes the index mappings back to disk. */
    synchronized void flushIndexes() {
        if (offsetIndex != null) {
            offsetIndex.flush();
            timeIndex.flush();
        }
        txnIndex.flush();
    }

    /** Trims the indexes of the active segment and closes the file. */
    synchronized void close() {
        if (writable && offsetIndex != null) {
            finishIndexes();
        }
        closeChannel();
    }

    synchronized void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new StorageException("cannot close " + logFile, e);
        }
    }

    /** Renames every file of the segment with the {@code .deleted} suffix; the channel stays open for readers. */
    synchronized void renameForDeletion() {
        renameStage(DELETED_SUFFIX);
    }

    /**
     * Renames every file of the segment to its plain name followed by {@code stage} ("" for the plain name): how a
     * cleaned segment moves from {@link #CLEANED_SUFFIX} through {@link #SWAP_SUFFIX} into the log. The channel
     * stays open.
     */
    synchronized void renameStage(String stage) {
        Path dir = logFile.getParent();
        try {
            // The log file last: start-up takes a segment by its log file name, and rebuilds missing indexes.
            Path newIndex = dir.resolve(fileName(baseOffset, INDEX_SUFFIX) + stage);
            Path newTimeIndex = dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX) + stage);
            if (offsetIndex != null) {
                offsetIndex.renameTo(newIndex);
                timeIndex.renameTo(newTimeIndex);
                offsetIndexFile = newIndex;
                timeIndexFile = newTimeIndex;
            } else {
                offsetIndexFile = moveIfExists(offsetIndexFile, newIndex);
                timeIndexFile = moveIfExists(timeIndexFile, newTimeIndex);
            }
            txnIndex.renameTo(dir.resolve(fileName(baseOffset, TransactionIndex.SUFFIX) + stage));
            Path newLog = dir.resolve(fileName(baseOffset, LOG_SUFFIX) + stage);
            if (stage.equals(DELETED_SUFFIX)) {
                logFile = moveIfExists(logFile, newLog);
            } else {
                // A cleaning's output must exist: a missing file means the directory moved under it.
                Files.move(logFile, newLog, StandardCopyOption.REPLACE_EXISTING);
                logFile = newLog;
            }
        } catch (IOException e) {
            throw new StorageException("cannot rename segment " + logFile + " to stage '" + stage + "'", e);
        }
    }

    /**
     * Replaces an existing target: after a follower's truncation a segment with the same base offset can be deleted
     * twice within file.delete.delay.ms. The older file's readers keep their open channel (POSIX unlink semantics).
     */
    private static Path moveIfExists(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            // an index never written has nothing to rename
        }
        return to;
    }

    /** Closes the channel and removes the files for good. */
    synchronized void deleteFiles() {
        closeChannel();
        try {
            Files.deleteIfExists(logFile);
            Files.deleteIfExists(offsetIndexFile);
            Files.deleteIfExists(timeIndexFile);
            txnIndex.delete();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete segment files of " + logFile, e);
        }
    }

    /** Calls {@code visitor} with each batch header from the batch containing {@code offset} to the end. */
    void forEachBatchFrom(long offset, SegmentRecovery.BatchVisitor visitor) {
        int limit = size;
        BatchHeader header = findBatch(offset, limit);
        try {
            while (header != null) {
                visitor.onBatch(header);
                header = BatchHeader.read(channel, header.position() + header.sizeInBytes(), limit);
            }
        } catch (IOException e) {
            throw new CorruptLogException("segment " + logFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "LogSegment(" + logFile + ", size=" + size + ")";
    }
}

package io.spool.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cleaning of one compacted log: keeps the latest record of each key, with the same offsets.
 *
 * <ol>
 *   <li>Maps each key of the dirty range [first dirty offset, first uncleanable offset) to its latest offset, in an
 *       {@link OffsetMap} of bounded size. When the map fills, the cleaning stops at that batch: the rest of the
 *       dirty range waits for the next cleaning (several passes clean a large dirty range in bounded memory).</li>
 *   <li>Rewrites every segment from the log start up to the end of what was mapped, in groups that fit one
 *       segment, dropping records superseded by a later offset of their key, records without a key, and tombstones
 *       whose delete horizon has passed. A tombstone kept for the first time gets its horizon (now plus
 *       {@code delete.retention.ms}) in its batch header, as Kafka's cleaner does (KIP-534).</li>
 *   <li>Swaps each group's output into the log ({@link PartitionLog#replaceSegments}).</li>
 * </ol>
 *
 * The first uncleanable offset is the base of the first segment that is active, not wholly below the last stable
 * offset (so below the high watermark and every undecided transaction), or has a record younger than
 * {@code min.compaction.lag.ms}.
 *
 * <p>Transactions: records of aborted transactions (known from the aborted-transaction indexes) are neither mapped
 * nor kept, so an aborted write never hides an older committed value. A transaction marker stays while any data of
 * its transaction does, and goes {@code delete.retention.ms} after the first cleaning that finds none left, as in
 * Kafka; each cleaned segment carries the aborted-index entries of the segments it replaces, but those of aborts with
 * no data left (see {@link Filter}). Appends and reads go on meanwhile: the
 * cleaner reads inactive segments only and takes the log's lock just for the swap. Not thread-safe: one per
 * cleaner thread.
 */
final class SegmentCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentCleaner.class);

    /** The outcome of one cleaning; {@code nextDirtyOffset} is where the next one starts mapping. */
    record Result(long nextDirtyOffset, long earliestHorizonMs, boolean aborted) {
    }

    /** A segment being cleaned could not be read: removed under the cleaning, or corrupt. */
    static final class SourceUnreadableException extends RuntimeException {
        SourceUnreadableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Thrown when the cleaner is closed in the middle of a cleaning, whose output is then deleted. */
    static final class CancelledException extends RuntimeException {
        CancelledException() {
            super("log cleaner closed", null, false, false);
        }
    }

    private final Clock clock;
    private final int mapMemoryBytes;
    private final double mapLoadFactor;
    private final int ioBufferBytes;
    private final BooleanSupplier cancelled;
    private final BufferSupplier decompression = BufferSupplier.create();

    SegmentCleaner(Clock clock, int mapMemoryBytes, double mapLoadFactor, int ioBufferBytes,
                   BooleanSupplier cancelled) {
        this.clock = clock;
        this.mapMemoryBytes = mapMemoryBytes;
        this.mapLoadFactor = mapLoadFactor;
        this.ioBufferBytes = ioBufferBytes;
        this.cancelled = cancelled;
    }

    /** The first offset a cleaning may not touch now, on segment boundaries (see the class comment). */
    static long firstUncleanableOffset(CleanableSegments view, CompactionConfig compaction, long now) {
        long limit = Math.min(view.activeBaseOffset(), view.lastStableOffset());
        List<LogSegment> inactive = view.inactive();
        for (int i = 0; i < inactive.size(); i++) {
            LogSegment s = inactive.get(i);
            boolean tooYoung = compaction.minCompactionLagMs() > 0
                && now - s.largestTimestamp() < compaction.minCompactionLagMs();
            if (view.endOffsetOf(i) > limit || tooYoung) {
                return s.baseOffset();
            }
        }
        return limit;
    }

    /**
     * Cleans {@code log} whose records below {@code firstDirty} are already clean. A source segment that cannot be
     * read because the log changed under the cleaning (retention, truncation, deletion) aborts it quietly.
     *
     * @throws SourceUnreadableException if a source segment cannot be read while the log is unchanged (corrupt)
     * @throws StorageException          if the output cannot be written or swapped in (a failing log dir)
     */
    Result clean(PartitionLog log, long firstDirty) {
        CleanableSegments view = log.cleanableSegments();
        try {
            return clean(log, firstDirty, view);
        } catch (SourceUnreadableException e) {
            if (!log.unchangedSince(view.truncations(), view.inactive())) {
                LOG.info("Cleaning of {} aborted: the log changed under it", log.topicPartition());
                return new Result(firstDirty, Long.MAX_VALUE, true);
            }
            throw e;
        }
    }

    private Result clean(PartitionLog log, long firstDirty, CleanableSegments view) {
        LogConfig config = log.config();
        long now = clock.millis();
        long uncleanable = firstUncleanableOffset(view, config.compaction(), now);
        long dirtyStart = Math.min(Math.max(firstDirty, view.logStartOffset()), uncleanable);
        // With no dirty range left the map stays empty: the cleaning then only drops expired tombstones.
        OffsetMap map = new OffsetMap(mapBytesFor(uncleanable - dirtyStart), mapLoadFactor);
        long end = dirtyStart < uncleanable ? buildOffsetMap(view, map, dirtyStart, uncleanable)
            : dirtyStart;
        if (end == dirtyStart && dirtyStart < uncleanable) {
            LOG.warn("Cannot clean {}: the offset map ({} entries) cannot hold the keys of the batch at offset {};"
                + " raise log.cleaner.dedupe.buffer.size", log.topicPartition(), map.maxEntries(), dirtyStart);
            return new Result(firstDirty, Long.MAX_VALUE, true);
        }
        Filter filter = new Filter(now, config.compaction().deleteRetentionMs(), map, view);
        long read = 0;
        long written = 0;
        for (List<LogSegment> group : groups(view.inactive(), end, config)) {
            LogSegment cleaned = LogSegment.createStaged(log.dir(), group.get(0).baseOffset(), config, now,
                LogSegment.CLEANED_SUFFIX);
            cleaned.setIndexIntervalBytes(config.indexIntervalBytes());
            try {
                long newestSource = 0;
                for (LogSegment source : group) {
                    read += source.size();
                    copyRetained(source, cleaned, filter);
                    source.txnIndex().entries().stream().filter(filter::keeps).forEach(cleaned.txnIndex()::append);
                    newestSource = Math.max(newestSource, source.largestTimestamp());
                }
                cleaned.onBecomeInactive();
                cleaned.flush();
                // An emptied segment's age is its file's: keep the sources' age, or min.compaction.lag.ms would
                // count from this cleaning and hold back the next ones.
                Files.setLastModifiedTime(cleaned.logFile(), FileTime.fromMillis(newestSource));
            } catch (IOException e) {
                cleaned.deleteFiles();
                throw new StorageException("cannot write cleaned segment " + cleaned, e);
            } catch (RuntimeException e) {
                cleaned.deleteFiles();
                throw e;
            }
            written += cleaned.size();
            if (!log.replaceSegments(group, cleaned, view.truncations())) {
                LOG.info("Cleaning of {} aborted: the log changed under it", log.topicPartition());
                return new Result(firstDirty, filter.earliestHorizon, true);
            }
        }
        LOG.info("Cleaned {} up to offset {}: {} bytes read, {} written, {} keys mapped", log.topicPartition(), end,
            read, written, map.size());
        return new Result(end, filter.earliestHorizon, false);
    }

    /** A map no larger than configured, nor than the dirty range's offsets could need. */
    private int mapBytesFor(long dirtyOffsets) {
        long needed = (long) Math.ceil(dirtyOffsets / mapLoadFactor) + 2;
        return (int) Math.min(mapMemoryBytes, needed * OffsetMap.SLOT_BYTES);
    }

    /** Maps the keys of [start, limit) batch by batch until the map is full; returns the offset mapped up to. */
    private long buildOffsetMap(CleanableSegments view, OffsetMap map, long start, long limit) {
        long end = start;
        for (LogSegment segment : view.inactive()) {
            if (segment.baseOffset() >= limit) {
                break;
            }
            for (ByteBuffer chunk : chunks(segment, start)) {
                for (MutableRecordBatch batch : MemoryRecords.readableRecords(chunk).batches()) {
                    if (batch.lastOffset() < start) {
                        continue;
                    }
                    if (batch.baseOffset() >= limit) {
                        return limit;
                    }
                    // Only the offsets from start on go into the map; a batch straddling it counts for those.
                    Integer count = batch.countOrNull();
                    long records = Math.min(count != null ? count : Long.MAX_VALUE,
                        batch.lastOffset() - Math.max(batch.baseOffset(), start) + 1);
                    if (map.isFull((int) Math.min(records, Integer.MAX_VALUE))) {
                        return end;
                    }
                    // An aborted write must never hide an older committed value of its key.
                    if (!batch.isControlBatch() && !view.isAborted(batch)) {
                        mapKeys(batch, map, start);
                    }
                    end = batch.nextOffset();
                }
            }
        }
        return limit;
    }

    private void mapKeys(RecordBatch batch, OffsetMap map, long start) {
        try (CloseableIterator<Record> records = batch.streamingIterator(decompression)) {
            while (records.hasNext()) {
                Record record = records.next();
                if (record.hasKey() && record.offset() >= start) {
                    map.put(record.key(), record.offset());
                }
            }
        }
    }

    /**
     * Consecutive segments from the log start that each cleaning writes into one segment: the first always goes, the
     * next joins while the sizes add up to at most segment.bytes and the offsets fit one segment's index.
     */
    static List<List<LogSegment>> groups(List<LogSegment> inactive, long end, LogConfig config) {
        List<List<LogSegment>> groups = new ArrayList<>();
        List<LogSegment> current = new ArrayList<>();
        long bytes = 0;
        int indexEntries = 0;
        int maxIndexEntries = config.segmentIndexBytes() / 12 - 1;
        for (int i = 0; i < inactive.size(); i++) {
            LogSegment s = inactive.get(i);
            if (s.baseOffset() >= end) {
                break;
            }
            // Index entries come every index.interval.bytes in the output, whatever the sources were written with.
            int entries = Math.max(s.offsetIndex().entries() + s.timeIndex().entries(),
                2 * (s.size() / Math.max(1, config.indexIntervalBytes()))) + 2;
            long upperOffset = i + 1 < inactive.size() ? inactive.get(i + 1).baseOffset() - 1 : end - 1;
            boolean fits = !current.isEmpty() && bytes + s.size() <= config.segmentBytes()
                && indexEntries + entries <= maxIndexEntries
                && upperOffset - current.get(0).baseOffset() < Integer.MAX_VALUE;
            if (!current.isEmpty() && !fits) {
                groups.add(current);
                current = new ArrayList<>();
                bytes = 0;
                indexEntries = 0;
            }
            current.add(s);
            bytes += s.size();
            indexEntries += entries;
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return groups;
    }

    private void copyRetained(LogSegment source, LogSegment cleaned, Filter filter) {
        for (ByteBuffer chunk : chunks(source, source.baseOffset())) {
            // filterTo stops early when a rewritten batch outgrows the output buffer: go on from where it stopped.
            while (chunk.hasRemaining()) {
                ByteBuffer out = ByteBuffer.allocate(chunk.remaining());
                MemoryRecords.FilterResult result = MemoryRecords.readableRecords(chunk.slice())
                    .filterTo(filter, out, decompression, Records.SOFT_MAX_ARRAY_LENGTH);
                if (result.bytesRead() == 0) {
                    throw new CorruptLogException("cannot filter the batch at the start of a chunk of " + source);
                }
                ByteBuffer retained = result.outputBuffer();
                retained.flip();
                if (retained.hasRemaining()) {
                    cleaned.append(MemoryRecords.readableRecords(retained));
                }
                chunk.position(chunk.position() + result.bytesRead());
            }
        }
    }

    /** The segment's batches from the one holding {@code from}, read in chunks of whole batches. */
    private Iterable<ByteBuffer> chunks(LogSegment segment, long from) {
        return () -> new Iterator<>() {
            private long position = firstPosition();
            private final long limit = segment.size();

            private long firstPosition() {
                try {
                    BatchHeader first = segment.findBatch(from, segment.size());
                    return first == null ? segment.size() : first.position();
                } catch (StorageException e) {
                    throw new SourceUnreadableException("cannot read " + segment + " for cleaning", e);
                }
            }

            @Override
            public boolean hasNext() {
                return position < limit;
            }

            @Override
            public ByteBuffer next() {
                if (cancelled.getAsBoolean()) {
                    throw new CancelledException();
                }
                try {
                    return read();
                } catch (IOException | StorageException e) {
                    throw new SourceUnreadableException("cannot read " + segment + " for cleaning", e);
                }
            }

            private ByteBuffer read() throws IOException {
                long end = position;
                BatchHeader header;
                while ((header = BatchHeader.read(segment.channel(), end, limit)) != null
                    && (end == position || end + header.sizeInBytes() - position <= ioBufferBytes)) {
                    end += header.sizeInBytes();
                }
                if (end == position) {
                    throw new CorruptLogException("no whole batch at position " + position + " of " + segment);
                }
                ByteBuffer buf = ByteBuffer.allocate((int) (end - position));
                while (buf.hasRemaining()) {
                    if (segment.channel().read(buf, position + buf.position()) < 0) {
                        throw new CorruptLogException(segment + " ends before position " + end);
                    }
                }
                buf.flip();
                position = end;
                return buf;
            }
        };
    }

    /**
     * Which batches and records a cleaning keeps. It sees the batches of the cleaned range in log order, once each,
     * and follows each producer's transactions through them: a transaction marker can go once no batch of its
     * transaction is left, that is once a cleaning reads the marker without having read any data of the transaction
     * before it (data always precedes its marker). Such a marker first gets a delete horizon (now plus
     * {@code delete.retention.ms}, like a tombstone), so that a consumer reading this part of the log meanwhile still
     * sees it, and a cleaning after the horizon drops it. An abort marker's aborted-index entry goes as soon as no
     * aborted data is left: the entry only serves to skip that data, and an entry without its marker would make a
     * read_committed consumer skip the producer's later transactions. Two kinds of marker stay regardless (see
     * {@link CleanableSegments#mayDropMarker}): one a crash could still need to close its transaction in producer
     * state rebuilt from an older snapshot, and one that is all the log holds of its producer's current epoch.
     */
    private static final class Filter extends RecordFilter {
        private final OffsetMap map;
        private final CleanableSegments view;
        private long earliestHorizon = Long.MAX_VALUE;
        /** Producers with data of a committed (or aborted) transaction read since their last marker. */
        private final Set<Long> committedData = new HashSet<>();
        private final Set<Long> abortedData = new HashSet<>();
        /** Offsets of abort markers whose transaction has no data left: their index entries are dropped. */
        private final Set<Long> abortsWithoutData = new HashSet<>();
        /** Whether the records of the batch being filtered go (a marker past its horizon). */
        private boolean dropRecords;

        Filter(long now, long deleteRetentionMs, OffsetMap map, CleanableSegments view) {
            super(now, deleteRetentionMs);
            this.map = map;
            this.view = view;
        }

        /** Whether the cleaned segment keeps {@code entry} of its sources' aborted-transaction indexes. */
        boolean keeps(TransactionIndex.Entry entry) {
            return !abortsWithoutData.contains(entry.lastOffset());
        }

        @Override
        protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
            boolean markerWithoutData = false;
            dropRecords = false;
            if (batch.isControlBatch()) {
                markerWithoutData = isMarkerWithoutData(batch) && view.mayDropMarker(batch);
                OptionalLong horizon = batch.deleteHorizonMs();
                // An emptied marker has nothing left to wait for.
                dropRecords = markerWithoutData && (Integer.valueOf(0).equals(batch.countOrNull())
                    || horizon.isPresent() && currentTime >= horizon.getAsLong());
                if (markerWithoutData && !dropRecords) {
                    earliestHorizon = Math.min(earliestHorizon,
                        horizon.isPresent() ? horizon.getAsLong() : currentTime + deleteRetentionMs);
                }
            } else if (batch.isTransactional()) {
                (view.isAborted(batch) ? abortedData : committedData).add(batch.producerId());
            }
            // An idempotent producer's latest batch stays, emptied if need be, so that its sequence numbers survive
            // a rebuild of producer state from the log.
            boolean lastOfProducer = batch.hasProducerId()
                && Long.valueOf(batch.lastOffset()).equals(view.lastBatchOfProducer().get(batch.producerId()));
            BatchRetention retention = lastOfProducer ? BatchRetention.RETAIN_EMPTY
                : dropRecords ? BatchRetention.DELETE : BatchRetention.DELETE_EMPTY;
            // The flag makes the filter give a kept marker its delete horizon, if it has none yet.
            return new BatchRetentionResult(retention, markerWithoutData);
        }

        /** Reads a control batch: whether it ends a transaction of which no data was read (or is already empty). */
        private boolean isMarkerWithoutData(RecordBatch batch) {
            long producerId = batch.producerId();
            boolean committed = committedData.remove(producerId);
            boolean aborted = abortedData.remove(producerId);
            ControlRecordType type;
            try (CloseableIterator<Record> records = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
                if (!records.hasNext()) {
                    return true;
                }
                type = ControlRecordType.parse(records.next().key());
            }
            if (type == ControlRecordType.ABORT) {
                if (!aborted) {
                    abortsWithoutData.add(batch.baseOffset());
                }
                return !aborted;
            }
            return type == ControlRecordType.COMMIT && !committed;
        }

        @Override
        protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
            if (batch.isControlBatch()) {
                return !dropRecords;
            }
            if (!record.hasKey() || view.isAborted(batch)) {
                return false;
            }
            long latest = map.get(record.key());
            if (latest > record.offset()) {
                return false;
            }
            if (!record.hasValue()) {
                OptionalLong horizon = batch.deleteHorizonMs();
                if (horizon.isPresent() && currentTime >= horizon.getAsLong()) {
                    return false;
                }
                earliestHorizon = Math.min(earliestHorizon,
                    horizon.isPresent() ? horizon.getAsLong() : currentTime + deleteRetentionMs);
            }
            return true;
        }
    }
}

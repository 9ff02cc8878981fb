package io.spool.storage;

import java.util.Map;
import java.util.NavigableMap;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * ListOffsets by timestamp over a log's segments: the time index narrows the search to one index interval, batch
 * headers narrow it to one batch, and only that batch is read into the heap to find the record. Stateless apart
 * from the shared segment map; safe to call concurrently with appends.
 */
final class LogTimestampSearch {

    private final NavigableMap<Long, LogSegment> segments;

    LogTimestampSearch(NavigableMap<Long, LogSegment> segments) {
        this.segments = segments;
    }

    /** First record at or after {@code startingOffset} with timestamp {@code >= target}, or null. */
    OffsetAndTimestamp offsetForTimestamp(long target, long startingOffset) {
        for (LogSegment segment : segments.values()) {
            if (segment.maxTimestampSoFar() < target) {
                continue;
            }
            OffsetAndTimestamp found = searchSegment(segment, target, startingOffset);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static OffsetAndTimestamp searchSegment(LogSegment segment, long target, long startingOffset) {
        TimeIndex.Entry hint = segment.timeIndex().lookup(target);
        long fromOffset = Math.max(hint.offset(), startingOffset);
        int limit = segment.size();
        BatchHeader header = segment.findBatch(fromOffset, limit);
        while (header != null) {
            if (header.maxTimestamp() >= target && header.lastOffset() >= startingOffset) {
                OffsetAndTimestamp found = firstRecord(segment, header, r -> r.timestamp() >= target
                    && r.offset() >= startingOffset);
                if (found != null) {
                    return found;
                }
            }
            header = segment.findBatch(header.nextOffset(), limit);
        }
        return null;
    }

    /** The first record with the largest timestamp in the log at or after {@code startingOffset}, or null. */
    OffsetAndTimestamp maxTimestampOffset(long startingOffset) {
        LogSegment best = null;
        long bestTs = RecordBatch.NO_TIMESTAMP;
        for (Map.Entry<Long, LogSegment> e : segments.entrySet()) {
            LogSegment s = e.getValue();
            if (s.size() > 0 && (best == null || s.maxTimestampSoFar() > bestTs)) {
                best = s;
                bestTs = s.maxTimestampSoFar();
            }
        }
        if (best == null) {
            return null;
        }
        long maxTs = bestTs;
        BatchHeader header = best.findBatch(Math.max(best.offsetOfMaxTimestampSoFar(), startingOffset), best.size());
        if (header == null || header.maxTimestamp() != maxTs) {
            header = best.findBatch(Math.max(best.baseOffset(), startingOffset), best.size());
            while (header != null && header.maxTimestamp() != maxTs) {
                header = best.findBatch(header.nextOffset(), best.size());
            }
        }
        if (header == null) {
            return null;
        }
        return firstRecord(best, header, r -> r.timestamp() == maxTs);
    }

    private interface RecordTest {
        boolean test(Record record);
    }

    private static OffsetAndTimestamp firstRecord(LogSegment segment, BatchHeader header, RecordTest test) {
        RecordBatch batch = segment.loadBatch(header);
        try (CloseableIterator<Record> it = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
            while (it.hasNext()) {
                Record r = it.next();
                if (test.test(r)) {
                    return new OffsetAndTimestamp(r.offset(), r.timestamp(), batch.partitionLeaderEpoch());
                }
            }
        }
        return null;
    }
}

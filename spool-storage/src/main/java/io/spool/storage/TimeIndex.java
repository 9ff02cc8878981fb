package io.spool.storage;

import java.nio.file.Path;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Sparse map from timestamp to offset in one segment: each entry says "the largest timestamp among batches up to
 * this one is T, first reached in the batch whose last offset is O". Written next to each offset index entry when
 * the segment's maximum timestamp grew, and once more when the segment rolls or the log closes, so the last entry
 * carries the segment's largest timestamp (used by retention and ListOffsets without scanning the segment).
 *
 * <pre>
 * file: %020d.timeindex, timestamps strictly increasing, offsets non-decreasing
 *  0                               8               12
 *  +-------------------------------+---------------+
 *  | timestamp (int64, ms)         | relativeOffset|   relativeOffset = last offset of that batch - base offset
 *  +-------------------------------+---------------+
 * </pre>
 *
 * <p>One slot is kept free so the final entry written at roll always fits. Crash behaviour and threading: see
 * {@link MappedIndex}.
 */
final class TimeIndex extends MappedIndex {

    static final int ENTRY_SIZE = 12;

    /** An index entry with absolute offset. */
    record Entry(long timestamp, long offset) {
    }

    TimeIndex(Path file, long baseOffset, int maxIndexSize, boolean writable) {
        super(file, baseOffset, maxIndexSize, writable, ENTRY_SIZE);
    }

    private long timestampAt(int n) {
        return buffer().getLong(slot(n));
    }

    private int relOffsetAt(int n) {
        return buffer().getInt(slot(n) + 8);
    }

    /** True when only the reserved slot is left. */
    boolean isAlmostFull() {
        return entries() >= maxEntries() - 1;
    }

    /** The last entry with timestamp {@code <= timestamp}, or (NO_TIMESTAMP, baseOffset) if none. */
    Entry lookup(long timestamp) {
        int n = largestLowerBound(timestamp, this::timestampAt);
        return n < 0 ? new Entry(RecordBatch.NO_TIMESTAMP, baseOffset)
            : new Entry(timestampAt(n), baseOffset + relOffsetAt(n));
    }

    Entry lastEntry() {
        int n = entries();
        return n == 0 ? new Entry(RecordBatch.NO_TIMESTAMP, baseOffset)
            : new Entry(timestampAt(n - 1), baseOffset + relOffsetAt(n - 1));
    }

    /** Appends (timestamp, offset) if the timestamp is larger than the last entry's. */
    void maybeAppend(long timestamp, long offset) {
        int n = entries();
        if (n > 0 && timestamp <= timestampAt(n - 1)) {
            return;
        }
        if (isFull()) {
            throw new IllegalStateException("time index " + file() + " is full");
        }
        if (n > 0 && offset - baseOffset < relOffsetAt(n - 1)) {
            throw new IllegalStateException("offset " + offset + " below last time index entry in " + file());
        }
        ensureRoomForNextEntry();
        buffer().putLong(slot(n), timestamp);
        buffer().putInt(slot(n) + 8, relativeOffset(offset));
        commitEntry();
    }

    /** Removes every entry with offset {@code >= offset}. */
    void truncateTo(long offset) {
        int keep = 0;
        while (keep < entries() && baseOffset + relOffsetAt(keep) < offset) {
            keep++;
        }
        setEntries(keep);
    }

    @Override
    void sanityCheck(long segmentSize) {
        long prevTs = Long.MIN_VALUE;
        int prevRel = 0;
        for (int i = 0; i < entries(); i++) {
            long ts = timestampAt(i);
            int rel = relOffsetAt(i);
            if (ts <= prevTs || rel < prevRel || rel < 0) {
                throw new CorruptIndexException("time index " + file() + " entry " + i + " (" + ts + ", " + rel
                    + ") out of order");
            }
            prevTs = ts;
            prevRel = rel;
        }
    }
}

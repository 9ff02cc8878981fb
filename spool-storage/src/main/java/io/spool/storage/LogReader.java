package io.spool.storage;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;

/**
 * The read side of a {@link PartitionLog}: batches for a fetch and the aborted transactions a read_committed fetch
 * must report.
 *
 * <p>Thread safety: runs without the lock, concurrently with writers; it reads the volatile offsets once and only
 * bytes below each segment's published size.
 */
final class LogReader {

    private final PartitionLogState state;

    LogReader(PartitionLogState state) {
        this.state = state;
    }

    /** See {@link PartitionLog#abortedTransactions}. */
    List<AbortedTxn> abortedTransactions(long startOffset, long upperBoundOffsetExclusive) {
        Long from = state.segments.floorKey(startOffset);
        return TxnMarkers.collect(state.segments.tailMap(from == null ? state.segments.firstKey() : from).values(),
            startOffset, upperBoundOffsetExclusive);
    }

    /** See {@link PartitionLog#read}. */
    LogReadResult read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        long leo = state.logEndOffset;
        long start = state.logStartOffset;
        long hw = state.highWatermark;
        if (fetchOffset < start || fetchOffset > leo) {
            return new LogReadResult(LogSlice.EMPTY, hw, start, leo, Errors.OFFSET_OUT_OF_RANGE);
        }
        long limitOffset = Math.min(maxOffsetExclusive, leo);
        if (fetchOffset >= limitOffset) {
            return new LogReadResult(LogSlice.EMPTY, hw, start, leo, Errors.NONE);
        }
        Map.Entry<Long, LogSegment> entry = state.segments.floorEntry(fetchOffset);
        while (entry != null) {
            LogSlice slice = entry.getValue().read(fetchOffset, maxBytes, limitOffset, minOneBatch);
            if (slice != null) {
                return new LogReadResult(slice, hw, start, leo, Errors.NONE);
            }
            entry = state.segments.higherEntry(entry.getKey());
        }
        return new LogReadResult(LogSlice.EMPTY, hw, start, leo, Errors.NONE);
    }
}

package io.spool.storage;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What the log cleaner sees of one log at the start of a cleaning, read under the log's lock. Immutable.
 *
 * @param inactive            every segment but the active one, oldest first
 * @param activeBaseOffset    the active segment's base offset: nothing at or above it is cleaned
 * @param lastStableOffset    nothing at or above it is cleaned either: not yet committed (it is at most the high
 *                            watermark) or in a transaction not yet decided
 * @param logStartOffset      the first offset visible
 * @param truncations         the log's truncation count (a truncation since voids the cleaning)
 * @param lastBatchOfProducer last offset of each idempotent producer's latest batch, kept (emptied) by the cleaner
 *                            so that the producer's sequence survives a rebuild of producer state from the log
 * @param epochOnlyProducers  the epoch of each producer whose state holds no batch (a coordinator's abort bumped
 *                            its epoch): its markers of that epoch stay, so that a rebuild still fences older epochs
 * @param abortedTxns         the aborted-transaction index entries of every segment, by producer id
 * @param markersRemovableBelow no transaction marker at or above this offset may go: a crash would replay
 *                            producer state from a snapshot below it, which may hold the marker's transaction open
 */
record CleanableSegments(List<LogSegment> inactive, long activeBaseOffset, long lastStableOffset,
                         long logStartOffset, long truncations, Map<Long, Long> lastBatchOfProducer,
                         Map<Long, Short> epochOnlyProducers, Map<Long, List<TransactionIndex.Entry>> abortedTxns,
                         long markersRemovableBelow) {

    /** Whether {@code batch} belongs to an aborted transaction (its records are never kept nor mapped). */
    boolean isAborted(RecordBatch batch) {
        if (!batch.isTransactional() || batch.isControlBatch()) {
            return false;
        }
        for (TransactionIndex.Entry e : abortedTxns.getOrDefault(batch.producerId(), List.of())) {
            if (e.firstOffset() <= batch.baseOffset()
                && batch.baseOffset() < e.lastOffset()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the cleaner may drop marker {@code batch} once its transaction has no data left (see the params). */
    boolean mayDropMarker(RecordBatch batch) {
        return batch.baseOffset() < markersRemovableBelow
            && !Short.valueOf(batch.producerEpoch()).equals(epochOnlyProducers.get(batch.producerId()));
    }

    /** The offset after inactive segment {@code i}: the next segment's base offset. */
    long endOffsetOf(int i) {
        return i + 1 < inactive.size() ? inactive.get(i + 1).baseOffset() : activeBaseOffset;
    }
}

package io.spool.storage;

import java.util.List;
import java.util.Map;

/**
 * What the log cleaner sees of one log at the start of a cleaning, read under the log's lock. Immutable.
 *
 * @param inactive            every segment but the active one, oldest first
 * @param activeBaseOffset    the active segment's base offset: nothing at or above it is cleaned
 * @param highWatermark       nothing at or above it is cleaned either (not yet committed)
 * @param logStartOffset      the first offset visible
 * @param truncations         the log's truncation count (a truncation since voids the cleaning)
 * @param lastBatchOfProducer last offset of each idempotent producer's latest batch, kept (emptied) by the cleaner
 *                            so that the producer's sequence survives a rebuild of producer state from the log
 */
record CleanableSegments(List<LogSegment> inactive, long activeBaseOffset, long highWatermark, long logStartOffset,
                         long truncations, Map<Long, Long> lastBatchOfProducer) {

    /** The offset after inactive segment {@code i}: the next segment's base offset. */
    long endOffsetOf(int i) {
        return i + 1 < inactive.size() ? inactive.get(i + 1).baseOffset() : activeBaseOffset;
    }
}

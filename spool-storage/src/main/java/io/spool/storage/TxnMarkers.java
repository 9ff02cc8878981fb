package io.spool.storage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * Transaction markers in the log: building the control batch the leader writes, applying a marker (written, fetched
 * or replayed) to producer state and the aborted-transaction index of the segment that holds it, and collecting the
 * aborted transactions a fetch must report. Stateless; callers hold the log's lock for the mutating ones.
 */
final class TxnMarkers {

    private TxnMarkers() {
    }

    /** One control batch with one COMMIT or ABORT record at {@code offset}, transactional, as Kafka writes it. */
    static MemoryRecords build(long offset, long nowMs, int leaderEpoch, long producerId, short producerEpoch,
                               int coordinatorEpoch, boolean commit) {
        EndTransactionMarker marker = new EndTransactionMarker(commit ? ControlRecordType.COMMIT
            : ControlRecordType.ABORT, coordinatorEpoch);
        return MemoryRecords.withEndTransactionMarker(offset, nowMs, leaderEpoch, producerId, producerEpoch, marker);
    }

    /** Replays the control batch at {@code header} of {@code segment} (recovery, truncation). */
    static void apply(ProducerStateManager state, LogSegment segment, BatchHeader header) {
        apply(state, segment, segment.loadBatch(header));
    }

    /**
     * Applies a control batch: an end-transaction marker completes its producer's ongoing transaction, and an abort
     * of one with data adds an entry to {@code segment}'s aborted-transaction index. Other control records (none are
     * written by Spool) are ignored.
     */
    static void apply(ProducerStateManager state, LogSegment segment, RecordBatch batch) {
        ControlRecordType type;
        EndTransactionMarker marker;
        try (CloseableIterator<Record> records = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
            if (!records.hasNext()) {
                return;
            }
            Record record = records.next();
            type = ControlRecordType.parse(record.key());
            if (type != ControlRecordType.COMMIT && type != ControlRecordType.ABORT) {
                return;
            }
            marker = EndTransactionMarker.deserialize(record);
        }
        TransactionIndex.Entry aborted = state.completeTxn(batch.producerId(), batch.producerEpoch(),
            marker.coordinatorEpoch(), type == ControlRecordType.COMMIT, batch.baseOffset(), batch.maxTimestamp());
        if (aborted != null) {
            segment.txnIndex().append(aborted);
        }
    }

    /**
     * Every aborted transaction with a marker at or above {@code startOffset} and a first offset below
     * {@code upperBound}, in first-offset order. {@code segments} are those from the one holding {@code startOffset}
     * on, oldest first. Stops at an entry whose last stable offset reaches {@code upperBound}: every transaction
     * aborted after it started at or above that offset.
     */
    static List<AbortedTxn> collect(Collection<LogSegment> segments, long startOffset, long upperBound) {
        List<TransactionIndex.Entry> found = new ArrayList<>();
        outer:
        for (LogSegment segment : segments) {
            for (TransactionIndex.Entry e : segment.txnIndex().entries()) {
                if (e.lastOffset() >= startOffset && e.firstOffset() < upperBound) {
                    found.add(e);
                }
                if (e.lastStableOffset() >= upperBound) {
                    break outer;
                }
            }
        }
        found.sort(Comparator.comparingLong(TransactionIndex.Entry::firstOffset));
        List<AbortedTxn> result = new ArrayList<>(found.size());
        found.forEach(e -> result.add(new AbortedTxn(e.producerId(), e.firstOffset())));
        return result;
    }
}

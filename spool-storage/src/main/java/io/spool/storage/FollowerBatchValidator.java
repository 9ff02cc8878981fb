package io.spool.storage;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;

/**
 * Stateless validation of batches a follower fetched from its leader, before it appends them unchanged. The leader
 * validated the records and assigned offsets, epochs and timestamps, so only what could break this log is checked,
 * batch header by batch header (records are not decompressed, as in Apache Kafka's follower), each returning early:
 *
 * <ul>
 *   <li>framing: a batch shorter than the v2 header or running past the buffer (a partial trailing batch
 *       included: Spool's leader only serves whole batches) -> CORRUPT_MESSAGE</li>
 *   <li>magic other than 2 -> INVALID_RECORD</li>
 *   <li>CRC-32C mismatch -> CORRUPT_MESSAGE</li>
 *   <li>negative last offset delta -> CORRUPT_MESSAGE</li>
 *   <li>the first batch starts below the log end offset, or a batch starts at or below the end of the previous one
 *       (an overlap) -> OFFSET_OUT_OF_RANGE. A gap is fine: compaction removes whole batches from the leader's log,
 *       and a replica copies what is left at the same offsets. Apache Kafka throws UnexpectedAppendOffsetException
 *       (first offset below the log end) or OffsetsOutOfOrderException here, which have no wire code; the fetcher
 *       reads this as "the leader's data does not continue this log" and re-checks the divergence.</li>
 * </ul>
 *
 * There is no size limit: max.message.bytes may have shrunk since the leader accepted a batch, and the follower
 * must still copy it (Kafka ignores the record size on this path too).
 */
final class FollowerBatchValidator {

    private FollowerBatchValidator() {
    }

    /** The batches in order, or the error; {@code records} must hold at least one byte. */
    static BatchValidator.Result validate(TopicPartition tp, MemoryRecords records, long logEndOffset) {
        BatchValidator.Result framing = BatchValidator.checkFraming(tp, records.buffer(), Long.MAX_VALUE);
        if (framing != null) {
            return framing;
        }
        List<MutableRecordBatch> batches = new ArrayList<>();
        long expected = logEndOffset;
        for (MutableRecordBatch batch : records.batches()) {
            if (!batch.isValid()) {
                return BatchValidator.Result.fail(Errors.CORRUPT_MESSAGE, "Record batch at offset "
                    + batch.baseOffset() + " fetched for " + tp + " failed its CRC check");
            }
            if (batch.lastOffset() < batch.baseOffset()) {
                return BatchValidator.Result.fail(Errors.CORRUPT_MESSAGE, "Record batch at offset "
                    + batch.baseOffset() + " fetched for " + tp + " has last offset " + batch.lastOffset());
            }
            if (batch.baseOffset() < expected) {
                String what = batches.isEmpty() ? "the log end offset " : "the end of the previous batch ";
                return BatchValidator.Result.fail(Errors.OFFSET_OUT_OF_RANGE, "Unexpected offset in the follower "
                    + "append to " + tp + ": batch [" + batch.baseOffset() + ", " + batch.lastOffset()
                    + "] does not start at " + what + expected);
            }
            batches.add(batch);
            expected = batch.lastOffset() + 1;
        }
        return BatchValidator.Result.ok(batches);
    }
}

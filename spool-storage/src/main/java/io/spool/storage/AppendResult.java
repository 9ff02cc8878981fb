package io.spool.storage;

import java.util.List;
import org.apache.kafka.common.protocol.Errors;

/**
 * The outcome of {@link PartitionLog#appendAsLeader}, shaped like a ProduceResponse partition entry, or of
 * {@link PartitionLog#appendAsFollower}.
 *
 * @param firstOffset   offset of the first appended record, -1 on error or when nothing was appended
 * @param lastOffset    offset of the last appended record, -1 on error or when nothing was appended
 * @param logAppendTime broker time stamped on the batches for LogAppendTime topics, -1 for CreateTime
 * @param recordErrors  record-level validation failures (INVALID_RECORD / INVALID_TIMESTAMP), empty otherwise
 */
public record AppendResult(Errors error, String errorMessage, long firstOffset, long lastOffset, long logAppendTime,
                           long logStartOffset, List<RecordError> recordErrors) {

    public AppendResult {
        recordErrors = List.copyOf(recordErrors);
    }

    public static AppendResult success(long firstOffset, long lastOffset, long logAppendTime, long logStartOffset) {
        return new AppendResult(Errors.NONE, null, firstOffset, lastOffset, logAppendTime, logStartOffset, List.of());
    }

    public static AppendResult failure(Errors error, String message, long logStartOffset) {
        return new AppendResult(error, message, -1L, -1L, -1L, logStartOffset, List.of());
    }

    public static AppendResult failure(Errors error, String message, long logStartOffset, List<RecordError> errors) {
        return new AppendResult(error, message, -1L, -1L, -1L, logStartOffset, errors);
    }

    /**
     * A retried idempotent batch that is already in the log, older than the batches whose offsets are retained:
     * DUPLICATE_SEQUENCE_NUMBER, which the client takes as success without an offset. {@code lastOffset} is the log
     * end offset at the check minus one: the batch lies at or below it, so an acks=all answer waits until the high
     * watermark passes it.
     */
    public static AppendResult olderDuplicate(String message, long logEndOffset, long logStartOffset) {
        return new AppendResult(Errors.DUPLICATE_SEQUENCE_NUMBER, message, -1L, logEndOffset - 1, -1L,
            logStartOffset, List.of());
    }

    /** Whether this is {@link #olderDuplicate}: written before, to be answered once it is as durable as asked. */
    public boolean isOlderDuplicate() {
        return error == Errors.DUPLICATE_SEQUENCE_NUMBER;
    }

    public boolean isSuccess() {
        return error == Errors.NONE;
    }
}

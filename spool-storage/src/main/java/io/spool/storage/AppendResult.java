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

    public boolean isSuccess() {
        return error == Errors.NONE;
    }
}

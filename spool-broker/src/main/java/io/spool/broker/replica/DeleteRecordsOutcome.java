package io.spool.broker.replica;

import org.apache.kafka.common.protocol.Errors;

/**
 * What DeleteRecords answers for one partition: the error, and the partition's low watermark (the lowest log start
 * offset over its live replicas), -1 on error.
 */
public record DeleteRecordsOutcome(Errors error, long lowWatermark) {

    public static DeleteRecordsOutcome success(long lowWatermark) {
        return new DeleteRecordsOutcome(Errors.NONE, lowWatermark);
    }

    public static DeleteRecordsOutcome failure(Errors error) {
        return new DeleteRecordsOutcome(error, -1L);
    }
}

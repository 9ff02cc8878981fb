package io.spool.storage;

import org.apache.kafka.common.protocol.Errors;

/** The answer to {@link PartitionLog#read}: a file slice of whole batches plus the offsets a Fetch response carries. */
public record LogReadResult(LogSlice records, long highWatermark, long logStartOffset, long logEndOffset,
                            Errors error) {
}

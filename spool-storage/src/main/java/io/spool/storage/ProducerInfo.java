package io.spool.storage;

/**
 * One producer with state in a partition, as DescribeProducers answers it.
 *
 * @param lastSequence          the last sequence number appended, -1 if none is retained
 * @param lastTimestamp         the largest timestamp of its batches (or markers)
 * @param coordinatorEpoch      the coordinator epoch of its last transaction marker, -1 if none
 * @param currentTxnStartOffset the first offset of its ongoing transaction, -1 if none
 */
public record ProducerInfo(long producerId, short producerEpoch, int lastSequence, long lastTimestamp,
                           int coordinatorEpoch, long currentTxnStartOffset) {
}

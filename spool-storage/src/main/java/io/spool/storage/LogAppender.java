package io.spool.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write paths of a {@link PartitionLog}: leader, coordinator, follower and transaction-marker appends, each all
 * or none under the log's lock, rolling the active segment first when the incoming batches would not fit it.
 *
 * <p>Thread safety: every append holds the state's lock for its whole length.
 */
final class LogAppender {

    // Logged under PartitionLog, as before the roles were split out.
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final PartitionLogState state;

    LogAppender(PartitionLogState state) {
        this.state = state;
    }

    /** See {@link PartitionLog#appendAsLeader}. */
    AppendResult appendAsLeader(MemoryRecords records, int leaderEpoch) {
        return locked("Append", () -> {
            long now = state.clock.millis();
            LogConfig cfg = state.config;
            BatchValidator.Result validation = BatchValidator.validate(state.topicPartition, records, cfg, now);
            if (!validation.isValid()) {
                return AppendResult.failure(validation.error(), validation.message(), state.logStartOffset,
                    validation.recordErrors());
            }
            List<MutableRecordBatch> batches = validation.batches();
            ProducerStateManager.PendingAppend pending = new ProducerStateManager.PendingAppend();
            for (MutableRecordBatch batch : batches) {
                if (!batch.hasProducerId()) {
                    continue;
                }
                ProducerStateManager.Check check = state.producerState.check(batch.producerId(), batch.producerEpoch(),
                    batch.baseSequence(), batch.lastSequence(), batch.isTransactional(), pending);
                if (check.isDuplicate()) {
                    ProducerStateManager.BatchMetadata dup = check.duplicate();
                    long appendTime = cfg.messageTimestampLogAppendTime() ? dup.timestamp() : RecordBatch.NO_TIMESTAMP;
                    return AppendResult.success(dup.firstOffset(), dup.lastOffset(), appendTime, state.logStartOffset);
                }
                if (check.error() == Errors.DUPLICATE_SEQUENCE_NUMBER) {
                    return AppendResult.olderDuplicate(check.message(), state.logEndOffset, state.logStartOffset);
                }
                if (check.error() != Errors.NONE) {
                    return AppendResult.failure(check.error(), check.message(), state.logStartOffset);
                }
            }
            if (BatchRecompressor.needed(batches, cfg.compression())) {
                BatchRecompressor.Result rewritten = BatchRecompressor.recompress(state.topicPartition, batches,
                    cfg.compression(), cfg.maxMessageBytes());
                if (!rewritten.isValid()) {
                    return AppendResult.failure(rewritten.error(), rewritten.message(), state.logStartOffset);
                }
                return append(rewritten.records(), rewritten.batches(), leaderEpoch, cfg, now);
            }
            return append(records, batches, leaderEpoch, cfg, now);
        });
    }

    /** See {@link PartitionLog#appendFromCoordinator}. */
    AppendResult appendFromCoordinator(MemoryRecords records, int leaderEpoch) {
        return locked("Append", () -> {
            List<MutableRecordBatch> batches = new ArrayList<>();
            for (MutableRecordBatch batch : records.batches()) {
                ProducerStateManager.ProducerEntry entry = batch.hasProducerId()
                    ? state.producerState.entry(batch.producerId()) : null;
                if (entry != null && batch.producerEpoch() < entry.epoch) {
                    return AppendResult.failure(Errors.INVALID_PRODUCER_EPOCH, "Epoch " + batch.producerEpoch()
                        + " of producer " + batch.producerId() + " is older than " + entry.epoch, state.logStartOffset);
                }
                batches.add(batch);
            }
            return append(records, batches, leaderEpoch, state.config, state.clock.millis());
        });
    }

    private AppendResult append(MemoryRecords records, List<MutableRecordBatch> batches, int leaderEpoch,
                                LogConfig cfg, long now) {
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        long records0 = 0;
        for (MutableRecordBatch batch : batches) {
            maxTimestamp = Math.max(maxTimestamp, cfg.messageTimestampLogAppendTime() ? now : batch.maxTimestamp());
            records0 += batch.lastOffset() - batch.baseOffset() + 1;
        }
        LogSegment segment = maybeRoll(records.sizeInBytes(), records0, maxTimestamp, now);
        long firstOffset = state.logEndOffset;
        long next = firstOffset;
        for (MutableRecordBatch batch : batches) {
            batch.setLastOffset(next + (batch.lastOffset() - batch.baseOffset()));
            batch.setPartitionLeaderEpoch(leaderEpoch);
            if (cfg.messageTimestampLogAppendTime()) {
                batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
            }
            next = batch.lastOffset() + 1;
        }
        segment.append(records);
        state.epochCache.assign(leaderEpoch, firstOffset);
        for (MutableRecordBatch batch : batches) {
            state.producerState.update(batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                batch.lastSequence(), batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(),
                batch.isTransactional());
        }
        state.logEndOffset = next;
        state.refreshLastStableOffset();
        long appendTime = cfg.messageTimestampLogAppendTime() ? now : RecordBatch.NO_TIMESTAMP;
        return AppendResult.success(firstOffset, next - 1, appendTime, state.logStartOffset);
    }

    /** See {@link PartitionLog#appendAsFollower}. */
    AppendResult appendAsFollower(MemoryRecords records) {
        return locked("Follower append", () -> {
            if (records.sizeInBytes() == 0) {
                return AppendResult.success(-1L, -1L, RecordBatch.NO_TIMESTAMP, state.logStartOffset);
            }
            BatchValidator.Result validation = FollowerBatchValidator.validate(state.topicPartition, records,
                state.logEndOffset);
            if (!validation.isValid()) {
                return AppendResult.failure(validation.error(), validation.message(), state.logStartOffset);
            }
            List<MutableRecordBatch> batches = validation.batches();
            long firstOffset = batches.get(0).baseOffset();
            long next = batches.get(batches.size() - 1).lastOffset() + 1;
            long maxTimestamp = RecordBatch.NO_TIMESTAMP;
            for (MutableRecordBatch batch : batches) {
                maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
            }
            LogSegment segment = maybeRoll(records.sizeInBytes(), next - firstOffset, maxTimestamp,
                state.clock.millis());
            segment.append(records);
            for (MutableRecordBatch batch : batches) {
                state.epochCache.assign(batch.partitionLeaderEpoch(), batch.baseOffset());
                if (batch.isControlBatch()) {
                    TxnMarkers.apply(state.producerState, segment, batch);
                } else {
                    state.producerState.update(batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                        batch.lastSequence(), batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(),
                        batch.isTransactional());
                }
            }
            state.logEndOffset = next;
            state.refreshLastStableOffset();
            return AppendResult.success(firstOffset, next - 1, RecordBatch.NO_TIMESTAMP, state.logStartOffset);
        });
    }

    /** See {@link PartitionLog#appendTxnMarker}. */
    AppendResult appendTxnMarker(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit,
                                 int leaderEpoch) {
        return locked("Transaction marker append", () -> {
            ProducerStateManager.Check check = state.producerState.checkMarker(producerId, producerEpoch,
                coordinatorEpoch);
            if (check.error() != Errors.NONE) {
                return AppendResult.failure(check.error(), check.message(), state.logStartOffset);
            }
            long now = state.clock.millis();
            long offset = state.logEndOffset;
            MemoryRecords marker = TxnMarkers.build(offset, now, leaderEpoch, producerId, producerEpoch,
                coordinatorEpoch, commit);
            LogSegment segment = maybeRoll(marker.sizeInBytes(), 1, now, now);
            segment.append(marker);
            state.epochCache.assign(leaderEpoch, offset);
            TxnMarkers.apply(state.producerState, segment, marker.batches().iterator().next());
            state.logEndOffset = offset + 1;
            state.refreshLastStableOffset();
            return AppendResult.success(offset, offset, RecordBatch.NO_TIMESTAMP, state.logStartOffset);
        });
    }

    /**
     * Runs a write under the log's lock; a disk failure in it is reported to the log dir's failure handler and
     * answered KAFKA_STORAGE_ERROR.
     */
    private AppendResult locked(String what, Supplier<AppendResult> write) {
        state.lock.lock();
        try {
            return write.get();
        } catch (StorageException e) {
            LOG.error("{} to {} failed", what, state.topicPartition, e);
            state.reportFailure(e);
            return AppendResult.failure(Errors.KAFKA_STORAGE_ERROR, e.getMessage(), state.logStartOffset);
        } finally {
            state.lock.unlock();
        }
    }

    /** Rolls first when the incoming bytes would not fit the active segment (Kafka's roll conditions). */
    private LogSegment maybeRoll(int incomingBytes, long incomingRecords, long maxTimestamp, long now) {
        LogSegment active = state.segments.lastEntry().getValue();
        if (active.size() == 0) {
            return active;
        }
        LogConfig cfg = state.config;
        long lastOffset = state.logEndOffset + incomingRecords - 1;
        boolean full = active.size() > cfg.segmentBytes() - incomingBytes;
        long reference = maxTimestamp == RecordBatch.NO_TIMESTAMP ? now : maxTimestamp;
        boolean old = reference - active.rollingBaseTimestamp() > cfg.segmentMs();
        boolean indexFull = active.indexesFull();
        boolean offsetOverflow = lastOffset - active.baseOffset() > Integer.MAX_VALUE;
        if (full || old || indexFull || offsetOverflow) {
            return state.roll(now);
        }
        return active;
    }
}

package io.spool.storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * Stateless validation of the records of one produce request partition before the leader appends them, returning
 * the error Apache Kafka returns for the same input. Checks, in Kafka's order, each returning early:
 *
 * <ul>
 *   <li>no batch at all -> INVALID_RECORD (Kafka rejects this in ProduceRequest validation)</li>
 *   <li>framing: batch length below the v2 header, or running past the buffer (truncated) -> CORRUPT_MESSAGE</li>
 *   <li>magic other than 2 -> INVALID_RECORD (Kafka 4 accepts only v2 in produce requests)</li>
 *   <li>base offset other than 0 from a client -> INVALID_RECORD</li>
 *   <li>batch size above max.message.bytes -> MESSAGE_TOO_LARGE</li>
 *   <li>CRC-32C mismatch -> CORRUPT_MESSAGE</li>
 *   <li>offset range / record count inconsistent, control batch from a client, transactional batch without
 *       producer id, producer id with a negative sequence -> INVALID_RECORD</li>
 *   <li>transactional batches are accepted here: the broker has verified (KIP-890) that the partition is in the
 *       producer's transaction, and producer state checks the rest ({@link ProducerStateManager#check})</li>
 *   <li>per record (uncompressed batches are first walked in place by {@link RecordsScanner}, and only a batch it
 *       does not accept is validated record by record; compressed batches are decompressed with a streaming
 *       iterator): offset deltas not dense, or a
 *       record without key on a compacted topic -> INVALID_RECORD with record errors; a CreateTime timestamp outside
 *       [now - before.max, now + after.max] -> INVALID_TIMESTAMP with record errors; undecodable records ->
 *       INVALID_RECORD (CORRUPT_MESSAGE if the codec itself fails)</li>
 * </ul>
 */
final class BatchValidator {

    /** Either the batches (in order) or the error to answer with. */
    record Result(List<MutableRecordBatch> batches, Errors error, String message, List<RecordError> recordErrors) {
        static Result ok(List<MutableRecordBatch> batches) {
            return new Result(batches, Errors.NONE, null, List.of());
        }

        static Result fail(Errors error, String message) {
            return new Result(List.of(), error, message, List.of());
        }

        boolean isValid() {
            return error == Errors.NONE;
        }
    }

    /**
     * Decompression buffers (lz4 uses a 64 KiB block buffer) kept per thread: validation runs on the network threads,
     * and allocating them afresh for every compressed batch was most of the garbage of a compressed produce.
     */
    private static final ThreadLocal<BufferSupplier> DECOMPRESSION_BUFFERS =
        ThreadLocal.withInitial(BufferSupplier::create);

    private BatchValidator() {
    }

    static Result validate(TopicPartition tp, MemoryRecords records, LogConfig config, long nowMs) {
        if (!records.buffer().hasRemaining()) {
            return Result.fail(Errors.INVALID_RECORD, "Produce request to " + tp
                + " must have at least one record batch");
        }
        Result framing = checkFraming(tp, records.buffer(), config.maxMessageBytes());
        if (framing != null) {
            return framing;
        }
        List<MutableRecordBatch> batches = new ArrayList<>();
        for (MutableRecordBatch batch : records.batches()) {
            batches.add(batch);
        }
        ByteBuffer buffer = records.buffer();
        int position = buffer.position();
        for (MutableRecordBatch batch : batches) {
            Result r = validateBatch(tp, batch, config, nowMs, buffer, position);
            if (r != null) {
                return r;
            }
            position += batch.sizeInBytes();
        }
        return Result.ok(batches);
    }

    /**
     * Checks that {@code buffer} holds whole v2 batches of at most {@code maxBatchBytes} each, back to back; null if
     * so. Shared with {@link FollowerBatchValidator}.
     */
    static Result checkFraming(TopicPartition tp, ByteBuffer buffer, long maxBatchBytes) {
        int pos = buffer.position();
        int end = buffer.limit();
        while (pos < end) {
            if (end - pos < BatchHeader.HEADER_SIZE) {
                return Result.fail(Errors.CORRUPT_MESSAGE, "Truncated record batch header of " + (end - pos)
                    + " bytes in the append to " + tp);
            }
            int length = buffer.getInt(pos + 8);
            long size = (long) length + BatchHeader.LOG_OVERHEAD;
            if (length < BatchHeader.HEADER_SIZE - BatchHeader.LOG_OVERHEAD) {
                return Result.fail(Errors.CORRUPT_MESSAGE, "Record batch size " + size + " is smaller than the "
                    + "minimum batch header size in the append to " + tp);
            }
            byte magic = buffer.get(pos + 16);
            if (magic != RecordBatch.MAGIC_VALUE_V2) {
                return Result.fail(Errors.INVALID_RECORD, "Only record batches with magic version 2 are allowed, "
                    + "got " + magic + " in the append to " + tp);
            }
            if (size > maxBatchBytes) {
                return Result.fail(Errors.MESSAGE_TOO_LARGE, "Batch of " + size + " bytes for " + tp
                    + " is larger than max.message.bytes=" + maxBatchBytes);
            }
            if (size > end - pos) {
                return Result.fail(Errors.CORRUPT_MESSAGE, "Truncated record batch in the append to " + tp + ": "
                    + size + " bytes declared, " + (end - pos) + " present");
            }
            pos += (int) size;
        }
        return null;
    }

    private static Result validateBatch(TopicPartition tp, MutableRecordBatch batch, LogConfig config, long nowMs,
                                        ByteBuffer buffer, int position) {
        if (batch.baseOffset() != 0) {
            return Result.fail(Errors.INVALID_RECORD, "Client batches for " + tp + " must have base offset 0, got "
                + batch.baseOffset());
        }
        if (!batch.isValid()) {
            return Result.fail(Errors.CORRUPT_MESSAGE, "Record batch in the append to " + tp
                + " failed its CRC check");
        }
        long lastOffsetDelta = batch.lastOffset() - batch.baseOffset();
        Integer count = batch.countOrNull();
        if (lastOffsetDelta < 0) {
            return Result.fail(Errors.INVALID_RECORD, "Batch has an invalid offset range in the append to " + tp);
        }
        if (count == null || count <= 0) {
            return Result.fail(Errors.INVALID_RECORD, "Invalid reported count for record batch: " + count
                + " in the append to " + tp);
        }
        if (lastOffsetDelta + 1 != count) {
            return Result.fail(Errors.INVALID_RECORD, "Inconsistent batch offset range [0, " + lastOffsetDelta
                + "] and record count " + count + " in the append to " + tp);
        }
        if (batch.isControlBatch()) {
            return Result.fail(Errors.INVALID_RECORD, "Clients are not allowed to write control records in the "
                + "append to " + tp);
        }
        if (batch.isTransactional() && !batch.hasProducerId()) {
            return Result.fail(Errors.INVALID_RECORD, "Produce requests with transactional records must have a "
                + "valid producer id, in the append to " + tp);
        }
        if (batch.hasProducerId() && batch.baseSequence() < 0) {
            return Result.fail(Errors.INVALID_RECORD, "Invalid sequence number " + batch.baseSequence()
                + " in record batch with producerId " + batch.producerId() + " in the append to " + tp);
        }
        if (batch.compressionType() == CompressionType.NONE && RecordsScanner.accepts(buffer,
                position + BatchHeader.HEADER_SIZE, position + batch.sizeInBytes(), count,
                buffer.getLong(position + BatchHeader.BASE_TIMESTAMP_OFFSET),
                rules(config, nowMs))) {
            return null;
        }
        return validateRecords(tp, batch, count, config, nowMs);
    }

    /** What {@link RecordsScanner} accepts for a topic with {@code config} at {@code nowMs}. */
    static RecordsScanner.Rules rules(LogConfig config, long nowMs) {
        long before = config.timestampBeforeMaxMs();
        long after = config.timestampAfterMaxMs();
        long min = before == Long.MAX_VALUE ? Long.MIN_VALUE : nowMs - before;
        long max = after == Long.MAX_VALUE || nowMs > Long.MAX_VALUE - after ? Long.MAX_VALUE : nowMs + after;
        return new RecordsScanner.Rules(config.compact(), !config.messageTimestampLogAppendTime(), min, max);
    }

    /** The full, record-by-record validation (the slow path, and the reference the fast path is tested against). */
    static Result validateRecords(TopicPartition tp, MutableRecordBatch batch, int count, LogConfig config,
                                          long nowMs) {
        List<RecordError> errors = new ArrayList<>();
        boolean timestampError = false;
        boolean checkTimestamps = !config.messageTimestampLogAppendTime();
        int index = 0;
        try (CloseableIterator<Record> it = batch.streamingIterator(DECOMPRESSION_BUFFERS.get())) {
            while (it.hasNext()) {
                Record record = it.next();
                if (record.offset() != batch.baseOffset() + index) {
                    errors.add(new RecordError(index, "Invalid offset delta " + (record.offset() - batch.baseOffset())
                        + " for record " + index + " in the append to " + tp));
                } else if (config.compact() && !record.hasKey()) {
                    errors.add(new RecordError(index, "Record " + index + " has no key, which compacted partition "
                        + tp + " requires"));
                } else if (checkTimestamps && outOfRange(record.timestamp(), config, nowMs)) {
                    timestampError = true;
                    errors.add(new RecordError(index, "Record " + index + " has CreateTime " + record.timestamp()
                        + " outside the accepted window ["
                        + (nowMs - config.timestampBeforeMaxMs()) + ", " + (nowMs + config.timestampAfterMaxMs())
                        + "]"));
                }
                index++;
            }
        } catch (InvalidRecordException e) {
            return Result.fail(Errors.INVALID_RECORD, "Invalid record in the append to " + tp + ": "
                + e.getMessage());
        } catch (CorruptRecordException e) {
            return Result.fail(Errors.CORRUPT_MESSAGE, "Corrupt record in the append to " + tp + ": "
                + e.getMessage());
        } catch (KafkaException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
            return Result.fail(Errors.CORRUPT_MESSAGE, "Undecodable records in the append to " + tp + ": "
                + e.getMessage());
        }
        if (index != count && errors.isEmpty()) {
            return Result.fail(Errors.INVALID_RECORD, "Record batch in the append to " + tp + " declares " + count
                + " records but holds " + index);
        }
        if (!errors.isEmpty()) {
            Errors code = timestampError ? Errors.INVALID_TIMESTAMP : Errors.INVALID_RECORD;
            return new Result(List.of(), code, (timestampError ? "Record timestamps" : "Records")
                + " rejected in the append to " + tp, errors);
        }
        return null;
    }

    private static boolean outOfRange(long timestamp, LogConfig config, long nowMs) {
        long before = config.timestampBeforeMaxMs();
        long after = config.timestampAfterMaxMs();
        return (before != Long.MAX_VALUE && nowMs - timestamp > before)
            || (after != Long.MAX_VALUE && timestamp - nowMs > after);
    }
}

package io.spool.storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * Rewrites validated producer batches with the topic's codec ({@code compression.type} other than {@code producer}),
 * as Kafka's leader does when the producer used another codec. Each batch stays one batch with the same records
 * (offset deltas, timestamps, keys, values, headers), timestamp type, producer id, epoch, base sequence and
 * transactional flag; only the compression and therefore the bytes and CRC change. Batches already in the topic's
 * codec are copied unchanged. Runs on the appending thread before offsets are assigned; stateless.
 */
final class BatchRecompressor {

    /** Either the rewritten records with their batches, or the error to answer the producer with. */
    record Result(MemoryRecords records, List<MutableRecordBatch> batches, Errors error, String message) {
        boolean isValid() {
            return error == Errors.NONE;
        }
    }

    private BatchRecompressor() {
    }

    /** Whether any of {@code batches} is in another codec than {@code target} asks for (the fast path skips all). */
    static boolean needed(List<MutableRecordBatch> batches, TargetCompression target) {
        if (target.type() == null) {
            return false;
        }
        for (MutableRecordBatch batch : batches) {
            if (target.mustRecompress(batch.compressionType())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Rewrites {@code batches} (already validated, client base offset 0) with {@code target}. MESSAGE_TOO_LARGE when
     * a rewritten batch exceeds {@code maxMessageBytes} (a codec can compress worse than the producer's did).
     */
    static Result recompress(TopicPartition tp, List<MutableRecordBatch> batches, TargetCompression target,
                             int maxMessageBytes) {
        List<ByteBuffer> parts = new ArrayList<>(batches.size());
        int total = 0;
        for (MutableRecordBatch batch : batches) {
            ByteBuffer part;
            if (target.mustRecompress(batch.compressionType())) {
                part = rebuild(batch, target);
                if (part.remaining() > maxMessageBytes) {
                    return new Result(null, List.of(), Errors.MESSAGE_TOO_LARGE, "Batch for " + tp + " is "
                        + part.remaining() + " bytes once compressed with " + target.type().name
                        + ", more than max.message.bytes=" + maxMessageBytes);
                }
            } else {
                ByteBuffer copy = ByteBuffer.allocate(batch.sizeInBytes());
                batch.writeTo(copy);
                part = copy.flip();
            }
            parts.add(part);
            total += part.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        parts.forEach(all::put);
        MemoryRecords records = MemoryRecords.readableRecords(all.flip());
        List<MutableRecordBatch> rewritten = new ArrayList<>(batches.size());
        records.batches().forEach(rewritten::add);
        return new Result(records, rewritten, Errors.NONE, null);
    }

    private static ByteBuffer rebuild(MutableRecordBatch batch, TargetCompression target) {
        TimestampType type = batch.timestampType() == TimestampType.LOG_APPEND_TIME ? TimestampType.LOG_APPEND_TIME
            : TimestampType.CREATE_TIME;
        long logAppendTime = type == TimestampType.LOG_APPEND_TIME ? batch.maxTimestamp() : RecordBatch.NO_TIMESTAMP;
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(Math.max(256,
                batch.sizeInBytes() * 2)), RecordBatch.MAGIC_VALUE_V2, target.compression(), type, batch.baseOffset(),
            logAppendTime, batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.isTransactional(),
            false, batch.partitionLeaderEpoch());
        try (CloseableIterator<Record> it = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
            while (it.hasNext()) {
                Record r = it.next();
                builder.appendWithOffset(r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
            }
        } catch (KafkaException e) {
            // The batch passed validation, which decoded every record: failing now is a bug, not bad input.
            throw new IllegalStateException("cannot re-read a validated batch", e);
        }
        return builder.build().buffer();
    }
}

package io.spool.broker.group;

import io.spool.coordinator.CoordinatorRecord;
import io.spool.storage.LogReadResult;
import io.spool.storage.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;

/**
 * Reads and writes the records of a coordinator's internal partition ({@code __consumer_offsets},
 * {@code __transaction_state}). A replay resolves transactions as a read_committed reader would, but keeps what is
 * still open: records of a committed transaction appear at its COMMIT marker, records of an aborted one are
 * dropped, and the records of transactions without a marker yet are returned per producer id. Stateless.
 */
public final class CoordinatorLogReplay {
    private static final int READ_BYTES = 1024 * 1024;

    /** What a replay found: the effective records in log order, and the open transactions' records. */
    public record Result(List<CoordinatorRecord> records, Map<Long, List<CoordinatorRecord>> openTransactions) {
    }

    private CoordinatorLogReplay() {
    }

    /**
     * Replays from the log start to the log end (not the high watermark: a new leader holds every committed record,
     * and those past the high watermark it learns of later are kept by it and become committed).
     */
    public static Result replay(PartitionLog log) {
        List<CoordinatorRecord> records = new ArrayList<>();
        Map<Long, List<CoordinatorRecord>> open = new LinkedHashMap<>();
        long offset = log.logStartOffset();
        long end = log.logEndOffset();
        while (offset < end) {
            LogReadResult read = log.read(offset, READ_BYTES, end, true);
            if (read.error() != Errors.NONE || read.records().sizeInBytes() == 0) {
                break;
            }
            ByteBuffer buffer = ByteBuffer.allocate(read.records().sizeInBytes());
            try {
                read.records().readFully(buffer);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            buffer.flip();
            for (RecordBatch batch : MemoryRecords.readableRecords(buffer).batches()) {
                apply(batch, records, open);
                offset = batch.nextOffset();
            }
        }
        return new Result(records, open);
    }

    private static void apply(RecordBatch batch, List<CoordinatorRecord> records,
            Map<Long, List<CoordinatorRecord>> open) {
        if (batch.isControlBatch()) {
            List<CoordinatorRecord> pending = open.remove(batch.producerId());
            if (pending != null && isCommit(batch)) {
                records.addAll(pending);
            }
            return;
        }
        List<CoordinatorRecord> target = batch.isTransactional()
                ? open.computeIfAbsent(batch.producerId(), id -> new ArrayList<>()) : records;
        for (Record record : batch) {
            if (record.hasKey()) {
                target.add(new CoordinatorRecord(Utils.toArray(record.key()),
                        record.hasValue() ? Utils.toArray(record.value()) : null));
            }
        }
    }

    private static boolean isCommit(RecordBatch batch) {
        for (Record record : batch) {
            return ControlRecordType.parse(record.key()) == ControlRecordType.COMMIT;
        }
        return false;
    }

    /**
     * One batch of coordinator records; with a producer id it is that producer's transactional batch (a
     * TxnOffsetCommit). Its base sequence is 0 only because the batch format requires one for a transactional batch:
     * the log does not check a coordinator's sequences (see PartitionLog#appendFromCoordinator).
     */
    public static MemoryRecords batch(long now, List<CoordinatorRecord> records, long producerId,
            short producerEpoch) {
        int size = 64;
        for (CoordinatorRecord r : records) {
            size += 32 + r.key().length + (r.value() == null ? 0 : r.value().length);
        }
        boolean transactional = producerId != RecordBatch.NO_PRODUCER_ID;
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(size), RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.NONE, TimestampType.CREATE_TIME, 0L, now, producerId, producerEpoch,
                transactional ? 0 : RecordBatch.NO_SEQUENCE, transactional, RecordBatch.NO_PARTITION_LEADER_EPOCH);
        for (CoordinatorRecord r : records) {
            builder.append(now, r.key(), r.value());
        }
        return builder.build();
    }
}

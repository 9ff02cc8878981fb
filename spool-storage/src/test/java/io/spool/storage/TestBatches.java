package io.spool.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Builders for producer-style batches and readers for what the log returns. */
final class TestBatches {

    private TestBatches() {
    }

    static SimpleRecord record(long timestamp, String key, String value) {
        return new SimpleRecord(timestamp, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            value.getBytes(StandardCharsets.UTF_8));
    }

    static MemoryRecords batch(long timestamp, int count) {
        return batch(Compression.NONE, timestamp, count);
    }

    static MemoryRecords batch(Compression compression, long timestamp, int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = record(timestamp + i, "k" + i, "value-" + i);
        }
        return MemoryRecords.withRecords(compression, records);
    }

    static MemoryRecords idempotent(long producerId, short epoch, int baseSeq, long timestamp, int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = record(timestamp, "k" + i, "v" + baseSeq + "-" + i);
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSeq, records);
    }

    /** Several batches back to back in one buffer, as a produce request partition may carry. */
    static MemoryRecords concat(MemoryRecords... parts) {
        int size = 0;
        for (MemoryRecords p : parts) {
            size += p.sizeInBytes();
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        for (MemoryRecords p : parts) {
            buf.put(p.buffer());
        }
        buf.flip();
        return MemoryRecords.readableRecords(buf);
    }

    static MemoryRecords withValueSize(long timestamp, int valueBytes) {
        ByteBuffer buf = ByteBuffer.allocate(valueBytes + 200);
        MemoryRecordsBuilder b = MemoryRecords.builder(buf, Compression.NONE, TimestampType.CREATE_TIME, 0L);
        b.append(timestamp, "k".getBytes(StandardCharsets.UTF_8), new byte[valueBytes]);
        return b.build();
    }

    /** Recomputes the CRC after a test tampered with the header. */
    static void fixCrc(ByteBuffer batch) {
        CRC32C crc = new CRC32C();
        ByteBuffer covered = batch.duplicate();
        covered.position(21);
        crc.update(covered);
        batch.putInt(17, (int) crc.getValue());
    }

    /** What a Fetch from {@code offset} returns, as the bytes a follower receives. */
    static MemoryRecords fetch(PartitionLog leader, long offset, int maxBytes) {
        LogSlice slice = leader.read(offset, maxBytes, Long.MAX_VALUE, true).records();
        ByteBuffer buf = ByteBuffer.allocate(slice.sizeInBytes());
        try {
            if (slice.sizeInBytes() > 0) {
                slice.readFully(buf);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buf.flip();
        return MemoryRecords.readableRecords(buf);
    }

    /** Fetches from the leader and appends as follower until both end at the same offset. */
    static void replicate(PartitionLog leader, PartitionLog follower, int maxBytes) {
        while (follower.logEndOffset() < leader.logEndOffset()) {
            AppendResult r = follower.appendAsFollower(fetch(leader, follower.logEndOffset(), maxBytes));
            if (!r.isSuccess()) {
                throw new AssertionError("follower append failed: " + r);
            }
        }
    }

    /** Every batch of the log from its start to its end, back to back, as fetches return them. */
    static byte[] allBytes(PartitionLog log) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            MemoryRecords records = fetch(log, next, 1 << 30);
            ByteBuffer buf = records.buffer();
            byte[] bytes = new byte[buf.remaining()];
            buf.get(bytes);
            out.writeBytes(bytes);
            for (RecordBatch b : records.batches()) {
                next = b.lastOffset() + 1;
            }
        }
        return out.toByteArray();
    }

    static List<RecordBatch> batchesOf(LogSlice slice) {
        ByteBuffer buf = ByteBuffer.allocate(slice.sizeInBytes());
        try {
            if (slice.sizeInBytes() > 0) {
                slice.readFully(buf);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buf.flip();
        List<RecordBatch> out = new ArrayList<>();
        MemoryRecords.readableRecords(buf).batches().forEach(out::add);
        return out;
    }

    static List<Record> recordsOf(LogSlice slice) {
        List<Record> out = new ArrayList<>();
        for (RecordBatch b : batchesOf(slice)) {
            b.forEach(out::add);
        }
        return out;
    }

    static String value(Record r) {
        return StandardCharsets.UTF_8.decode(r.value()).toString();
    }
}

package io.spool.it;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.internals.Crc32C;

/**
 * Record batches as kafka-clients builds them, and the ways a hostile or broken client can spoil them. Offsets are
 * those of the v2 batch header:
 *
 * <pre>
 * 0 baseOffset(8) | 8 length(4) | 12 partitionLeaderEpoch(4) | 16 magic(1) | 17 crc(4) | 21 attributes(2)
 * 23 lastOffsetDelta(4) | 27 baseTimestamp(8) | 35 maxTimestamp(8) | 43 producerId(8) | 51 producerEpoch(2)
 * 53 baseSequence(4) | 57 recordCount(4) | 61 records...
 * </pre>
 *
 * The CRC-32C covers bytes 21 to the end, so a corruption that must pass the CRC check is followed by
 * {@link #resealCrc}. Stateless.
 */
final class BadBatches {
    static final int LAST_OFFSET_DELTA_OFFSET = DefaultRecordBatch.LAST_OFFSET_DELTA_OFFSET;
    static final int RECORDS_COUNT_OFFSET = DefaultRecordBatch.RECORDS_COUNT_OFFSET;
    static final int RECORDS_OFFSET = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
    private static final int ATTRIBUTES_OFFSET = 21;

    private BadBatches() {
    }

    /** A valid v2 batch of {@code count} records with random keys and values of up to {@code maxValue} bytes. */
    static ByteBuffer valid(Random random, int count, int maxValue) {
        return MemoryRecords.withRecords(Compression.NONE, records(random, count, maxValue)).buffer();
    }

    static SimpleRecord[] records(Random random, int count, int maxValue) {
        SimpleRecord[] records = new SimpleRecord[count];
        long now = System.currentTimeMillis();
        for (int i = 0; i < count; i++) {
            byte[] key = new byte[1 + random.nextInt(16)];
            byte[] value = new byte[random.nextInt(maxValue + 1)];
            random.nextBytes(key);
            random.nextBytes(value);
            records[i] = new SimpleRecord(now, key, value);
        }
        return records;
    }

    /** A valid batch of one record whose value is exactly {@code valueSize} random bytes. */
    static ByteBuffer withValueOf(Random random, int valueSize) {
        byte[] value = new byte[valueSize];
        random.nextBytes(value);
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(System.currentTimeMillis(), null, value))
                .buffer();
    }

    /** Flips one byte of the records area: the CRC no longer matches. */
    static ByteBuffer badCrc(Random random, ByteBuffer batch) {
        ByteBuffer copy = copy(batch);
        int at = RECORDS_OFFSET + random.nextInt(copy.limit() - RECORDS_OFFSET);
        copy.put(at, (byte) (copy.get(at) ^ (1 + random.nextInt(255))));
        return copy;
    }

    /** The records-count field says {@code count}, with a CRC recomputed so only the lie is wrong. */
    static ByteBuffer lyingCount(ByteBuffer batch, int count) {
        ByteBuffer copy = copy(batch);
        copy.putInt(RECORDS_COUNT_OFFSET, count);
        return resealCrc(copy);
    }

    /**
     * Count and last offset delta agree with each other but both claim {@code extra} more records than the batch
     * holds, with a valid CRC: only walking the records finds the lie.
     */
    static ByteBuffer lyingCountAndDelta(ByteBuffer batch, int extra) {
        ByteBuffer copy = copy(batch);
        copy.putInt(RECORDS_COUNT_OFFSET, copy.getInt(RECORDS_COUNT_OFFSET) + extra);
        copy.putInt(LAST_OFFSET_DELTA_OFFSET, copy.getInt(LAST_OFFSET_DELTA_OFFSET) + extra);
        return resealCrc(copy);
    }

    /** The same records as a magic v1 (pre-0.11) message set. */
    static ByteBuffer magicV1(Random random, int count, int maxValue) {
        return MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                records(random, count, maxValue)).buffer();
    }

    /** A batch whose base offset is not 0, as only a replica, never a client, may send. */
    static ByteBuffer nonZeroBaseOffset(ByteBuffer batch, long baseOffset) {
        ByteBuffer copy = copy(batch);
        copy.putLong(0, baseOffset);
        return copy;
    }

    /** The batch with its last {@code cut} bytes missing; the length field still claims them. */
    static ByteBuffer truncated(ByteBuffer batch, int cut) {
        ByteBuffer copy = copy(batch);
        copy.limit(copy.limit() - cut);
        return copy.slice();
    }

    /** Two valid batches back to back in one partition's records. */
    static ByteBuffer twoBatches(ByteBuffer first, ByteBuffer second) {
        ByteBuffer both = ByteBuffer.allocate(first.remaining() + second.remaining());
        both.put(first.duplicate()).put(second.duplicate()).flip();
        return both;
    }

    /** The records-count field of a v2 batch. */
    static int count(ByteBuffer batch) {
        return batch.getInt(RECORDS_COUNT_OFFSET);
    }

    /** The values of the records of a valid batch, in order. */
    static List<byte[]> values(ByteBuffer batch) {
        List<byte[]> values = new ArrayList<>();
        for (Record record : MemoryRecords.readableRecords(batch.duplicate()).records()) {
            byte[] value = new byte[record.valueSize()];
            record.value().get(value);
            values.add(value);
        }
        return values;
    }

    static ByteBuffer resealCrc(ByteBuffer batch) {
        long crc = Crc32C.compute(batch, ATTRIBUTES_OFFSET, batch.limit() - ATTRIBUTES_OFFSET);
        batch.putInt(DefaultRecordBatch.CRC_OFFSET, (int) crc);
        return batch;
    }

    static ByteBuffer copy(ByteBuffer batch) {
        ByteBuffer copy = ByteBuffer.allocate(batch.remaining());
        copy.put(batch.duplicate()).flip();
        return copy;
    }

    /** A Produce request carrying {@code records} verbatim for one partition of one topic, by name. */
    static ProduceRequestData produce(String topic, int partition, short acks, ByteBuffer records) {
        TopicProduceDataCollection topics = new TopicProduceDataCollection();
        topics.add(new TopicProduceData().setName(topic).setPartitionData(List.of(
                new PartitionProduceData().setIndex(partition).setRecords(MemoryRecords.readableRecords(records)))));
        return new ProduceRequestData().setAcks(acks).setTimeoutMs(30_000).setTransactionalId(null)
                .setTopicData(topics);
    }
}

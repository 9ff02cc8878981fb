package io.spool.storage;

import static io.spool.storage.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class RecompressionTest extends LogTestBase {

    private static LogConfig codec(String name) {
        return LogConfig.defaults().withCompression(TargetCompression.of(name, -1, 9, 3));
    }

    /** An idempotent gzip batch with keys, a null key, headers and distinct timestamps. */
    private static MemoryRecords gzipIdempotent(long producerId, short epoch, int baseSequence) {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(1024), RecordBatch.MAGIC_VALUE_V2,
            Compression.gzip().build(), TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, producerId, epoch,
            baseSequence, false, RecordBatch.NO_PARTITION_LEADER_EPOCH);
        b.append(new SimpleRecord(NOW, "k0".getBytes(StandardCharsets.UTF_8), "v0".getBytes(StandardCharsets.UTF_8),
            new RecordHeader[] {new RecordHeader("h", "x".getBytes(StandardCharsets.UTF_8))}));
        b.append(new SimpleRecord(NOW + 5, null, "v1".getBytes(StandardCharsets.UTF_8)));
        b.append(new SimpleRecord(NOW + 2, "k2".getBytes(StandardCharsets.UTF_8), null));
        return b.build();
    }

    private static List<RecordBatch> stored(PartitionLog log) {
        return TestBatches.batchesOf(log.read(log.logStartOffset(), Integer.MAX_VALUE, Long.MAX_VALUE, true)
            .records());
    }

    @Test
    void shouldStoreGzipBatchAsLz4WithIdenticalRecordsWhenTopicCodecIsLz4() {
        PartitionLog log = newLog(codec("lz4"));
        MemoryRecords produced = gzipIdempotent(7L, (short) 2, 10);
        List<Record> expected = recordsOf(produced);

        AppendResult result = log.appendAsLeader(produced, 3);

        assertThat(result.error()).isEqualTo(Errors.NONE);
        assertThat(result.firstOffset()).isZero();
        assertThat(result.lastOffset()).isEqualTo(2);
        List<RecordBatch> batches = stored(log);
        assertThat(batches).hasSize(1);
        RecordBatch batch = batches.get(0);
        assertThat(batch.compressionType()).isEqualTo(CompressionType.LZ4);
        assertThat(batch.isValid()).isTrue();
        assertThat(batch.producerId()).isEqualTo(7L);
        assertThat(batch.producerEpoch()).isEqualTo((short) 2);
        assertThat(batch.baseSequence()).isEqualTo(10);
        assertThat(batch.lastSequence()).isEqualTo(12);
        assertThat(batch.isTransactional()).isFalse();
        assertThat(batch.partitionLeaderEpoch()).isEqualTo(3);
        assertThat(batch.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(batch.maxTimestamp()).isEqualTo(NOW + 5);
        List<Record> actual = TestBatches.recordsOf(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records());
        assertThat(actual).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(actual.get(i).offset()).isEqualTo(i);
            assertThat(actual.get(i).timestamp()).isEqualTo(expected.get(i).timestamp());
            assertThat(actual.get(i).key()).isEqualTo(expected.get(i).key());
            assertThat(actual.get(i).value()).isEqualTo(expected.get(i).value());
            assertThat(actual.get(i).headers()).containsExactly(expected.get(i).headers());
        }
    }

    @Test
    void shouldAnswerRetryWithOriginalOffsetsWhenBatchWasRecompressed() {
        PartitionLog log = newLog(codec("lz4"));
        log.appendAsLeader(batch(NOW, 2), 0);
        AppendResult first = log.appendAsLeader(gzipIdempotent(7L, (short) 0, 0), 0);

        AppendResult retry = log.appendAsLeader(gzipIdempotent(7L, (short) 0, 0), 0);

        assertThat(retry.error()).isEqualTo(Errors.NONE);
        assertThat(retry.firstOffset()).isEqualTo(first.firstOffset()).isEqualTo(2);
        assertThat(log.logEndOffset()).isEqualTo(5);
    }

    @Test
    void shouldDecompressWhenTopicIsUncompressed() {
        PartitionLog log = newLog(codec("uncompressed"));

        log.appendAsLeader(batch(Compression.zstd().build(), NOW, 4), 0);

        List<RecordBatch> batches = stored(log);
        assertThat(batches).singleElement().satisfies(b -> {
            assertThat(b.compressionType()).isEqualTo(CompressionType.NONE);
            assertThat(b.isValid()).isTrue();
        });
        List<Record> records = TestBatches.recordsOf(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records());
        assertThat(records).extracting(TestBatches::value).containsExactly("value-0", "value-1", "value-2", "value-3");
    }

    @Test
    void shouldKeepProducerBytesWhenTopicCodecIsProducer() {
        PartitionLog log = newLog(LogConfig.defaults());
        MemoryRecords produced = batch(Compression.gzip().build(), NOW, 4);
        int size = produced.sizeInBytes();

        log.appendAsLeader(produced, 0);

        assertThat(stored(log)).singleElement().satisfies(b -> {
            assertThat(b.compressionType()).isEqualTo(CompressionType.GZIP);
            assertThat(b.sizeInBytes()).isEqualTo(size);
        });
    }

    @Test
    void shouldApplyNewCodecToLaterAppendsWhenConfigChanges() {
        PartitionLog log = newLog(LogConfig.defaults());
        log.appendAsLeader(batch(Compression.gzip().build(), NOW, 2), 0);

        log.updateConfig(codec("snappy"));
        log.appendAsLeader(batch(Compression.gzip().build(), NOW, 2), 0);
        log.appendAsLeader(TestBatches.concat(batch(NOW, 1), batch(Compression.snappy().build(), NOW, 1)), 0);

        assertThat(stored(log)).extracting(RecordBatch::compressionType).containsExactly(CompressionType.GZIP,
            CompressionType.SNAPPY, CompressionType.SNAPPY, CompressionType.SNAPPY);
        assertThat(log.logEndOffset()).isEqualTo(6);
    }

    @Test
    void shouldStampLogAppendTimeOnRecompressedBatch() {
        PartitionLog log = newLog(codec("lz4").withTimestamps(true, Long.MAX_VALUE, 3600_000L));

        log.appendAsLeader(batch(Compression.gzip().build(), NOW - 1000, 3), 0);

        assertThat(stored(log)).singleElement().satisfies(b -> {
            assertThat(b.compressionType()).isEqualTo(CompressionType.LZ4);
            assertThat(b.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
            assertThat(b.maxTimestamp()).isEqualTo(clock.millis());
            assertThat(b.isValid()).isTrue();
        });
    }

    @Test
    void shouldRefuseBatchThatOutgrowsMaxMessageBytesOnceRecompressed() {
        SimpleRecord[] records = new SimpleRecord[50];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(NOW, null, "a".repeat(100).getBytes(StandardCharsets.UTF_8));
        }
        MemoryRecords zstd = MemoryRecords.withRecords(Compression.zstd().build(), records);
        PartitionLog log = newLog(codec("uncompressed").withMaxMessageBytes(zstd.sizeInBytes() + 100));

        AppendResult result = log.appendAsLeader(zstd, 0);

        assertThat(result.error()).isEqualTo(Errors.MESSAGE_TOO_LARGE);
        assertThat(log.logEndOffset()).isZero();
    }

    private static List<Record> recordsOf(MemoryRecords records) {
        List<Record> out = new java.util.ArrayList<>();
        records.batches().forEach(b -> b.forEach(out::add));
        return out;
    }
}

package io.spool.storage;

import static io.spool.storage.TestBatches.batch;
import static io.spool.storage.TestBatches.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PartitionLogAppendTest extends LogTestBase {

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void shouldRoundTripBatchesByteForByteWhenCompressedWithAnyCodec(CompressionType codec) {
        PartitionLog log = newLog(LogConfig.defaults());
        MemoryRecords first = batch(Compression.of(codec).build(), NOW, 5);
        MemoryRecords second = batch(Compression.of(codec).build(), NOW, 3);
        int firstSize = first.sizeInBytes();

        AppendResult r1 = log.appendAsLeader(first, 4);
        AppendResult r2 = log.appendAsLeader(second, 4);

        assertThat(r1.error()).isEqualTo(Errors.NONE);
        assertThat(r1.firstOffset()).isZero();
        assertThat(r1.lastOffset()).isEqualTo(4);
        assertThat(r2.firstOffset()).isEqualTo(5);
        assertThat(r2.lastOffset()).isEqualTo(7);
        assertThat(log.logEndOffset()).isEqualTo(8);
        LogReadResult read = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, false);
        List<RecordBatch> batches = TestBatches.batchesOf(read.records());
        assertThat(batches).hasSize(2);
        assertThat(batches.get(0).sizeInBytes()).isEqualTo(firstSize);
        assertThat(batches.get(0).compressionType()).isEqualTo(codec);
        assertThat(batches.get(0).partitionLeaderEpoch()).isEqualTo(4);
        assertThat(batches.get(1).baseOffset()).isEqualTo(5);
        assertThat(batches).allMatch(RecordBatch::isValid);
        List<Record> records = TestBatches.recordsOf(read.records());
        assertThat(records).extracting(Record::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(TestBatches.value(records.get(6))).isEqualTo("value-1");
    }

    @Test
    void shouldAssignConsecutiveOffsetsWhenOneRequestCarriesSeveralBatches() {
        PartitionLog log = newLog(LogConfig.defaults());
        log.appendAsLeader(batch(NOW, 2), 0);

        AppendResult r = log.appendAsLeader(TestBatches.concat(batch(NOW, 3), batch(NOW, 4)), 0);

        assertThat(r.firstOffset()).isEqualTo(2);
        assertThat(r.lastOffset()).isEqualTo(8);
        assertThat(TestBatches.batchesOf(log.read(2, 1 << 20, Long.MAX_VALUE, false).records()))
            .extracting(RecordBatch::baseOffset).containsExactly(2L, 5L);
    }

    @Test
    void shouldStampBrokerTimeWhenTopicUsesLogAppendTime() {
        PartitionLog log = newLog(LogConfig.defaults().withTimestamps(true, Long.MAX_VALUE, 3600_000L));
        MemoryRecords records = batch(Compression.lz4().build(), 5L, 3);

        AppendResult r = log.appendAsLeader(records, 0);

        assertThat(r.logAppendTime()).isEqualTo(NOW);
        RecordBatch stored = TestBatches.batchesOf(log.read(0, 1 << 20, Long.MAX_VALUE, false).records()).get(0);
        assertThat(stored.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(stored.maxTimestamp()).isEqualTo(NOW);
        assertThat(stored.isValid()).isTrue();
    }

    @Test
    void shouldReturnMinusOneLogAppendTimeWhenTopicUsesCreateTime() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertThat(log.appendAsLeader(batch(NOW, 1), 0).logAppendTime()).isEqualTo(-1L);
    }

    @Test
    void shouldRejectWithInvalidRecordWhenMagicIsNotTwo() {
        PartitionLog log = newLog(LogConfig.defaults());
        MemoryRecords records = batch(NOW, 2);
        records.buffer().put(16, (byte) 1);

        assertRejected(log, records, Errors.INVALID_RECORD);
    }

    @Test
    void shouldRejectWithCorruptMessageWhenCrcDoesNotMatch() {
        PartitionLog log = newLog(LogConfig.defaults());
        MemoryRecords records = batch(NOW, 2);
        ByteBuffer buf = records.buffer();
        buf.put(buf.limit() - 1, (byte) (buf.get(buf.limit() - 1) ^ 0x5a));

        assertRejected(log, records, Errors.CORRUPT_MESSAGE);
    }

    @Test
    void shouldRejectWithMessageTooLargeWhenBatchExceedsMaxMessageBytes() {
        PartitionLog log = newLog(LogConfig.defaults().withMaxMessageBytes(1000));

        assertRejected(log, TestBatches.withValueSize(NOW, 2000), Errors.MESSAGE_TOO_LARGE);
    }

    @Test
    void shouldRejectWithCorruptMessageWhenBatchIsTruncated() {
        PartitionLog log = newLog(LogConfig.defaults());
        ByteBuffer buf = batch(NOW, 3).buffer();
        buf.limit(buf.limit() - 5);

        assertRejected(log, MemoryRecords.readableRecords(buf.slice()), Errors.CORRUPT_MESSAGE);
    }

    @Test
    void shouldRejectWithCorruptMessageWhenBatchLengthIsBelowHeaderSize() {
        PartitionLog log = newLog(LogConfig.defaults());
        MemoryRecords records = batch(NOW, 3);
        records.buffer().putInt(8, 10);

        assertRejected(log, records, Errors.CORRUPT_MESSAGE);
    }

    @Test
    void shouldRejectWithInvalidRecordWhenRequestHasNoBatch() {
        PartitionLog log = newLog(LogConfig.defaults());

        assertRejected(log, MemoryRecords.EMPTY, Errors.INVALID_RECORD);
    }

    @Test
    void shouldRejectWithInvalidRecordWhenClientSetsBaseOffset() {
        PartitionLog log = newLog(LogConfig.defaults());

        assertRejected(log, MemoryRecords.withRecords(7L, Compression.NONE, record(NOW, "k", "v")),
            Errors.INVALID_RECORD);
    }

    @Test
    void shouldRejectWithInvalidRecordWhenRecordCountDisagreesWithOffsetDeltas() {
        PartitionLog log = newLog(LogConfig.defaults());
        MemoryRecords records = batch(NOW, 3);
        records.buffer().putInt(57, 4);
        TestBatches.fixCrc(records.buffer());

        assertRejected(log, records, Errors.INVALID_RECORD);
    }

    @Test
    void shouldRejectWithInvalidRecordWhenDeclaredCountExceedsRecordsPresent() {
        PartitionLog log = newLog(LogConfig.defaults());
        MemoryRecords records = batch(NOW, 3);
        records.buffer().putInt(57, 4);
        records.buffer().putInt(23, 3);
        TestBatches.fixCrc(records.buffer());

        assertRejected(log, records, Errors.INVALID_RECORD);
    }

    @Test
    void shouldReportRecordErrorsWhenCreateTimeIsOutsideAllowedWindow() {
        PartitionLog log = newLog(LogConfig.defaults().withTimestamps(false, 60_000L, 60_000L));
        MemoryRecords records = MemoryRecords.withRecords(Compression.gzip().build(),
            record(NOW, "a", "ok"), record(NOW - 120_000L, "b", "too old"), record(NOW + 120_000L, "c", "future"));

        AppendResult r = log.appendAsLeader(records, 0);

        assertThat(r.error()).isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(r.recordErrors()).extracting(RecordError::batchIndex).containsExactly(1, 2);
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void shouldReportRecordErrorWhenCompactedTopicGetsRecordWithoutKey() {
        PartitionLog log = newLog(LogConfig.defaults().withCompact(true));
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, record(NOW, "a", "1"),
            record(NOW, null, "2"));

        AppendResult r = log.appendAsLeader(records, 0);

        assertThat(r.error()).isEqualTo(Errors.INVALID_RECORD);
        assertThat(r.recordErrors()).extracting(RecordError::batchIndex).containsExactly(1);
    }

    @Test
    void shouldAppendTransactionalBatchWhenBrokerVerifiedIt() {
        PartitionLog log = newLog(LogConfig.defaults());
        MemoryRecords records = MemoryRecords.withTransactionalRecords(Compression.NONE, 9L, (short) 0, 0,
            record(NOW, "k", "v"));

        assertThat(log.appendAsLeader(records, 0).error()).isEqualTo(Errors.NONE);
        assertThat(log.hasOngoingTransaction(9L)).isTrue();
    }

    @Test
    void shouldAppendNothingWhenAnyBatchOfTheRequestIsInvalid() {
        PartitionLog log = newLog(LogConfig.defaults());
        MemoryRecords bad = batch(NOW, 2);
        bad.buffer().put(bad.buffer().limit() - 1, (byte) 0x7f);

        AppendResult r = log.appendAsLeader(TestBatches.concat(batch(NOW, 2), bad), 0);

        assertThat(r.error()).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.sizeInBytes()).isZero();
    }

    private static void assertRejected(PartitionLog log, MemoryRecords records, Errors expected) {
        long leo = log.logEndOffset();
        AppendResult r = log.appendAsLeader(records, 0);
        assertThat(r.error()).isEqualTo(expected);
        assertThat(r.errorMessage()).isNotBlank();
        assertThat(r.firstOffset()).isEqualTo(-1L);
        assertThat(log.logEndOffset()).isEqualTo(leo);
    }
}

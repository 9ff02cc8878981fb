package io.spool.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProduceRecordsCheckTest {
    private static MemoryRecords batch(Compression compression) {
        return batch(RecordBatch.MAGIC_VALUE_V2, compression);
    }

    private static MemoryRecords batch(byte magic, Compression compression) {
        return MemoryRecords.withRecords(magic, compression, new SimpleRecord("k".getBytes(), "v".getBytes()),
                new SimpleRecord("k".getBytes(), "w".getBytes()));
    }

    private static MemoryRecords concat(MemoryRecords first, MemoryRecords second) {
        ByteBuffer both = ByteBuffer.allocate(first.sizeInBytes() + second.sizeInBytes());
        both.put(first.buffer().duplicate()).put(second.buffer().duplicate()).flip();
        return MemoryRecords.readableRecords(both);
    }

    @ParameterizedTest
    @ValueSource(shorts = {3, 4, 5, 6})
    void shouldRejectZstdWhenRequestVersionPredatesIt(short version) {
        assertThat(ProduceRecordsCheck.check(version, batch(Compression.zstd().build())))
                .isEqualTo(Errors.UNSUPPORTED_COMPRESSION_TYPE);
    }

    @ParameterizedTest
    @ValueSource(shorts = {7, 8, 13})
    void shouldAcceptZstdWhenRequestVersionIs7OrLater(short version) {
        assertThat(ProduceRecordsCheck.check(version, batch(Compression.zstd().build()))).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldAcceptOtherCodecsWhenRequestVersionPredatesZstd() {
        for (Compression compression : new Compression[] {Compression.NONE, Compression.gzip().build(),
                Compression.snappy().build(), Compression.lz4().build()}) {
            assertThat(ProduceRecordsCheck.check((short) 3, batch(compression))).as(compression.type().name)
                    .isEqualTo(Errors.NONE);
        }
    }

    @Test
    void shouldReportZstdBeforeASecondBatchWhenTheFirstIsZstd() {
        MemoryRecords two = concat(batch(Compression.zstd().build()), batch(Compression.NONE));

        assertThat(ProduceRecordsCheck.check((short) 6, two)).isEqualTo(Errors.UNSUPPORTED_COMPRESSION_TYPE);
        assertThat(ProduceRecordsCheck.check((short) 7, two)).isEqualTo(Errors.INVALID_RECORD);
    }

    @Test
    void shouldNotLookPastTheFirstBatchForZstd() {
        MemoryRecords two = concat(batch(Compression.NONE), batch(Compression.zstd().build()));

        assertThat(ProduceRecordsCheck.check((short) 6, two)).isEqualTo(Errors.INVALID_RECORD);
    }

    @Test
    void shouldRejectAnOldMagicBeforeLookingAtTheCodec() {
        assertThat(ProduceRecordsCheck.check((short) 6, batch(RecordBatch.MAGIC_VALUE_V1, Compression.gzip().build())))
                .isEqualTo(Errors.INVALID_RECORD);
    }

    @Test
    void shouldReportInvalidRecordWhenThereIsNoBatch() {
        assertThat(ProduceRecordsCheck.check((short) 6, MemoryRecords.EMPTY)).isEqualTo(Errors.INVALID_RECORD);
    }

    @Test
    void shouldReportCorruptMessageWhenTheBatchIsTruncated() {
        ByteBuffer whole = batch(Compression.zstd().build()).buffer();
        ByteBuffer truncated = whole.duplicate().limit(whole.limit() - 1);

        assertThat(ProduceRecordsCheck.check((short) 6, MemoryRecords.readableRecords(truncated.slice())))
                .isEqualTo(Errors.CORRUPT_MESSAGE);
    }
}

package io.spool.storage;

import static io.spool.storage.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

class PartitionLogReadTest extends LogTestBase {

    private PartitionLog logWithBatches(int batches, int recordsPerBatch) {
        PartitionLog log = newLog(LogConfig.defaults().withIndex(100, 4096));
        for (int i = 0; i < batches; i++) {
            log.appendAsLeader(batch(NOW, recordsPerBatch), 0);
        }
        return log;
    }

    @Test
    void shouldStartAtBatchContainingOffsetWhenFetchOffsetIsMidBatch() {
        PartitionLog log = logWithBatches(10, 5);

        List<RecordBatch> batches = TestBatches.batchesOf(log.read(23, 1 << 20, Long.MAX_VALUE, false).records());

        assertThat(batches.get(0).baseOffset()).isEqualTo(20);
        assertThat(batches).hasSize(6);
    }

    @Test
    void shouldReturnOnlyWholeBatchesWithinMaxBytes() {
        PartitionLog log = logWithBatches(10, 5);
        int batchSize = TestBatches.batchesOf(log.read(0, 1 << 20, Long.MAX_VALUE, false).records()).get(0)
            .sizeInBytes();

        LogReadResult r = log.read(0, batchSize * 3 + batchSize / 2, Long.MAX_VALUE, false);

        assertThat(r.records().sizeInBytes()).isEqualTo(batchSize * 3);
    }

    @Test
    void shouldReturnFirstWholeBatchWhenItExceedsMaxBytesAndMinOneBatch() {
        PartitionLog log = logWithBatches(3, 5);

        LogReadResult withMin = log.read(5, 10, Long.MAX_VALUE, true);
        LogReadResult withoutMin = log.read(5, 10, Long.MAX_VALUE, false);

        assertThat(TestBatches.batchesOf(withMin.records())).extracting(RecordBatch::baseOffset).containsExactly(5L);
        assertThat(withoutMin.records().sizeInBytes()).isZero();
        assertThat(withoutMin.error()).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldNotReturnBatchesAtOrBeyondMaxOffsetExclusive() {
        PartitionLog log = logWithBatches(4, 5);
        log.updateHighWatermark(10);

        LogReadResult r = log.read(0, 1 << 20, log.highWatermark(), true);

        assertThat(TestBatches.batchesOf(r.records())).extracting(RecordBatch::lastOffset).containsExactly(4L, 9L);
        assertThat(r.highWatermark()).isEqualTo(10);
        assertThat(log.read(10, 1 << 20, 10, true).records().sizeInBytes()).isZero();
    }

    @Test
    void shouldReturnOffsetOutOfRangeWhenFetchOffsetIsOutsideLog() {
        PartitionLog log = logWithBatches(2, 5);

        assertThat(log.read(11, 100, Long.MAX_VALUE, true).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(log.read(-1, 100, Long.MAX_VALUE, true).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        LogReadResult atEnd = log.read(10, 100, Long.MAX_VALUE, true);
        assertThat(atEnd.error()).isEqualTo(Errors.NONE);
        assertThat(atEnd.records().sizeInBytes()).isZero();
        assertThat(atEnd.logEndOffset()).isEqualTo(10);
    }

    @Test
    void shouldBoundHighWatermarkByLogEndOffset() {
        PartitionLog log = logWithBatches(1, 5);

        log.updateHighWatermark(100);

        assertThat(log.highWatermark()).isEqualTo(5);
    }

    @Test
    void shouldReadAcrossSegmentsWhenFetchingFromRolledSegment() {
        PartitionLog log = newLog(LogConfig.defaults().withSegmentBytes(1024));
        for (int i = 0; i < 40; i++) {
            log.appendAsLeader(batch(NOW, 3), 0);
        }
        assertThat(log.numberOfSegments()).isGreaterThan(3);

        long next = 0;
        while (next < log.logEndOffset()) {
            List<RecordBatch> batches = TestBatches.batchesOf(log.read(next, 300, Long.MAX_VALUE, true).records());
            assertThat(batches.get(0).baseOffset()).isEqualTo(next);
            next = batches.get(batches.size() - 1).nextOffset();
        }
        assertThat(next).isEqualTo(120);
    }

    @Test
    void shouldReadEachBatchJustAppendedFromItsOwnOffsets() {
        PartitionLog log = newLog(LogConfig.defaults().withIndex(4096, 4096));
        for (int i = 0; i < 20; i++) {
            AppendResult appended = log.appendAsLeader(batch(NOW, 1 + i % 4), 0);

            for (long offset = appended.firstOffset(); offset <= appended.lastOffset(); offset++) {
                List<RecordBatch> read = TestBatches.batchesOf(log.read(offset, 1 << 20, Long.MAX_VALUE, true)
                    .records());
                assertThat(read).extracting(RecordBatch::baseOffset).containsExactly(appended.firstOffset());
                assertThat(read.get(0).lastOffset()).isEqualTo(appended.lastOffset());
            }
        }
    }

    @Test
    void shouldReadTheBatchThatReplacedATruncatedOneAtTheSameOffsets() {
        PartitionLog log = logWithBatches(3, 5);
        log.truncateTo(10);

        // Longer than the batch it replaces: a header remembered from before the truncation would still fit the file.
        log.appendAsLeader(batch(NOW + 100, 8), 0);

        LogReadResult result = log.read(12, 1 << 20, Long.MAX_VALUE, true);
        List<RecordBatch> read = TestBatches.batchesOf(result.records());
        assertThat(read).hasSize(1);
        assertThat(read.get(0).baseOffset()).isEqualTo(10);
        assertThat(read.get(0).lastOffset()).isEqualTo(17);
        assertThat(read.get(0).sizeInBytes()).isEqualTo(result.records().sizeInBytes());
        assertThat(read.get(0).maxTimestamp()).isEqualTo(NOW + 107);
    }
}

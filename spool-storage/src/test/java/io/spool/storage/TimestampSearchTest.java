package io.spool.storage;

import static io.spool.storage.TestBatches.record;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;

class TimestampSearchTest extends LogTestBase {

    private PartitionLog logWithTimestamps(long... timestamps) {
        PartitionLog log = newLog(LogConfig.defaults().withSegmentBytes(400).withIndex(50, 4096)
            .withTimestamps(false, Long.MAX_VALUE, Long.MAX_VALUE));
        for (long ts : timestamps) {
            log.appendAsLeader(MemoryRecords.withRecords(Compression.snappy().build(), record(ts, "k", "v"),
                record(ts + 1, "k", "v")), 2);
        }
        return log;
    }

    @Test
    void shouldFindFirstOffsetWithTimestampAtOrAfterTarget() {
        PartitionLog log = logWithTimestamps(100, 200, 300, 400, 500, 600, 700, 800);

        assertThat(log.offsetForTimestamp(0)).isEqualTo(new OffsetAndTimestamp(0, 100, 2));
        assertThat(log.offsetForTimestamp(201)).isEqualTo(new OffsetAndTimestamp(3, 201, 2));
        assertThat(log.offsetForTimestamp(202)).isEqualTo(new OffsetAndTimestamp(4, 300, 2));
        assertThat(log.offsetForTimestamp(801)).isEqualTo(new OffsetAndTimestamp(15, 801, 2));
        assertThat(log.offsetForTimestamp(802)).isNull();
    }

    @Test
    void shouldFindRecordWithLargestTimestampWhenTimestampsAreNotMonotonic() {
        PartitionLog log = logWithTimestamps(100, 900, 300, 400, 500, 600, 700, 800);

        assertThat(log.maxTimestampOffset()).isEqualTo(new OffsetAndTimestamp(3, 901, 2));
        assertThat(log.offsetForTimestamp(850)).isEqualTo(new OffsetAndTimestamp(2, 900, 2));
    }

    @Test
    void shouldAnswerTimestampQueriesAfterCleanRestart() {
        logWithTimestamps(100, 200, 300, 400, 500, 600, 700, 800);

        PartitionLog reopened = reopenClean(LogConfig.defaults());

        assertThat(reopened.offsetForTimestamp(450)).isEqualTo(new OffsetAndTimestamp(8, 500, 2));
        assertThat(reopened.maxTimestampOffset()).isEqualTo(new OffsetAndTimestamp(15, 801, 2));
    }

    @Test
    void shouldReturnNullWhenLogIsEmpty() {
        PartitionLog log = newLog(LogConfig.defaults());

        assertThat(log.offsetForTimestamp(0)).isNull();
        assertThat(log.maxTimestampOffset()).isNull();
    }
}

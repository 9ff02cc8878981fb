package io.spool.storage;

import static io.spool.storage.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

class RetentionTest extends LogTestBase {

    private static final long HOUR = 3600_000L;

    @Test
    void shouldRollWhenSegmentBytesWouldBeExceeded() {
        PartitionLog log = newLog(LogConfig.defaults().withSegmentBytes(1000));
        int size = batch(NOW, 3).sizeInBytes();

        for (int i = 0; i < 20; i++) {
            log.appendAsLeader(batch(NOW, 3), 0);
        }

        int perSegment = 1000 / size;
        assertThat(log.numberOfSegments()).isEqualTo((20 + perSegment - 1) / perSegment);
    }

    @Test
    void shouldRollWhenSegmentMsElapsed() {
        PartitionLog log = newLog(LogConfig.defaults().withSegmentMs(HOUR));
        log.appendAsLeader(batch(NOW, 1), 0);

        clock.advance(HOUR + 1);
        manager.runRetentionAndRoll();

        assertThat(log.numberOfSegments()).isEqualTo(2);
    }

    @Test
    void shouldDeleteSegmentsOlderThanRetentionMsAndMoveLogStart() {
        PartitionLog log = newLog(LogConfig.defaults().withSegmentBytes(1000).withRetention(10 * HOUR, -1));
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(batch(clock.millis(), 3), 0);
        }
        clock.advance(5 * HOUR);
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(batch(clock.millis(), 3), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        long segmentsBefore = log.numberOfSegments();

        clock.advance(6 * HOUR);
        manager.runRetentionAndRoll();

        assertThat(log.numberOfSegments()).isLessThan((int) segmentsBefore);
        assertThat(log.logStartOffset()).isGreaterThan(0).isLessThanOrEqualTo(30);
        assertThat(log.read(0, 100, Long.MAX_VALUE, true).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        RecordBatch first = TestBatches.batchesOf(log.read(log.logStartOffset(), 100, Long.MAX_VALUE, true)
            .records()).get(0);
        assertThat(first.baseOffset()).isEqualTo(log.logStartOffset());
    }

    @Test
    void shouldRollAndDeleteActiveSegmentWhenEverythingExpired() {
        PartitionLog log = newLog(LogConfig.defaults().withRetention(HOUR, -1));
        log.appendAsLeader(batch(NOW, 5), 0);
        log.updateHighWatermark(5);

        clock.advance(2 * HOUR);
        manager.runRetentionAndRoll();

        assertThat(log.logStartOffset()).isEqualTo(5);
        assertThat(log.logEndOffset()).isEqualTo(5);
        assertThat(log.appendAsLeader(batch(clock.millis(), 1), 0).firstOffset()).isEqualTo(5);
    }

    @Test
    void shouldNotDeleteSegmentsAboveHighWatermark() {
        PartitionLog log = newLog(LogConfig.defaults().withSegmentBytes(1000).withRetention(HOUR, -1));
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(batch(NOW, 3), 0);
        }

        clock.advance(2 * HOUR);
        manager.runRetentionAndRoll();

        assertThat(log.logStartOffset()).isZero();
    }

    @Test
    void shouldDeleteOldestSegmentsWhileSizeExceedsRetentionBytes() {
        PartitionLog log = newLog(LogConfig.defaults().withSegmentBytes(1000).withRetention(-1, 1500));
        for (int i = 0; i < 30; i++) {
            log.appendAsLeader(batch(NOW, 3), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        long before = log.sizeInBytes();

        manager.runRetentionAndRoll();

        // Kafka's rule: delete whole oldest segments only while the excess still covers them
        assertThat(log.sizeInBytes()).isLessThan(before).isLessThanOrEqualTo(1500 + 1000);
        assertThat(log.logStartOffset()).isPositive();
    }

    @Test
    void shouldKeepDeletedSegmentReadableUntilFileDeleteDelay() throws Exception {
        PartitionLog log = newLog(LogConfig.defaults().withSegmentBytes(1000).withRetention(-1, 1000)
            .withFileDeleteDelayMs(60_000));
        for (int i = 0; i < 30; i++) {
            log.appendAsLeader(batch(NOW, 3), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        LogSlice inFlight = log.read(0, 1 << 20, Long.MAX_VALUE, true).records();

        manager.runRetentionAndRoll();
        assertThat(log.logStartOffset()).isPositive();

        assertThat(TestBatches.batchesOf(inFlight)).isNotEmpty();
        try (var files = Files.list(logDir.resolve("orders-0"))) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".log.deleted"));
        }
        clock.advance(60_001);
        manager.runRetentionAndRoll();
        try (var files = Files.list(logDir.resolve("orders-0"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".deleted"));
        }
    }

    @Test
    void shouldPersistLogStartOffsetAcrossRestart() {
        PartitionLog log = newLog(LogConfig.defaults().withSegmentBytes(1000).withRetention(-1, 1000));
        for (int i = 0; i < 30; i++) {
            log.appendAsLeader(batch(NOW, 3), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        manager.runRetentionAndRoll();
        long start = log.logStartOffset();

        PartitionLog reopened = reopenClean(LogConfig.defaults());

        assertThat(reopened.logStartOffset()).isEqualTo(start);
        assertThat(reopened.logEndOffset()).isEqualTo(90);
    }

    @Test
    void shouldDeletePartitionDirectoryAfterDelayWhenPartitionDeleted() throws Exception {
        newLog(LogConfig.defaults());
        manager.delete(TP);

        assertThat(manager.get(TP)).isEmpty();
        try (var dirs = Files.list(logDir)) {
            assertThat(dirs.map(p -> p.getFileName().toString()).toList())
                .anyMatch(n -> n.startsWith("orders-0.") && n.endsWith("-delete"))
                .doesNotContain("orders-0");
        }
        clock.advance(60_001);
        manager.runRetentionAndRoll();
        try (var dirs = Files.list(logDir)) {
            assertThat(dirs.map(p -> p.getFileName().toString()).toList()).noneMatch(n -> n.endsWith("-delete"));
        }
    }

    @Test
    void shouldDeleteLogsNotInMetadataWhenReconciling() {
        newLog(LogConfig.defaults());
        manager.getOrCreate(new org.apache.kafka.common.TopicPartition("other", 1), TOPIC_ID, LogConfig.defaults());

        manager.retainOnly(java.util.Map.of(new org.apache.kafka.common.TopicPartition("other", 1),
            org.apache.kafka.common.Uuid.ONE_UUID));

        assertThat(manager.all()).isEmpty();
        assertThat(List.of(manager.pendingDeletes())).containsExactly(2);
    }
}

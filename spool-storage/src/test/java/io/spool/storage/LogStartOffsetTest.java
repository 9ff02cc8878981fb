package io.spool.storage;

import static io.spool.storage.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.Test;

/** DeleteRecords and followers raising the log start offset (see {@link PartitionLog#maybeIncrementLogStartOffset}). */
class LogStartOffsetTest extends LogTestBase {

    private static final LogConfig SMALL_SEGMENTS = LogConfig.defaults().withSegmentBytes(1000);

    /** 90 records in batches of 3 over several segments, all below the high watermark. */
    private PartitionLog filledLog() {
        PartitionLog log = newLog(SMALL_SEGMENTS);
        for (int i = 0; i < 30; i++) {
            log.appendAsLeader(batch(NOW, 3), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        return log;
    }

    private long deletedSegmentFiles() throws Exception {
        try (var files = Files.list(logDir.resolve("orders-0"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log.deleted")).count();
        }
    }

    @Test
    void shouldHideRecordsBelowNewStartAndDeleteWholeSegmentsBelowIt() throws Exception {
        PartitionLog log = filledLog();
        int segmentsBefore = log.numberOfSegments();

        Errors error = log.maybeIncrementLogStartOffset(50);

        assertThat(error).isEqualTo(Errors.NONE);
        assertThat(log.logStartOffset()).isEqualTo(50);
        assertThat(log.numberOfSegments()).isLessThan(segmentsBefore);
        assertThat(deletedSegmentFiles()).isPositive();
        assertThat(log.read(49, 1 << 20, Long.MAX_VALUE, true).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        List<Record> records = TestBatches.recordsOf(log.read(50, 1 << 20, Long.MAX_VALUE, true).records());
        assertThat(records).extracting(Record::offset).contains(50L);
        assertThat(log.offsetForTimestamp(0).offset()).isEqualTo(50);
    }

    @Test
    void shouldRefuseOffsetAboveHighWatermark() {
        PartitionLog log = filledLog();
        log.appendAsLeader(batch(NOW, 3), 0);

        assertThat(log.maybeIncrementLogStartOffset(91)).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(log.logStartOffset()).isZero();
    }

    @Test
    void shouldNeverMoveStartBackwards() {
        PartitionLog log = filledLog();
        log.maybeIncrementLogStartOffset(40);

        assertThat(log.maybeIncrementLogStartOffset(10)).isEqualTo(Errors.NONE);
        assertThat(log.logStartOffset()).isEqualTo(40);
    }

    @Test
    void shouldKeepActiveSegmentWhenStartReachesLogEnd() {
        PartitionLog log = filledLog();

        log.maybeIncrementLogStartOffset(90);

        assertThat(log.logStartOffset()).isEqualTo(90);
        assertThat(log.numberOfSegments()).isEqualTo(1);
        assertThat(log.appendAsLeader(batch(NOW, 1), 0).firstOffset()).isEqualTo(90);
    }

    @Test
    void shouldDeleteSegmentFilesAfterFileDeleteDelay() throws Exception {
        PartitionLog log = filledLog();
        log.maybeIncrementLogStartOffset(50);

        clock.advance(LogConfig.defaults().fileDeleteDelayMs() + 1);
        manager.runRetentionAndRoll();

        assertThat(deletedSegmentFiles()).isZero();
    }

    @Test
    void shouldKeepStartOffsetAcrossCleanRestart() {
        filledLog().maybeIncrementLogStartOffset(50);

        PartitionLog reopened = reopenClean(SMALL_SEGMENTS);

        assertThat(reopened.logStartOffset()).isEqualTo(50);
        assertThat(reopened.read(49, 1 << 20, Long.MAX_VALUE, true).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
    }

    @Test
    void shouldKeepStartOffsetWhenCrashedRightAfterIt() {
        PartitionLog log = filledLog();
        log.flush();
        log.maybeIncrementLogStartOffset(50);

        manager.flusher().close();
        manager = LogManager.open(List.of(logDir), clock, tp -> SMALL_SEGMENTS, new Random(2));
        PartitionLog recovered = manager.get(TP).orElseThrow();

        assertThat(recovered.logStartOffset()).isEqualTo(50);
        assertThat(recovered.logEndOffset()).isEqualTo(90);
        assertThat(recovered.read(48, 1 << 20, Long.MAX_VALUE, true).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(recovered.offsetForTimestamp(0).offset()).isEqualTo(50);
    }

    @Test
    void shouldDeleteSegmentsLeftBelowCheckpointedStartWhenRetentionRuns() throws Exception {
        PartitionLog log = filledLog();
        int segments = log.numberOfSegments();
        // The checkpoint says 50, but the segments below it are still there: a crash between the two steps.
        OffsetCheckpointFile.write(logDir.resolve(OffsetCheckpointFile.LOG_START_OFFSET), java.util.Map.of(TP, 50L));
        manager.flusher().close();
        manager = LogManager.open(List.of(logDir), clock, tp -> SMALL_SEGMENTS, new Random(2));
        PartitionLog recovered = manager.get(TP).orElseThrow();
        assertThat(recovered.numberOfSegments()).isEqualTo(segments);
        recovered.updateHighWatermark(recovered.logEndOffset());

        manager.runRetentionAndRoll();

        assertThat(recovered.logStartOffset()).isEqualTo(50);
        assertThat(recovered.numberOfSegments()).isLessThan(segments);
    }

    @Test
    void shouldLetFollowerTakeLeaderStartOffset() {
        PartitionLog leader = filledLog();
        leader.maybeIncrementLogStartOffset(30);
        PartitionLog follower = manager.getOrCreate(new org.apache.kafka.common.TopicPartition("orders", 1),
            TOPIC_ID, SMALL_SEGMENTS);
        follower.truncateFullyAndStartAt(leader.logStartOffset());
        TestBatches.replicate(leader, follower, 1 << 20);
        follower.updateHighWatermark(follower.logEndOffset());
        leader.maybeIncrementLogStartOffset(60);

        assertThat(follower.maybeIncrementLogStartOffset(Math.min(leader.logStartOffset(),
            follower.highWatermark()))).isEqualTo(Errors.NONE);

        assertThat(follower.logStartOffset()).isEqualTo(60);
    }
}

package io.spool.storage;

import static io.spool.storage.TestBatches.batch;
import static io.spool.storage.TestBatches.fetch;
import static io.spool.storage.TestBatches.idempotent;
import static io.spool.storage.TestBatches.replicate;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

class FollowerAppendTest extends LogTestBase {

    static final TopicPartition REPLICA = new TopicPartition("replica", 0);
    private static final LogConfig SMALL_SEGMENTS = LogConfig.defaults().withSegmentBytes(2048).withIndex(200, 4096);
    private static final long PID = 77L;

    private PartitionLog leader;
    private PartitionLog follower;

    private void openPair(LogConfig config) {
        leader = newLog(config);
        follower = manager.getOrCreate(REPLICA, TOPIC_ID, config);
    }

    /** Plain, compressed and idempotent batches over three leader epochs; returns the leader's log end offset. */
    private long fillLeader(int rounds) {
        int seq = 0;
        for (int i = 0; i < rounds; i++) {
            int epoch = i < rounds / 3 ? 0 : i < 2 * rounds / 3 ? 3 : 5;
            assertThat(leader.appendAsLeader(batch(NOW + i, 3), epoch).error()).isEqualTo(Errors.NONE);
            assertThat(leader.appendAsLeader(batch(Compression.gzip().build(), NOW + i, 4), epoch).error())
                .isEqualTo(Errors.NONE);
            assertThat(leader.appendAsLeader(idempotent(PID, (short) 1, seq, NOW + i, 2), epoch).error())
                .isEqualTo(Errors.NONE);
            seq += 2;
        }
        return leader.logEndOffset();
    }

    @Test
    void shouldWriteByteIdenticalSegmentsWhenFollowerCopiesLeaderReads() throws IOException {
        openPair(SMALL_SEGMENTS);
        long leo = fillLeader(30);

        replicate(leader, follower, 700);

        assertThat(follower.logEndOffset()).isEqualTo(leo);
        assertThat(follower.numberOfSegments()).isGreaterThan(3).isEqualTo(leader.numberOfSegments());
        assertThat(follower.leaderEpochs()).isEqualTo(leader.leaderEpochs())
            .containsExactly(Map.entry(0, 0L), Map.entry(3, 90L), Map.entry(5, 180L));
        assertThat(follower.highWatermark()).as("only the leader's high watermark moves it").isZero();
        manager.close();
        assertSameFiles(logDir.resolve("orders-0"), logDir.resolve("replica-0"));
    }

    @Test
    void shouldKeepProducerStateSoThatAFollowerTurnedLeaderRecognisesDuplicates() {
        openPair(SMALL_SEGMENTS);
        fillLeader(10);
        replicate(leader, follower, 1 << 20);

        AppendResult dup = follower.appendAsLeader(idempotent(PID, (short) 1, 18, NOW, 2), 6);
        AppendResult gap = follower.appendAsLeader(idempotent(PID, (short) 1, 21, NOW, 1), 6);

        assertThat(dup.error()).isEqualTo(Errors.NONE);
        assertThat(dup.firstOffset()).isEqualTo(leader.logEndOffset() - 2);
        assertThat(follower.logEndOffset()).isEqualTo(leader.logEndOffset());
        assertThat(gap.error()).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
    }

    @Test
    void shouldRecordSequencesWithoutCheckingThemWhenAppendingAsFollower() {
        openPair(LogConfig.defaults());
        leader.appendAsLeader(idempotent(PID, (short) 1, 0, NOW, 2), 0);
        // a sequence gap a leader would refuse, written here as if an older leader had accepted it
        PartitionLog other = manager.getOrCreate(new TopicPartition("other", 0), TOPIC_ID, LogConfig.defaults());
        other.appendAsLeader(batch(NOW, 2), 0);
        other.appendAsLeader(idempotent(PID, (short) 1, 9, NOW, 1), 0);

        AppendResult first = follower.appendAsFollower(fetch(leader, 0, 1 << 20));
        AppendResult second = follower.appendAsFollower(fetch(other, 2, 1 << 20));

        assertThat(first.error()).isEqualTo(Errors.NONE);
        assertThat(second.error()).isEqualTo(Errors.NONE);
        assertThat(second.firstOffset()).isEqualTo(2);
        assertThat(follower.producerStateForTest().entry(PID).lastSeq()).isEqualTo(9);
    }

    @Test
    void shouldCopyBatchesAcrossAGapAsACompactedLeaderLeavesThem() {
        openPair(LogConfig.defaults());
        leader.appendAsLeader(batch(NOW, 5), 0);
        leader.appendAsLeader(batch(NOW, 5), 0);

        AppendResult r = follower.appendAsFollower(fetch(leader, 5, 1 << 20));

        assertThat(r.error()).isEqualTo(Errors.NONE);
        assertThat(r.firstOffset()).isEqualTo(5);
        assertThat(follower.logEndOffset()).isEqualTo(10);
        assertThat(TestBatches.recordsOf(follower.read(0, 1 << 20, Long.MAX_VALUE, true).records()))
            .extracting(org.apache.kafka.common.record.internal.Record::offset).containsExactly(5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void shouldFailWithOffsetOutOfRangeWhenFirstBatchOverlapsTheLog() {
        openPair(LogConfig.defaults());
        leader.appendAsLeader(batch(NOW, 5), 0);
        leader.appendAsLeader(batch(NOW, 5), 0);
        replicate(leader, follower, 1 << 20);
        long size = follower.sizeInBytes();

        AppendResult r = follower.appendAsFollower(fetch(leader, 5, 1 << 20));

        assertThat(r.error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(follower.logEndOffset()).isEqualTo(10);
        assertThat(follower.sizeInBytes()).isEqualTo(size);
    }

    @Test
    void shouldAppendNothingWhenALaterBatchGoesBack() {
        openPair(LogConfig.defaults());
        for (int i = 0; i < 3; i++) {
            leader.appendAsLeader(batch(NOW, 3), 0);
        }
        MemoryRecords backwards = TestBatches.concat(fetch(leader, 6, 1), fetch(leader, 3, 1));

        AppendResult r = follower.appendAsFollower(backwards);

        assertThat(r.error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(r.errorMessage()).contains("previous batch");
        assertThat(follower.logEndOffset()).isZero();
        assertThat(follower.sizeInBytes()).isZero();
    }

    @Test
    void shouldRejectBatchWhoseCrcFails() {
        openPair(LogConfig.defaults());
        leader.appendAsLeader(batch(NOW, 3), 0);
        MemoryRecords fetched = fetch(leader, 0, 1 << 20);
        ByteBuffer buf = fetched.buffer();
        buf.put(buf.limit() - 2, (byte) (buf.get(buf.limit() - 2) ^ 0x55));

        AppendResult r = follower.appendAsFollower(MemoryRecords.readableRecords(buf));

        assertThat(r.error()).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(follower.logEndOffset()).isZero();
    }

    @Test
    void shouldRejectPartialTrailingBatch() {
        openPair(LogConfig.defaults());
        leader.appendAsLeader(batch(NOW, 3), 0);
        leader.appendAsLeader(batch(NOW, 3), 0);
        ByteBuffer buf = fetch(leader, 0, 1 << 20).buffer();
        buf.limit(buf.limit() - 7);

        AppendResult r = follower.appendAsFollower(MemoryRecords.readableRecords(buf.slice()));

        assertThat(r.error()).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(follower.logEndOffset()).isZero();
    }

    @Test
    void shouldAcceptBatchesLargerThanMaxMessageBytes() {
        leader = newLog(LogConfig.defaults());
        follower = manager.getOrCreate(REPLICA, TOPIC_ID, LogConfig.defaults().withMaxMessageBytes(100));
        leader.appendAsLeader(TestBatches.withValueSize(NOW, 5000), 0);

        AppendResult r = follower.appendAsFollower(fetch(leader, 0, 1 << 20));

        assertThat(r.error()).isEqualTo(Errors.NONE);
        assertThat(follower.logEndOffset()).isEqualTo(1);
    }

    @Test
    void shouldDoNothingWhenRecordsAreEmpty() {
        openPair(LogConfig.defaults());

        AppendResult r = follower.appendAsFollower(MemoryRecords.EMPTY);

        assertThat(r.error()).isEqualTo(Errors.NONE);
        assertThat(r.firstOffset()).isEqualTo(-1);
        assertThat(follower.logEndOffset()).isZero();
        assertThat(follower.numberOfSegments()).isEqualTo(1);
    }

    @Test
    void shouldKeepTimestampsAndEpochsAsTheLeaderWroteThem() {
        LogConfig appendTime = LogConfig.defaults().withTimestamps(true, Long.MAX_VALUE, 3600_000L);
        openPair(appendTime);
        leader.appendAsLeader(batch(5L, 3), 7);
        clock.advance(60_000);

        follower.appendAsFollower(fetch(leader, 0, 1 << 20));

        RecordBatch copied = TestBatches.batchesOf(follower.read(0, 1 << 20, Long.MAX_VALUE, false).records())
            .get(0);
        assertThat(copied.maxTimestamp()).isEqualTo(NOW);
        assertThat(copied.partitionLeaderEpoch()).isEqualTo(7);
        assertThat(follower.latestEpoch()).isEqualTo(7);
        assertThat(follower.maxTimestampOffset().timestamp()).isEqualTo(NOW);
    }

    @Test
    void shouldMakeFollowerAppendsDurableThroughTheGroupCommit() throws Exception {
        openPair(SMALL_SEGMENTS);
        fillLeader(10);
        follower.appendAsFollower(fetch(leader, 0, 1 << 20));
        long firstChunk = follower.logEndOffset();
        assertThat(follower.flushedOffset()).isZero();

        manager.flusher().awaitDurable(follower, firstChunk).get(5, TimeUnit.SECONDS);
        replicate(leader, follower, 1 << 20);

        assertThat(follower.flushedOffset()).isEqualTo(firstChunk).isLessThan(follower.logEndOffset());
        manager.flusher().awaitDurable(follower, follower.logEndOffset()).get(5, TimeUnit.SECONDS);
        assertThat(follower.flushedOffset()).isEqualTo(leader.logEndOffset());
    }

    static void assertSameFiles(Path expectedDir, Path actualDir) throws IOException {
        List<Path> expected = segmentFiles(expectedDir);
        assertThat(segmentFiles(actualDir)).extracting(Path::getFileName)
            .containsExactlyElementsOf(expected.stream().map(Path::getFileName).toList());
        for (Path file : expected) {
            assertThat(Files.readAllBytes(actualDir.resolve(file.getFileName())))
                .as(file.getFileName().toString()).isEqualTo(Files.readAllBytes(file));
        }
    }

    private static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().matches(".*\\.(log|index|timeindex|snapshot)$")).sorted().toList();
        }
    }
}

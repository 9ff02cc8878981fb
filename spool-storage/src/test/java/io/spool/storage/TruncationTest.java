package io.spool.storage;

import static io.spool.storage.TestBatches.batch;
import static io.spool.storage.TestBatches.idempotent;
import static io.spool.storage.TestBatches.replicate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.Test;

class TruncationTest extends LogTestBase {

    private static final LogConfig SMALL_SEGMENTS = LogConfig.defaults().withSegmentBytes(2048).withIndex(200, 4096);
    private static final long PID = 31L;

    /** {@code batches} batches of four records; batch i is written in leader epoch i / 10. */
    private PartitionLog logWith(int batches) {
        PartitionLog log = newLog(SMALL_SEGMENTS);
        for (int i = 0; i < batches; i++) {
            assertThat(log.appendAsLeader(batch(NOW + i, 4), i / 10).error()).isEqualTo(Errors.NONE);
        }
        return log;
    }

    private PartitionLog crashAndReopen() {
        return crashAndReopen(SMALL_SEGMENTS);
    }

    private List<Long> segmentBases() throws IOException {
        try (Stream<Path> files = Files.list(logDir.resolve("orders-0"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log"))
                .map(n -> Long.parseLong(n.substring(0, n.length() - 4))).sorted().toList();
        }
    }

    @Test
    void shouldCutActiveSegmentAndContinueWithNextOffsetWhenTruncatedInside() {
        PartitionLog log = logWith(8);
        log.updateHighWatermark(32);

        log.truncateTo(20);

        assertThat(log.logEndOffset()).isEqualTo(20);
        assertThat(log.highWatermark()).isEqualTo(20);
        assertThat(log.appendAsLeader(batch(NOW, 3), 0).firstOffset()).isEqualTo(20);
        assertDense(log, 23);
    }

    @Test
    void shouldDropTheWholeBatchWhenOffsetFallsInsideIt() {
        PartitionLog log = logWith(8);

        log.truncateTo(22);

        assertThat(log.logEndOffset()).isEqualTo(20);
        assertThat(TestBatches.recordsOf(log.read(16, 1 << 20, Long.MAX_VALUE, false).records()))
            .extracting(Record::offset).containsExactly(16L, 17L, 18L, 19L);
    }

    @Test
    void shouldDoNothingWhenOffsetIsAtOrAboveLogEnd() {
        PartitionLog log = logWith(8);
        long size = log.sizeInBytes();

        log.truncateTo(32);
        log.truncateTo(1000);

        assertThat(log.logEndOffset()).isEqualTo(32);
        assertThat(log.sizeInBytes()).isEqualTo(size);
        assertThat(log.truncationCount()).isZero();
    }

    @Test
    void shouldDeleteLaterSegmentsAndReactivateTheOneHoldingTheNewEnd() throws IOException {
        PartitionLog log = logWith(60);
        List<Long> bases = segmentBases();
        assertThat(bases).hasSizeGreaterThan(3);
        long target = bases.get(1) + 8;

        log.truncateTo(target);

        assertThat(segmentBases()).containsExactly(bases.get(0), bases.get(1));
        assertThat(log.numberOfSegments()).isEqualTo(2);
        assertThat(log.logEndOffset()).isEqualTo(target);
        for (int i = 0; i < 40; i++) {
            assertThat(log.appendAsLeader(batch(NOW, 4), 9).firstOffset()).isEqualTo(target + 4L * i);
        }
        assertDense(log, target + 160);
        assertThat(log.numberOfSegments()).isGreaterThan(3);
    }

    @Test
    void shouldKeepAnEmptySegmentWhenTruncatedToItsBaseOffset() throws IOException {
        PartitionLog log = logWith(60);
        List<Long> bases = segmentBases();

        log.truncateTo(bases.get(2));

        assertThat(segmentBases()).containsExactly(bases.get(0), bases.get(1), bases.get(2));
        assertThat(log.logEndOffset()).isEqualTo(bases.get(2));
        assertThat(log.appendAsLeader(batch(NOW, 1), 9).firstOffset()).isEqualTo(bases.get(2));
        assertDense(log, bases.get(2) + 1);
    }

    @Test
    void shouldRecoverTheTruncatedLogAfterACrash() throws IOException {
        PartitionLog log = logWith(60);
        log.flush();
        manager.writeCheckpoints();
        long target = segmentBases().get(1) + 4;

        log.truncateTo(target);
        PartitionLog recovered = crashAndReopen();

        assertThat(recovered.logEndOffset()).isEqualTo(target);
        assertThat(recovered.leaderEpochs()).containsExactly(Map.entry(0, 0L), Map.entry(1, 40L));
        assertDense(recovered, target);
        assertThat(recovered.appendAsLeader(batch(NOW, 2), 9).firstOffset()).isEqualTo(target);
    }

    @Test
    void shouldRecoverWhenACrashLeftTheEpochCheckpointAndSnapshotsOfTheLongerLog() throws IOException {
        PartitionLog log = newLog(SMALL_SEGMENTS);
        for (int i = 0; i < 60; i++) {
            log.appendAsLeader(idempotent(PID, (short) 0, 2 * i, NOW, 2), i / 10);
        }
        Path dir = logDir.resolve("orders-0");
        Path epochs = dir.resolve(LeaderEpochCache.FILE_NAME);
        byte[] epochsBefore = Files.readAllBytes(epochs);
        List<Long> snapshots = ProducerSnapshotFile.list(dir);
        Path saved = Files.createDirectories(logDir.resolve("saved"));
        for (long offset : snapshots) {
            Files.copy(ProducerSnapshotFile.path(dir, offset), ProducerSnapshotFile.path(saved, offset));
        }
        assertThat(snapshots).anyMatch(o -> o > 50);

        log.truncateTo(50);
        // as if the crash came after the segments were cut but before the epochs and snapshots followed
        Files.write(epochs, epochsBefore);
        for (long offset : snapshots) {
            Files.copy(ProducerSnapshotFile.path(saved, offset), ProducerSnapshotFile.path(dir, offset),
                StandardCopyOption.REPLACE_EXISTING);
        }
        PartitionLog recovered = crashAndReopen();

        assertThat(recovered.logEndOffset()).isEqualTo(50);
        assertThat(recovered.leaderEpochs()).containsExactly(Map.entry(0, 0L), Map.entry(1, 20L),
            Map.entry(2, 40L));
        assertThat(recovered.producerStateForTest().entry(PID).lastSeq()).isEqualTo(49);
        assertThat(ProducerSnapshotFile.list(dir)).allMatch(o -> o <= 50);
        assertThat(recovered.appendAsLeader(idempotent(PID, (short) 0, 50, NOW, 2), 6).firstOffset()).isEqualTo(50);
    }

    @Test
    void shouldTreatATornTailWrittenAfterTruncationAsATornTailNotCorruption() throws IOException {
        PartitionLog log = logWith(60);
        log.flush();
        manager.writeCheckpoints();
        assertThat(log.recoveryPoint()).isGreaterThan(100);
        log.truncateTo(20);
        for (int i = 0; i < 5; i++) {
            log.appendAsLeader(batch(NOW, 4), 9);
        }
        Path active = logDir.resolve("orders-0").resolve(LogSegment.fileName(0, ".log"));
        try (FileChannel ch = FileChannel.open(active, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 10);
        }

        PartitionLog recovered = crashAndReopen();

        assertThat(recovered.logEndOffset()).isEqualTo(36);
        assertDense(recovered, 36);
    }

    @Test
    void shouldRewriteRecoveryPointCheckpointWhenTruncating() throws IOException {
        PartitionLog log = logWith(60);
        log.flush();
        manager.writeCheckpoints();

        log.truncateTo(30);

        Path checkpoint = logDir.resolve(OffsetCheckpointFile.RECOVERY_POINT);
        assertThat(OffsetCheckpointFile.read(checkpoint).get(TP)).isLessThanOrEqualTo(30);
        assertThat(log.recoveryPoint()).isLessThanOrEqualTo(30);
    }

    @Test
    void shouldCapFlushedOffsetSoOnlyANewFlushCoversNewAppends() {
        PartitionLog log = logWith(10);
        log.flush();
        assertThat(log.flushedOffset()).isEqualTo(40);

        log.truncateTo(20);
        log.appendAsLeader(batch(NOW, 4), 1);

        assertThat(log.flushedOffset()).isEqualTo(20);
        log.flush();
        assertThat(log.flushedOffset()).isEqualTo(24);
    }

    @Test
    void shouldFailDurabilityWaitersWhenTheLogIsTruncatedUnderThem() throws Exception {
        PartitionLog log = logWith(10);
        CompletableFuture<Void> waiter = manager.flusher().awaitDurable(log, 44);

        log.truncateTo(20);
        log.appendAsLeader(batch(NOW, 24), 2);

        assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(LogTruncatedException.class);
        manager.flusher().awaitDurable(log, 44).get(5, TimeUnit.SECONDS);
        assertThat(log.flushedOffset()).isEqualTo(44);
    }

    @Test
    void shouldRevertAnIdempotentProducersSequenceWhenItsBatchesAreTruncated() {
        PartitionLog log = newLog(SMALL_SEGMENTS);
        for (int seq = 0; seq < 60; seq += 2) {
            log.appendAsLeader(idempotent(PID, (short) 0, seq, NOW, 2), 0);
        }
        assertThat(log.numberOfSegments()).as("rolls wrote producer snapshots").isGreaterThan(1);

        log.truncateTo(10);

        assertThat(log.producerStateForTest().entry(PID).lastSeq()).isEqualTo(9);
        assertThat(log.appendAsLeader(idempotent(PID, (short) 0, 58, NOW, 2), 0).error())
            .isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        AppendResult next = log.appendAsLeader(idempotent(PID, (short) 0, 10, NOW, 2), 0);
        assertThat(next.error()).isEqualTo(Errors.NONE);
        assertThat(next.firstOffset()).isEqualTo(10);
    }

    @Test
    void shouldForgetAProducerWhoseOnlyBatchesAreTruncatedAndDeleteSnapshotsAbove() throws IOException {
        PartitionLog log = newLog(SMALL_SEGMENTS);
        for (int i = 0; i < 40; i++) {
            log.appendAsLeader(batch(NOW, 4), 0);
        }
        long truncateAt = log.logEndOffset();
        for (int seq = 0; seq < 60; seq += 2) {
            log.appendAsLeader(idempotent(PID, (short) 0, seq, NOW, 2), 0);
        }
        assertThat(ProducerSnapshotFile.list(logDir.resolve("orders-0"))).anyMatch(o -> o > truncateAt);

        log.truncateTo(truncateAt);

        assertThat(log.producerStateForTest().entry(PID)).isNull();
        assertThat(ProducerSnapshotFile.list(logDir.resolve("orders-0"))).allMatch(o -> o <= truncateAt);
        PartitionLog reopened = reopenClean(SMALL_SEGMENTS);
        assertThat(reopened.producerStateForTest().entry(PID)).isNull();
    }

    @Test
    void shouldDropEpochsStartingAtOrAboveTheNewEndAndPersistThat() {
        PartitionLog log = logWith(30);
        assertThat(log.leaderEpochs()).containsExactly(Map.entry(0, 0L), Map.entry(1, 40L), Map.entry(2, 80L));

        log.truncateTo(60);
        assertThat(log.leaderEpochs()).containsExactly(Map.entry(0, 0L), Map.entry(1, 40L));
        log.truncateTo(40);

        assertThat(log.leaderEpochs()).containsExactly(Map.entry(0, 0L));
        assertThat(log.latestEpoch()).isZero();
        assertThat(new LeaderEpochCache(logDir.resolve("orders-0")).entries())
            .containsExactly(new LeaderEpochCache.EpochEntry(0, 0L));
    }

    @Test
    void shouldRestartAtOffsetWhenTruncatedBelowLogStart() {
        PartitionLog log = newLog(SMALL_SEGMENTS.withRetention(-1, 2048));
        for (int i = 0; i < 60; i++) {
            log.appendAsLeader(batch(NOW, 4), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        manager.runRetentionAndRoll();
        long start = log.logStartOffset();
        assertThat(start).isPositive();

        log.truncateTo(start - 3);

        assertThat(log.logStartOffset()).isEqualTo(start - 3);
        assertThat(log.logEndOffset()).isEqualTo(start - 3);
        assertThat(log.numberOfSegments()).isEqualTo(1);
    }

    @Test
    void shouldStartEmptyAtOffsetAndTakeTheLeadersBatchesFromThere() throws IOException {
        PartitionLog follower = logWith(30);
        PartitionLog leader = manager.getOrCreate(FollowerAppendTest.REPLICA, TOPIC_ID, SMALL_SEGMENTS);
        leader.truncateFullyAndStartAt(500);
        for (int i = 0; i < 30; i++) {
            leader.appendAsLeader(batch(NOW, 4), 12);
        }

        follower.truncateFullyAndStartAt(500);

        assertThat(follower.logStartOffset()).isEqualTo(500);
        assertThat(follower.logEndOffset()).isEqualTo(500);
        assertThat(follower.highWatermark()).isEqualTo(500);
        assertThat(follower.leaderEpochs()).isEmpty();
        assertThat(follower.latestEpoch()).isEqualTo(-1);
        assertThat(segmentBases()).containsExactly(500L);
        assertThat(ProducerSnapshotFile.list(logDir.resolve("orders-0"))).isEmpty();
        replicate(leader, follower, 1 << 20);
        assertThat(follower.logEndOffset()).isEqualTo(620);
        assertThat(follower.leaderEpochs()).containsExactly(Map.entry(12, 500L));
        assertDense(follower, 620);

        PartitionLog recovered = crashAndReopen();
        assertThat(recovered.logStartOffset()).isEqualTo(500);
        assertThat(recovered.logEndOffset()).isEqualTo(620);
    }

    @Test
    void shouldAllowTheSameSegmentToBeDeletedTwiceWithinTheDeleteDelay() throws IOException {
        PartitionLog log = logWith(60);
        long base = segmentBases().get(2);

        log.truncateTo(base - 4);
        for (int i = 0; i < 20; i++) {
            log.appendAsLeader(batch(NOW, 4), 9);
        }
        assertThat(segmentBases()).contains(base);
        log.truncateTo(base - 4);
        log.truncateFullyAndStartAt(0);
        log.truncateFullyAndStartAt(0);

        assertThat(log.logEndOffset()).isZero();
        clock.advance(60_001);
        manager.runRetentionAndRoll();
        try (Stream<Path> files = Files.list(logDir.resolve("orders-0"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".deleted"));
        }
    }

    private static void assertDense(PartitionLog log, long expectedEnd) {
        assertThat(log.logEndOffset()).isEqualTo(expectedEnd);
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            List<Record> records = TestBatches.recordsOf(log.read(next, 1 << 20, Long.MAX_VALUE, true).records());
            assertThat(records).isNotEmpty();
            for (Record r : records) {
                assertThat(r.offset()).isEqualTo(next++);
            }
        }
    }
}

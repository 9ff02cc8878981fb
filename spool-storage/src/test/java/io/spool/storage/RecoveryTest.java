package io.spool.storage;

import static io.spool.storage.TestBatches.batch;
import static io.spool.storage.TestBatches.idempotent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.Test;

class RecoveryTest extends LogTestBase {

    private static final LogConfig SMALL_SEGMENTS = LogConfig.defaults().withSegmentBytes(2048).withIndex(200, 4096);

    private PartitionLog crashAndReopen() {
        return crashAndReopen(SMALL_SEGMENTS);
    }

    private Path partitionDir() {
        return logDir.resolve("orders-0");
    }

    private Path lastSegmentFile() throws IOException {
        try (var files = Files.list(partitionDir())) {
            return files.filter(p -> p.toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    private PartitionLog logWith(int batches) {
        PartitionLog log = newLog(SMALL_SEGMENTS);
        for (int i = 0; i < batches; i++) {
            log.appendAsLeader(batch(NOW + i, 4), 0);
        }
        return log;
    }

    @Test
    void shouldTruncateTornTailWhenLastBatchIsCutMidway() throws IOException {
        PartitionLog log = logWith(30);
        long leo = log.logEndOffset();
        log.updateHighWatermark(leo);
        manager.writeCheckpoints();
        Path last = lastSegmentFile();
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 10);
        }

        PartitionLog recovered = crashAndReopen();

        assertThat(recovered.logEndOffset()).isEqualTo(leo - 4);
        assertThat(recovered.highWatermark()).as("checkpointed high watermark, capped at the log end")
                .isEqualTo(leo - 4);
        assertThat(recovered.appendAsLeader(batch(NOW, 1), 0).firstOffset()).isEqualTo(leo - 4);
        assertAllReadable(recovered);
    }

    @Test
    void shouldTruncateLastBatchWhenItsCrcIsCorrupt() throws IOException {
        PartitionLog log = logWith(30);
        long leo = log.logEndOffset();
        flipByte(lastSegmentFile(), Files.size(lastSegmentFile()) - 3);

        PartitionLog recovered = crashAndReopen();

        assertThat(recovered.logEndOffset()).isEqualTo(leo - 4);
        assertAllReadable(recovered);
    }

    @Test
    void shouldReportCorruptionWhenValidBatchesFollowCorruptOne() throws IOException {
        logWith(30);
        Path first = partitionDir().resolve(LogSegment.fileName(0, ".log"));
        flipByte(first, 100);

        manager.flusher().close();
        assertThatThrownBy(() -> LogManager.open(List.of(logDir), clock, tp -> SMALL_SEGMENTS, new Random(3)))
            .isInstanceOf(CorruptLogException.class);
    }

    @Test
    void shouldRebuildProducerStateWhenRecoveringFromCrash() {
        PartitionLog log = newLog(SMALL_SEGMENTS);
        for (int seq = 0; seq < 40; seq += 2) {
            assertThat(log.appendAsLeader(idempotent(7L, (short) 1, seq, NOW, 2), 0).error()).isEqualTo(Errors.NONE);
        }

        PartitionLog recovered = crashAndReopen();

        AppendResult dup = recovered.appendAsLeader(idempotent(7L, (short) 1, 38, NOW, 2), 0);
        assertThat(dup.firstOffset()).isEqualTo(38);
        assertThat(recovered.appendAsLeader(idempotent(7L, (short) 1, 41, NOW, 1), 0).error())
            .isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(recovered.appendAsLeader(idempotent(7L, (short) 1, 40, NOW, 1), 0).firstOffset()).isEqualTo(40);
    }

    @Test
    void shouldKeepIndexesConsistentWhenRecovered() {
        logWith(60);

        PartitionLog recovered = crashAndReopen();

        for (long offset = 0; offset < recovered.logEndOffset(); offset += 7) {
            Record first = TestBatches.recordsOf(recovered.read(offset, 1, Long.MAX_VALUE, true).records()).stream()
                .filter(r -> r.offset() >= 0).findFirst().orElseThrow();
            assertThat(first.offset()).isLessThanOrEqualTo(offset).isGreaterThan(offset - 4);
        }
        OffsetAndTimestamp ts = recovered.offsetForTimestamp(NOW + 50);
        assertThat(ts.timestamp()).isEqualTo(NOW + 50);
        assertThat(ts.offset()).isEqualTo(47 * 4 + 3);
    }

    @Test
    void shouldNotScanSegmentsWhenRestartedCleanly() throws IOException {
        PartitionLog log = logWith(30);
        long leo = log.logEndOffset();
        log.updateHighWatermark(leo - 8);
        manager.close();
        // corruption in an old segment goes unnoticed on a clean start: proof that nothing was scanned
        flipByte(partitionDir().resolve(LogSegment.fileName(0, ".log")), 100);

        PartitionLog reopened = newLog(SMALL_SEGMENTS);

        assertThat(reopened.logEndOffset()).isEqualTo(leo);
        assertThat(reopened.highWatermark()).as("the checkpointed high watermark").isEqualTo(leo - 8);
        assertThat(Files.exists(logDir.resolve(LogManager.CLEAN_SHUTDOWN_FILE))).isFalse();
        assertThat(reopened.appendAsLeader(batch(NOW, 1), 0).firstOffset()).isEqualTo(leo);
    }

    @Test
    void shouldWriteCleanShutdownMarkerAndCheckpointsWhenClosed() throws IOException {
        logWith(5);
        manager.close();

        assertThat(Files.exists(logDir.resolve(LogManager.CLEAN_SHUTDOWN_FILE))).isTrue();
        assertThat(OffsetCheckpointFile.read(logDir.resolve(OffsetCheckpointFile.RECOVERY_POINT)))
            .containsEntry(TP, 20L);
        assertThat(OffsetCheckpointFile.read(logDir.resolve(OffsetCheckpointFile.LOG_START_OFFSET)))
            .containsEntry(TP, 0L);
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.flip();
            b.put(0, (byte) (b.get(0) ^ 0xff));
            ch.write(b, position);
        }
    }

    private static void assertAllReadable(PartitionLog log) {
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            List<Record> records = TestBatches.recordsOf(log.read(next, 1 << 20, Long.MAX_VALUE, true).records());
            assertThat(records).isNotEmpty();
            for (Record r : records) {
                assertThat(r.offset()).isEqualTo(next++);
            }
        }
    }

    @Test
    void shouldFlushRolledSegmentsInTheBackgroundInPageCacheMode() {
        PartitionLog log = newLog(SMALL_SEGMENTS.withFlushOnAck(false));
        for (int i = 0; i < 30; i++) {
            log.appendAsLeader(batch(NOW + i, 4), 0);
        }
        long activeBase = log.cleanableSegments().activeBaseOffset();

        // Nothing waits for these writes to be durable, but each roll hands the rolled data to the flusher.
        await().atMost(Duration.ofSeconds(10)).until(() -> log.flushedOffset() >= activeBase);
        manager.writeCheckpoints();

        assertThat(activeBase).isPositive();
        assertThat(log.recoveryPoint()).isEqualTo(activeBase);
    }
}

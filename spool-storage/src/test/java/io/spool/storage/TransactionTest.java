package io.spool.storage;

import static io.spool.storage.TestBatches.batch;
import static io.spool.storage.TestBatches.idempotent;
import static io.spool.storage.TestBatches.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class TransactionTest extends LogTestBase {

    private static final LogConfig SMALL_SEGMENTS = LogConfig.defaults().withSegmentBytes(1024).withIndex(200, 4096)
        .withFileDeleteDelayMs(0);
    private static final long PID = 7L;
    private static final short EPOCH = 3;

    static MemoryRecords txn(long producerId, short epoch, int baseSeq, int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = record(NOW, "k" + i, "t" + baseSeq + "-" + i);
        }
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, baseSeq, records);
    }

    private static void assertOk(AppendResult r) {
        assertThat(r.error()).as(String.valueOf(r.errorMessage())).isEqualTo(Errors.NONE);
    }

    private Path partitionDir() {
        return logDir.resolve("orders-0");
    }

    private List<Path> txnIndexFiles() throws IOException {
        try (Stream<Path> files = Files.list(partitionDir())) {
            return files.filter(p -> p.toString().endsWith(".txnindex")).sorted(Comparator.naturalOrder()).toList();
        }
    }

    @Test
    void shouldHoldLastStableOffsetAtTransactionStartWhenTransactionIsOngoing() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(batch(NOW, 2), 0));
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0));
        assertOk(log.appendAsLeader(batch(NOW, 1), 0));
        log.updateHighWatermark(log.logEndOffset());

        assertThat(log.hasOngoingTransaction(PID)).isTrue();
        assertThat(log.lastStableOffset()).isEqualTo(2);
    }

    @Test
    void shouldMoveLastStableOffsetPastCommitWhenHighWatermarkPassesMarker() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(batch(NOW, 2), 0));
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0));
        log.updateHighWatermark(log.logEndOffset());

        AppendResult marker = log.appendTxnMarker(PID, EPOCH, 0, true, 0);

        assertOk(marker);
        assertThat(marker.firstOffset()).isEqualTo(4);
        assertThat(log.hasOngoingTransaction(PID)).isFalse();
        log.updateHighWatermark(4);
        assertThat(log.lastStableOffset()).as("marker not yet replicated").isEqualTo(2);
        log.updateHighWatermark(5);
        assertThat(log.lastStableOffset()).isEqualTo(5);
        assertThat(log.abortedTransactions(0, 5)).isEmpty();
    }

    @Test
    void shouldWriteTransactionalControlBatchWhenMarkerIsAppended() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 1), 0));

        log.appendTxnMarker(PID, EPOCH, 9, false, 4);

        RecordBatch b = TestBatches.batchesOf(log.read(1, 1 << 20, Long.MAX_VALUE, true).records()).get(0);
        assertThat(b.isControlBatch()).isTrue();
        assertThat(b.isTransactional()).isTrue();
        assertThat(b.producerId()).isEqualTo(PID);
        assertThat(b.partitionLeaderEpoch()).isEqualTo(4);
        assertThat(EndTransactionMarker.deserialize(b.iterator().next()))
            .isEqualTo(new EndTransactionMarker(ControlRecordType.ABORT, 9));
        assertThat(log.latestEpoch()).isEqualTo(4);
    }

    @Test
    void shouldIndexAbortedTransactionWhenAbortMarkerFollowsData() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0));
        assertOk(log.appendAsLeader(txn(8L, EPOCH, 0, 1), 0));
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 2, 1), 0));
        assertOk(log.appendTxnMarker(PID, EPOCH, 0, false, 0));
        assertOk(log.appendTxnMarker(8L, EPOCH, 0, true, 0));
        log.updateHighWatermark(log.logEndOffset());

        assertThat(log.abortedTransactions(0, 6)).containsExactly(new AbortedTxn(PID, 0));
        assertThat(log.abortedTransactions(4, 6)).as("marker at 4").containsExactly(new AbortedTxn(PID, 0));
        assertThat(log.abortedTransactions(5, 6)).isEmpty();
        assertThat(log.abortedTransactions(0, 0)).isEmpty();
        assertThat(log.lastStableOffset()).isEqualTo(6);
    }

    @Test
    void shouldListAbortedTransactionsInFirstOffsetOrderWhenMarkersComeInOtherOrder() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(txn(1L, EPOCH, 0, 1), 0));
        assertOk(log.appendAsLeader(txn(2L, EPOCH, 0, 1), 0));
        assertOk(log.appendTxnMarker(2L, EPOCH, 0, false, 0));
        assertOk(log.appendTxnMarker(1L, EPOCH, 0, false, 0));

        assertThat(log.abortedTransactions(0, 4)).containsExactly(new AbortedTxn(1L, 0), new AbortedTxn(2L, 1));
    }

    @Test
    void shouldRejectNonTransactionalBatchWhenProducerHasOngoingTransaction() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 1), 0));

        AppendResult r = log.appendAsLeader(idempotent(PID, EPOCH, 1, NOW, 1), 0);

        assertThat(r.error()).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(log.logEndOffset()).isEqualTo(1);
    }

    @Test
    void shouldRejectNonTransactionalBatchWhenEarlierBatchOfSameRequestStartsTransaction() {
        PartitionLog log = newLog(LogConfig.defaults());

        AppendResult r = log.appendAsLeader(TestBatches.concat(txn(PID, EPOCH, 0, 1),
            idempotent(PID, EPOCH, 1, NOW, 1)), 0);

        assertThat(r.error()).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void shouldRejectTransactionalBatchWhenItHasNoProducerId() {
        PartitionLog log = newLog(LogConfig.defaults());
        MemoryRecords records = batch(NOW, 1);
        ByteBuffer buf = records.buffer();
        buf.putShort(21, (short) (buf.getShort(21) | 0x10));
        TestBatches.fixCrc(buf);

        assertThat(log.appendAsLeader(records, 0).error()).isEqualTo(Errors.INVALID_RECORD);
    }

    @Test
    void shouldRejectControlBatchWhenClientSendsIt() {
        PartitionLog log = newLog(LogConfig.defaults());
        MemoryRecords marker = MemoryRecords.withEndTransactionMarker(0L, NOW, 0, PID, EPOCH,
            new EndTransactionMarker(ControlRecordType.COMMIT, 0));

        assertThat(log.appendAsLeader(marker, 0).error()).isEqualTo(Errors.INVALID_RECORD);
    }

    @Test
    void shouldFenceMarkerWhenProducerEpochIsLower() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 1), 0));

        AppendResult r = log.appendTxnMarker(PID, (short) (EPOCH - 1), 0, false, 0);

        assertThat(r.error()).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(log.logEndOffset()).isEqualTo(1);
        assertThat(log.hasOngoingTransaction(PID)).isTrue();
    }

    @Test
    void shouldAcceptMarkerWhenProducerEpochIsHigherAndBumpTheEpoch() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 1), 0));

        assertOk(log.appendTxnMarker(PID, (short) (EPOCH + 1), 0, false, 0));

        assertThat(log.activeProducers()).containsExactly(new ProducerInfo(PID, (short) (EPOCH + 1), -1, NOW, 0, -1));
        assertOk(log.appendAsLeader(txn(PID, (short) (EPOCH + 1), 0, 1), 0));
        assertThat(log.appendAsLeader(txn(PID, EPOCH, 1, 1), 0).error()).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
    }

    @Test
    void shouldFenceMarkerWhenCoordinatorEpochIsLower() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 1), 0));
        assertOk(log.appendTxnMarker(PID, EPOCH, 5, true, 0));
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 1, 1), 0));

        AppendResult r = log.appendTxnMarker(PID, EPOCH, 4, true, 0);

        assertThat(r.error()).isEqualTo(Errors.TRANSACTION_COORDINATOR_FENCED);
        assertThat(log.hasOngoingTransaction(PID)).isTrue();
        assertOk(log.appendTxnMarker(PID, EPOCH, 5, true, 0));
    }

    @Test
    void shouldWriteMarkerWhenProducerHasNoOngoingTransaction() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(batch(NOW, 1), 0));

        AppendResult r = log.appendTxnMarker(PID, EPOCH, 2, false, 0);

        assertOk(r);
        assertThat(r.firstOffset()).isEqualTo(1);
        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(log.abortedTransactions(0, 2)).isEmpty();
        log.updateHighWatermark(2);
        assertThat(log.lastStableOffset()).isEqualTo(2);
        assertThat(log.activeProducers()).extracting(ProducerInfo::coordinatorEpoch).containsExactly(2);
    }

    @Test
    void shouldDescribeProducersWhenTransactionIsOngoing() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(batch(NOW, 1), 0));
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 3), 0));

        assertThat(log.activeProducers()).containsExactly(new ProducerInfo(PID, EPOCH, 2, NOW, -1, 1));
    }

    @Test
    void shouldNotExpireProducerWhenTransactionIsOngoing() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 1), 0));
        assertOk(log.appendAsLeader(idempotent(9L, EPOCH, 0, NOW, 1), 0));

        log.removeExpiredProducers(0);

        assertThat(log.activeProducers()).extracting(ProducerInfo::producerId).containsExactly(PID);
        assertThat(log.hasOngoingTransaction(PID)).isTrue();
    }

    @Test
    void shouldKeepAbortedIndexAndOngoingTransactionWhenLogRollsAndRestartsCleanly() throws IOException {
        PartitionLog log = newLog(SMALL_SEGMENTS);
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0));
        for (int i = 0; i < 20; i++) {
            assertOk(log.appendAsLeader(batch(NOW, 3), 0));
        }
        assertOk(log.appendTxnMarker(PID, EPOCH, 0, false, 0));
        long abortMarker = log.logEndOffset() - 1;
        for (int i = 0; i < 20; i++) {
            assertOk(log.appendAsLeader(batch(NOW, 3), 0));
        }
        long secondTxn = log.logEndOffset();
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 2, 1), 0));
        assertThat(log.numberOfSegments()).isGreaterThan(2);
        List<AbortedTxn> before = log.abortedTransactions(0, log.logEndOffset());

        PartitionLog reopened = reopenClean(SMALL_SEGMENTS);
        reopened.updateHighWatermark(reopened.logEndOffset());

        assertThat(before).containsExactly(new AbortedTxn(PID, 0));
        assertThat(reopened.abortedTransactions(0, reopened.logEndOffset())).isEqualTo(before);
        assertThat(reopened.abortedTransactions(abortMarker + 1, reopened.logEndOffset())).isEmpty();
        assertThat(txnIndexFiles()).hasSize(1);
        assertThat(Files.size(txnIndexFiles().get(0))).isEqualTo(TransactionIndex.ENTRY_SIZE);
        assertThat(reopened.hasOngoingTransaction(PID)).isTrue();
        assertThat(reopened.lastStableOffset()).isEqualTo(secondTxn);
    }

    @Test
    void shouldRebuildAbortedIndexWhenCrashRecoveryRereadsTheSegment() throws IOException {
        PartitionLog log = newLog(SMALL_SEGMENTS);
        for (int i = 0; i < 10; i++) {
            assertOk(log.appendAsLeader(batch(NOW, 3), 0));
        }
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0));
        assertOk(log.appendAsLeader(txn(8L, EPOCH, 0, 1), 0));
        assertOk(log.appendTxnMarker(PID, EPOCH, 0, false, 0));
        log.flush();
        manager.writeCheckpoints();
        List<AbortedTxn> expected = log.abortedTransactions(0, log.logEndOffset());
        for (Path p : txnIndexFiles()) {
            Files.delete(p);
        }

        PartitionLog recovered = crashAndReopen(SMALL_SEGMENTS);

        assertThat(expected).hasSize(1);
        assertThat(recovered.abortedTransactions(0, recovered.logEndOffset())).isEqualTo(expected);
        assertThat(txnIndexFiles()).hasSize(1);
        assertThat(recovered.hasOngoingTransaction(8L)).isTrue();
        assertThat(recovered.hasOngoingTransaction(PID)).isFalse();
    }

    @Test
    void shouldReopenTransactionWhenCrashTornOffItsAbortMarker() throws IOException {
        PartitionLog log = newLog(SMALL_SEGMENTS);
        assertOk(log.appendAsLeader(batch(NOW, 3), 0));
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0));
        assertOk(log.appendTxnMarker(PID, EPOCH, 0, false, 0));
        log.flush();
        manager.writeCheckpoints();
        Path segment;
        try (Stream<Path> files = Files.list(partitionDir())) {
            segment = files.filter(p -> p.toString().endsWith(".log")).sorted().reduce((a, c) -> c).orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 5);
        }

        PartitionLog recovered = crashAndReopen(SMALL_SEGMENTS);

        assertThat(recovered.logEndOffset()).isEqualTo(5);
        assertThat(recovered.abortedTransactions(0, 10)).isEmpty();
        assertThat(txnIndexFiles()).isEmpty();
        assertThat(recovered.hasOngoingTransaction(PID)).isTrue();
        recovered.updateHighWatermark(5);
        assertThat(recovered.lastStableOffset()).isEqualTo(3);
    }

    @Test
    void shouldDropTornEntryWhenIndexFileEndsMidEntry() throws IOException {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 1), 0));
        assertOk(log.appendTxnMarker(PID, EPOCH, 0, false, 0));
        manager.close();
        Path index = txnIndexFiles().get(0);
        Files.write(index, new byte[] {0, 0, 1}, StandardOpenOption.APPEND);

        PartitionLog reopened = newLog(LogConfig.defaults());

        assertThat(reopened.abortedTransactions(0, 2)).containsExactly(new AbortedTxn(PID, 0));
        assertThat(Files.size(index)).isEqualTo(TransactionIndex.ENTRY_SIZE);
    }

    @Test
    void shouldRestoreOngoingTransactionWhenTruncatedBelowItsMarker() {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(batch(NOW, 1), 0));
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0));
        assertOk(log.appendTxnMarker(PID, EPOCH, 0, false, 0));
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.abortedTransactions(0, 4)).hasSize(1);

        log.truncateTo(3);

        assertThat(log.abortedTransactions(0, 4)).isEmpty();
        assertThat(log.hasOngoingTransaction(PID)).isTrue();
        assertThat(log.lastStableOffset()).isEqualTo(1);
        assertOk(log.appendTxnMarker(PID, EPOCH, 0, false, 0));
        assertThat(log.abortedTransactions(0, 4)).containsExactly(new AbortedTxn(PID, 1));
    }

    @Test
    void shouldForgetTransactionsWhenTruncatedFully() throws IOException {
        PartitionLog log = newLog(LogConfig.defaults());
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0));
        assertOk(log.appendTxnMarker(PID, EPOCH, 0, false, 0));
        assertOk(log.appendAsLeader(txn(8L, EPOCH, 0, 2), 0));

        log.truncateFullyAndStartAt(100);

        assertThat(log.hasOngoingTransaction(8L)).isFalse();
        assertThat(log.abortedTransactions(0, 200)).isEmpty();
        assertThat(log.lastStableOffset()).isEqualTo(100);
        assertThat(txnIndexFiles()).isEmpty();
    }

    @Test
    void shouldDeleteAbortedIndexWhenItsSegmentIsDeleted() throws IOException {
        PartitionLog log = newLog(SMALL_SEGMENTS);
        assertOk(log.appendAsLeader(txn(PID, EPOCH, 0, 2), 0));
        assertOk(log.appendTxnMarker(PID, EPOCH, 0, false, 0));
        for (int i = 0; i < 30; i++) {
            assertOk(log.appendAsLeader(batch(NOW, 3), 0));
        }
        log.updateHighWatermark(log.logEndOffset());
        assertThat(txnIndexFiles()).hasSize(1);

        assertThat(log.maybeIncrementLogStartOffset(log.logEndOffset() - 1)).isEqualTo(Errors.NONE);

        assertThat(txnIndexFiles()).isEmpty();
        assertThat(log.abortedTransactions(0, log.logEndOffset())).isEmpty();
    }

    @Test
    void shouldMatchLeaderStateWhenFollowerAppendsControlBatches() {
        PartitionLog leader = newLog(SMALL_SEGMENTS);
        PartitionLog follower = manager.getOrCreate(new TopicPartition("orders", 1), TOPIC_ID, SMALL_SEGMENTS);
        assertOk(leader.appendAsLeader(txn(PID, EPOCH, 0, 2), 0));
        assertOk(leader.appendAsLeader(txn(8L, EPOCH, 0, 2), 0));
        for (int i = 0; i < 10; i++) {
            assertOk(leader.appendAsLeader(batch(NOW, 3), 0));
        }
        assertOk(leader.appendTxnMarker(PID, EPOCH, 3, false, 0));
        assertOk(leader.appendAsLeader(txn(9L, EPOCH, 0, 1), 0));
        assertOk(leader.appendTxnMarker(9L, EPOCH, 3, true, 0));

        TestBatches.replicate(leader, follower, 300);
        leader.updateHighWatermark(leader.logEndOffset());
        follower.updateHighWatermark(leader.logEndOffset());

        assertThat(follower.abortedTransactions(0, follower.logEndOffset()))
            .isEqualTo(leader.abortedTransactions(0, leader.logEndOffset()))
            .containsExactly(new AbortedTxn(PID, 0));
        assertThat(follower.lastStableOffset()).isEqualTo(leader.lastStableOffset()).isEqualTo(2);
        assertThat(follower.hasOngoingTransaction(8L)).isTrue();
        assertThat(follower.activeProducers()).containsExactlyInAnyOrderElementsOf(leader.activeProducers());
    }
}

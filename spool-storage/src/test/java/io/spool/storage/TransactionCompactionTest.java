package io.spool.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class TransactionCompactionTest extends LogTestBase {

    private static final LogConfig COMPACTED = LogConfig.defaults().withCompact(true).withSegmentBytes(1024)
        .withRetention(-1, -1).withFileDeleteDelayMs(0);
    private static final long HOUR = 3600_000L;
    /** Cleans whenever there is anything dirty; tombstones and markers stay an hour. */
    private static final LogConfig EAGER = COMPACTED.withCompaction(new CompactionConfig(HOUR, 0, Long.MAX_VALUE,
        0.01));
    private static final long PID = 7L;
    private static final short EPOCH = 1;

    /** One data record as read back, or a marker ({@code key} "marker"). */
    private record Entry(long offset, String key, String value) {
    }

    private LogCleaner cleaner() {
        return new LogCleaner(() -> List.copyOf(manager.all()), new LogCleaner.Settings(0, 1 << 20, 0.9, 4096),
            clock);
    }

    private static SimpleRecord kv(String key, String value) {
        return new SimpleRecord(NOW, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    private static void append(PartitionLog log, MemoryRecords records) {
        AppendResult r = log.appendAsLeader(records, 0);
        assertThat(r.error()).as(String.valueOf(r.errorMessage())).isEqualTo(Errors.NONE);
    }

    private static void fill(PartitionLog log, int count) {
        for (int i = 0; i < count; i++) {
            append(log, MemoryRecords.withRecords(Compression.NONE, kv("filler-" + (i % 5), "f" + i)));
        }
    }

    private static void commit(PartitionLog log, boolean commit) {
        assertThat(log.appendTxnMarker(PID, EPOCH, 0, commit, 0).error()).isEqualTo(Errors.NONE);
    }

    /** One transaction of PID writing {@code key}, then its marker. */
    private static void transaction(PartitionLog log, int sequence, String key, String value, boolean commit) {
        append(log, MemoryRecords.withTransactionalRecords(Compression.NONE, PID, EPOCH, sequence, kv(key, value)));
        commit(log, commit);
    }

    /**
     * The three cleanings after which a marker of a superseded transaction is gone: the first removes the data, the
     * second (with new dirt to clean) gives the marker its horizon, the third comes after it (if any marker got one).
     */
    private void cleanPastTheMarkersHorizon(PartitionLog log, LogCleaner cleaner) {
        assertThat(cleaner.cleanOnce()).isTrue();
        fillAndCommit(log, 60);
        assertThat(cleaner.cleanOnce()).isTrue();
        clock.advance(HOUR + 1);
        cleaner.cleanOnce();
    }

    /** Appends {@code count} more records and makes everything committed: the next cleaning has dirt to clean. */
    private static void fillAndCommit(PartitionLog log, int count) {
        fill(log, count);
        log.updateHighWatermark(log.logEndOffset());
    }

    private static List<Long> markerOffsets(PartitionLog log) {
        return readAll(log).stream().filter(e -> e.key().equals("marker")).map(Entry::offset).toList();
    }

    private static List<RecordBatch> batches(PartitionLog log) {
        return TestBatches.batchesOf(log.read(log.logStartOffset(), 1 << 24, Long.MAX_VALUE, true).records());
    }

    private static List<Entry> readAll(PartitionLog log) {
        List<Entry> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            for (RecordBatch batch : TestBatches.fetch(log, next, 1 << 30).batches()) {
                for (Record r : batch) {
                    out.add(batch.isControlBatch() ? new Entry(r.offset(), "marker", null)
                        : new Entry(r.offset(), StandardCharsets.UTF_8.decode(r.key()).toString(),
                            StandardCharsets.UTF_8.decode(r.value()).toString()));
                }
                next = batch.lastOffset() + 1;
            }
        }
        return out;
    }

    @Test
    void shouldKeepCommittedValueWhenLaterWriteOfTheKeyWasAborted() {
        PartitionLog log = newLog(COMPACTED);
        append(log, MemoryRecords.withRecords(Compression.NONE, kv("K", "committed")));
        append(log, MemoryRecords.withTransactionalRecords(Compression.NONE, PID, EPOCH, 0, kv("K", "aborted")));
        assertThat(log.appendTxnMarker(PID, EPOCH, 0, false, 0).error()).isEqualTo(Errors.NONE);
        fill(log, 60);
        log.updateHighWatermark(log.logEndOffset());
        List<AbortedTxn> abortedBefore = log.abortedTransactions(0, log.logEndOffset());

        assertThat(cleaner().cleanOnce()).isTrue();

        List<Entry> after = readAll(log);
        assertThat(after).filteredOn(e -> e.key().equals("K")).containsExactly(new Entry(0, "K", "committed"));
        assertThat(after).filteredOn(e -> e.key().equals("marker")).containsExactly(new Entry(2, "marker", null));
        assertThat(log.abortedTransactions(0, log.logEndOffset())).isEqualTo(abortedBefore)
            .containsExactly(new AbortedTxn(PID, 1));
    }

    @Test
    void shouldKeepAbortedIndexWhenCleanedSegmentReplacesItsSegmentAndLogReopens() {
        PartitionLog log = newLog(COMPACTED);
        append(log, MemoryRecords.withTransactionalRecords(Compression.NONE, PID, EPOCH, 0, kv("K", "aborted")));
        assertThat(log.appendTxnMarker(PID, EPOCH, 0, false, 0).error()).isEqualTo(Errors.NONE);
        fill(log, 60);
        log.updateHighWatermark(log.logEndOffset());
        assertThat(cleaner().cleanOnce()).isTrue();

        PartitionLog reopened = reopenClean(COMPACTED);

        assertThat(reopened.abortedTransactions(0, reopened.logEndOffset())).containsExactly(new AbortedTxn(PID, 0));
    }

    @Test
    void shouldNotCleanAtOrAboveTheLastStableOffsetWhenTransactionIsOngoing() {
        PartitionLog log = newLog(COMPACTED);
        fill(log, 20);
        long txnStart = log.logEndOffset();
        append(log, MemoryRecords.withTransactionalRecords(Compression.NONE, PID, EPOCH, 0, kv("K", "open")));
        fill(log, 60);
        log.updateHighWatermark(log.logEndOffset());
        List<Entry> before = readAll(log);

        cleaner().cleanOnce();

        assertThat(log.lastStableOffset()).isEqualTo(txnStart);
        assertThat(log.cleanerCheckpoint()).isLessThanOrEqualTo(txnStart);
        List<Entry> after = readAll(log);
        assertThat(after).filteredOn(e -> e.offset() >= txnStart)
            .containsExactlyElementsOf(before.stream().filter(e -> e.offset() >= txnStart).toList());
    }

    @Test
    void shouldDropACommitMarkerDeleteRetentionAfterACleaningFindsNoDataOfItsTransaction() {
        PartitionLog log = newLog(EAGER);
        transaction(log, 0, "K", "old", true);
        transaction(log, 1, "J", "kept", true);
        append(log, MemoryRecords.withRecords(Compression.NONE, kv("K", "new")));
        fillAndCommit(log, 60);
        LogCleaner cleaner = cleaner();

        assertThat(cleaner.cleanOnce()).isTrue();
        assertThat(readAll(log)).filteredOn(e -> e.key().equals("K")).extracting(Entry::value).containsExactly("new");
        assertThat(markerOffsets(log)).as("this cleaning still read the transaction's data").containsExactly(1L, 3L);

        fillAndCommit(log, 60);
        assertThat(cleaner.cleanOnce()).isTrue();
        assertThat(markerOffsets(log)).as("kept until its delete horizon").containsExactly(1L, 3L);
        clock.advance(HOUR - 1);
        assertThat(cleaner.cleanOnce()).isFalse();

        clock.advance(2);
        assertThat(cleaner.cleanOnce()).as("the marker's horizon passed").isTrue();

        assertThat(markerOffsets(log)).containsExactly(3L);
        assertThat(batches(log)).noneMatch(b -> b.lastOffset() == 1L);
        assertThat(readAll(log)).filteredOn(e -> e.key().equals("J")).containsExactly(new Entry(2, "J", "kept"));
        assertThat(log.lastStableOffset()).isEqualTo(log.highWatermark());
    }

    @Test
    void shouldFindNoOpenTransactionWhenRecoveryReplaysALogWhoseMarkersWereDropped() throws IOException {
        PartitionLog log = newLog(EAGER);
        transaction(log, 0, "K", "old", true);
        transaction(log, 1, "K", "aborted", false);
        transaction(log, 2, "J", "kept", true);
        append(log, MemoryRecords.withRecords(Compression.NONE, kv("K", "new")));
        fillAndCommit(log, 60);
        cleanPastTheMarkersHorizon(log, cleaner());
        assertThat(markerOffsets(log)).containsExactly(5L);
        List<Entry> before = readAll(log);
        log.flush();
        // Without producer snapshots nor a recovery point, recovery rebuilds producer state from the first segment.
        try (Stream<Path> files = Files.list(log.dir())) {
            for (Path p : files.filter(f -> f.toString().endsWith(".snapshot")).toList()) {
                Files.delete(p);
            }
        }
        Files.deleteIfExists(logDir.resolve("recovery-point-offset-checkpoint"));

        PartitionLog recovered = crashAndReopen(EAGER);

        assertThat(recovered.hasOngoingTransaction(PID)).isFalse();
        assertThat(recovered.abortedTransactions(0, recovered.logEndOffset())).isEmpty();
        assertThat(readAll(recovered)).isEqualTo(before);
    }

    /**
     * A transaction of a producer that then expires: its marker is the last trace of it, and the recovery point sits
     * on a snapshot taken while the transaction was open. Returns the marker's offset.
     */
    private long expiredProducersTransactionAcrossTheRecoveryPoint(PartitionLog log) {
        append(log, MemoryRecords.withTransactionalRecords(Compression.NONE, PID, EPOCH, 0, kv("K", "old")));
        fill(log, 30);
        log.flush();
        manager.writeCheckpoints();
        commit(log, true);
        long marker = log.logEndOffset() - 1;
        append(log, MemoryRecords.withRecords(Compression.NONE, kv("K", "new")));
        fillAndCommit(log, 60);
        clock.advance(1);
        log.removeExpiredProducers(0);
        return marker;
    }

    @Test
    void shouldKeepAMarkerThatACrashWouldReplayFromASnapshotHoldingItsTransactionOpen() throws IOException {
        PartitionLog log = newLog(EAGER);
        long marker = expiredProducersTransactionAcrossTheRecoveryPoint(log);

        cleanPastTheMarkersHorizon(log, cleaner());

        assertThat(readAll(log)).filteredOn(e -> e.key().equals("K")).extracting(Entry::value).containsExactly("new");
        assertThat(markerOffsets(log)).containsExactly(marker);
        // Recovery replays producer state from the snapshot at the recovery point, where the transaction is open:
        // without its marker it would stay open for ever, and the last stable offset with it.
        PartitionLog recovered = crashAndReopen(EAGER);
        recovered.updateHighWatermark(recovered.logEndOffset());
        assertThat(recovered.hasOngoingTransaction(PID)).isFalse();
        assertThat(recovered.lastStableOffset()).isEqualTo(recovered.logEndOffset());
    }

    @Test
    void shouldDropThatMarkerOnceTheRecoveryPointHasPassedIt() {
        PartitionLog log = newLog(EAGER);
        expiredProducersTransactionAcrossTheRecoveryPoint(log);
        LogCleaner cleaner = cleaner();
        cleanPastTheMarkersHorizon(log, cleaner);

        log.flush();
        manager.writeCheckpoints();
        fillAndCommit(log, 60);
        cleanPastTheMarkersHorizon(log, cleaner);

        assertThat(markerOffsets(log)).isEmpty();
    }

    @Test
    void shouldKeepTheMarkerThatHoldsItsProducersOnlyEpoch() {
        PartitionLog log = newLog(EAGER);
        append(log, MemoryRecords.withTransactionalRecords(Compression.NONE, PID, EPOCH, 0, kv("K", "timed out")));
        // The coordinator aborts a timed-out transaction with a bumped epoch: the producer has no batch left.
        assertThat(log.appendTxnMarker(PID, (short) (EPOCH + 1), 0, false, 0).error()).isEqualTo(Errors.NONE);
        fillAndCommit(log, 60);

        cleanPastTheMarkersHorizon(log, cleaner());

        assertThat(readAll(log)).filteredOn(e -> e.key().equals("K")).isEmpty();
        assertThat(markerOffsets(log)).as("the only record of epoch %d, which fences older producers", EPOCH + 1)
            .containsExactly(1L);
    }

    @Test
    void shouldDropAnAbortMarkerAndItsIndexEntryOnceTheAbortedDataIsGone() {
        PartitionLog log = newLog(EAGER);
        append(log, MemoryRecords.withRecords(Compression.NONE, kv("K", "committed")));
        transaction(log, 0, "K", "aborted", false);
        transaction(log, 1, "J", "kept", true);
        fillAndCommit(log, 60);
        LogCleaner cleaner = cleaner();

        assertThat(cleaner.cleanOnce()).isTrue();
        assertThat(log.abortedTransactions(0, log.logEndOffset())).containsExactly(new AbortedTxn(PID, 1));

        fillAndCommit(log, 60);
        assertThat(cleaner.cleanOnce()).isTrue();
        // No aborted data is left for the entry to hide; left alone, it would hide the producer's next transaction
        // from a read_committed consumer that no longer sees the abort marker.
        assertThat(log.abortedTransactions(0, log.logEndOffset())).isEmpty();
        assertThat(markerOffsets(log)).containsExactly(2L, 4L);
        assertThat(reopenClean(EAGER).abortedTransactions(0, log.logEndOffset())).isEmpty();
    }

    @Test
    void shouldDropTheAbortMarkerAfterItsHorizon() {
        PartitionLog log = newLog(EAGER);
        transaction(log, 0, "K", "aborted", false);
        transaction(log, 1, "J", "kept", true);
        fillAndCommit(log, 60);

        cleanPastTheMarkersHorizon(log, cleaner());

        assertThat(markerOffsets(log)).containsExactly(3L);
        assertThat(readAll(log)).filteredOn(e -> e.key().equals("K")).isEmpty();
        assertThat(readAll(log)).filteredOn(e -> e.key().equals("J")).containsExactly(new Entry(2, "J", "kept"));
    }

    @Test
    void shouldKeepTheMarkerOfATransactionWhoseBatchStaysAsItsProducersLast() {
        PartitionLog log = newLog(EAGER);
        transaction(log, 0, "K", "old", true);
        append(log, MemoryRecords.withRecords(Compression.NONE, kv("K", "new")));
        fillAndCommit(log, 60);
        LogCleaner cleaner = cleaner();
        assertThat(cleaner.cleanOnce()).isTrue();
        fillAndCommit(log, 60);
        assertThat(cleaner.cleanOnce()).isTrue();

        // The producer's last data batch stays, emptied, for its sequence: its transaction still has a batch, so
        // its marker stays too (as in Kafka), and no delete horizon brings the cleaner back for it.
        clock.advance(2 * HOUR);
        assertThat(cleaner.cleanOnce()).isFalse();
        RecordBatch last = batches(log).get(0);
        assertThat(last.producerId()).isEqualTo(PID);
        assertThat(last.countOrNull()).isZero();
        assertThat(markerOffsets(log)).containsExactly(1L);
    }
}

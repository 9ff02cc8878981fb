package io.spool.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class TransactionCompactionTest extends LogTestBase {

    private static final LogConfig COMPACTED = LogConfig.defaults().withCompact(true).withSegmentBytes(1024)
        .withRetention(-1, -1).withFileDeleteDelayMs(0);
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
}

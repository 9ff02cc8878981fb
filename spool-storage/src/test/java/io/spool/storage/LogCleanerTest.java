package io.spool.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class LogCleanerTest extends LogTestBase {

    private static final long HOUR = 3600_000L;
    private static final LogConfig COMPACTED = LogConfig.defaults().withCompact(true).withSegmentBytes(2048)
        .withRetention(-1, -1).withFileDeleteDelayMs(0);

    /** One record as read back: offset, key and value (null for a tombstone). */
    private record Entry(long offset, String key, String value) {
    }

    private LogCleaner cleaner(long mapBytes) {
        return new LogCleaner(() -> List.copyOf(manager.all()), new LogCleaner.Settings(0, mapBytes, 0.9, 4096),
            clock);
    }

    private static MemoryRecords keyed(String key, String value) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(NOW,
            key.getBytes(StandardCharsets.UTF_8), value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Entry> readAll(PartitionLog log) {
        List<Entry> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            MemoryRecords records = TestBatches.fetch(log, next, 1 << 30);
            for (RecordBatch batch : records.batches()) {
                for (Record r : batch) {
                    out.add(new Entry(r.offset(), StandardCharsets.UTF_8.decode(r.key()).toString(),
                        r.hasValue() ? StandardCharsets.UTF_8.decode(r.value()).toString() : null));
                }
                next = batch.lastOffset() + 1;
            }
        }
        return out;
    }

    /** Writes {@code count} updates round-robin over {@code keys} keys, value = the update's number. */
    private static List<Entry> writeUpdates(PartitionLog log, int count, int keys) {
        List<Entry> written = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = "key-" + (i % keys);
            AppendResult r = log.appendAsLeader(keyed(key, "v" + i), 0);
            written.add(new Entry(r.firstOffset(), key, "v" + i));
        }
        log.updateHighWatermark(log.logEndOffset());
        return written;
    }

    /** What compaction of everything below {@code cleanableEnd} keeps: the last entry of each key there, and all above. */
    private static List<Entry> compacted(List<Entry> written, long cleanableEnd) {
        Map<String, Entry> latest = new LinkedHashMap<>();
        written.stream().filter(e -> e.offset() < cleanableEnd).forEach(e -> latest.put(e.key(), e));
        List<Entry> expected = new ArrayList<>(latest.values());
        written.stream().filter(e -> e.offset() >= cleanableEnd).forEach(expected::add);
        expected.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        return expected;
    }

    @Test
    void shouldKeepTheLatestRecordOfEachKeyAtItsOffset() {
        PartitionLog log = newLog(COMPACTED);
        List<Entry> written = writeUpdates(log, 600, 25);
        long activeBase = log.cleanableSegments().activeBaseOffset();
        long sizeBefore = log.sizeInBytes();

        assertThat(cleaner(1 << 20).cleanOnce()).isTrue();

        assertThat(readAll(log)).containsExactlyElementsOf(compacted(written, activeBase));
        assertThat(log.sizeInBytes()).isLessThan(sizeBefore / 2);
        assertThat(log.cleanerCheckpoint()).isEqualTo(activeBase);
        assertThat(log.logEndOffset()).isEqualTo(600);
    }

    @Test
    void shouldLeaveRecordsYoungerThanTheMinimumCompactionLag() {
        PartitionLog log = newLog(COMPACTED.withCompaction(new CompactionConfig(HOUR, HOUR, Long.MAX_VALUE, 0.5)));
        List<Entry> written = writeUpdates(log, 600, 25);
        LogCleaner cleaner = cleaner(1 << 20);

        assertThat(cleaner.cleanOnce()).isFalse();
        assertThat(readAll(log)).containsExactlyElementsOf(written);

        clock.advance(HOUR + 1);
        assertThat(cleaner.cleanOnce()).isTrue();
        assertThat(readAll(log)).hasSizeLessThan(written.size());
    }

    @Test
    void shouldCleanALogOverdueByTheMaximumCompactionLagWhateverItsDirtyRatio() {
        PartitionLog log = newLog(COMPACTED.withCompaction(new CompactionConfig(HOUR, 0, HOUR, 0.99)));
        writeUpdates(log, 600, 25);
        LogCleaner cleaner = cleaner(1 << 20);
        assertThat(cleaner.cleanOnce()).as("a never cleaned log is all dirty").isTrue();
        writeUpdates(log, 100, 25);
        assertThat(cleaner.cleanOnce()).as("dirty share below 0.99").isFalse();

        clock.advance(HOUR + 1);

        assertThat(cleaner.cleanOnce()).isTrue();
    }

    @Test
    void shouldDropTombstonesOnlyAfterDeleteRetention() {
        PartitionLog log = newLog(COMPACTED.withCompaction(new CompactionConfig(HOUR, 0, Long.MAX_VALUE, 0.5)));
        log.appendAsLeader(keyed("gone", "first"), 0);
        log.appendAsLeader(keyed("kept", "value"), 0);
        log.appendAsLeader(keyed("gone", null), 0);
        writeUpdates(log, 200, 10);
        LogCleaner cleaner = cleaner(1 << 20);

        assertThat(cleaner.cleanOnce()).isTrue();
        assertThat(readAll(log)).extracting(Entry::key).contains("gone", "kept");
        assertThat(readAll(log)).filteredOn(e -> e.key().equals("gone")).extracting(Entry::value)
            .containsExactly((String) null);

        clock.advance(HOUR - 1);
        assertThat(cleaner.cleanOnce()).isFalse();
        clock.advance(2);
        assertThat(cleaner.cleanOnce()).as("the tombstone's horizon passed").isTrue();

        assertThat(readAll(log)).extracting(Entry::key).doesNotContain("gone").contains("kept");
    }

    @Test
    void shouldCleanALargeDirtyRangeInSeveralPassesWithASmallMap() {
        PartitionLog log = newLog(COMPACTED.withCompaction(new CompactionConfig(HOUR, 0, Long.MAX_VALUE, 0.01)));
        List<Entry> written = writeUpdates(log, 1500, 120);
        long activeBase = log.cleanableSegments().activeBaseOffset();
        LogCleaner cleaner = cleaner(OffsetMap.SLOT_BYTES * 50L);

        int passes = 0;
        while (log.cleanerCheckpoint() < activeBase && passes < 1000) {
            assertThat(cleaner.cleanOnce()).isTrue();
            passes++;
        }

        assertThat(passes).isGreaterThan(10);
        assertThat(readAll(log)).containsExactlyElementsOf(compacted(written, activeBase));
    }

    @Test
    void shouldKeepAnIdempotentProducersLastBatchEvenWhenItsRecordsAreSuperseded() {
        PartitionLog log = newLog(COMPACTED);
        MemoryRecords last = MemoryRecords.withIdempotentRecords(Compression.NONE, 7L, (short) 0, 0,
            new SimpleRecord(NOW, "key-0".getBytes(StandardCharsets.UTF_8), "old".getBytes(StandardCharsets.UTF_8)));
        long producerOffset = log.appendAsLeader(last, 0).lastOffset();
        writeUpdates(log, 300, 5);

        assertThat(cleaner(1 << 20).cleanOnce()).isTrue();

        List<RecordBatch> batches = TestBatches.batchesOf(log.read(0, 1 << 20, Long.MAX_VALUE, true).records());
        RecordBatch first = batches.get(0);
        assertThat(first.producerId()).isEqualTo(7L);
        assertThat(first.lastOffset()).isEqualTo(producerOffset);
        assertThat(first.countOrNull()).isZero();
    }

    @Test
    void shouldAbortWhenTheLogIsTruncatedDuringTheCleaning() {
        PartitionLog log = newLog(COMPACTED);
        writeUpdates(log, 600, 25);
        CleanableSegments view = log.cleanableSegments();
        LogSegment first = view.inactive().get(0);
        log.truncateTo(log.logEndOffset() - 1);
        LogSegment cleaned = LogSegment.createStaged(log.dir(), first.baseOffset(), COMPACTED, NOW,
            LogSegment.CLEANED_SUFFIX);

        assertThat(log.replaceSegments(List.of(first), cleaned, view.truncations())).isFalse();
        assertThat(Files.exists(log.dir().resolve(LogSegment.fileName(first.baseOffset(), ".log.cleaned"))))
            .isFalse();
    }

    @Test
    void shouldCompleteSwapsAndDropCleanedFilesAfterACrash() throws IOException {
        PartitionLog log = newLog(COMPACTED);
        List<Entry> written = writeUpdates(log, 600, 25);
        long activeBase = log.cleanableSegments().activeBaseOffset();
        manager.close();
        Path partition = log.dir();
        Path before = logDir.resolve("before");
        copyDir(partition, before);

        log = newLog(COMPACTED);
        assertThat(cleaner(1 << 20).cleanOnce()).isTrue();
        List<Entry> afterCleaning = readAll(log);
        manager.close();
        Map<String, byte[]> cleanedSegments = new HashMap<>();
        try (Stream<Path> files = Files.list(partition)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(".log") && !java.util.Arrays.equals(Files.readAllBytes(p), readIfExists(before.resolve(name)))) {
                    cleanedSegments.put(name, Files.readAllBytes(p));
                }
            }
        }
        assertThat(cleanedSegments).isNotEmpty();

        // The crash: the cleaned segments are written as swaps, the first old segment already renamed for deletion,
        // a cleaning in progress left its output, and the node stopped without a clean shutdown.
        Fs.deleteRecursively(partition);
        copyDir(before, partition);
        Fs.deleteRecursively(before);
        for (Map.Entry<String, byte[]> e : cleanedSegments.entrySet()) {
            Files.write(partition.resolve(e.getKey() + LogSegment.SWAP_SUFFIX), e.getValue());
        }
        String firstSwapped = cleanedSegments.keySet().stream().sorted().findFirst().orElseThrow();
        Files.move(partition.resolve(firstSwapped), partition.resolve(firstSwapped + LogSegment.DELETED_SUFFIX));
        Files.write(partition.resolve(LogSegment.fileName(activeBase, ".log.cleaned")), new byte[] {1, 2, 3});
        Files.deleteIfExists(logDir.resolve(LogManager.CLEAN_SHUTDOWN_FILE));

        log = newLog(COMPACTED);

        assertThat(readAll(log)).containsExactlyElementsOf(afterCleaning)
            .containsExactlyElementsOf(compacted(written, activeBase));
        try (Stream<Path> files = Files.list(partition)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                .noneMatch(n -> n.endsWith(LogSegment.SWAP_SUFFIX) || n.endsWith(LogSegment.CLEANED_SUFFIX));
        }
        assertThat(log.read(activeBase - 1, 1 << 20, Long.MAX_VALUE, true).records().sizeInBytes())
            .as("the offset index of a swapped-in segment is rebuilt").isPositive();
    }

    private static byte[] readIfExists(Path p) throws IOException {
        return Files.exists(p) ? Files.readAllBytes(p) : null;
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }
}

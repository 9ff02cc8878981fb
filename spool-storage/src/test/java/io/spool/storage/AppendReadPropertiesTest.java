package io.spool.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

class AppendReadPropertiesTest {

    /** Whatever the batch sizes and segment size, reading from every offset returns dense offsets and values. */
    @Property(tries = 25)
    void readsShouldReturnEveryAppendedRecordInOrder(
        @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 20) Integer> batchSizes,
        @ForAll @IntRange(min = 300, max = 5000) int segmentBytes,
        @ForAll @IntRange(min = 1, max = 2000) int maxBytes,
        @ForAll boolean restart) throws IOException {
        Path dir = Files.createTempDirectory("log");
        MutableClock clock = new MutableClock(1_000_000L);
        LogConfig config = LogConfig.defaults().withSegmentBytes(segmentBytes).withIndex(64, 4096);
        TopicPartition tp = new TopicPartition("t", 0);
        LogManager manager = LogManager.open(List.of(dir), clock, p -> config, new Random(0));
        try {
            PartitionLog log = manager.getOrCreate(tp, Uuid.ONE_UUID, config);
            List<String> expected = new ArrayList<>();
            for (int size : batchSizes) {
                var records = TestBatches.batch(size % 2 == 0 ? Compression.gzip().build() : Compression.NONE,
                    clock.millis(), size);
                assertThat(log.appendAsLeader(records, 1).error()).isEqualTo(Errors.NONE);
                for (int i = 0; i < size; i++) {
                    expected.add("value-" + i);
                }
            }
            if (restart) {
                manager.close();
                manager = LogManager.open(List.of(dir), clock, p -> config, new Random(0));
                log = manager.get(tp).orElseThrow();
            }
            assertThat(log.logEndOffset()).isEqualTo(expected.size());
            for (long start = 0; start < expected.size(); start++) {
                List<Record> got = TestBatches.recordsOf(log.read(start, maxBytes, Long.MAX_VALUE, true).records());
                assertThat(got).isNotEmpty();
                assertThat(got.get(0).offset()).isLessThanOrEqualTo(start);
                for (int i = 0; i < got.size(); i++) {
                    Record r = got.get(i);
                    assertThat(r.offset()).isEqualTo(got.get(0).offset() + i);
                    assertThat(TestBatches.value(r)).isEqualTo(expected.get((int) r.offset()));
                }
                assertThat(got.get(got.size() - 1).offset()).isGreaterThanOrEqualTo(start);
            }
        } finally {
            manager.close();
            Fs.deleteRecursively(dir);
        }
    }

    /**
     * A read returns the longest run of whole batches, from the one holding the fetch offset, that lies below
     * {@code maxOffsetExclusive} and fits {@code maxBytes} (or the first batch alone when {@code minOneBatch}),
     * however sparse the offset index.
     */
    @Property(tries = 40)
    void readsShouldReturnTheLongestRunOfWholeBatchesWithinTheLimits(
        @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 20) Integer> batchSizes,
        @ForAll @IntRange(min = 1, max = 3000) int indexIntervalBytes,
        @ForAll @IntRange(min = 1, max = 3000) int maxBytes,
        @ForAll @IntRange(min = 0, max = 500) int maxOffsetExclusive,
        @ForAll boolean minOneBatch) throws IOException {
        Path dir = Files.createTempDirectory("log");
        MutableClock clock = new MutableClock(1_000_000L);
        LogConfig config = LogConfig.defaults().withIndex(indexIntervalBytes, 1 << 16);
        TopicPartition tp = new TopicPartition("t", 0);
        LogManager manager = LogManager.open(List.of(dir), clock, p -> config, new Random(0));
        try {
            PartitionLog log = manager.getOrCreate(tp, Uuid.ONE_UUID, config);
            for (int size : batchSizes) {
                var records = TestBatches.batch(size % 2 == 0 ? Compression.gzip().build() : Compression.NONE,
                    clock.millis(), size);
                assertThat(log.appendAsLeader(records, 1).error()).isEqualTo(Errors.NONE);
            }
            for (long start = 0; start < log.logEndOffset(); start++) {
                List<RecordBatch> all = TestBatches.batchesOf(
                    log.read(start, Integer.MAX_VALUE, Long.MAX_VALUE, true).records());
                List<RecordBatch> expected = new ArrayList<>();
                int bytes = 0;
                for (RecordBatch b : all) {
                    boolean fits = bytes + b.sizeInBytes() <= maxBytes || (minOneBatch && expected.isEmpty());
                    if (b.lastOffset() >= maxOffsetExclusive || !fits) {
                        break;
                    }
                    expected.add(b);
                    bytes += b.sizeInBytes();
                }
                LogSlice got = log.read(start, maxBytes, maxOffsetExclusive, minOneBatch).records();
                assertThat(TestBatches.batchesOf(got)).extracting(RecordBatch::baseOffset)
                    .as("read from %d", start).containsExactlyElementsOf(expected.stream()
                        .map(RecordBatch::baseOffset).toList());
                assertThat(got.sizeInBytes()).isEqualTo(bytes);
            }
        } finally {
            manager.close();
            Fs.deleteRecursively(dir);
        }
    }
}

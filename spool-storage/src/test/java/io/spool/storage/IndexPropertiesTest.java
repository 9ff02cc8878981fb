package io.spool.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class IndexPropertiesTest {

    @org.junit.jupiter.api.Test
    void shouldGrowTheFileWithItsEntriesUpToTheMaximum() throws IOException {
        Path dir = Files.createTempDirectory("idx");
        try {
            OffsetIndex index = new OffsetIndex(dir.resolve("x.index"), 0, 10 * 1024 * 1024, true);
            assertThat(Files.size(dir.resolve("x.index"))).as("not preallocated to the maximum").isEqualTo(4096);
            for (int i = 0; i < 1000; i++) {
                index.append(i, i * 10);
            }
            assertThat(Files.size(dir.resolve("x.index"))).isEqualTo(8192);
            assertThat(index.lookup(999)).isEqualTo(new OffsetIndex.Entry(999, 9990));
            assertThat(index.lookup(3)).isEqualTo(new OffsetIndex.Entry(3, 30));

            OffsetIndex small = new OffsetIndex(dir.resolve("y.index"), 0, 6000, true);
            int appended = 0;
            while (!small.isFull()) {
                small.append(appended, appended);
                appended++;
            }
            assertThat(appended).as("entries of 8 bytes in at most 6000 bytes").isEqualTo(750);
        } finally {
            Fs.deleteRecursively(dir);
        }
    }

    @Property(tries = 100)
    void offsetIndexLookupShouldReturnLargestEntryAtOrBelowTarget(
        @ForAll @Size(max = 2000) java.util.Set<@IntRange(min = 0, max = 100_000) Integer> relOffsets,
        @ForAll @LongRange(min = 0, max = 1_000_000_000L) long baseOffset,
        @ForAll @IntRange(min = -10, max = 100_010) int target) throws IOException {
        Path dir = Files.createTempDirectory("idx");
        try {
            OffsetIndex index = new OffsetIndex(dir.resolve("x.index"), baseOffset, 65536, true);
            TreeMap<Long, Integer> model = new TreeMap<>();
            int position = 0;
            for (int rel : new TreeSet<>(relOffsets)) {
                index.append(baseOffset + rel, position);
                model.put(baseOffset + rel, position);
                position += 17;
            }
            var expected = model.floorEntry(baseOffset + target);
            OffsetIndex.Entry actual = index.lookup(baseOffset + target);
            if (expected == null) {
                assertThat(actual).isEqualTo(new OffsetIndex.Entry(baseOffset, 0));
            } else {
                assertThat(actual).isEqualTo(new OffsetIndex.Entry(expected.getKey(), expected.getValue()));
            }
            index.truncateTo(baseOffset + target);
            assertThat(index.entries()).isEqualTo(model.headMap(baseOffset + target).size());
            index.trimToValidSize();
            OffsetIndex reopened = new OffsetIndex(dir.resolve("x.index"), baseOffset, 65536, false);
            reopened.sanityCheck(Integer.MAX_VALUE);
            assertThat(reopened.entries()).isEqualTo(index.entries());
        } finally {
            Fs.deleteRecursively(dir);
        }
    }

    @Property(tries = 100)
    void timeIndexLookupShouldReturnLargestTimestampAtOrBelowTarget(
        @ForAll @Size(max = 200) java.util.Set<@LongRange(min = 0, max = 1_000_000) Long> timestamps,
        @ForAll @LongRange(min = -5, max = 1_000_005) long target) throws IOException {
        Path dir = Files.createTempDirectory("tidx");
        try {
            TimeIndex index = new TimeIndex(dir.resolve("x.timeindex"), 1000, 4096, true);
            TreeMap<Long, Long> model = new TreeMap<>();
            long offset = 1000;
            for (long ts : new TreeSet<>(timestamps)) {
                index.maybeAppend(ts, offset);
                model.put(ts, offset);
                offset += 3;
            }
            var expected = model.floorEntry(target);
            TimeIndex.Entry actual = index.lookup(target);
            assertThat(actual.offset()).isEqualTo(expected == null ? 1000 : expected.getValue());
            assertThat(actual.timestamp()).isEqualTo(expected == null ? -1 : expected.getKey());
        } finally {
            Fs.deleteRecursively(dir);
        }
    }
}

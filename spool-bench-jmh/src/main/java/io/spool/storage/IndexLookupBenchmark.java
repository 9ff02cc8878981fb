package io.spool.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link OffsetIndex#lookup} and {@link TimeIndex#lookup} on full indexes of the default {@code segment.index.bytes}
 * (10 MiB: 1,310,720 offset entries, 873,813 time entries, as a 1 GiB segment of ~800-byte batches fills them),
 * for targets drawn uniformly at random over the indexed range: the first step of every fetch and of ListOffsets by
 * timestamp.
 *
 * <p>Lives in {@code io.spool.storage} because the indexes are package-private. Thread safety: one pair of indexes
 * per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class IndexLookupBenchmark {

    private static final int INDEX_BYTES = 10 * 1024 * 1024;
    private static final long BASE_OFFSET = 5_000_000L;
    private static final int RECORDS_PER_ENTRY = 4;
    private static final int BYTES_PER_ENTRY = 800;
    private static final long FIRST_TIMESTAMP = 1_700_000_000_000L;
    private static final int TARGETS = 1 << 16;

    private Path dir;
    private OffsetIndex offsetIndex;
    private TimeIndex timeIndex;
    private final long[] offsetTargets = new long[TARGETS];
    private final long[] timestampTargets = new long[TARGETS];
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("spool-jmh-index");
        offsetIndex = new OffsetIndex(dir.resolve(LogSegment.fileName(BASE_OFFSET, LogSegment.INDEX_SUFFIX)),
            BASE_OFFSET, INDEX_BYTES, true);
        timeIndex = new TimeIndex(dir.resolve(LogSegment.fileName(BASE_OFFSET, LogSegment.TIME_INDEX_SUFFIX)),
            BASE_OFFSET, INDEX_BYTES, true);
        for (int i = 0; !offsetIndex.isFull(); i++) {
            offsetIndex.append(BASE_OFFSET + (long) i * RECORDS_PER_ENTRY, i * BYTES_PER_ENTRY);
        }
        for (int i = 0; !timeIndex.isFull(); i++) {
            timeIndex.maybeAppend(FIRST_TIMESTAMP + i * 10L, BASE_OFFSET + (long) i * RECORDS_PER_ENTRY);
        }
        Random random = new Random(42L);
        long offsetRange = (long) offsetIndex.entries() * RECORDS_PER_ENTRY;
        long timeRange = timeIndex.entries() * 10L;
        for (int i = 0; i < TARGETS; i++) {
            offsetTargets[i] = BASE_OFFSET + (long) (random.nextDouble() * offsetRange);
            timestampTargets[i] = FIRST_TIMESTAMP + (long) (random.nextDouble() * timeRange);
        }
    }

    @Benchmark
    public OffsetIndex.Entry offsetLookup() {
        return offsetIndex.lookup(offsetTargets[nextTarget()]);
    }

    @Benchmark
    public TimeIndex.Entry timeLookup() {
        return timeIndex.lookup(timestampTargets[nextTarget()]);
    }

    private int nextTarget() {
        int n = next;
        next = (n + 1) & (TARGETS - 1);
        return n;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Fs.deleteRecursively(dir);
    }
}

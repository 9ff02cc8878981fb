package io.spool.storage;

import io.spool.bench.jmh.ProducerBatches;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link PartitionLog#appendAsLeader} of one produce request partition (one batch of 16 records of 1 KiB): lock,
 * validation, offset assignment, the write into the active segment's file (page cache, no fsync: flushing is the
 * group-commit flusher's job and not measured), index upkeep and producer state.
 *
 * <p>The log lives in a temporary directory ({@code java.io.tmpdir}, or {@code -Dspool.jmh.dir=...}) with 256 MiB
 * segments, so a run rolls segments and pays for it as the broker does (index trim, producer snapshot). To keep the
 * disk use under about 1 GiB, segments past 512 MiB of retention are deleted whenever the log holds more than three,
 * amortized into the measurement like a roll. The directory is removed at the end of the trial.
 *
 * <p>Lives in {@code io.spool.storage} to build the log without a {@link LogManager} and its background flusher.
 * Thread safety: one log per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PartitionLogAppendBenchmark {

    private static final int SEGMENT_BYTES = 256 * 1024 * 1024;
    private static final int MAX_SEGMENTS = 3;
    private static final int LEADER_EPOCH = 5;

    @Param({"none", "lz4"})
    public String compression;

    private Path dir;
    private FileDeleter deleter;
    private PartitionLog log;
    private MemoryRecords records;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of(System.getProperty("spool.jmh.dir",
            System.getProperty("java.io.tmpdir"))), "spool-jmh-append");
        LogConfig config = LogConfig.defaults().withSegmentBytes(SEGMENT_BYTES)
            .withRetention(-1L, 2L * SEGMENT_BYTES).withFileDeleteDelayMs(0L);
        Clock clock = Clock.systemUTC();
        deleter = new FileDeleter(clock);
        log = LogLoader.create(dir.resolve("orders-0"), new TopicPartition("orders", 0), Uuid.randomUuid(), config,
            clock, deleter);
        records = ProducerBatches.batch(ProducerBatches.compression(compression), 42L);
        AppendResult first = append();
        if (!first.isSuccess()) {
            throw new IllegalStateException("benchmark input is rejected: " + first.error() + " "
                + first.errorMessage());
        }
    }

    @Benchmark
    public AppendResult appendAsLeader() {
        AppendResult result = append();
        if (log.numberOfSegments() > MAX_SEGMENTS) {
            log.updateHighWatermark(log.logEndOffset());
            log.deleteOldSegments();
            deleter.runDue();
        }
        return result;
    }

    private AppendResult append() {
        AppendResult result = log.appendAsLeader(records, LEADER_EPOCH);
        ProducerBatches.resetBaseOffsets(records);
        return result;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        log.closeHandles();
        deleter.runAll();
        Fs.deleteRecursively(dir);
    }
}

package io.spool.storage;

import io.spool.bench.jmh.ProducerBatches;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The leader's check of one produce request partition before it touches the log: {@link BatchValidator#validate}
 * on one batch of 16 records of 1 KiB (framing, CRC-32C over the batch, then every record decoded, decompressing
 * lz4 batches), and the same followed by what {@link PartitionLog} does next to each valid batch: stamp its offsets
 * and leader epoch in place. The log append itself is {@link PartitionLogAppendBenchmark}.
 *
 * <p>Lives in {@code io.spool.storage} because the validator is package-private. Thread safety: one state per
 * benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BatchValidatorBenchmark {

    private static final TopicPartition PARTITION = new TopicPartition("orders", 0);
    private static final int LEADER_EPOCH = 5;

    @Param({"none", "lz4"})
    public String compression;

    private MemoryRecords records;
    private LogConfig config;
    private long nextOffset;

    @Setup
    public void setUp() {
        records = ProducerBatches.batch(ProducerBatches.compression(compression), 42L);
        config = LogConfig.defaults();
        BatchValidator.Result result = BatchValidator.validate(PARTITION, records, config, System.currentTimeMillis());
        if (!result.isValid()) {
            throw new IllegalStateException("benchmark input is invalid: " + result.error() + " " + result.message());
        }
    }

    @Benchmark
    public BatchValidator.Result validate() {
        return BatchValidator.validate(PARTITION, records, config, System.currentTimeMillis());
    }

    /** Validation plus offset assignment; the base offsets are put back to 0 so the next call sees a client batch. */
    @Benchmark
    public long validateAndAssignOffsets() {
        BatchValidator.Result result = BatchValidator.validate(PARTITION, records, config, System.currentTimeMillis());
        long next = nextOffset;
        for (MutableRecordBatch batch : result.batches()) {
            batch.setLastOffset(next + (batch.lastOffset() - batch.baseOffset()));
            batch.setPartitionLeaderEpoch(LEADER_EPOCH);
            next = batch.lastOffset() + 1;
        }
        nextOffset = next;
        ProducerBatches.resetBaseOffsets(records);
        return next;
    }
}

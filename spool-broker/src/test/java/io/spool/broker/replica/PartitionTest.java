package io.spool.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.spool.storage.LogConfig;
import io.spool.storage.LogManager;
import io.spool.storage.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's high watermark rule of KIP-966 ("strict min ISR", as Kafka's {@code Partition.maybeIncrementLeaderHW}
 * applies it): node 1 leads replicas 1, 2, 3 with {@code min.insync.replicas=2}; the high watermark only moves while
 * the ISR has at least two members.
 */
class PartitionTest {
    private static final int LEADER = 1;
    private static final int EPOCH = 0;
    private static final List<Integer> REPLICAS = List.of(1, 2, 3);

    @TempDir
    Path dir;
    private LogManager logs;
    private PartitionLog log;

    @BeforeEach
    void openLog() {
        logs = LogManager.open(List.of(dir), Clock.systemUTC());
        log = logs.getOrCreate(new TopicPartition("t", 0), Uuid.randomUuid(), LogConfig.defaults());
    }

    @AfterEach
    void closeLogs() {
        logs.close();
    }

    private static Partition.Assignment assignment(int partitionEpoch, List<Integer> isr, int minIsr) {
        return new Partition.Assignment(LEADER, EPOCH, partitionEpoch, REPLICAS, isr, minIsr);
    }

    /** A partition that becomes leader with this assignment, as the replica manager makes one from the metadata. */
    private Partition leading(List<Integer> isr, List<Integer> replicas, int minIsr) {
        Partition partition = new Partition(log, LEADER, new Partition.Assignment(-1, -1, -1, replicas, List.of(),
                minIsr));
        partition.updateAssignment(new Partition.Assignment(LEADER, EPOCH, 0, replicas, isr, minIsr), 0);
        return partition;
    }

    /** Appends {@code count} records as leader and makes them durable; returns the new log end. */
    private long append(int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        assertThat(log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records), EPOCH).error())
                .isEqualTo(Errors.NONE);
        log.flush();
        return log.logEndOffset();
    }

    @Test
    void shouldNotAdvanceHighWatermarkWhileIsrIsBelowMinIsr() {
        Partition partition = leading(List.of(1), REPLICAS, 2);
        long end = append(3);

        assertThat(partition.maybeAdvanceHighWatermark()).isFalse();
        assertThat(log.highWatermark()).as("an acks=1 write stays invisible under min ISR").isZero();

        partition.updateAssignment(assignment(1, List.of(1, 2), 2), 0);
        partition.recordFollowerFetch(2, 7, end, 0, 0);

        assertThat(log.highWatermark()).as("back at min ISR, with the follower caught up").isEqualTo(end);
    }

    @Test
    void shouldStopAdvancingHighWatermarkWhenIsrShrinksBelowMinIsr() {
        Partition partition = leading(List.of(1, 2), REPLICAS, 2);
        long first = append(2);
        partition.recordFollowerFetch(2, 7, first, 0, 0);
        assertThat(log.highWatermark()).isEqualTo(first);

        partition.updateAssignment(assignment(1, List.of(1), 2), 0);
        append(2);
        partition.maybeAdvanceHighWatermark();

        assertThat(log.highWatermark()).as("2 left the ISR below min ISR: it must hold every committed record")
                .isEqualTo(first);
    }

    @Test
    void shouldCountAtMostTheReplicasAsMinIsr() {
        Partition partition = leading(List.of(1), List.of(1), 3);
        long end = append(2);

        assertThat(partition.maybeAdvanceHighWatermark()).isTrue();
        assertThat(log.highWatermark()).isEqualTo(end);
    }

    @Test
    void shouldAnswerWaitingAcksAllProducerOnceHighWatermarkCoversItAtMinIsr() {
        Partition partition = leading(List.of(1, 2), REPLICAS, 2);
        long end = append(1);
        CompletableFuture<Errors> acked = partition.awaitHighWatermark(end);
        assertThat(acked).isNotDone();

        partition.recordFollowerFetch(2, 7, end, 0, 0);

        assertThat(acked).isCompletedWithValue(Errors.NONE);
    }
}

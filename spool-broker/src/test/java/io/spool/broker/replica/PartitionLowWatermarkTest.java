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
import java.util.function.IntPredicate;
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
 * DeleteRecords on the leader: node 1 leads replicas 1, 2, 3 (all in the ISR); the low watermark is the lowest log
 * start offset over the replicas on live brokers, as the followers report it in their fetches.
 */
class PartitionLowWatermarkTest {
    private static final int LEADER = 1;
    private static final List<Integer> REPLICAS = List.of(1, 2, 3);
    private static final IntPredicate ALL_ALIVE = id -> true;

    @TempDir
    Path dir;
    private LogManager logs;
    private PartitionLog log;
    private Partition partition;

    @BeforeEach
    void lead() {
        logs = LogManager.open(List.of(dir), Clock.systemUTC());
        log = logs.getOrCreate(new TopicPartition("t", 0), Uuid.randomUuid(), LogConfig.defaults());
        partition = new Partition(log, LEADER, new Partition.Assignment(-1, -1, -1, REPLICAS, List.of(), 1));
        partition.updateAssignment(new Partition.Assignment(LEADER, 0, 0, REPLICAS, REPLICAS, 1), 0);
        SimpleRecord[] records = new SimpleRecord[10];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records), 0);
        log.flush();
        partition.recordFollowerFetch(2, 7, 10, 0, 0);
        partition.recordFollowerFetch(3, 8, 10, 0, 0);
        assertThat(log.highWatermark()).isEqualTo(10);
    }

    @AfterEach
    void closeLogs() {
        logs.close();
    }

    @Test
    void shouldCompleteDeleteRecordsOnceEveryLiveReplicaReportsTheNewStart() {
        assertThat(log.maybeIncrementLogStartOffset(6)).isEqualTo(Errors.NONE);
        CompletableFuture<DeleteRecordsOutcome> done = partition.awaitLowWatermark(6, ALL_ALIVE);
        assertThat(done).isNotDone();

        partition.recordFollowerFetch(2, 7, 10, 6, 0);
        partition.checkLowWatermark(ALL_ALIVE);
        assertThat(done).as("replica 3 still starts at 0").isNotDone();
        partition.recordFollowerFetch(3, 8, 10, 6, 0);
        partition.checkLowWatermark(ALL_ALIVE);

        assertThat(done).isCompletedWithValue(DeleteRecordsOutcome.success(6));
    }

    @Test
    void shouldIgnoreReplicasOnDeadBrokersForTheLowWatermark() {
        log.maybeIncrementLogStartOffset(4);
        partition.recordFollowerFetch(2, 7, 10, 4, 0);

        CompletableFuture<DeleteRecordsOutcome> done = partition.awaitLowWatermark(4, id -> id != 3);

        assertThat(done).isCompletedWithValue(DeleteRecordsOutcome.success(4));
        assertThat(partition.lowWatermark(ALL_ALIVE)).isZero();
    }

    @Test
    void shouldCountFollowerThatHasNotFetchedAsUnknown() {
        partition.updateAssignment(new Partition.Assignment(LEADER, 1, 1, REPLICAS, REPLICAS, 1), 0);

        assertThat(partition.lowWatermark(ALL_ALIVE)).isEqualTo(-1);
    }

    @Test
    void shouldFailWaitingDeleteRecordsWhenLeadershipMoves() {
        log.maybeIncrementLogStartOffset(5);
        CompletableFuture<DeleteRecordsOutcome> done = partition.awaitLowWatermark(5, ALL_ALIVE);

        partition.updateAssignment(new Partition.Assignment(2, 1, 1, REPLICAS, REPLICAS, 1), 0);

        assertThat(done).isCompletedWithValue(DeleteRecordsOutcome.failure(Errors.NOT_LEADER_OR_FOLLOWER));
    }

    @Test
    void shouldRefuseDeleteBeyondHighWatermark() {
        SimpleRecord record = new SimpleRecord("x".getBytes(StandardCharsets.UTF_8));
        log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, record), 0);

        assertThat(log.maybeIncrementLogStartOffset(11)).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(log.logStartOffset()).isZero();
    }
}
